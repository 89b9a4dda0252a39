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
thread in chunks: a large result is never one string in memory. The first
chunk (64 KiB, or the whole result if smaller) is awaited before the response
starts, so an error while it is made (a SERVICE answer that cannot be read)
gets its own status.

Every worker and update process runs its work on a thread with a large stack
(``WORKER_STACK``): pyoxigraph parses and evaluates recursively, so a deep
query that passed the limits of ``sparql_text.check_limits`` still has room
many times over, and a worker never dies of it. Unless it was started for
federation, each process cuts itself off the network first (``sandbox.py``).
"""
from __future__ import annotations

import gc
import itertools
import json
import logging
import multiprocessing as mp
import os
import queue
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Iterator

from .base import QueryService
from ..errors import (BadGateway, BadRequest, ClientGone, QuerySyntaxError, QueryTimeout, StoreError, Unavailable,
                     WriteRejected)

log = logging.getLogger("communique.queries")
CTX = mp.get_context("spawn")  # never fork a threaded server
CHUNK = 64 * 1024
POLL = 0.25  # seconds between checks that the client is still there
WORKER_STACK = 256 * 1024 * 1024  # bytes of stack for the thread that runs pyoxigraph (reserved, used on demand)
READY_TIMEOUT = 60.0  # seconds a new process may take to start


def _child(conn, target, path: str, network: bool, sandbox_mode: str):  # pragma: no cover - a child process
    """A worker or update process: off the network unless asked, then ``target`` on a large stack."""
    from . import sandbox

    if network:
        mechanism = "network allowed"
    else:
        try:
            mechanism = sandbox.isolate(sandbox_mode)
        except sandbox.SandboxError as exc:
            conn.send(("failed", str(exc)))
            return
    conn.send(("ready", mechanism))
    threading.stack_size(WORKER_STACK)
    sys.setrecursionlimit(100_000)  # the rdflib analysis (federation.py) recurses per bracket
    thread = threading.Thread(target=target, args=(conn, path, network), name="communique-work")
    thread.start()
    thread.join()


def _error_reply(exc: BaseException, network: bool) -> tuple:
    """An engine error as a message for the server. In a process with network, what is not a SPARQL syntax
    error of the text itself came from the remote side (an answer that cannot be read, a refused connection)."""
    text = str(exc)
    if network and not (isinstance(exc, SyntaxError) and text.startswith("error at ")) \
            and not isinstance(exc, ValueError):
        return ("error", "remote", text)
    if isinstance(exc, SyntaxError):
        return ("error", "syntax", text)
    if isinstance(exc, ValueError):
        return ("error", "value", text)
    if isinstance(exc, RuntimeError):
        return ("error", "runtime", text)
    return ("error", "os", text)


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


def _worker(conn, path: str, network: bool = False):  # pragma: no cover - runs in a child process
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
        if msg[0] == "analyse":
            conn.send(_analyse(msg[1], msg[2]))
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
        except (SyntaxError, ValueError, OSError, RuntimeError) as exc:
            conn.send(_error_reply(exc, network))


def _analyse(text: str, update: bool) -> tuple:  # pragma: no cover - runs in a child process
    """The SERVICE endpoints and LOAD sources of a text, by rdflib's parser (federation.py)."""
    from .federation import analyse

    remote = analyse(text, update)
    return ("analysis", remote.services, remote.loads, remote.unprovable)


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


def _updater(conn, path: str, network: bool = False):  # pragma: no cover - runs in a child process
    """Runs SPARQL Updates, each on a read-write handle opened for it and closed after.

    The update is checked first on an in-memory copy: every article graph it
    changes must conform to the shapes (``writegate.py``); only then is the
    change committed, in one transaction.
    """
    import pyoxigraph as ox

    from ..ingest import writegate

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
        except (SyntaxError, ValueError, OSError, RuntimeError) as exc:
            reply = _error_reply(exc, network)
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
    network: bool = False
    sandbox: str | None = None  # what keeps it off the network, once it said so


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


