"""The SPARQL 1.1 endpoint: Protocol (query and update), Graph Store Protocol,
service description, VoID, and the YASGUI page.

Every query runs in a worker process (``queries.QueryPool``) and its result,
serialised there by pyoxigraph, is streamed to the client. Before that, the
text's nesting and length are checked, and SERVICE and LOAD are read from a
real parse (``remote_check``; README, "Federation and LOAD"). Every write
needs the bearer token of the ``update_token`` setting; SPARQL Update and
Graph Store PUT/POST/DELETE all go through ``QueryPool.update``, in a process
the timeout can stop, and through the write gate (``writegate.py``). Errors
are the exceptions of ``errors.py``; the app's one handler turns them into
responses.
"""
from __future__ import annotations

import hmac
import logging
import re
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, render_template, request

from . import negotiation as neg
from ..errors import BadRequest, Forbidden, NotAcceptable, NotFound, Unauthorized, UnsupportedMediaType
from .context import pool, settings
from ..store import federation
from ..store.sparql_text import MAX_NESTING, apply_using, check_limits, mentions

bp = Blueprint("sparql", __name__)
log = logging.getLogger("communique.sparql")

QUERIES_DIR = Path(__file__).resolve().parent / "examples"
DIP = "https://w3id.org/communique/ontology#"
SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
FORMATS_NS = "http://www.w3.org/ns/formats/"
WIKIDATA = "http://www.wikidata.org/entity/"
OWL_SAME_AS = "http://www.w3.org/2002/07/owl#sameAs"
SD_RESULT_FORMATS = {  # media type -> http://www.w3.org/ns/formats/ name
    "application/sparql-results+json": "SPARQL_Results_JSON", "application/sparql-results+xml": "SPARQL_Results_XML",
    "text/csv": "SPARQL_Results_CSV", "text/tab-separated-values": "SPARQL_Results_TSV",
    "text/turtle": "Turtle", "application/n-triples": "N-Triples", "application/ld+json": "JSON-LD",
    "application/rdf+xml": "RDF_XML", "application/trig": "TriG", "application/n-quads": "N-Quads",
}
TOKEN_KEY = "communique.update_token"


@bp.record_once
def _setup(state):
    app = state.app
    # The token is read once, when the app is built (constant-time compare on each write).
    app.extensions[TOKEN_KEY] = (app.config["COMMUNIQUE"].update_token or "").encode()


def _cancelled():
    """waitress tells whether the client went away; other servers (the test client) do not."""
    return request.environ.get("waitress.client_disconnected")


def authorize():
    """Writes need ``Authorization: Bearer <update_token>``; without a configured token they are off."""
    token = current_app.extensions.get(TOKEN_KEY, b"")
    if not token:
        raise Forbidden("writes (SPARQL Update and Graph Store Protocol) are disabled on this endpoint: "
                        "no update token is configured (setting update_token, COMMUNIQUE_UPDATE_TOKEN)")
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token):
        raise Unauthorized("this write needs the header 'Authorization: Bearer <token>' with the endpoint's "
                           "update token")


# --- reading a protocol request ----------------------------------------------------


@dataclass
class Operation:
    kind: str | None  # "query", "update", or None (no operation: describe the service)
    text: str = ""
    params: dict[str, list[str]] = field(default_factory=dict)

    def iris(self, name: str) -> list[str]:
        values = self.params.get(name, [])
        for v in values:
            if not v or ":" not in v or any(c in v for c in '<>"{}|^`\\ \n\t'):
                raise BadRequest(f"{name} must be an absolute IRI, not {v!r}")
        return values


DATASET_PARAMS = ("default-graph-uri", "named-graph-uri", "using-graph-uri", "using-named-graph-uri")


