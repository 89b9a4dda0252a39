"""Views: each builds a dict (data step), then renders it as HTML or RDF."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template, request

from . import negotiation as neg
from .errors import BadRequest, NotFound

bp = Blueprint("communique", __name__)

DIP = "https://w3id.org/communique/ontology#"
PREFIXES = f"""PREFIX dip: <{DIP}>
PREFIX schema: <https://schema.org/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX oa: <http://www.w3.org/ns/oa#>
"""
KINDS = ("person", "state", "organization", "place", "treaty", "meeting", "position", "article")


def backend():
    return current_app.extensions["communique"]


def settings():
    return current_app.config["COMMUNIQUE"]


def pool():
    return backend().pool


def iri_literal(iri: str) -> str:
    """An IRI for a SPARQL query; refuses characters that cannot be in an IRI."""
    if any(c in iri for c in '<>"{}|^`\\ \n\t'):
        raise BadRequest(f"not a valid IRI: {iri!r}")
    return f"<{iri}>"


# --- Linked Data ------------------------------------------------------------------


def entity_data(iri: str) -> dict:
    """Everything the entity page shows, from a few SELECT queries."""
    node = iri_literal(iri)
    rows = pool().select(f"{PREFIXES} SELECT DISTINCT ?p ?o ?olabel WHERE {{ {node} ?p ?o . "
                         f"OPTIONAL {{ ?o rdfs:label ?olabel }} }} ORDER BY ?p ?o")
    if not rows:
        raise NotFound(f"nothing is known about {iri}")
    props: dict[str, list[dict]] = {}
    for r in rows:
        props.setdefault(r["p"]["value"], []).append({"value": r["o"]["value"], "type": r["o"]["type"],
                                                     "label": r.get("olabel", {}).get("value")})
    label = next((v["value"] for v in props.get("http://www.w3.org/2000/01/rdf-schema#label", [])), iri)
    types = [v["value"] for v in props.get("http://www.w3.org/1999/02/22-rdf-syntax-ns#type", [])]
    same = [v["value"] for v in props.get("http://www.w3.org/2002/07/owl#sameAs", [])]
    data = {
        "iri": iri, "label": label, "types": [t.split("#")[-1] for t in types],
        "wikidata": [s.replace("http://www.wikidata.org/entity/", "") for s in same],
        "roles": sorted({v["value"] for v in props.get(DIP + "role", [])}),
        "affiliations": {v["value"]: v["label"] or v["value"] for v in props.get(DIP + "affiliation", [])},
        "properties": props,
    }
    data["meetings"] = [
        {k: v["value"] for k, v in r.items()} for r in pool().select(f"""{PREFIXES}
        SELECT ?m ?label ?date ?status ?place ?placeLabel (GROUP_CONCAT(DISTINCT ?other; separator="; ") AS ?others)
        WHERE {{ ?m dip:participant {node} ; rdfs:label ?label ; dip:status ?status .
                 OPTIONAL {{ ?m dip:date ?date }}
                 OPTIONAL {{ ?m dip:location ?place . ?place rdfs:label ?placeLabel }}
                 OPTIONAL {{ ?m dip:participant ?o . FILTER(?o != {node}) ?o rdfs:label ?other }} }}
        GROUP BY ?m ?label ?date ?status ?place ?placeLabel ORDER BY ?date""")]
    data["positions"] = [
        {k: v["value"] for k, v in r.items()} for r in pool().select(f"""{PREFIXES}
        SELECT DISTINCT ?pos ?label ?stance ?action ?sentence ?rule ?article WHERE {{
          {{ ?pos dip:holder {node} }} UNION {{ ?pos dip:topic {node} }}
          ?pos rdfs:label ?label ; dip:stance ?stance ; dip:reportedIn ?article ; dip:evidence ?ev .
          ?ev dip:sentence ?sentence ; dip:rule ?rule .
          OPTIONAL {{ ?pos dip:action ?action }} }} ORDER BY ?article ?pos""")]
    data["articles"] = [
        {k: v["value"] for k, v in r.items()} for r in pool().select(f"""{PREFIXES}
        SELECT DISTINCT ?article ?label WHERE {{ ?article schema:mentions {node} ; rdfs:label ?label }}
        ORDER BY ?article""")]
    return data


def entity_graph(iri: str, media_type: str) -> bytes:
    node = iri_literal(iri)
    hash_prefix = iri + "#"
    return pool().graph(f"""{PREFIXES}
        CONSTRUCT {{ {node} ?p ?o . ?x ?q ?y . ?s ?r {node} }} WHERE {{
          {{ {node} ?p ?o }}
          UNION {{ {node} ?p0 ?x . ?x ?q ?y FILTER(STRSTARTS(STR(?x), "{hash_prefix}")) }}
          UNION {{ {node} dip:evidence ?ev . ?ev ?p1 ?x . ?x ?q ?y FILTER(STRSTARTS(STR(?x), "{hash_prefix}")) }}
          UNION {{ ?s ?r {node} }}
        }}""", media_type)


@bp.route("/id/<kind>/<path:slug>")
def entity(kind: str, slug: str):
    if kind not in KINDS:
        raise NotFound(f"there is no kind of entity called {kind!r}; kinds: {', '.join(KINDS)}")
    iri = f"{settings().base_iri}id/{kind}/{slug}"
    accept = request.headers.get("Accept")
    if neg.wants_html(accept) or request.args.get("format") == "html":
        data = entity_data(iri)
        return render_template("entity.html", e=data, kind=kind)
    fmt = neg.choose(accept, neg.GRAPHS, request.args.get("format"))
    node = iri_literal(iri)
    if not pool().ask(f"ASK {{ {{ {node} ?p ?o }} UNION {{ ?s ?p {node} }} }}"):
        raise NotFound(f"nothing is known about {iri}")
    body = entity_graph(iri, fmt.media_type)
    response = Response(body, mimetype=fmt.media_type)
    response.headers["Vary"] = "Accept"
    return response


@bp.route("/")
def home():
    counts = {r["type"]["value"].split("#")[-1]: int(r["n"]["value"]) for r in pool().select(
        f"{PREFIXES} SELECT ?type (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a ?type FILTER(STRSTARTS(STR(?type), \"{DIP}\")) }} GROUP BY ?type")}
    articles = [{k: v["value"] for k, v in r.items()} for r in pool().select(
        f"{PREFIXES} SELECT ?article ?label WHERE {{ ?article a dip:Article ; rdfs:label ?label }} ORDER BY DESC(?article) LIMIT 20")]
    return render_template("home.html", counts=counts, articles=articles)


@bp.route("/healthz")
def healthz():
    ok = pool().ask("ASK { }")
    return {"status": "ok" if ok else "degraded"}
