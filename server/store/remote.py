"""A remote SPARQL 1.1 store: the same service over the SPARQL 1.1 Protocol and the Graph Store Protocol.

Chosen by ``--store http(s)://HOST:PORT/sparql`` (or ``COMMUNIQUE_STORE``); settings ``store_update``,
``store_graph_store``, ``store_user``, ``store_password``, ``store_auth``, ``store_page``
(``settings.py``). Tested against Virtuoso Open Source 7.2.5 only (README, "Remote store").

* ``RemoteHandle`` answers the calls that ``embedded``'s functions and the write gate make on a
  ``pyoxigraph.Store`` (quads by pattern, named graphs, update, query, iteration), so ingest keeps
  one named graph per article and the entities graph exactly as on the embedded store: an article
  is stored by one update request (``DROP SILENT GRAPH`` + the entities' descriptions +
  ``INSERT``), which the store runs as one transaction.
* ``RemoteService`` is the query service (``base.QueryService``) the web layer calls. The limits and
  the SERVICE/LOAD check (``sparql_text``, ``federation``) run here before anything is sent.
  Updates from clients go through the write gate on an in-memory copy of the store's graphs
  (``writegate.apply`` on a ``RemoteHandle``): what is committed is what was validated.

Results are always asked for in one format per form (SPARQL XML for SELECT and ASK, N-Triples for
CONSTRUCT and DESCRIBE), parsed by pyoxigraph as they stream in and written out by pyoxigraph in
the format the client asked for, so every backend answers in the same formats. The timeout is a
deadline on the client side: past it the connection is closed (the store sees the client go).

Quirks handled (Virtuoso 7.2.5, see tests/virtuoso/README.md):

* a POST of ``application/sparql-query`` hangs: queries go by GET, or a form POST when long;
* results are cut silently at ``ResultSetMaxRows`` (header ``X-SPARQL-MaxRows``): a cut result is
  refused (502), never passed on as complete; communique's own reads page below the cap;
* the union default graph includes Virtuoso's system graphs (about 5,600 triples): communique's own
  reads (quads, named graphs, the write gate's copy) leave them out; a client's query sees them (the
  ``define input:*-graph-exclude`` pragmas would hide them, but break ``GRAPH <iri>`` patterns in 7.2.5);
* blank nodes come back as ``nodeID://…``, which is not a blank node label: rewritten;
* ``INSERT DATA`` refuses blank nodes: communique's inserts that hold one are sent as
  ``INSERT { … } WHERE {}``;
* ``CLEAR ALL``/``DROP ALL`` do nothing: communique never relies on them;
* updates need the ``SPARQL_UPDATE`` grant, or Digest auth on ``/sparql-auth``.
"""
from __future__ import annotations

import logging
import queue
import threading
import time
from urllib.parse import urlsplit, urlunsplit

import pyoxigraph as ox
import requests

from . import sparql_text
from .base import QueryService
from .pool import Result, _write_json_solutions
from ..errors import BadGateway, BadRequest, ClientGone, QuerySyntaxError, QueryTimeout, StoreError, WriteRejected

log = logging.getLogger("communique.remote")
CHUNK = 64 * 1024
LONG_GET = 6000  # characters of query text above which a query goes by form POST, not GET
XML = "application/sparql-results+xml"
NT = "application/n-triples"
MAX_ROWS_HEADER = "X-SPARQL-MaxRows"
VIRTUOSO_SYSTEM = ("http://www.openlinksw.com/schemas/virtrdf#", "http://www.w3.org/2002/07/owl#",
                   "http://www.w3.org/ns/ldp#")


def layout(query_url: str, user: str = "") -> tuple[str, str]:
    """(update endpoint, Graph Store endpoint) by the common layouts: Virtuoso's ``/sparql`` (Digest writes on
    ``/sparql-auth`` and ``/sparql-graph-crud-auth`` when a user is set), Fuseki's ``/ds/sparql`` (``/ds/update``,
    ``/ds/data``); otherwise the query URL itself for updates, and no Graph Store endpoint."""
    parts = urlsplit(query_url)
    path = parts.path.rstrip("/")

    def at(p: str) -> str:
        return urlunsplit((parts.scheme, parts.netloc, p, "", ""))

    if path == "/sparql":
        return (at("/sparql-auth") if user else query_url), at("/sparql-graph-crud-auth" if user else "/sparql-graph-crud")
    if path.endswith(("/sparql", "/query")) and path.count("/") >= 2:
        ds = path.rsplit("/", 1)[0]
        return at(ds + "/update"), at(ds + "/data")
    return query_url, ""


