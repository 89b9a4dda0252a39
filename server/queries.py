"""Queries run in worker processes, on read-only pyoxigraph handles.

Why processes: pyoxigraph cannot interrupt a query, so the only way to stop a
runaway query (a cross product over the whole store) and free its CPU is to
kill the process that runs it. Each worker holds a read-only snapshot of the
store; the server's writes (``QueryPool.write``) first wait until no query
runs, tell every worker to close its handle, write through a short-lived
read-write handle, and bump a generation number so that workers reopen their
snapshot before their next query. A read-only handle is therefore never open
while a write is under way, and every query sees every write before it.
SPARQL Updates follow the same protocol but run in an update process
(``QueryPool.update``), so that the timeout can stop them too.

Results are serialised by pyoxigraph inside the worker and streamed to the web
thread in chunks: a large result is never one string in memory.
"""
from __future__ import annotations

import gc
import itertools
import json
import logging
import multiprocessing as mp
import os
import queue
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Iterator

from .errors import BadRequest, ClientGone, QuerySyntaxError, QueryTimeout, StoreError, Unavailable, WriteRejected

log = logging.getLogger("communique.queries")
CTX = mp.get_context("spawn")  # never fork a threaded server
CHUNK = 64 * 1024
POLL = 0.25  # seconds between checks that the client is still there


# --- inside a worker process -------------------------------------------------


class _ChunkWriter:
    def __init__(self, conn):
        self.conn, self.buf = conn, bytearray()

    def write(self, data) -> int:
        self.buf += data
        if len(self.buf) >= CHUNK:
            self.flush()
        return len(data)

    def flush(self):
        if self.buf:
            self.conn.send(("data", bytes(self.buf)))
            self.buf.clear()


def _terms(iris):
    import pyoxigraph as ox

    return [ox.DefaultGraph() if i is None else ox.NamedNode(i) for i in iris]


def _worker(conn, path: str):  # pragma: no cover - runs in a child process
    import pyoxigraph as ox

    store, generation = None, None
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg[0] == "close":
            store = None
            gc.collect()
            conn.send(("closed",))
            continue
        _, gen, query, options, formats = msg
        try:
            if store is None or gen != generation:
                store = None
                gc.collect()
                store = ox.Store.read_only(path)
                generation = gen
            kwargs = {"use_default_graph_as_union": options.get("union", True)}
            if options.get("base_iri"):
                kwargs["base_iri"] = options["base_iri"]
            if options.get("default_graph") is not None:
                kwargs["default_graph"] = _terms(options["default_graph"])
                kwargs["use_default_graph_as_union"] = False
            if options.get("named_graphs") is not None:
                kwargs["named_graphs"] = _terms(options["named_graphs"])
            result = store.query(query, **kwargs)
            writer = _ChunkWriter(conn)
            max_rows = options.get("max_rows")
            if isinstance(result, ox.QueryBoolean):
                conn.send(("boolean", bool(result)))
                result.serialize(writer, ox.QueryResultsFormat.from_media_type(formats["boolean"]))
            elif isinstance(result, ox.QuerySolutions):
                variables = [v.value for v in result.variables]
                if max_rows is None:
                    conn.send(("solutions", variables))
                    result.serialize(writer, ox.QueryResultsFormat.from_media_type(formats["solutions"]))
                else:
                    rows = list(itertools.islice(result, max_rows + 1))
                    conn.send(("solutions", variables, len(rows) > max_rows))
                    _write_json_solutions(writer, variables, rows[:max_rows])
            else:
                if max_rows is None:
                    conn.send(("triples", None))
                    result.serialize(writer, ox.RdfFormat.from_media_type(formats["triples"]))
                else:
                    triples = list(itertools.islice(result, max_rows + 1))
                    conn.send(("triples", None, len(triples) > max_rows))
                    ox.serialize(triples[:max_rows], writer, ox.RdfFormat.from_media_type(formats["triples"]))
            writer.flush()
            conn.send(("end", None))
        except SyntaxError as exc:
            conn.send(("error", "syntax", str(exc)))
        except ValueError as exc:
            conn.send(("error", "value", str(exc)))
        except OSError as exc:
            conn.send(("error", "os", str(exc)))


