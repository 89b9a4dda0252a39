"""Linked Data and the pages people browse: /id (303), /page, /data, /search, /ontology, /shapes, dumps.

Each view builds a dict with ``describe`` (SPARQL through the QueryPool) and
hands it to a renderer: a jinja2 template for HTML, or pyoxigraph's serialiser
for RDF. See README, "Linked Data".
"""
from __future__ import annotations

from urllib.parse import quote as urlquote, urlencode

from flask import Blueprint, Response, current_app, redirect, render_template, request, stream_with_context

from . import charts
from . import describe
from . import dump
from . import linkeddata as ld
from . import pictures
from . import vocab
from . import negotiation as neg
from ..errors import BadRequest, NotAcceptable, NotFound
from .render import annotate, json_for_script, local_name, quote, safe_href, Span
from .context import pool, settings
from .search import Searcher
from .textsearch import TextSearcher

bp = Blueprint("pages", __name__)
JSON = neg.Format("json", "application/json")


def searcher() -> Searcher:
    ext = current_app.extensions
    if "communique.search" not in ext:
        ext["communique.search"] = Searcher(pool())
    return ext["communique.search"]


def text_searcher() -> TextSearcher:
    ext = current_app.extensions
    if "communique.textsearch" not in ext:
        ext["communique.textsearch"] = TextSearcher(pool())
    return ext["communique.textsearch"]


def warm(app) -> dict[str, tuple[int, float]]:
    """Build the name, text and reconciliation indexes now (``serve`` does at start): {name: (entries, seconds)}."""
    import time

    from .reconcile import recon

    out = {}
    with app.app_context():
        for name, build in (("names", lambda: searcher().index()), ("text", lambda: text_searcher().index()),
                            ("reconcile", recon)):
            started = time.perf_counter()
            out[name] = (len(build()), time.perf_counter() - started)
    return out


def base() -> str:
    return settings().base_iri


# --- template helpers ---------------------------------------------------------------------


@bp.app_template_filter("href")
def href_filter(iri: str) -> str:
    """Where a link to an IRI goes; "" when it may not be a link (``render.safe_href``): show it as text."""
    return safe_href(ld.local_href(iri, base()))


@bp.app_template_filter("localname")
def localname_filter(iri: str) -> str:
    return local_name(iri)


@bp.app_template_filter("stance_verb")
def stance_verb(stance: str) -> str:
    return {"Support": "supports", "Opposition": "opposes"}.get(stance, (stance or "").lower())


@bp.app_template_global("sparql_link")
def sparql_link(query: str) -> str:
    """The SPARQL UI (YASGUI reads the query from the fragment), with the query filled in."""
    return "/sparql#" + urlencode({"query": query})


@bp.app_template_global("network_json")
def network_json(net: dict):
    """What network.js draws, safe inside a <script> element: the nodes and the edges (each with its meetings)."""
    return json_for_script({"nodes": net["nodes"], "edges": net["edges"]})


@bp.app_template_global("quote")
def quote_global(ev: dict):
    return quote(ev["sentence"], ev.get("sentence_start"), ev.get("start"), ev.get("end"))


@bp.app_template_global("evidence_href")
def evidence_href(ev: dict) -> str:
    """The sentence of a piece of evidence, on its article's page."""
    target = safe_href(ld.local_href(ev["article"], base()))
    if target and ev.get("sentence_start") is not None:
        return f"{target}#s-{ev['sentence_start']}-{ev['sentence_end']}"
    return target


def _page(template: str, code: int = 200, path: str | None = None, **context) -> Response:
    response = Response(render_template(template, path=path, **context), status=code, mimetype="text/html")
    if path is not None:
        response.headers["Link"] = ld.link_header(path, ld.page_path(path))
    return response


# --- the 303 pattern --------------------------------------------------------------------------


def _iri(path: str) -> str:
    return f"{base()}id/{path}"


