"""The data step of the pages: SPARQL SELECTs through the QueryPool → plain dicts.

Each function takes the pool and an IRI and returns what one page shows. Every
query is DISTINCT: each article's graph repeats the description of the entities
it mentions, and the default graph is the union of the article graphs. Long
lists are capped (``LIST_CAP``) and come with their full count.
"""
from __future__ import annotations

from .errors import BadRequest
from .render import local_name

DIP = "https://w3id.org/communique/ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_ALT = "http://www.w3.org/2004/02/skos/core#altLabel"
OWL_SAMEAS = "http://www.w3.org/2002/07/owl#sameAs"
WD = "http://www.wikidata.org/entity/"
PREFIXES = f"""PREFIX dip: <{DIP}>
PREFIX schema: <https://schema.org/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX oa: <http://www.w3.org/ns/oa#>
"""
LIST_CAP = 200  # most meetings, positions or articles listed on one page
INCOMING_CAP = 20  # most subjects listed per incoming property (as LodView)
PAGE_TYPES = ("Article", "Meeting", "Position", "Treaty")  # classes with a page of their own


def node(iri: str) -> str:
    """An IRI for a SPARQL query; refuses characters that cannot be in an IRI."""
    if not iri or any(c in iri for c in '<>"{}|^`\\ \n\t\r'):
        raise BadRequest(f"not a valid IRI: {iri!r}")
    return f"<{iri}>"


def rows(pool, query: str) -> list[dict]:
    """SELECT → [{var: value}] (unbound variables are absent)."""
    return [{k: v["value"] for k, v in r.items()} for r in pool.select(PREFIXES + query)]


def _int(value, default=None):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def count(pool, where: str) -> int:
    r = rows(pool, f"SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT * WHERE {{ {where} }} }}")
    return _int(r[0]["n"], 0) if r else 0


# --- every resource ------------------------------------------------------------------


def resource(pool, iri: str) -> dict | None:
    """Label, types, Wikidata, aliases and the outgoing and incoming links; None if unknown."""
    n = node(iri)
    out = pool.select(PREFIXES + f"SELECT DISTINCT ?p ?o ?olabel WHERE {{ {n} ?p ?o . OPTIONAL {{ ?o rdfs:label ?olabel }} }}")
    if not out:
        return None
    outgoing: dict[str, list[dict]] = {}
    seen = set()
    for r in out:
        p, o = r["p"]["value"], r["o"]
        if (p, o["value"]) in seen:  # an object with two labels
            continue
        seen.add((p, o["value"]))
        dt = o.get("datatype")
        outgoing.setdefault(p, []).append({"value": o["value"], "label": r.get("olabel", {}).get("value"),
                                           "iri": o["type"] == "uri", "lang": o.get("xml:lang"),
                                           "datatype": local_name(dt) if dt else None})
    types = [v["value"] for v in outgoing.get(RDF_TYPE, [])]
    dip_types = [t[len(DIP):] for t in types if t.startswith(DIP)]
    same = [v["value"] for v in outgoing.get(OWL_SAMEAS, [])]
    data = {
        "iri": iri,
        "label": next((v["value"] for v in outgoing.get(RDFS_LABEL, [])), local_name(iri)),
        "types": dip_types or [local_name(t) for t in types],
        "aliases": sorted(v["value"] for v in outgoing.get(SKOS_ALT, [])),
        "wikidata": [s[len(WD):] for s in same if s.startswith(WD)],
        "same_as": [s for s in same if not s.startswith(WD)],
        "roles": sorted({v["value"] for v in outgoing.get(DIP + "role", [])}),
        "affiliations": [{"iri": v["value"], "label": v["label"] or local_name(v["value"])}
                         for v in outgoing.get(DIP + "affiliation", [])],
        "outgoing": outgoing,
        "incoming": incoming(pool, iri),
    }
    data["page_type"] = next((t for t in PAGE_TYPES if t in dip_types), "Entity")
    return data