def _json_term(term) -> dict:
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            out["datatype"] = term.datatype.value
        return out
    return {"type": "triple", "value": {"subject": _json_term(term.subject),
                                        "predicate": _json_term(term.predicate), "object": _json_term(term.object)}}


def _write_json_solutions(writer, variables: list[str], rows) -> None:
    """SPARQL JSON for a capped result (at most max_rows rows, so small); pyoxigraph writes uncapped ones."""
    head = json.dumps({"head": {"vars": variables}})[:-1]
    writer.write(f'{head}, "results": {{"bindings": ['.encode())
    for n, row in enumerate(rows):
        binding = {v: _json_term(row[v]) for v in variables if row[v] is not None}
        writer.write(((", " if n else "") + json.dumps(binding, ensure_ascii=False)).encode())
    writer.write(b"]}}")


def _updater(conn, path: str):  # pragma: no cover - runs in a child process
    """Runs SPARQL Updates, each on a read-write handle opened for it and closed after.

    The update is checked first on an in-memory copy: every article graph it
    changes must conform to the shapes (``writegate.py``); only then is the
    change committed, in one transaction.
    """
    import pyoxigraph as ox

    from . import writegate

    while True:
        try:
            _, update, base_iri, options = conn.recv()
        except (EOFError, OSError):
            return
        holder = []
        try:
            holder.append(ox.Store(path))
            info = writegate.apply(holder[0], update, base_iri=base_iri, articles=options.get("articles"),
                                   probe=options.get("probe", ()))
            holder[0].flush()
            reply = ("ok", info)
        except writegate.Rejected as exc:
            reply = ("error", "shapes", str(exc))
        except SyntaxError as exc:
            reply = ("error", "syntax", str(exc))
        except ValueError as exc:
            reply = ("error", "value", str(exc))
        except OSError as exc:
            reply = ("error", "os", str(exc))
        holder.clear()
        gc.collect()  # release RocksDB's lock before answering: the workers reopen next
        conn.send(reply)


# --- in the server process -----------------------------------------------------------


class RWLock:
    """Many readers or one writer; a waiting writer goes before new readers."""

    def __init__(self):
        self._cond = threading.Condition()
        self._readers = 0
        self._writer = False
        self._waiting_writers = 0

    @contextmanager
    def read(self):
        with self._cond:
            while self._writer or self._waiting_writers:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            self.release_read()

    def acquire_read(self):
        with self._cond:
            while self._writer or self._waiting_writers:
                self._cond.wait()
            self._readers += 1

    def release_read(self):
        with self._cond:
            self._readers -= 1
            self._cond.notify_all()

    @contextmanager
    def write(self):
        with self._cond:
            self._waiting_writers += 1
            while self._writer or self._readers:
                self._cond.wait()
            self._waiting_writers -= 1
            self._writer = True
        try:
            yield
        finally:
            with self._cond:
                self._writer = False
                self._cond.notify_all()


@dataclass
class _Worker:
    process: mp.Process
    conn: object


@dataclass
class Result:
    """A query's result: its kind, and its serialised bytes as a stream."""

    kind: str  # "solutions", "boolean" or "triples"
    media_type: str
    variables: list[str] | None
    boolean: bool | None
    chunks: Iterator[bytes]
    truncated: bool = False  # a max_rows cap left rows out

    def read(self) -> bytes:
        return b"".join(self.chunks)