class _Unprefixed:
    """A read-only file over a streamed body, with ``<bnode>nodeID://`` turned into ``<bnode>`` (Virtuoso's
    blank node values in SPARQL XML are not blank node labels)."""

    OLD, NEW = b"<bnode>nodeID://", b"<bnode>"

    def __init__(self, raw):
        self.raw, self.tail, self.out, self.done = raw, b"", b"", False

    def _fill(self):
        data = self.raw.read(CHUNK) or b""
        if not data:
            self.done = True
            self.out += self.tail.replace(self.OLD, self.NEW)
            self.tail = b""
            return
        data = (self.tail + data).replace(self.OLD, self.NEW)
        keep = len(self.OLD) - 1  # a pattern cut between two reads is joined next time
        self.out += data[:-keep]
        self.tail = data[-keep:]

    def read(self, n: int = -1) -> bytes:
        while not self.done and (n < 0 or len(self.out) < n):
            self._fill()
        if n < 0:
            out, self.out = self.out, b""
        else:
            out, self.out = self.out[:n], self.out[n:]
        return out

    def readable(self) -> bool:
        return True


class Connection:
    """The endpoints, the credentials and one requests session; every request has a deadline."""

    def __init__(self, query_url: str, update_url: str = "", graph_url: str = "", user: str = "", password: str = "",
                 auth: str = "digest", page: int = 10000, timeout: float = 30.0):
        d_update, d_graph = layout(query_url, user)
        self.query_url, self.update_url, self.graph_url = query_url, update_url or d_update, graph_url or d_graph
        self.auth = None
        if user:
            self.auth = (requests.auth.HTTPDigestAuth(user, password) if auth == "digest"
                         else requests.auth.HTTPBasicAuth(user, password))
        self.page, self.timeout = page, timeout
        self.session = requests.Session()
        self.hidden: tuple[str, ...] = ()
        self.virtuoso = False
        self._probed = False

    @classmethod
    def from_settings(cls, settings) -> "Connection":
        return cls(settings.store, settings.store_update, settings.store_graph_store, settings.store_user,
                   settings.store_password, settings.store_auth, settings.store_page, settings.query_timeout)

    def probe(self):
        """Ask the store once who it is: on Virtuoso, its system graphs are hidden from every query."""
        if self._probed:
            return
        self._probed = True
        response = self._send("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", XML, time.monotonic() + self.timeout,
                              prefix=False)
        self.virtuoso = "virtuoso" in response.headers.get("Server", "").lower()
        graphs = [row["g"].value for row in ox.parse_query_results(_Unprefixed(response.raw), ox.QueryResultsFormat.XML)]
        if self.virtuoso:
            endpoint = urlsplit(self.query_url)
            self.hidden = tuple(g for g in graphs if g in VIRTUOSO_SYSTEM or g.endswith("/DAV/")
                                or urlsplit(g).path == endpoint.path and urlsplit(g).port == endpoint.port)

    def hide(self, var: str = "?g") -> str:
        """A filter that keeps the store's system graphs out of communique's own reads."""
        if not self.hidden:
            return ""
        return f" FILTER({var} NOT IN ({', '.join(f'<{g}>' for g in self.hidden)}))"

    def _send(self, text: str, accept: str, deadline: float, params: list | None = None, prefix: bool = True):
        """Send a query (GET, or form POST when long: never a direct POST, which Virtuoso 7.2.5 leaves hanging);
        the response, its body not read yet."""
        if prefix:
            self.probe()
        fields = [("query", text), *(params or [])]
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise QueryTimeout(f"the query ran longer than {self.timeout:g} s and was stopped")
        headers = {"Accept": accept, "Accept-Encoding": "identity"}
        try:
            if len(text) > LONG_GET:
                response = self.session.post(self.query_url, data=fields, headers=headers, stream=True,
                                             timeout=(min(remaining, 10), remaining))
            else:
                response = self.session.get(self.query_url, params=fields, headers=headers, stream=True,
                                            timeout=(min(remaining, 10), remaining))
        except requests.Timeout:
            raise QueryTimeout(f"the query ran longer than {self.timeout:g} s and was stopped") from None
        except requests.RequestException as exc:
            raise StoreError(f"the remote store {self.query_url} cannot be reached: {exc}") from None
        if response.status_code != 200:
            body = response.text[:2000].strip()
            response.close()
            if response.status_code == 400:
                raise QuerySyntaxError(f"the remote store refused the query: {body}")
            raise BadGateway(f"the remote store answered {response.status_code}: {body}")
        cap = response.headers.get(MAX_ROWS_HEADER)
        if cap:
            response.close()
            raise BadGateway(f"the remote store cut this result at {cap} rows (its result cap, Virtuoso's "
                             "ResultSetMaxRows) and would send it as if complete: ask for fewer rows (LIMIT and "
                             "OFFSET page through it)")
        return response

    def update(self, text: str, deadline: float | None = None):
        """Send one update request (``application/sparql-update`` POST: one transaction on the store)."""
        remaining = (deadline or time.monotonic() + self.timeout) - time.monotonic()
        if remaining <= 0:
            raise QueryTimeout("the update ran longer than the timeout and was not sent; nothing was written")
        try:
            response = self.session.post(self.update_url, data=text.encode("utf-8"), auth=self.auth,
                                         headers={"Content-Type": "application/sparql-update",
                                                  "Accept": XML, "Accept-Encoding": "identity"},
                                         timeout=(min(remaining, 10), remaining))
        except requests.Timeout:
            raise QueryTimeout("the remote store did not answer the update in time; it may still commit it") from None
        except requests.RequestException as exc:
            raise StoreError(f"the remote store {self.update_url} cannot be reached: {exc}") from None
        if response.status_code in (401, 403) or "SR186" in response.text[:500]:
            raise StoreError(f"the remote store refused the write ({response.status_code}): set store_user and "
                             "store_password (Virtuoso: Digest on /sparql-auth), or grant SPARQL_UPDATE; "
                             + response.text[:500].strip())
        if response.status_code >= 300:
            raise StoreError(f"the remote store could not run the update ({response.status_code}): "
                             + response.text[:2000].strip())

    def close(self):
        self.session.close()