def incoming(pool, iri: str) -> dict[str, dict]:
    """{property: {"count": n, "subjects": [first INCOMING_CAP {iri, label}]}}."""
    n = node(iri)
    counts = rows(pool, f"SELECT ?p (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s ?p {n} }} GROUP BY ?p ORDER BY ?p")
    result = {}
    for c in counts:
        subjects = rows(pool, f"""SELECT DISTINCT ?s ?label ?exact WHERE {{ ?s {node(c["p"])} {n} .
            OPTIONAL {{ ?s rdfs:label ?label }} OPTIONAL {{ ?s oa:exact ?exact }} }} LIMIT {INCOMING_CAP * 2}""")
        unique = {}
        for s in subjects:
            unique.setdefault(s["s"], s.get("label") or (f"“{s['exact']}”" if s.get("exact") else None))
        result[c["p"]] = {"count": _int(c["n"], 0),
                          "subjects": [{"iri": k, "label": v} for k, v in list(unique.items())[:INCOMING_CAP]]}
    return result


def exists(pool, iri: str) -> bool:
    n = node(iri)
    return pool.ask(f"ASK {{ {{ {n} ?p ?o }} UNION {{ ?s ?p {n} }} }}")


# --- evidence ------------------------------------------------------------------------------


EVIDENCE_VARS = "?ev ?rule ?sentence ?source ?ss ?se ?xs ?xe ?exact"


def _evidence_pattern(fact: str) -> str:
    return f"""{fact} dip:evidence ?ev . ?ev dip:rule ?rule ; dip:sentence ?sentence ; oa:hasSource ?source .
        OPTIONAL {{ ?ev dip:sentenceSelector ?sel . ?sel oa:start ?ss ; oa:end ?se }}
        OPTIONAL {{ ?ev oa:hasSelector ?x . ?x oa:start ?xs ; oa:end ?xe ; oa:exact ?exact }}"""


def _evidence(r: dict) -> dict:
    return {"iri": r["ev"], "rule": r["rule"], "sentence": r["sentence"], "article": r["source"],
            "sentence_start": _int(r.get("ss")), "sentence_end": _int(r.get("se")),
            "start": _int(r.get("xs")), "end": _int(r.get("xe")), "exact": r.get("exact")}


def evidence(pool, fact: str) -> list[dict]:
    found = rows(pool, f"SELECT DISTINCT {EVIDENCE_VARS} WHERE {{ {_evidence_pattern(node(fact))} }} ORDER BY ?ev")
    cited = rows(pool, f"""SELECT DISTINCT ?ev ?c ?clabel WHERE {{ {node(fact)} dip:evidence ?ev .
        ?ev dip:citedSource ?c . OPTIONAL {{ ?c rdfs:label ?clabel }} }}""")
    items = {}
    for r in found:
        items.setdefault(r["ev"], _evidence(r))
    for c in cited:
        if c["ev"] in items:
            items[c["ev"]].setdefault("cited", []).append({"iri": c["c"], "label": c.get("clabel", c["c"])})
    return list(items.values())


# --- actors and places ------------------------------------------------------------------


def meetings(pool, where: str) -> dict:
    """Meetings matching a pattern on ?m, as a timeline: {"count", "items"}."""
    total = count(pool, f"?m a dip:Meeting . {where}")
    found = rows(pool, f"""SELECT DISTINCT ?m ?label ?date ?status ?place ?placeLabel ?article ?adate WHERE {{
        ?m a dip:Meeting . {where}
        ?m rdfs:label ?label ; dip:status ?status ; dip:reportedIn ?article .
        OPTIONAL {{ ?m dip:date ?date }} OPTIONAL {{ ?article dip:date ?adate }}
        OPTIONAL {{ ?m dip:location ?place . ?place rdfs:label ?placeLabel }}
    }} ORDER BY STR(COALESCE(?date, ?adate)) ?m LIMIT {LIST_CAP}""")
    items: dict[str, dict] = {}
    for r in found:
        items.setdefault(r["m"], {"iri": r["m"], "label": r["label"], "date": r.get("date"),
                                  "article_date": r.get("adate"), "status": local_name(r["status"]),
                                  "place": r.get("place"), "place_label": r.get("placeLabel"),
                                  "article": r["article"], "participants": []})
    if items:
        values = " ".join(node(m) for m in items)
        for r in rows(pool, f"""SELECT DISTINCT ?m ?a ?label WHERE {{ VALUES ?m {{ {values} }}
                ?m dip:participant ?a . ?a rdfs:label ?label }} ORDER BY ?label"""):
            items[r["m"]]["participants"].append({"iri": r["a"], "label": r["label"]})
    return {"count": total, "items": list(items.values())}