class QueryPool:
    def __init__(self, path: str, workers: int = 2, timeout: float = 30.0):
        self.path = str(path)
        self.timeout = timeout
        self.generation = 0
        self._lock = RWLock()
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: list[_Worker] = []
        self._closed = False
        self._updater: _Worker | None = None  # started by the first update
        if not os.path.exists(os.path.join(self.path, "CURRENT")):
            self.write(lambda store: None)  # a new, empty store: create it, or read-only handles cannot open it
        for _ in range(workers):
            self._add_worker()

    def _add_worker(self) -> _Worker:
        parent, child = CTX.Pipe()
        process = CTX.Process(target=_worker, args=(child, self.path), daemon=True, name="communique-query")
        process.start()
        child.close()
        worker = _Worker(process, parent)
        self._all.append(worker)
        self._idle.put(worker)
        return worker

    def _kill(self, worker: _Worker):
        """Stop a worker in the middle of a query and put a fresh one in its place."""
        worker.process.kill()
        worker.process.join(5)
        worker.conn.close()
        self._all.remove(worker)
        if not self._closed:
            self._add_worker()

    def close(self):
        self._closed = True
        for worker in [*self._all, *([self._updater] if self._updater else [])]:
            worker.process.kill()
            worker.process.join(5)
        self._all.clear()
        self._updater = None

    # -- queries --------------------------------------------------------------

    def query(self, query: str, formats: dict[str, str], *, union: bool = True, base_iri: str | None = None,
              default_graph: list[str | None] | None = None, named_graphs: list[str] | None = None,
              timeout: float | None = None, max_rows: int | None = None,
              cancelled: Callable[[], bool] | None = None) -> Result:
        """Run a query; the first message (or error) is awaited before this returns.

        ``max_rows`` caps the rows (or triples) sent; with it, results are
        SPARQL JSON (or the triples format). ``cancelled`` is polled while the
        query runs: when it answers True (the client went away) the worker is
        killed, as on a timeout.
        """
        deadline = time.monotonic() + (timeout or self.timeout)
        options = {"union": union, "base_iri": base_iri, "default_graph": default_graph,
                   "named_graphs": named_graphs, "max_rows": max_rows}
        self._lock.acquire_read()
        try:
            try:
                worker = self._idle.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise Unavailable("every query worker is busy; try again shortly") from None
            try:
                worker.conn.send(("query", self.generation, query, options, formats))
                first = self._recv(worker, deadline, cancelled)
            except BaseException:
                self._kill(worker)
                raise
        except BaseException:
            self._lock.release_read()
            raise
        if first[0] == "error":
            self._idle.put(worker)
            self._lock.release_read()
            _raise(first)
        kind = first[0]
        media = formats[kind]
        return Result(kind, media, first[1] if kind == "solutions" else None,
                      first[1] if kind == "boolean" else None, _Stream(self, worker, deadline, cancelled),
                      truncated=len(first) > 2 and bool(first[2]))

    def _recv(self, worker: _Worker, deadline: float, cancelled: Callable[[], bool] | None = None):
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise QueryTimeout(f"the query ran longer than {self.timeout:g} s and was stopped")
            if worker.conn.poll(min(remaining, POLL) if cancelled else remaining):
                break
            if cancelled is not None and cancelled():
                raise ClientGone("the client went away; its query was stopped")
        try:
            return worker.conn.recv()
        except (EOFError, OSError):
            raise StoreError("a query worker stopped unexpectedly") from None

    @property
    def busy(self) -> int:
        """How many workers are running a query now."""
        return len(self._all) - self._idle.qsize()

    # -- helpers for the app's own pages --------------------------------------------------

    def select(self, query: str, **kwargs) -> list[dict]:
        """SELECT results as SPARQL JSON bindings: [{var: {"type", "value", ...}}]."""
        result = self.query(query, {"solutions": "application/sparql-results+json",
                                    "boolean": "application/sparql-results+json",
                                    "triples": "application/n-triples"}, **kwargs)
        data = result.read()
        if result.kind != "solutions":
            raise BadRequest("expected a SELECT query")
        return json.loads(data)["results"]["bindings"]

    def ask(self, query: str, **kwargs) -> bool:
        result = self.query(query, {"solutions": "application/sparql-results+json",
                                    "boolean": "application/sparql-results+json",
                                    "triples": "application/n-triples"}, **kwargs)
        result.read()
        return bool(result.boolean)

    def graph(self, query: str, media_type: str = "application/n-triples", **kwargs) -> bytes:
        result = self.query(query, {"solutions": "application/sparql-results+json",
                                    "boolean": "application/sparql-results+json",
                                    "triples": media_type}, **kwargs)
        return result.read()

    # -- writes ------------------------------------------------------------------------------

    def write(self, fn: Callable):
        """Run fn(store) on a read-write handle while no query runs; later queries see the change.

        For the server's own writes (creating an empty store). Writes from
        clients go through ``update``, which checks them against the shapes.
        """
        from . import store as store_mod

        with self._lock.write():
            self._close_handles()
            handle = [store_mod.open_rw(self.path)]
            try:
                result = fn(handle[0])
                handle[0].flush()
            finally:
                handle.clear()
                gc.collect()  # release the read-write handle before any worker reopens
                self.generation += 1
            return result

    def _close_handles(self):
        """Under the write lock: every worker closes its read-only handle."""
        for worker in list(self._all):
            try:
                worker.conn.send(("close",))
                if not worker.conn.poll(10):
                    raise OSError("no answer")
                worker.conn.recv()
            except (OSError, EOFError):
                self._idle_remove(worker)
                self._kill(worker)

    def update(self, update: str, base_iri: str | None = None, timeout: float | None = None, *,
               articles: str | None = None, probe: tuple = ()) -> dict:
        """Run a SPARQL Update as ``write`` does, but in an update process that the timeout can stop.

        Like ``write``, it waits until no query runs and closes the workers'
        handles; then the update process opens the read-write handle, checks
        the update on a copy (every changed graph whose name starts with
        ``articles``, or that holds a dip:Article, must conform to the
        shapes), commits it in one transaction and closes the handle. Past
        the timeout that process is killed: nothing was committed, and the
        client gets 503. ``probe`` names graphs (None: the default graph)
        whose existence before the update is reported back. Returns
        {"existed": {graph: bool}, "changed": [graphs], "validated": [graphs],
        "ms": {...}}.
        """
        limit = timeout or self.timeout
        options = {"articles": articles, "probe": list(probe)}
        with self._lock.write():
            self._close_handles()
            try:
                if self._updater is None or not self._updater.process.is_alive():
                    parent, child = CTX.Pipe()
                    process = CTX.Process(target=_updater, args=(child, self.path), daemon=True,
                                          name="communique-update")
                    process.start()
                    child.close()
                    self._updater = _Worker(process, parent)
                conn = self._updater.conn
                conn.send(("update", update, base_iri, options))
                if not conn.poll(limit):
                    self._updater.process.kill()
                    self._updater.process.join(5)
                    conn.close()
                    self._updater = None
                    raise QueryTimeout(f"the update ran longer than {limit:g} s and was stopped; nothing was written")
                try:
                    msg = conn.recv()
                except (EOFError, OSError):
                    self._updater = None
                    raise StoreError("the update process stopped unexpectedly") from None
            finally:
                self.generation += 1
        if msg[0] == "error":
            _, kind, text = msg
            if kind == "syntax":
                raise QuerySyntaxError(f"the update is not valid SPARQL: {text}")
            if kind == "value":
                raise BadRequest(text)
            if kind == "shapes":
                raise WriteRejected(text)
            raise StoreError(f"the store could not run the update: {text}")
        return msg[1]

    def _idle_remove(self, worker: _Worker):
        kept = []
        while True:
            try:
                w = self._idle.get_nowait()
            except queue.Empty:
                break
            if w is not worker:
                kept.append(w)
        for w in kept:
            self._idle.put(w)