def _utf8(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest(f"the {what} is not UTF-8 text") from None


def read_operation() -> Operation:
    """The operation of a SPARQL 1.1 Protocol request: GET, POST form, or POST direct."""
    params = {name: request.args.getlist(name) for name in DATASET_PARAMS}
    if request.method in ("GET", "HEAD"):
        if "update" in request.args:
            raise BadRequest("an update must be sent with POST (form field 'update', or application/sparql-update)")
        queries = request.args.getlist("query")
        if len(queries) > 1:
            raise BadRequest("send one 'query' parameter, not several")
        return Operation("query", queries[0], params) if queries else Operation(None, "", params)
    charset = (request.mimetype_params.get("charset") or "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise UnsupportedMediaType(f"queries and updates must be UTF-8, not {charset}")
    ctype = (request.mimetype or "").lower()
    if ctype == "application/x-www-form-urlencoded":
        form = request.form
        for name in DATASET_PARAMS:
            params[name] = params[name] + form.getlist(name)
        queries, updates = form.getlist("query"), form.getlist("update")
        if queries and updates:
            raise BadRequest("send either 'query' or 'update', not both")
        if len(queries) > 1 or len(updates) > 1:
            raise BadRequest("send one 'query' or 'update' field, not several")
        if queries:
            return Operation("query", queries[0], params)
        if updates:
            return Operation("update", updates[0], params)
        raise BadRequest("the form has no 'query' or 'update' field")
    if ctype == "application/sparql-query":
        return Operation("query", _utf8(request.get_data(), "query"), params)
    if ctype == "application/sparql-update":
        return Operation("update", _utf8(request.get_data(), "update"), params)
    raise UnsupportedMediaType(
        "POST a query as application/x-www-form-urlencoded (query=…) or application/sparql-query, or an update "
        f"as application/x-www-form-urlencoded (update=…) or application/sparql-update, not {ctype or 'no type'}")


# --- streaming with an access log ----------------------------------------------------


class _Logged:
    """Wraps a result's chunks: counts bytes, logs time, status and size when the stream ends."""

    def __init__(self, chunks, what: str, started: float):
        self.chunks, self.what, self.started, self.status = chunks, what, started, 200
        self.size, self.logged = 0, False

    def __iter__(self):
        return self

    def __next__(self) -> bytes:
        try:
            chunk = next(self.chunks)
        except StopIteration:
            self._log("done")
            raise
        self.size += len(chunk)  # on an error the server calls close(), which logs
        return chunk

    def _log(self, how: str):
        if not self.logged:
            self.logged = True
            log.info("%s %s %d %.1fms %d bytes", self.what, how, self.status,
                     (time.perf_counter() - self.started) * 1000, self.size)

    def close(self):
        close = getattr(self.chunks, "close", None)
        if close is not None:
            close()
        self._log("stopped")


def _stream(result, what: str, started: float) -> Response:
    response = Response(_Logged(result.chunks, what, started), mimetype=result.media_type)
    response.headers["Vary"] = "Accept"
    if result.truncated:
        response.headers["Communique-Truncated"] = f"true; max-rows={settings().max_rows_html}"
    return response


# --- the endpoint ---------------------------------------------------------------------


@bp.route("/sparql", methods=["GET", "POST"])
def sparql():
    op = read_operation()
    if op.kind == "update":
        return run_update(op)
    if op.kind == "query" and op.text.strip():
        return run_query(op)
    if op.kind == "query":
        raise BadRequest("the query is empty")
    if request.method == "POST":
        raise BadRequest("no query: send one as the 'query' parameter, or POST it as application/sparql-query")
    if neg.wants_html(request.headers.get("Accept")):
        return ui()
    return service_description()


def _format_param() -> str | None:
    """``format=`` (or ``output=``, which Fuseki and older clients send) from the URL or the form."""
    source = request.values if request.mimetype == "application/x-www-form-urlencoded" or request.method == "GET" \
        else request.args
    return source.get("format") or source.get("output")


def remote_check(text: str, update: bool) -> bool:
    """The limits, then SERVICE and LOAD read from a real parse; True when the text needs the network.

    A text in which neither word occurs, in any case and escaped or not, has
    neither, and no parse is needed; the others are parsed in a query worker
    (``federation.py``, within the timeout). Refused (400) when something is
    not allowed, or when the parse cannot prove there is nothing to refuse.
    """
    check_limits(text, "update" if update else "query")
    if not mentions(text, "service", *(("load",) if update else ())):
        return False
    services, loads, unprovable = pool().analyse(text, update)
    try:
        return federation.check(federation.Remote(services, loads, unprovable), settings().services,
                                settings().loads, update)
    except federation.Refused as exc:
        raise BadRequest(str(exc)) from None


def articles_prefix() -> str:
    """Named graphs under this prefix are article graphs: writes to them are checked against the shapes."""
    return settings().base_iri + "id/article/"


def run_query(op: Operation) -> Response:
    started = time.perf_counter()
    network = remote_check(op.text, update=False)
    default_graphs, named_graphs = op.iris("default-graph-uri"), op.iris("named-graph-uri")
    if op.params.get("using-graph-uri") or op.params.get("using-named-graph-uri"):
        raise BadRequest("using-graph-uri and using-named-graph-uri belong to updates; queries take "
                         "default-graph-uri and named-graph-uri")
    accept, fmt = request.headers.get("Accept"), _format_param()
    wanted = {}
    for kind, table in (("solutions", neg.RESULTS), ("boolean", neg.RESULTS), ("triples", neg.GRAPHS)):
        try:
            wanted[kind] = neg.choose(accept, table, fmt)
        except NotAcceptable:
            wanted[kind] = None
    if all(v is None for v in wanted.values()):
        raise NotAcceptable(f"none of the requested types is offered; results (SELECT, ASK): "
                                f"{neg.offered(neg.RESULTS)}; graphs (CONSTRUCT, DESCRIBE): {neg.offered(neg.GRAPHS)}")
    formats = {k: (v or (neg.RESULTS[0] if k != "triples" else neg.GRAPHS[0])).media_type for k, v in wanted.items()}
    max_rows = None
    if request.values.get("ui"):  # the YASGUI page: rows a browser can show
        max_rows = settings().max_rows_html
        formats["solutions"] = neg.RESULTS[0].media_type
    dataset = {}
    if default_graphs or named_graphs:  # the protocol's dataset replaces the query's FROM / FROM NAMED
        dataset = {"default_graph": default_graphs, "named_graphs": named_graphs}
    result = pool().query(op.text, formats, base_iri=settings().base_iri, max_rows=max_rows,
                          cancelled=_cancelled(), network=network, **dataset)
    if wanted[result.kind] is None and max_rows is None:
        result.chunks.close()
        table = neg.GRAPHS if result.kind == "triples" else neg.RESULTS
        raise NotAcceptable(f"this query's result can be sent as: {neg.offered(table)}")
    return _stream(result, f"query {result.kind}", started)


def run_update(op: Operation) -> Response:
    authorize()
    started = time.perf_counter()
    if op.params.get("default-graph-uri") or op.params.get("named-graph-uri"):
        raise BadRequest("default-graph-uri and named-graph-uri belong to queries; updates take "
                         "using-graph-uri and using-named-graph-uri")
    text = apply_using(op.text, op.iris("using-graph-uri"), op.iris("using-named-graph-uri"))
    network = remote_check(text, update=True)
    info = pool().update(text, base_iri=settings().base_iri, articles=articles_prefix(), network=network)
    _log_write("update", info, started)
    return Response(status=204)


def _log_write(what: str, info: dict, started: float):
    ms = info.get("ms", {})
    log.info("%s done %.1fms: %d graph(s) changed, %d article graph(s) checked against the shapes "
             "(copy %.1f, diff %.1f, shapes %.1f, commit %.1f ms)", what, (time.perf_counter() - started) * 1000,
             len(info.get("changed", ())), len(info.get("validated", ())), ms.get("copy", 0), ms.get("diff", 0),
             ms.get("shapes", 0), ms.get("commit", 0))


# --- service description, VoID, UI ----------------------------------------------------


def _nn(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _rdf_response(triples: list, prefixes: dict[str, str]) -> Response:
    fmt = neg.choose(request.headers.get("Accept"), neg.GRAPHS, request.args.get("format"))
    rdf_format = ox.RdfFormat.from_media_type(fmt.media_type)
    body = ox.serialize(triples, format=rdf_format, prefixes=prefixes if rdf_format != ox.RdfFormat.N_TRIPLES else None)
    response = Response(body, mimetype=fmt.media_type)
    response.headers["Vary"] = "Accept"
    return response


def endpoint_url() -> str:
    return request.url_root + "sparql"


def service_description() -> Response:
    """A W3C SPARQL 1.1 Service Description of this endpoint."""
    s = _nn(endpoint_url())
    t = []

    def add(subj, pred: str, obj):
        t.append(ox.Triple(subj, _nn(pred), obj))

    add(s, RDF_TYPE, _nn(SD + "Service"))
    add(s, SD + "endpoint", s)
    for lang in ("SPARQL10Query", "SPARQL11Query", "SPARQL11Update"):
        add(s, SD + "supportedLanguage", _nn(SD + lang))
    features = ["UnionDefaultGraph", "BasicFederatedQuery"] if settings().services else ["UnionDefaultGraph"]
    for feature in features:
        add(s, SD + "feature", _nn(SD + feature))
    for f in (*neg.RESULTS, *neg.GRAPHS):
        add(s, SD + "resultFormat", _nn(FORMATS_NS + SD_RESULT_FORMATS[f.media_type]))
    dataset = ox.BlankNode("dataset")
    default = ox.BlankNode("default")
    add(s, SD + "defaultDataset", dataset)
    add(dataset, RDF_TYPE, _nn(SD + "Dataset"))
    add(dataset, SD + "defaultGraph", default)
    add(default, RDF_TYPE, _nn(SD + "Graph"))
    add(dataset, "http://purl.org/dc/terms/description",
        ox.Literal("The default graph is the union of all named graphs, one per article; "
                   "GRAPH ?g reaches each article's graph."))
    add(dataset, VOID + "sparqlEndpoint", s)
    add(s, "http://www.w3.org/2000/01/rdf-schema#seeAlso", _nn(request.url_root + ".well-known/void"))
    return _rdf_response(t, {"sd": SD, "void": VOID, "formats": FORMATS_NS})


_VOID_CACHE: dict = {}


def _void_counts() -> dict:
    """Counts for the VoID description, computed once per store generation."""
    p = pool()
    key = (id(p), p.generation)
    if _VOID_CACHE.get("key") != key:
        def one(q: str) -> int:
            rows = p.select(q)
            return int(rows[0]["n"]["value"]) if rows else 0

        classes = {r["c"]["value"]: int(r["n"]["value"]) for r in p.select(
            f'SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a ?c FILTER(STRSTARTS(STR(?c), "{DIP}")) }} GROUP BY ?c')}
        _VOID_CACHE.clear()
        _VOID_CACHE.update(key=key, counts={
            "triples": one("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"),
            "quads": one("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"),
            "graphs": one("SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { } }"),
            "entities": one(f'SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a ?c '
                            f'FILTER(STRSTARTS(STR(?c), "{DIP}") && isIRI(?s)) }}'),
            "properties": one("SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?s ?p ?o }"),
            "wikidata_links": one(f'SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?s ?o WHERE {{ '
                                  f'?s <{OWL_SAME_AS}> ?o FILTER(STRSTARTS(STR(?o), "{WIKIDATA}")) }} }}'),
            "classes": classes,
        })
    return _VOID_CACHE["counts"]


@bp.route("/.well-known/void")
def void():
    """A VoID description of the dataset: sizes, classes, and the linkset to Wikidata."""
    counts = _void_counts()
    base = settings().base_iri
    ds = _nn(request.url_root + ".well-known/void#dataset")
    linkset = _nn(request.url_root + ".well-known/void#wikidata-links")
    wikidata = _nn("http://www.wikidata.org/")
    t = []

    def add(subj, pred: str, obj):
        t.append(ox.Triple(subj, _nn(pred), obj))

    def integer(n: int):
        return ox.Literal(str(n), datatype=_nn("http://www.w3.org/2001/XMLSchema#integer"))

    add(ds, RDF_TYPE, _nn(VOID + "Dataset"))
    add(ds, "http://purl.org/dc/terms/title", ox.Literal("communique: a knowledge graph of diplomacy news"))
    add(ds, VOID + "sparqlEndpoint", _nn(endpoint_url()))
    add(ds, VOID + "uriSpace", ox.Literal(base + "id/"))
    add(ds, VOID + "vocabulary", _nn("https://w3id.org/communique/ontology#"))
    add(ds, VOID + "triples", integer(counts["triples"]))
    add(ds, VOID + "entities", integer(counts["entities"]))
    add(ds, VOID + "properties", integer(counts["properties"]))
    add(ds, VOID + "documents", integer(counts["graphs"]))
    add(ds, VOID + "feature", _nn(FORMATS_NS + "Turtle"))
    for n, (cls, count) in enumerate(sorted(counts["classes"].items())):
        part = _nn(f"{request.url_root}.well-known/void#class-{cls.rsplit('#', 1)[-1]}")
        add(ds, VOID + "classPartition", part)
        add(part, VOID + "class", _nn(cls))
        add(part, VOID + "entities", integer(count))
    add(ds, VOID + "subset", linkset)
    add(linkset, RDF_TYPE, _nn(VOID + "Linkset"))
    add(linkset, VOID + "linkPredicate", _nn(OWL_SAME_AS))
    add(linkset, VOID + "subjectsTarget", ds)
    add(linkset, VOID + "objectsTarget", wikidata)
    add(linkset, VOID + "triples", integer(counts["wikidata_links"]))
    add(wikidata, RDF_TYPE, _nn(VOID + "Dataset"))
    add(wikidata, VOID + "sparqlEndpoint", _nn("https://query.wikidata.org/sparql"))
    add(wikidata, VOID + "uriSpace", ox.Literal(WIKIDATA))
    return _rdf_response(t, {"void": VOID, "dcterms": "http://purl.org/dc/terms/", "dip": DIP})


def example_queries() -> list[dict]:
    """The example queries shipped in server/web/examples/*.rq: a '# title' first line, then the query."""
    out = []
    for path in sorted(QUERIES_DIR.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        first = text.splitlines()[0] if text else ""
        title = first.lstrip("#").strip() if first.startswith("#") else path.stem
        out.append({"name": title, "query": text, "file": path.name})
    return out


def ui() -> Response:
    """YASGUI, served from the npm package's bundle in server/web/static/yasgui/ (never a CDN)."""
    return Response(render_template("sparql.html", examples=example_queries(), endpoint=endpoint_url(),
                                    max_rows=settings().max_rows_html), mimetype="text/html")


# --- Graph Store Protocol ---------------------------------------------------------------


DEFAULT = object()  # the store's default graph (not the union that queries see)


def _target(path: str | None):
    """The graph a Graph Store request names: DEFAULT, an IRI, or None (the store itself)."""
    has_graph, has_default = "graph" in request.args, "default" in request.args
    if path is not None:  # direct identification: the request URL is the graph's name
        if has_graph or has_default:
            raise BadRequest("a graph's own URL takes no 'graph' or 'default' parameter")
        return Operation(None, "", {"graph": [request.base_url]}).iris("graph")[0]
    if has_graph and has_default:
        raise BadRequest("name the graph with either ?graph=IRI or ?default, not both")
    if has_default:
        return DEFAULT
    if has_graph:
        return Operation(None, "", {"graph": [request.args["graph"]]}).iris("graph")[0]
    return None


def _parse_body(base_iri: str) -> list:
    """The triples of a Graph Store request body, in any RDF format pyoxigraph reads (or multipart of them).

    A dataset format (TriG, N-Quads, JSON-LD) is welcome as long as it holds
    no named graph: the request names the one graph it writes.
    """
    parts = []
    if (request.mimetype or "").lower() == "multipart/form-data":
        for f in request.files.values():
            parts.append((f.mimetype, f.read()))
        if not parts:
            raise BadRequest("the multipart body holds no file part")
    else:
        parts.append((request.mimetype, request.get_data()))
    triples = []
    for media_type, data in parts:
        fmt = ox.RdfFormat.from_media_type(media_type or "")
        if fmt is None:
            raise UnsupportedMediaType(f"a graph must be sent as one of {neg.offered(neg.GRAPHS)}, "
                                       f"not {media_type or 'no type'}")
        if fmt == ox.RdfFormat.JSON_LD and _json_nesting(data) > MAX_NESTING:
            # pyoxigraph's JSON-LD reader recurses per level, in this (the server's) process
            raise BadRequest(f"the JSON-LD body nests objects and arrays more than {MAX_NESTING} levels deep; "
                             f"this endpoint allows at most {MAX_NESTING}")
        try:
            triples.extend(q.triple for q in ox.parse(data, fmt, base_iri=base_iri, rename_blank_nodes=True,
                                                      without_named_graphs=True))
        except SyntaxError as exc:
            raise BadRequest(f"the body is not valid {fmt.name}: {exc}") from None
        except ValueError as exc:
            raise BadRequest(f"the body could not be read as {fmt.name}: {exc}") from None
    return triples


_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.S)
_JSON_BRACKET = re.compile(rb"[\[\]{}]")


def _json_nesting(data: bytes) -> int:
    """How deep the objects and arrays of a JSON text nest (strings skipped); a linear scan."""
    depth = deepest = 0
    for m in _JSON_BRACKET.finditer(_JSON_STRING.sub(b'""', data)):
        depth += 1 if m.group() in (b"[", b"{") else -1
        deepest = max(deepest, depth)
    return deepest


def _graph_exists(target) -> bool:
    if target is DEFAULT:
        return True
    return pool().ask(f"ASK {{ GRAPH <{target}> {{ }} }}", union=False)


@bp.route("/store", methods=["GET", "HEAD", "PUT", "POST", "DELETE"])
@bp.route("/store/<path:path>", methods=["GET", "HEAD", "PUT", "POST", "DELETE"])
def graph_store(path: str | None = None):
    """SPARQL 1.1 Graph Store HTTP Protocol: ?graph=IRI, ?default, or a graph's own URL under /store/."""
    target = _target(path)
    if request.method in ("GET", "HEAD"):
        return _gsp_read(target)
    authorize()
    if request.method == "DELETE":
        if target is None:
            raise BadRequest("name the graph to delete with ?graph=IRI or ?default")
        return _gsp_delete(target)
    if target is None and request.method == "PUT":
        raise BadRequest("name the graph to replace with ?graph=IRI or ?default")
    created_here = None
    if target is None:  # POST to the store itself: a new graph, named under /store/
        target = created_here = f"{request.url_root}store/{uuid.uuid4().hex}"
    triples = _parse_body(request.url_root if target is DEFAULT else target)
    existed = _write_graph(target, triples, replace=request.method == "PUT")
    if created_here:
        return Response(status=201, headers={"Location": created_here})
    if request.method == "PUT":
        return Response(status=204 if existed else 201)
    return Response(status=200 if existed else 201)


def _gsp_read(target) -> Response:
    if target is None:
        raise BadRequest("name a graph with ?graph=IRI or ?default (or GET a graph's own URL under /store/)")
    fmt = neg.choose(request.headers.get("Accept"), neg.GRAPHS, request.args.get("format"))
    if not _graph_exists(target):
        raise NotFound(f"there is no graph {target}")
    if request.method == "HEAD":
        return Response(mimetype=fmt.media_type, headers={"Vary": "Accept"})
    where = "{ ?s ?p ?o }" if target is DEFAULT else f"{{ GRAPH <{target}> {{ ?s ?p ?o }} }}"
    result = pool().query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {where}",
                          {"solutions": neg.RESULTS[0].media_type, "boolean": neg.RESULTS[0].media_type,
                           "triples": fmt.media_type}, union=False, cancelled=_cancelled())
    return _stream(result, "graph store read", time.perf_counter())


def _graph_ref(target) -> str:
    return "DEFAULT" if target is DEFAULT else f"GRAPH <{target}>"


def _write_graph(target, triples: list, replace: bool) -> bool:
    """Replace or extend one graph, through the write gate (one transaction); returns whether it existed."""
    started = time.perf_counter()
    data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
    ops = []
    if replace:
        ops.append(f"CLEAR SILENT {_graph_ref(target)}")
    if target is not DEFAULT:
        ops.append(f"CREATE SILENT GRAPH <{target}>")
    if data.strip():
        ops.append(f"INSERT DATA {{ {data} }}" if target is DEFAULT else f"INSERT DATA {{ GRAPH <{target}> {{ {data} }} }}")
    key = None if target is DEFAULT else target
    info = pool().update(" ;\n".join(ops), articles=articles_prefix(), probe=[key])
    _log_write("graph store write", info, started)
    return info["existed"][key]


def _gsp_delete(target) -> Response:
    key = None if target is DEFAULT else target
    text = "CLEAR DEFAULT" if target is DEFAULT else f"DROP SILENT GRAPH <{target}>"
    info = pool().update(text, articles=articles_prefix(), probe=[key])
    if target is not DEFAULT and not info["existed"][key]:
        raise NotFound(f"there is no graph {target}")
    return Response(status=200)