def positions(pool, where: str) -> dict:
    """Positions matching a pattern on ?pos, each with its evidence: {"count", "items"}."""
    total = count(pool, f"?pos a dip:Position . {where}")
    found = rows(pool, f"""SELECT DISTINCT ?pos ?label ?holder ?holderLabel ?stance ?action ?topic ?topicLabel
            ?article ?adate {EVIDENCE_VARS} WHERE {{
        ?pos a dip:Position . {where}
        ?pos rdfs:label ?label ; dip:holder ?holder ; dip:stance ?stance ; dip:topic ?topic ; dip:reportedIn ?article .
        ?holder rdfs:label ?holderLabel . ?topic rdfs:label ?topicLabel .
        OPTIONAL {{ ?pos dip:action ?action }} OPTIONAL {{ ?article dip:date ?adate }}
        {_evidence_pattern("?pos")}
    }} ORDER BY STR(?adate) ?pos ?ev LIMIT {LIST_CAP}""")
    items: dict[str, dict] = {}
    for r in found:
        p = items.setdefault(r["pos"], {
            "iri": r["pos"], "label": r["label"], "holder": r["holder"], "holder_label": r["holderLabel"],
            "stance": local_name(r["stance"]), "action": local_name(r["action"]) if r.get("action") else None,
            "topic": r["topic"], "topic_label": r["topicLabel"], "article": r["article"], "date": r.get("adate"),
            "evidence": []})
        if not any(e["iri"] == r["ev"] for e in p["evidence"]):
            p["evidence"].append(_evidence(r))
    return {"count": total, "items": list(items.values())}


def mentioned_in(pool, iri: str) -> dict:
    n = node(iri)
    total = count(pool, f"?a schema:mentions {n}")
    found = rows(pool, f"""SELECT DISTINCT ?a ?label ?date WHERE {{ ?a schema:mentions {n} ; rdfs:label ?label .
        OPTIONAL {{ ?a dip:date ?date }} }} ORDER BY DESC(STR(?date)) ?a LIMIT {LIST_CAP}""")
    return {"count": total, "items": [{"iri": r["a"], "label": r["label"], "date": r.get("date")} for r in found]}


def entity(pool, iri: str) -> dict | None:
    data = resource(pool, iri)
    if data is None:
        return None
    n = node(iri)
    types = set(data["types"])
    if types & {"Person", "State", "Organization", "Actor"}:
        data["meetings"] = meetings(pool, f"?m dip:participant {n} .")
        data["positions"] = positions(pool, f"?pos dip:holder {n} .")
    if types & {"Place", "State"}:
        data["held_here"] = meetings(pool, f"?m dip:location {n} .")
    if "Treaty" in types:
        data["stances"] = positions(pool, f"?pos dip:topic {n} .")
        data["stance_summary"] = stance_summary(data["stances"]["items"])
    if "Meeting" in types or "Position" in types:
        data["fact"] = fact(pool, iri, data)
    if "Article" in types:
        data["article"] = article(pool, iri, data)
    else:
        data["mentioned_in"] = mentioned_in(pool, iri)
    return data


def stance_summary(items: list[dict]) -> list[dict]:
    """Per holder: their stances over time (for the treaty page)."""
    by_holder: dict[str, dict] = {}
    for p in items:
        h = by_holder.setdefault(p["holder"], {"iri": p["holder"], "label": p["holder_label"], "stances": []})
        h["stances"].append({"stance": p["stance"], "action": p["action"], "date": p["date"], "position": p["iri"]})
    return sorted(by_holder.values(), key=lambda h: h["label"])


# --- facts (meetings and positions) -------------------------------------------------------------