class _Stream:
    """The chunks of one result. Closing it early (or dropping it) stops the query's work."""

    def __init__(self, pool: QueryPool, worker: _Worker, deadline: float,
                 cancelled: Callable[[], bool] | None = None):
        self.pool, self.worker, self.deadline, self.cancelled = pool, worker, deadline, cancelled
        self.done = False

    def __iter__(self):
        return self

    def __next__(self) -> bytes:
        if self.done:
            raise StopIteration
        try:
            msg = self.pool._recv(self.worker, self.deadline, self.cancelled)
        except BaseException:
            self._finish(clean=False)
            raise
        if msg[0] == "data":
            return msg[1]
        if msg[0] == "error":  # an error after the first bytes: the stream stops here
            log.warning("query failed while streaming: %s", msg[2])
        self._finish(clean=True)
        raise StopIteration

    def _finish(self, clean: bool):
        if self.done:
            return
        self.done = True
        if clean:
            self.pool._idle.put(self.worker)
        else:  # timed out, or the client went away: stop the query's work now
            self.pool._kill(self.worker)
        self.pool._lock.release_read()

    def close(self):
        self._finish(clean=False)

    def __del__(self):
        self.close()


def _raise(msg):
    _, kind, text = msg
    if kind == "syntax":
        raise QuerySyntaxError(f"the query is not valid SPARQL: {text}")
    if kind == "value":
        raise BadRequest(text)
    raise StoreError(f"the store could not answer: {text}")