BATCH = 500  # triples in one INSERT DATA operation (Virtuoso 7.2.5 refuses ~2,000: "SQL text exceeded 10000 lines")


def _insert_for(text: str, batch: int = BATCH) -> str:
    """communique's own ``… ; INSERT DATA { GRAPH <g> {\n<N-Triples>\n} … }`` (always the last operation it
    writes, one triple a line), as the store can take it, still one request (one transaction): split into
    INSERT DATA operations of at most ``batch`` triples; or, when it holds a blank node (which Virtuoso
    refuses in INSERT DATA, and which must stay one node), one ``INSERT { … } WHERE {}``."""
    at = text.find("INSERT DATA {")
    if at < 0:
        return text
    head, body = text[:at], text[at + len("INSERT DATA {"):]
    if "_:" in body:
        return head + "INSERT {" + body + " WHERE {}"
    graphs, current = [], None
    for line in body.splitlines():
        line = line.strip()
        if line.startswith("GRAPH <") and line.endswith("{"):
            current = (line[len("GRAPH "):-1].strip(), [])
            graphs.append(current)
            rest = ""
        elif line.startswith("GRAPH <") and "{" in line:  # GRAPH <g> { <first triple> on one line
            g, rest = line[len("GRAPH "):].split("{", 1)
            current = (g.strip(), [])
            graphs.append(current)
            line = rest.strip()
        if current is None or not line or line in ("}", "} }", "}}") or line.startswith("GRAPH <"):
            continue
        current[1].append(line)
    ops = []
    for graph, lines in graphs:
        for i in range(0, len(lines), batch):
            ops.append(f"INSERT DATA {{ GRAPH {graph} {{\n" + "\n".join(lines[i:i + batch]) + "\n} }")
    return head + " ;\n".join(ops) if ops else head.rstrip().rstrip(";")