class QueryPool(QueryService):
    """``workers`` query processes off the network, ``network_workers`` more for federated queries.

    ``sandbox`` is how the others keep off the network: "auto" (a network
    namespace, else a seccomp filter), "namespace" or "seccomp".
    """

    def __init__(self, path: str, workers: int = 2, timeout: float = 30.0, network_workers: int = 0,
                 sandbox: str = "auto"):
        self.path = str(path)
        self.timeout = timeout
        self.generation = 0
        self.sandbox_mode = sandbox
        self.sandboxes: dict[str, int] = {}  # mechanism -> processes that reported it
        self._lock = RWLock()
        self._idle = {False: queue.Queue(), True: queue.Queue()}  # by network
        self._all: list[_Worker] = []
        self._closed = False
        self._updaters: dict[bool, _Worker | None] = {False: None, True: None}  # started by the first update
        self._sandbox_lock = threading.Lock()
        if not os.path.exists(os.path.join(self.path, "CURRENT")):
            self.write(lambda store: None)  # a new, empty store: create it, or read-only handles cannot open it
        for _ in range(workers):
            self._add_worker(False)
        for _ in range(network_workers):
            self._add_worker(True)
        for worker in list(self._all):  # started together; each says how it keeps off the network
            self._ready(worker)

    def _spawn(self, target, network: bool, name: str) -> _Worker:
        parent, child = CTX.Pipe()
        process = CTX.Process(target=_child, args=(child, target, self.path, network, self.sandbox_mode),
                              daemon=True, name=name)
        process.start()
        child.close()
        return _Worker(process, parent, network)

    def _add_worker(self, network: bool = False) -> _Worker:
        worker = self._spawn(_worker, network, "communique-query" + ("-net" if network else ""))
        self._all.append(worker)
        self._idle[network].put(worker)
        return worker

    def _ready(self, worker: _Worker, deadline: float | None = None):
        """Wait for a new process's first message: how it keeps off the network."""
        if worker.sandbox is not None:
            return
        wait = READY_TIMEOUT if deadline is None else max(0.0, deadline - time.monotonic())
        try:
            if not worker.conn.poll(wait):
                raise StoreError("a query worker did not start in time")
            msg = worker.conn.recv()
        except (EOFError, OSError):
            raise StoreError("a query worker stopped while it started") from None
        if msg[0] == "failed":
            raise StoreError(f"a query worker could not start: {msg[1]}")
        worker.sandbox = msg[1]
        with self._sandbox_lock:
            first = msg[1] not in self.sandboxes
            self.sandboxes[msg[1]] = self.sandboxes.get(msg[1], 0) + 1
        if msg[1].startswith("none"):
            log.warning("a %s process runs WITHOUT a network sandbox (%s); SERVICE and LOAD are still refused "
                        "by the parse check", worker.process.name, msg[1])
        elif first:
            log.info("%s processes: %s", worker.process.name,
                     "network allowed (federation is configured)" if worker.network
                     else f"no network (sandbox: {msg[1]})")

    def _kill(self, worker: _Worker):
        """Stop a worker in the middle of a query and put a fresh one in its place."""
        worker.process.kill()
        worker.process.join(5)
        worker.conn.close()
        self._all.remove(worker)
        if not self._closed:
            self._add_worker(worker.network)

    def close(self):
        self._closed = True
        for worker in [*self._all, *(u for u in self._updaters.values() if u)]:
            worker.process.kill()
            worker.process.join(5)
        self._all.clear()
        self._updaters = {False: None, True: None}

    @property
    def federated(self) -> bool:
        """Whether some workers may reach the network (for allowed SERVICE endpoints)."""
        return any(w.network for w in self._all)

    # -- queries --------------------------------------------------------------

    def _take(self, network: bool, deadline: float) -> _Worker:
        try:
            worker = self._idle[network].get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise Unavailable("every query worker is busy; try again shortly") from None
        try:
            self._ready(worker, deadline)
        except StoreError:
            self._kill(worker)
            raise
        return worker

    def query(self, query: str, formats: dict[str, str], *, union: bool = True, base_iri: str | None = None,
              default_graph: list[str | None] | None = None, named_graphs: list[str] | None = None,
              timeout: float | None = None, max_rows: int | None = None,
              cancelled: Callable[[], bool] | None = None, network: bool = False) -> Result:
        """Run a query; its first message and first chunk (or error) are awaited before this returns.

        ``max_rows`` caps the rows (or triples) sent; with it, results are
        SPARQL JSON (or the triples format). ``cancelled`` is polled while the
        query runs: when it answers True (the client went away) the worker is
        killed, as on a timeout. ``network`` runs it on a worker that may reach
        the network (a query whose SERVICE endpoints were allowed).
        """
        if network and not self.federated:
            raise BadRequest("federated queries are not enabled on this endpoint")
        deadline = time.monotonic() + (timeout or self.timeout)
        options = {"union": union, "base_iri": base_iri, "default_graph": default_graph,
                   "named_graphs": named_graphs, "max_rows": max_rows}
        self._lock.acquire_read()
        try:
            worker = self._take(network, deadline)
            try:
                worker.conn.send(("query", self.generation, query, options, formats))
                first = self._recv(worker, deadline, cancelled)
                second = self._recv(worker, deadline, cancelled) if first[0] != "error" else None
            except BaseException:
                self._kill(worker)
                raise
        except BaseException:
            self._lock.release_read()
            raise
        for msg in (first, second):
            if msg is not None and msg[0] == "error":
                self._idle[worker.network].put(worker)
                self._lock.release_read()
                _raise(msg)
        kind = first[0]
        media = formats[kind]
        return Result(kind, media, first[1] if kind == "solutions" else None,
                      first[1] if kind == "boolean" else None, _Stream(self, worker, deadline, cancelled, second),
                      truncated=len(first) > 2 and bool(first[2]))

    def analyse(self, text: str, update: bool, timeout: float | None = None) -> tuple[list, list, str | None]:
        """(SERVICE endpoints, LOAD sources, why it could not be checked in full) of a text, by rdflib's
        parser in a worker (federation.py), within the timeout."""
        deadline = time.monotonic() + (timeout or self.timeout)
        with self._lock.read():
            worker = self._take(False, deadline)
            try:
                worker.conn.send(("analyse", text, update))
                msg = self._recv(worker, deadline)
            except BaseException:
                self._kill(worker)
                raise
            self._idle[False].put(worker)
        return msg[1], msg[2], msg[3]

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
        return len(self._all) - self._idle[False].qsize() - self._idle[True].qsize()

    # -- writes ------------------------------------------------------------------------------

    def write(self, fn: Callable):
        """Run fn(store) on a read-write handle while no query runs; later queries see the change.

        For the server's own writes (creating an empty store). Writes from
        clients go through ``update``, which checks them against the shapes.
        """
        from . import embedded as store_mod

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
                self._ready(worker)
                worker.conn.send(("close",))
                if not worker.conn.poll(10):
                    raise OSError("no answer")
                worker.conn.recv()
            except (OSError, EOFError, StoreError):
                self._idle_remove(worker)
                self._kill(worker)

    def update(self, update: str, base_iri: str | None = None, timeout: float | None = None, *,
               articles: str | None = None, probe: tuple = (), network: bool = False) -> dict:
        """Run a SPARQL Update as ``write`` does, but in an update process that the timeout can stop.

        Like ``write``, it waits until no query runs and closes the workers'
        handles; then the update process opens the read-write handle, checks
        the update on a copy (every changed graph whose name starts with
        ``articles``, or that holds a dip:Article, must conform to the
        shapes), commits it in one transaction and closes the handle. Past
        the timeout that process is killed: nothing was committed, and the
        client gets 503. ``probe`` names graphs (None: the default graph)
        whose existence before the update is reported back; ``network`` runs
        it in an update process that may reach the network (allowed LOAD or
        SERVICE). Returns {"existed": {graph: bool}, "changed": [graphs],
        "validated": [graphs], "ms": {...}}.
        """
        limit = timeout or self.timeout
        options = {"articles": articles, "probe": list(probe)}
        with self._lock.write():
            self._close_handles()
            try:
                updater = self._updaters[network]
                if updater is None or not updater.process.is_alive():
                    updater = self._updaters[network] = self._spawn(_updater, network,
                                                                     "communique-update" + ("-net" if network else ""))
                started = time.monotonic()
                try:
                    self._ready(updater, started + READY_TIMEOUT)
                except StoreError:
                    self._updaters[network] = None
                    raise
                conn = updater.conn
                conn.send(("update", update, base_iri, options))
                if not conn.poll(limit):
                    updater.process.kill()
                    updater.process.join(5)
                    conn.close()
                    self._updaters[network] = None
                    raise QueryTimeout(f"the update ran longer than {limit:g} s and was stopped; nothing was written")
                try:
                    msg = conn.recv()
                except (EOFError, OSError):
                    self._updaters[network] = None
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
            if kind == "remote":
                raise BadGateway(f"the update fetched a remote source whose answer could not be used: {text}")
            raise StoreError(f"the store could not run the update: {text}")
        return msg[1]

    def _idle_remove(self, worker: _Worker):
        q = self._idle[worker.network]
        kept = []
        while True:
            try:
                w = q.get_nowait()
            except queue.Empty:
                break
            if w is not worker:
                kept.append(w)
        for w in kept:
            q.put(w)


class _Stream:
    """The chunks of one result. Closing it early (or dropping it) stops the query's work."""

    def __init__(self, pool: QueryPool, worker: _Worker, deadline: float,
                 cancelled: Callable[[], bool] | None = None, first: tuple | None = None):
        self.pool, self.worker, self.deadline, self.cancelled = pool, worker, deadline, cancelled
        self.done = False
        self.pending = first  # the message awaited before the response started

    def __iter__(self):
        return self

    def __next__(self) -> bytes:
        if self.done:
            raise StopIteration
        if self.pending is not None:
            msg, self.pending = self.pending, None
        else:
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
            self.pool._idle[self.worker.network].put(self.worker)
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
    if kind == "remote":
        raise BadGateway(f"a SERVICE endpoint's answer could not be used: {text}")
    raise StoreError(f"the store could not answer: {text}")