def _not_found(path: str) -> Response:
    """404: a page with suggestions for people, the error shape for machines."""
    iri = _iri(path)
    moved = describe.merged_into(pool(), iri)
    if moved:  # a meeting renamed by the merge: where its report is now
        response = redirect(request.path[:-len(path)] + moved[len(base() + "id/"):], 303)
        response.headers["Vary"] = "Accept"
        return response
    message = f"nothing is known about {iri}"
    if not neg.wants_html(request.headers.get("Accept")) and not request.path.startswith("/page/"):
        raise NotFound(message)
    words = " ".join(w for w in path.rsplit("/", 1)[-1].replace("_", "-").split("-") if w and not w.isdigit())
    suggestions = searcher().search(words, 8) if words else []
    return _page("error.html", 404, status=404, title="Not found", message=message,
                 suggestions=suggestions, query=words)


@bp.route("/id/<path:path>")
def identifier(path: str):
    """303 See Other to the page or the data, by Accept (HTML when nothing is asked)."""
    fmt = neg.choose(request.headers.get("Accept"), ld.REPRESENTATIONS, request.args.get("format"), default=neg.HTML)
    if not describe.valid_iri(_iri(path)) or not describe.exists(pool(), _iri(path)):
        return _not_found(path)
    target = ld.page_path(path) if fmt is neg.HTML else ld.data_path(path, fmt)
    response = redirect(urlquote(target, safe="/:@-._~!$&'()*+,;="), 303)
    response.headers["Vary"] = "Accept"
    response.headers["Link"] = ld.link_header(path)
    return response


def _page_number() -> int:
    raw = request.args.get("page", "1")
    if not raw.isdigit() or int(raw) < 1:
        raise BadRequest(f"page must be a whole number from 1, not {raw!r}")
    return int(raw)


@bp.app_template_global("list_href")
def list_href(name: str | None = None, page: int | None = None, fmt: str | None = None) -> str:
    """The URL of this page with another list, page or format (``?list=meetings&page=2``)."""
    args = {}
    if name:
        args["list"] = name
    if page and page > 1:
        args["page"] = page
    if fmt:
        args["format"] = fmt
    return request.path + ("?" + urlencode(args) if args else "")


def _pager_links(data: dict, only: str | None, page: int) -> list[tuple[str, str]]:
    """(rel, href) for <link rel="prev|next"> in the head: within the one list shown, or across the page's lists."""
    blocks = [data[describe.LISTS[n][0]] for n in data["lists"] if describe.LISTS[n][0] in data]
    links = []
    if page > 1:
        links.append(("prev", list_href(only, page - 1)))
    if any(b["pages"] > page for b in blocks):
        links.append(("next", list_href(only, page + 1)))
    return links


def _csv(path: str, iri: str, name: str) -> Response:
    """Every item of one list, as CSV, fetched a thousand at a time."""
    import csv
    import io

    known = searcher().index().label_of

    def lines():
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(describe.CSV_COLUMNS[name])
        page = 1
        while True:
            block = describe.list_page(pool(), iri, name, known, page, 1000)
            for item in block["items"]:
                writer.writerow(describe.csv_row(name, item))
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            if page >= block["pages"]:
                return
            page += 1

    response = Response(stream_with_context(lines()), mimetype="text/csv")
    filename = path.replace("/", "-") + f"-{name}.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.route("/page/<path:path>")