class RemoteHandle:
    """The calls of a ``pyoxigraph.Store`` that ingest and the write gate make, over the protocol.

    The default graph is empty (a remote store's default graph is the union of its graphs); reads of
    quads are paged (``store_page`` rows a request, in a fixed order) below the store's result cap.
    """

    default_graph_is_union = True

    def __init__(self, connection: Connection, deadline: float | None = None):
        self.conn = connection
        self.deadline = deadline

    @classmethod
    def from_settings(cls, settings) -> "RemoteHandle":
        return cls(Connection.from_settings(settings))

    def _deadline(self) -> float:
        return self.deadline or time.monotonic() + self.conn.timeout

    def query(self, text: str, **_ignored):
        """SELECT or ASK: pyoxigraph's QuerySolutions or QueryBoolean; CONSTRUCT/DESCRIBE: a list of triples."""
        form = sparql_text.query_form(text)
        if form in ("CONSTRUCT", "DESCRIBE"):
            response = self.conn._send(text, NT, self._deadline())
            return list(ox.parse(response.raw, ox.RdfFormat.N_TRIPLES))
        response = self.conn._send(text, XML, self._deadline())
        result = ox.parse_query_results(_Unprefixed(response.raw), ox.QueryResultsFormat.XML)
        return result if isinstance(result, ox.QueryBoolean) else list(result)

    def update(self, text: str, **_ignored):
        self.conn.update(_insert_for(text), self._deadline())

    def quads_for_pattern(self, s, p, o, g=None):
        if isinstance(g, ox.DefaultGraph):
            return iter(())
        terms = [("s", s), ("p", p), ("o", o), ("g", g)]
        pattern = " ".join(str(t) if t is not None else f"?{n}" for n, t in terms[:3])
        graph = str(g) if g is not None else "?g"
        variables = [f"?{n}" for n, t in terms if t is None]
        select = " ".join(variables) if variables else "*"
        body = f"GRAPH {graph} {{ {pattern} }}" + (self.conn.hide() if g is None else "")
        return self._paged(select, body, variables, terms)

    def _paged(self, select, body, variables, terms):
        order = f" ORDER BY {' '.join(variables)}" if variables else ""
        offset = 0
        while True:
            text = f"SELECT {select} WHERE {{ {body} }}{order} LIMIT {self.conn.page} OFFSET {offset}"
            if not variables:
                text = f"ASK {{ {body} }}"
                if self.query(text):
                    yield ox.Quad(*(t for _, t in terms))
                return
            rows = self.query(text)
            for row in rows:
                yield ox.Quad(*(t if t is not None else row[n] for n, t in terms))
            if len(rows) < self.conn.page:
                return
            offset += self.conn.page

    def __iter__(self):
        return self.quads_for_pattern(None, None, None, None)

    def named_graphs(self):
        return iter([row["g"] for row in self.query(f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }}"
                                                    f"{self.conn.hide()} }}")
                     if isinstance(row["g"], ox.NamedNode)])

    def contains_named_graph(self, graph) -> bool:
        return bool(self.query(f"ASK {{ GRAPH {graph} {{ ?s ?p ?o }} }}"))

    def flush(self):
        """Every update request was committed by the store when it answered."""

    def close(self):
        self.conn.close()