def fact(pool, iri: str, data: dict) -> dict:
    n = node(iri)
    out = data["outgoing"]

    def first(prop):
        values = out.get(DIP + prop, [])
        return values[0] if values else None

    participants = rows(pool, f"""SELECT DISTINCT ?a ?label ?type WHERE {{ {n} dip:participant ?a .
        ?a rdfs:label ?label ; a ?type FILTER(STRSTARTS(STR(?type), "{DIP}")) }} ORDER BY ?label""")
    people: dict[str, dict] = {}
    for r in participants:
        people.setdefault(r["a"], {"iri": r["a"], "label": r["label"], "type": local_name(r["type"])})
    article = first("reportedIn")
    adate = rows(pool, f"SELECT DISTINCT ?d WHERE {{ {node(article['value'])} dip:date ?d }}") if article else []

    def ref(v):
        return {"iri": v["value"], "label": v["label"] or local_name(v["value"])} if v else None

    return {
        "participants": list(people.values()),
        "place": ref(first("location")),
        "date": (first("date") or {}).get("value"),
        "status": local_name(first("status")["value"]) if first("status") else None,
        "holder": ref(first("holder")),
        "topic": ref(first("topic")),
        "stance": local_name(first("stance")["value"]) if first("stance") else None,
        "action": local_name(first("action")["value"]) if first("action") else None,
        "article": ref(article),
        "article_date": adate[0]["d"] if adate else None,
        "evidence": evidence(pool, iri),
    }


# --- articles ---------------------------------------------------------------------------------------


def article(pool, iri: str, data: dict) -> dict:
    n = node(iri)
    out = data["outgoing"]

    def value(prop, ns=DIP):
        values = out.get(ns + prop, [])
        return values[0]["value"] if values else None

    mentions = rows(pool, f"""SELECT DISTINCT ?mention ?start ?end ?e ?label WHERE {{ GRAPH {n} {{
        ?mention a dip:Mention ; oa:hasSource {n} ; oa:start ?start ; oa:end ?end ; dip:denotes ?e .
        OPTIONAL {{ ?e rdfs:label ?label }} }} }} ORDER BY ?start""")
    facts = rows(pool, f"""SELECT DISTINCT ?f ?type ?label {EVIDENCE_VARS} WHERE {{ GRAPH {n} {{
        ?f dip:reportedIn {n} ; a ?type ; rdfs:label ?label . {_evidence_pattern("?f")} }} }}
        ORDER BY ?ss ?f""")
    items: dict[str, dict] = {}
    for r in facts:
        f = items.setdefault(r["f"], {"iri": r["f"], "type": local_name(r["type"]), "label": r["label"],
                                      "evidence": []})
        if not any(e["iri"] == r["ev"] for e in f["evidence"]):
            f["evidence"].append(_evidence(r))
    volume, issue = value("volume"), value("issue")
    return {
        "text": value("text", "https://schema.org/") or "",
        "publication": value("publication"), "volume": volume, "issue": issue,
        "date": value("date"), "date_inferred": value("dateInferred") == "true", "date_basis": value("dateBasis"),
        "source_file": value("sourceFile"),
        "mentions": [{"iri": r["mention"], "start": _int(r["start"]), "end": _int(r["end"]), "entity": r["e"],
                      "label": r.get("label", local_name(r["e"]))} for r in mentions],
        "facts": list(items.values()),
    }


# --- home ------------------------------------------------------------------------------------------------


def counts(pool) -> list[tuple[str, int]]:
    found = rows(pool, f"""SELECT ?type (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a ?type
        FILTER(STRSTARTS(STR(?type), "{DIP}")) }} GROUP BY ?type ORDER BY DESC(?n)""")
    return [(local_name(r["type"]), _int(r["n"], 0)) for r in found]


def latest_articles(pool, limit: int = 12) -> list[dict]:
    found = rows(pool, f"""SELECT ?a ?label ?date WHERE {{ ?a a dip:Article ; rdfs:label ?label .
        OPTIONAL {{ ?a dip:date ?date }} }} ORDER BY DESC(STR(?date)) ?a LIMIT {limit * 4}""")
    items: dict[str, dict] = {}
    for r in found:
        items.setdefault(r["a"], {"iri": r["a"], "label": r["label"], "date": r.get("date")})
    return list(items.values())[:limit]