def page(path: str):
    iri = _iri(path)
    if not describe.valid_iri(iri):
        return _not_found(path)
    only = request.args.get("list") or None
    number = _page_number()
    fmt = (request.args.get("format") or "").lower()
    if fmt not in ("", "html", "csv"):
        raise NotAcceptable(f"format {fmt!r} is not offered for a page: html, or csv with list=NAME; "
                            f"the data is at /data/{path}.ttl (.nt, .jsonld, .rdf)")
    if only is not None and only not in describe.LISTS:
        raise NotFound(f"no list {only!r}: the lists are " + ", ".join(describe.LISTS))
    if fmt == "csv":
        if only is None:
            raise BadRequest("name the list to download: ?list=NAME&format=csv (" + ", ".join(describe.LISTS) + ")")
        if not describe.exists(pool(), iri):
            return _not_found(path)
        if only not in describe.lists_of(describe.types_of(pool(), iri)):
            raise NotFound(f"the page of {iri} has no list {only!r}")
        return _csv(path, iri, only)
    data = describe.entity(pool(), iri, searcher().index().label_of, number, settings().page_size, only)
    if data is None:
        return _not_found(path)
    if only is not None and only not in data["lists"]:
        raise NotFound(f"the page of {iri} has no list {only!r}: it has " + (", ".join(data["lists"]) or "none"))
    template = {"Article": "article.html", "Meeting": "meeting.html", "Position": "position.html",
                "Treaty": "treaty.html"}.get(data["page_type"], "entity.html")
    extra = {}
    if data["page_type"] == "Entity":
        extra.update(_pictures(iri, data))
    if data["page_type"] == "Treaty" and not only:
        extra["timeline"] = pictures.treaty_timeline(pool(), iri, href_filter, searcher().index().label_of)
    if data["page_type"] == "Article":
        extra["text_html"] = article_html(data)
        extra["shacl"] = conformance(iri)
    jsonld = pool().graph(describe_query(iri, incoming=False), "application/ld+json")
    return _page(template, path=path, e=data, alternates=ld.alternates(path),
                 jsonld=json_for_script(jsonld.decode("utf-8")), query=entity_sparql(iri, data),
                 only=only, page_number=number, page_links=_pager_links(data, only, number), **extra)


def _pictures(iri: str, data: dict) -> dict:
    """The timeline of an entity's lists of meetings and positions, and who met whom around it (an actor)."""
    known = searcher().index().label_of
    out = {"timeline": pictures.entity_timeline(pool(), iri, data["lists"], href_filter, known)}
    if "held" in data["lists"]:  # a place or a state: where its meetings were, when some place has a coordinate
        found = pictures.place_map(pool(), href_filter, known, within=iri, zoom=True)
        if found["located"]:
            out["place_map"] = found
    if "meetings" in data["lists"]:
        net = pictures.network(pool(), href_filter, known, around=iri)
        if net["edges"]:
            out["network"] = net
    return out


def conformance(iri: str) -> dict:
    """Whether the article's graph, as the store holds it now, conforms to the shapes (with the problems).

    Checked with the ingest gate's SHACL validation on the graph read back
    from the store, once per article and store generation (each write bumps
    it), so the page says "conforms" only when it is true of what is stored.
    """
    from rdflib import Graph

    from ..ingest import shacl

    cache = current_app.extensions.setdefault("communique.conformance", {})
    key = (iri, pool().generation)
    if key not in cache:
        # the article's graph, with the entities graph's descriptions of the entities it names and of
        # those they link to (a place's country), as the write gate validates it (MODEL.md, "Graphs")
        g, ents = describe.node(iri), describe.node(iri.split("id/article/", 1)[0] + "graph/entities")
        nt = pool().graph(f"""CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {{ GRAPH {g} {{ ?s ?p ?o }} }}
            UNION {{ {{ SELECT DISTINCT ?s WHERE {{ GRAPH {g} {{ ?x ?q ?s FILTER(isIRI(?s)) }} }} }} GRAPH {ents} {{ ?s ?p ?o }} }}
            UNION {{ {{ SELECT DISTINCT ?s WHERE {{ GRAPH {g} {{ ?x ?q ?e FILTER(isIRI(?e)) }} GRAPH {ents} {{ ?e ?r ?s FILTER(isIRI(?s)) }} }} }}
                    GRAPH {ents} {{ ?s ?p ?o }} }} }}""", union=False)
        graph = Graph()
        graph.parse(data=nt.decode("utf-8"), format="nt")
        for prefix, ns in shacl.shapes().namespaces():
            graph.bind(prefix, ns)
        report = shacl.validate(graph, iri)
        if len(cache) > 1000:
            cache.clear()
        cache[key] = {"conforms": report.conforms, "problems": [str(p) for p in report.problems]}
    return cache[key]


def article_html(data: dict):
    a = data["article"]
    mentions = [Span(m["start"], m["end"], ld.local_href(m["entity"], base()), m["label"],
                     (ld.kind_of(m["entity"], base()) or "other"), m["iri"].rsplit("#", 1)[-1])
                for m in a["mentions"] if m["start"] is not None and m["end"] is not None]
    sentences = {}
    for f in a["facts"]:
        for ev in f["evidence"]:
            if ev["sentence_start"] is not None:
                key = (ev["sentence_start"], ev["sentence_end"])
                sentences.setdefault(key, Span(*key, css="evidence", id=f"s-{key[0]}-{key[1]}"))
    return annotate(a["text"], mentions, list(sentences.values()))