class RemoteService(QueryService):
    """The query service over a remote store: queries stream through, writes pass the write gate first."""

    def __init__(self, settings):
        self.settings = settings
        self.conn = Connection.from_settings(settings)
        self.timeout = settings.query_timeout
        self.generation = 0
        self.sandboxes: dict[str, int] = {}
        self._write_lock = threading.Lock()
        self._busy = 0
        self._busy_lock = threading.Lock()
        self.conn.probe()

    @property
    def federated(self) -> bool:
        return False  # SERVICE would be run by the remote store, outside communique's allow-list and sandbox

    @property
    def busy(self) -> int:
        return self._busy

    def close(self):
        self.conn.close()

    def handle(self, deadline: float | None = None) -> RemoteHandle:
        return RemoteHandle(self.conn, deadline)

    def analyse(self, text: str, update: bool, timeout: float | None = None):
        """SERVICE and LOAD of a text by rdflib's parser (``federation.analyse``), on a thread with a large stack,
        within the timeout (as the embedded store's workers do)."""
        from .federation import analyse
        from .pool import WORKER_STACK

        out: list = []

        def run():
            import sys

            sys.setrecursionlimit(max(sys.getrecursionlimit(), 100_000))
            try:
                r = analyse(text, update)
                out.append((r.services, r.loads, r.unprovable))
            except Exception as exc:  # a text rdflib cannot parse: nothing proven
                out.append(([], [], f"the text could not be parsed: {exc}"))

        with _STACK_LOCK:
            old = threading.stack_size(WORKER_STACK)
            try:
                thread = threading.Thread(target=run, daemon=True, name="communique-analyse")
                thread.start()
            finally:
                threading.stack_size(old)
        thread.join(timeout or self.timeout)
        if not out:
            raise QueryTimeout(f"the query could not be checked within {timeout or self.timeout:g} s")
        return out[0]

    def query(self, query: str, formats: dict[str, str], *, union: bool = True, base_iri: str | None = None,
              default_graph: list | None = None, named_graphs: list | None = None, timeout: float | None = None,
              max_rows: int | None = None, cancelled=None, network: bool = False) -> Result:
        if network:
            raise BadRequest("federated queries are not enabled on this endpoint (the store is remote)")
        deadline = time.monotonic() + (timeout or self.timeout)
        form = sparql_text.query_form(query)
        if form is None:
            raise QuerySyntaxError("the query is not valid SPARQL: no SELECT, ASK, CONSTRUCT or DESCRIBE")
        text = (f"BASE <{base_iri}>\n" if base_iri else "") + query
        params = [("default-graph-uri", g) for g in default_graph or () if g is not None]
        params += [("named-graph-uri", g) for g in named_graphs or ()]
        graphs = form in ("CONSTRUCT", "DESCRIBE")
        response = self.conn._send(text, NT if graphs else XML, deadline, params)
        truncated = [False]

        def produce(writer):
            """On the stream's thread (pyoxigraph's parsed results stay on the thread that made them)."""
            if graphs:
                parsed = ox.parse(response.raw, ox.RdfFormat.N_TRIPLES)
                writer.put(("head", "triples", None, None))
            else:
                parsed = ox.parse_query_results(_Unprefixed(response.raw), ox.QueryResultsFormat.XML)
                if isinstance(parsed, ox.QueryBoolean):
                    writer.put(("head", "boolean", None, bool(parsed)))
                else:
                    writer.put(("head", "solutions", [v.value for v in parsed.variables], None))
            kind = "triples" if graphs else ("boolean" if isinstance(parsed, ox.QueryBoolean) else "solutions")
            media = formats[kind]
            if kind == "boolean":
                parsed.serialize(writer, ox.QueryResultsFormat.from_media_type(media))
            elif kind == "solutions":
                if max_rows is None:
                    parsed.serialize(writer, ox.QueryResultsFormat.from_media_type(media))
                else:
                    rows = list(_take(parsed, max_rows + 1))
                    truncated[0] = len(rows) > max_rows
                    _write_json_solutions(writer, [v.value for v in parsed.variables], rows[:max_rows])
            else:
                triples = parsed
                if max_rows is not None:
                    triples = list(_take(parsed, max_rows + 1))
                    truncated[0] = len(triples) > max_rows
                    triples = triples[:max_rows]
                ox.serialize(triples, writer, ox.RdfFormat.from_media_type(media))

        stream = _Stream(self, response, produce, deadline, cancelled)
        _, kind, variables, boolean = stream.first()
        stream.first()  # the first chunk, or the error, before the response starts
        return Result(kind, formats[kind], variables, boolean, stream, truncated=truncated[0])

    def update(self, update: str, base_iri: str | None = None, timeout: float | None = None, *,
               articles: str | None = None, probe: tuple = (), network: bool = False) -> dict:
        """Through the write gate (``writegate.apply``) on an in-memory copy of the store's graphs, then one
        update request to the store; writes run one at a time."""
        from ..ingest import writegate

        if network:
            raise BadRequest("LOAD and SERVICE in updates are not enabled on this endpoint (the store is remote)")
        deadline = time.monotonic() + (timeout or self.timeout)
        with self._write_lock:
            try:
                return writegate.apply(self.handle(deadline), update, base_iri=base_iri, articles=articles,
                                       probe=probe)
            except writegate.Rejected as exc:
                raise WriteRejected(str(exc)) from None
            except SyntaxError as exc:
                raise QuerySyntaxError(f"the update is not valid SPARQL: {exc}") from None
            except (ValueError, OSError, RuntimeError) as exc:
                raise BadRequest(str(exc)) from None
            finally:
                self.generation += 1

    def write(self, fn):
        with self._write_lock:
            try:
                return fn(self.handle())
            finally:
                self.generation += 1


_STACK_LOCK = threading.Lock()


def _take(iterable, n):
    for i, x in enumerate(iterable):
        if i >= n:
            return
        yield x


class _QueueWriter:
    def __init__(self, q: queue.Queue, stopped: threading.Event):
        self.q, self.buf, self.stopped = q, bytearray(), stopped

    def write(self, data) -> int:
        self.buf += data
        if len(self.buf) >= CHUNK:
            self.flush()
        return len(data)

    def flush(self):
        if self.buf:
            self.put(("data", bytes(self.buf)))
            self.buf = bytearray()

    def put(self, item):
        while True:
            try:
                return self.q.put(item, timeout=0.5)
            except queue.Full:
                if self.stopped.is_set():
                    raise OSError("the stream was closed") from None


class _Stream:
    """The re-serialised chunks of one remote answer, made on a thread as the answer streams in. Past the
    deadline, or when the client went away, the connection to the store is closed."""

    POLL = 0.25

    def __init__(self, service: RemoteService, response, produce, deadline: float, cancelled=None):
        self.service, self.response, self.deadline, self.cancelled = service, response, deadline, cancelled
        self.q: queue.Queue = queue.Queue(maxsize=64)
        self.done = False
        self.pending = None
        self.stopped = threading.Event()
        with service._busy_lock:
            service._busy += 1

        def run():
            writer = _QueueWriter(self.q, self.stopped)
            try:
                produce(writer)
                writer.flush()
                writer.put(("end", None))
            except Exception as exc:  # the answer broke off, or the connection was closed under it
                try:
                    writer.put(("error", str(exc)))
                except OSError:
                    pass

        self.thread = threading.Thread(target=run, daemon=True, name="communique-remote-stream")
        self.thread.start()

    def _get(self):
        while True:
            remaining = self.deadline - time.monotonic()
            if remaining <= 0:
                self._finish()
                raise QueryTimeout(f"the query ran longer than {self.service.timeout:g} s and was stopped")
            try:
                return self.q.get(timeout=min(remaining, self.POLL))
            except queue.Empty:
                if self.cancelled is not None and self.cancelled():
                    self._finish()
                    raise ClientGone("the client went away; its query was stopped")

    def first(self):
        """Await the first chunk (or the error) before the response starts."""
        msg = self._get()
        if msg[0] == "error":
            self._finish()
            raise BadGateway(f"the remote store's answer could not be read: {msg[1]}")
        if msg[0] != "head":
            self.pending = msg
        return msg

    def __iter__(self):
        return self

    def __next__(self) -> bytes:
        if self.done:
            raise StopIteration
        if self.pending is not None:
            msg, self.pending = self.pending, None
        else:
            msg = self._get()
        if msg[0] == "data":
            return msg[1]
        if msg[0] == "error":
            log.warning("a remote answer broke off while streaming: %s", msg[1])
        self._finish()
        raise StopIteration

    def _finish(self):
        if self.done:
            return
        self.done = True
        self.stopped.set()
        self.response.close()  # a query still running is cut off at the socket
        with self.service._busy_lock:
            self.service._busy -= 1

    def close(self):
        self._finish()

    def __del__(self):
        self._finish()