@bp.route("/data/<path:rest>")
def data(rest: str):
    found = ld.split_data_path(rest)
    if found is None:
        raise NotFound(f"no data at /data/{rest}: use /data/{{kind}}/{{slug}}."
                       + "{" + ",".join(f.name for f in ld.DATA) + "}")
    path, fmt = found
    iri = _iri(path)
    if not describe.valid_iri(iri) or not describe.exists(pool(), iri):
        raise NotFound(f"nothing is known about {iri}")
    body = pool().graph(describe_query(iri, incoming=True), fmt.media_type)
    response = Response(body, mimetype=fmt.media_type)
    response.headers["Link"] = ld.link_header(path, ld.data_path(path, fmt))
    return response


def describe_query(iri: str, incoming: bool) -> str:
    """CONSTRUCT the description of a resource: its triples, those of its hash IRIs
    (evidence, selectors, an article's mentions) and, for data, up to 1000 incoming links."""
    n = describe.node(iri)
    hash_prefix = iri + "#"
    is_hash = f'FILTER(STRSTARTS(STR(?x), "{hash_prefix}"))'
    # DISTINCT first: the default graph is the union of the article graphs, which repeat descriptions
    parts = [f"{{ SELECT DISTINCT ?p ?o WHERE {{ {n} ?p ?o }} }}",
             f"{{ {{ SELECT DISTINCT ?x WHERE {{ {n} ?p0 ?x {is_hash} }} }} ?x ?q ?y }}",
             f"{{ {{ SELECT DISTINCT ?x WHERE {{ {n} ?p1 ?x0 . ?x0 ?p2 ?x "
             f'FILTER(STRSTARTS(STR(?x0), "{hash_prefix}")) {is_hash} }} }} ?x ?q ?y }}',
             f"{{ GRAPH {n} {{ ?x ?q ?y {is_hash} }} }}"]
    # a meeting's reports (in their articles' graphs) and their evidence, with its selectors
    parts.append(f"{{ {n} dip:report ?x . ?x ?q ?y }}")
    parts.append(f"{{ {{ SELECT DISTINCT ?x WHERE {{ {n} dip:report ?x0 . ?x0 dip:evidence ?x1 . "
                 f"?x1 (oa:hasSelector|dip:sentenceSelector)? ?x }} }} ?x ?q ?y }}")
    if incoming:
        parts.append(f"{{ SELECT DISTINCT ?s ?r WHERE {{ ?s ?r {n} }} LIMIT 1000 }}")
    template = f"{n} ?p ?o . ?x ?q ?y ." + (f" ?s ?r {n} ." if incoming else "")
    return describe.PREFIXES + f"CONSTRUCT {{ {template} }} WHERE {{ {' UNION '.join(parts)} }}"


def entity_sparql(iri: str, data: dict) -> str:
    n = describe.node(iri)
    if "meetings" in data:
        return f"""PREFIX dip: <{describe.DIP}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
# The meetings of {data['label']}, with the other participants
SELECT DISTINCT ?meeting ?date ?other ?otherLabel WHERE {{
  ?meeting a dip:Meeting ; dip:participant {n} ; dip:participant ?other .
  FILTER(?other != {n})
  ?other rdfs:label ?otherLabel .
  OPTIONAL {{ ?meeting dip:date ?date }}
}} ORDER BY ?date"""
    return f"""PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
# Everything the graph says about {data['label']}
SELECT DISTINCT ?property ?value ?label WHERE {{
  {n} ?property ?value .
  OPTIONAL {{ ?value rdfs:label ?label }}
}} ORDER BY ?property"""


# --- who met whom ----------------------------------------------------------------------------


@bp.route("/network")
def network():
    """Who met whom in the whole graph, or around an entity (``around=person/…`` or its IRI), in a date range."""
    raw_from, raw_to, start, end = _date_range()
    around_param = (request.args.get("around") or "").strip()
    around = None
    if around_param:
        around = around_param if "://" in around_param else _iri(around_param.strip("/"))
        if not describe.valid_iri(around) or not describe.exists(pool(), around):
            raise NotFound(f"nothing is known about {around}")
    fmt = neg.choose(request.headers.get("Accept"), [neg.HTML, JSON], request.args.get("format"), default=neg.HTML)
    known = searcher().index().label_of
    net = pictures.network(pool(), href_filter, known, around=around, start=start, end=end)
    args = {k: v for k, v in (("around", around_param), ("from", raw_from), ("to", raw_to)) if v}
    if fmt is JSON:
        response = current_app.json.response({
            "around": around, "from": start, "to": end, "meetings": net["total"], "shown": net["shown"],
            "truncated": net["truncated"], "nodes": net["nodes"], "edges": net["edges"],
            "meeting_list": [{"iri": m["iri"], "href": m["href"], "date": m["date"], "reported": m["reported"],
                              "participants": m["participants"], "place": m["place"], "status": m["status"]}
                             for m in net["meetings"]]})
    else:
        response = _page("network.html", net=net, raw_from=raw_from, raw_to=raw_to, around_param=around_param,
                         around_label=(known.get(around) or describe.labels(pool(), [around]).get(around)
                                       if around else None),
                         timeline=pictures.range_timeline(net, pool(), href_filter, known),
                         json_href="/network?" + urlencode(dict(args, format="json")))
        response.headers["Link"] = f'<{"/network?" + urlencode(dict(args, format="json"))}>; rel="alternate"; ' \
                                   f'type="application/json"'
    response.headers["Vary"] = "Accept"
    return response


# --- where they met ------------------------------------------------------------------------------


def _date_range() -> tuple[str, str, str | None, str | None]:
    """(raw from, raw to, start, end) of ``from=`` and ``to=``: 400 for what is not a date, or a range backwards."""
    raw_from, raw_to = (request.args.get("from") or "").strip(), (request.args.get("to") or "").strip()
    try:
        start, end = charts.bound(raw_from, end=False), charts.bound(raw_to, end=True)
    except ValueError as exc:
        raise BadRequest(f"from= and to= are dates: {exc}") from None
    if start and end and start > end:
        raise BadRequest(f"from= ({raw_from}) is after to= ({raw_to})")
    return raw_from, raw_to, start, end


@bp.route("/map")
def place_map():
    """Where the meetings were held, on a map of the world, in a date range; JSON for machines."""
    raw_from, raw_to, start, end = _date_range()
    fmt = neg.choose(request.headers.get("Accept"), [neg.HTML, JSON], request.args.get("format"), default=neg.HTML)
    known = searcher().index().label_of
    args = {k: v for k, v in (("from", raw_from), ("to", raw_to)) if v}
    json_href = "/map?" + urlencode(dict(args, format="json"))
    if fmt is JSON:
        found = pictures.meeting_places(pool(), href_filter, known, start=start, end=end)
        keys = ("iri", "label", "href", "meetings", "lat", "long", "country", "country_label")
        response = current_app.json.response({
            "from": start, "to": end, "meetings": found["meetings"], "located_meetings": found["located_meetings"],
            "unplaced_meetings": found["unplaced"], "places": [{k: p[k] for k in keys} for p in found["places"]]})
    else:
        response = _page("map.html", mp=pictures.place_map(pool(), href_filter, known, start=start, end=end),
                         raw_from=raw_from, raw_to=raw_to, json_href=json_href)
        response.headers["Link"] = f'<{json_href}>; rel="alternate"; type="application/json"'
    response.headers["Vary"] = "Accept"
    return response


@bp.route("/map/world.svg")
def world_svg():
    """The world's countries (Natural Earth 1:110m) projected as the maps draw them, one path with an id;
    cached by browsers (ETag, a day)."""
    body = pictures.world_svg()
    if body is None:
        raise NotFound("the world outline is not installed: run `make install`")
    response = Response(body, mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "public, max-age=86400"
    response.add_etag()
    return response.make_conditional(request)


# --- home and search ----------------------------------------------------------------------------


@bp.route("/")
def home():
    ext = current_app.extensions
    cached = ext.get("communique.home")
    generation = pool().generation
    if cached is None or cached[0] != generation:  # both change only when the store is written
        cached = (generation, describe.order_counts(describe.counts(pool())), describe.latest_articles(pool()))
        ext["communique.home"] = cached
    counts, internal = cached[1]
    return _page("home.html", counts=counts, internal=internal, articles=cached[2])


def _limit(default: int, most: int) -> int:
    raw = request.args.get("limit", "")
    return min(max(int(raw), 1), most) if raw.isdigit() else default


@bp.route("/search")
def search():
    """Names (labels and aliases, typos forgiven) and the articles' text (FTS5)."""
    q = (request.args.get("q") or "").strip()[:200]
    fmt = neg.choose(request.headers.get("Accept"), [neg.HTML, JSON], request.args.get("format"), default=neg.HTML)
    limit = _limit(20, 100)
    where = request.args.get("in", "all")
    if where not in ("all", "names", "text"):
        raise BadRequest(f"in= is names, text or all, not {where!r}")
    hits = searcher().search(q, limit) if q and where != "text" else []
    text_total, text_hits = text_searcher().search(q, limit if where == "text" else 10) if q and where != "names" \
        else (0, [])
    if fmt is JSON:
        response = current_app.json.response({
            "query": q,
            "results": [dict(h.as_dict(), href=href_filter(h.iri)) for h in hits],
            "text": {"count": text_total,
                     "results": [dict(h.as_dict(), href=href_filter(h.iri)) for h in text_hits]}})
    else:
        response = _page("search.html", q=q, hits=hits, text_total=text_total, text_hits=text_hits, where=where)
    response.headers["Vary"] = "Accept"
    return response


@bp.route("/search/complete")
def complete():
    """Autocomplete for the search box: the few best names for what has been typed so far (JSON)."""
    q = (request.args.get("q") or "").strip()[:100]
    hits = searcher().search(q, _limit(8, 20)) if q else []
    return current_app.json.response({"query": q, "results": [
        {"label": h.label, "type": h.type, "matched": h.matched, "fuzzy": h.fuzzy, "iri": h.iri,
         "href": href_filter(h.iri)} for h in hits]})


# --- ontology, shapes, dumps ------------------------------------------------------------------------


def _doc(name: str, path, build):
    fmt = neg.choose(request.headers.get("Accept"), [neg.HTML, ld.DATA[0]], request.args.get("format"),
                     default=neg.HTML)
    if fmt is neg.HTML:
        response = _page(f"{name}.html", doc=build())
    else:
        response = Response(vocab.turtle(path), mimetype="text/turtle")
    response.headers["Vary"] = "Accept"
    response.headers["Link"] = (f'</{name}>; rel="alternate"; type="text/html", '
                                f'</{name}.ttl>; rel="alternate"; type="text/turtle"')
    return response


@bp.route("/ontology")
def ontology():
    return _doc("ontology", vocab.ONTOLOGY_FILE, vocab.ontology)


@bp.route("/ontology.ttl")
def ontology_ttl():
    return Response(vocab.turtle(vocab.ONTOLOGY_FILE), mimetype="text/turtle")


@bp.route("/shapes")
def shapes():
    return _doc("shapes", vocab.SHAPES_FILE, vocab.shapes)


@bp.route("/shapes.ttl")
def shapes_ttl():
    return Response(vocab.turtle(vocab.SHAPES_FILE), mimetype="text/turtle")


@bp.route("/dump.<ext>")
def dumps(ext: str):
    convert = {"nq": (dump.tsv_to_quads, "application/n-quads"), "trig": (dump.tsv_to_trig, "application/trig")}
    if ext not in convert:
        raise NotFound("dumps are /dump.nq (N-Quads) and /dump.trig (TriG)")
    fn, media = convert[ext]
    result = pool().query(dump.QUERY, {"solutions": "text/tab-separated-values",
                                       "boolean": "text/tab-separated-values", "triples": "application/n-triples"},
                          union=False, timeout=max(settings().query_timeout, 600))
    response = Response(stream_with_context(fn(result.chunks)), mimetype=media)
    response.headers["Content-Disposition"] = f'attachment; filename="communique.{ext}"'
    return response


__all__ = ["bp", "NotAcceptable"]
