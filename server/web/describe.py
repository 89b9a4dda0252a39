"""The data step of the pages: SPARQL SELECTs through the QueryPool → plain dicts.

Each function takes the pool and an IRI and returns what one page shows. Every
query is DISTINCT: each article's graph repeats the description of the entities
it mentions, and the default graph is the union of the article graphs. Long
lists are capped (``LIST_CAP``) and come with their full count.

Labels of entities are never joined into a query: an entity's label is repeated
in every article graph that mentions it, so a join would multiply the rows by
that number. They come from ``labels()`` instead: the server's in-memory label
map (``known``, from the search index) and, for the rest, one VALUES query.
"""
from __future__ import annotations

import re

from ..errors import BadRequest
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
PREFIX wgs84: <http://www.w3.org/2003/01/geo/wgs84_pos#>
"""
LIST_CAP = 200  # most meetings, positions or articles listed on one page
INCOMING_CAP = 20  # most subjects listed per incoming property (as LodView)
PAGE_TYPES = ("Article", "Meeting", "Position", "Treaty")  # classes with a page of their own


_IRI = re.compile(r'[^\x00-\x20<>"{}|^`\\\x7f]+')


def valid_iri(iri: str) -> bool:
    """Whether ``iri`` holds only characters an IRI may hold (so it can be written as ``<iri>`` in SPARQL)."""
    return bool(iri) and _IRI.fullmatch(iri) is not None


def node(iri: str) -> str:
    """An IRI for a SPARQL query; refuses characters that cannot be in an IRI."""
    if not valid_iri(iri):
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


def labels(pool, iris, known: dict | None = None) -> dict[str, str]:
    """{iri: label} for the IRIs that have one."""
    known = known or {}
    out, missing = {}, []
    for i in dict.fromkeys(iris):
        if i in known:
            out[i] = known[i]
        else:
            missing.append(i)
    for start in range(0, len(missing), 200):
        values = " ".join(node(i) for i in missing[start:start + 200])
        for r in rows(pool, f"SELECT DISTINCT ?x ?l WHERE {{ VALUES ?x {{ {values} }} ?x rdfs:label ?l }}"):
            out.setdefault(r["x"], r["l"])
    return out


# --- every resource ------------------------------------------------------------------


def resource(pool, iri: str, known: dict | None = None) -> dict | None:
    """Label, types, Wikidata, aliases and the outgoing and incoming links; None if unknown."""
    n = node(iri)
    out = pool.select(PREFIXES + f"SELECT DISTINCT ?p ?o WHERE {{ {n} ?p ?o }}")
    if not out:
        return None
    names = labels(pool, [r["o"]["value"] for r in out if r["o"]["type"] == "uri"], known)
    outgoing: dict[str, list[dict]] = {}
    seen = set()
    for r in out:
        p, o = r["p"]["value"], r["o"]
        if (p, o["value"]) in seen:  # an object with two labels
            continue
        seen.add((p, o["value"]))
        dt = o.get("datatype")
        outgoing.setdefault(p, []).append({"value": o["value"], "label": names.get(o["value"]),
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
        "incoming": incoming(pool, iri, known),
    }
    if "Person" in dip_types:  # what the articles say the person is: their dip:RoleStatements
        stated = rows(pool, f"""SELECT DISTINCT ?role ?aff ?affLabel WHERE {{ ?st dip:person {n} .
            OPTIONAL {{ ?st dip:role ?role }} OPTIONAL {{ ?st dip:affiliation ?aff OPTIONAL {{ ?aff rdfs:label ?affLabel }} }} }}""")
        data["roles"] = sorted(set(data["roles"]) | {r["role"] for r in stated if r.get("role")})
        have = {a["iri"] for a in data["affiliations"]}
        for r in stated:
            if r.get("aff") and r["aff"] not in have:
                have.add(r["aff"])
                data["affiliations"].append({"iri": r["aff"], "label": r.get("affLabel") or local_name(r["aff"])})
    data["page_type"] = next((t for t in PAGE_TYPES if t in dip_types), "Entity")
    return data


def incoming(pool, iri: str, known: dict | None = None) -> dict[str, dict]:
    """{property: {"count": n, "subjects": [first INCOMING_CAP {iri, label}]}}."""
    n = node(iri)
    counts = rows(pool, f"SELECT ?p (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s ?p {n} }} GROUP BY ?p ORDER BY ?p")
    result = {}
    for c in counts:
        subjects = rows(pool, f"""SELECT ?s (SAMPLE(?x) AS ?exact) WHERE {{
            {{ SELECT DISTINCT ?s WHERE {{ ?s {node(c["p"])} {n} }} LIMIT {INCOMING_CAP} }}
            OPTIONAL {{ ?s oa:exact ?x }} }} GROUP BY ?s""")
        names = labels(pool, [s["s"] for s in subjects], known)
        unique = {}
        for s in subjects:
            unique.setdefault(s["s"], names.get(s["s"]) or (f"“{s['exact']}”" if s.get("exact") else None))
        result[c["p"]] = {"count": _int(c["n"], 0),
                          "subjects": [{"iri": k, "label": v} for k, v in list(unique.items())[:INCOMING_CAP]]}
    return result


def merged_into(pool, iri: str) -> str | None:
    """The meeting that ``{base}id/meeting/{id}-{n}`` is now, when that IRI names no meeting any more (the
    merge named it after an earlier report, MODEL.md "Meeting"): the one its report ``#meeting-{n}`` of
    article ``{id}`` is in; else None."""
    if "/id/meeting/" not in iri or not valid_iri(iri):
        return None
    base, rest = iri.split("id/meeting/", 1)
    article, _, n = rest.rpartition("-")
    if not article or not n.isdigit():
        return None
    found = rows(pool, f"SELECT ?m WHERE {{ ?m dip:report {node(f'{base}id/article/{article}#meeting-{n}')} }} LIMIT 1")
    return found[0]["m"] if found and found[0]["m"] != iri else None


def types_of(pool, iri: str) -> set[str]:
    """The local names of the dip: classes of a resource."""
    found = rows(pool, f"SELECT DISTINCT ?t WHERE {{ {node(iri)} a ?t }}")
    return {r["t"][len(DIP):] for r in found if r["t"].startswith(DIP)}


def exists(pool, iri: str) -> bool:
    n = node(iri)
    return pool.ask(f"ASK {{ {{ {n} ?p ?o }} UNION {{ ?s ?p {n} }} }}")


# --- evidence ------------------------------------------------------------------------------


EVIDENCE_VARS = "?ev ?rule ?sentence ?source ?ss ?se ?xs ?xe ?exact"


def _evidence_pattern(fact: str) -> str:
    """Evidence with both its selectors: the shapes require exactly one of each, and
    a required pattern is an order of magnitude faster than OPTIONALs here."""
    return f"""{fact} dip:evidence ?ev . ?ev dip:rule ?rule ; dip:sentence ?sentence ; oa:hasSource ?source ;
        dip:sentenceSelector ?sel ; oa:hasSelector ?x . ?sel oa:start ?ss ; oa:end ?se .
        ?x oa:start ?xs ; oa:end ?xe ; oa:exact ?exact ."""


def _evidence(r: dict) -> dict:
    return {"iri": r["ev"], "rule": r["rule"], "sentence": r["sentence"], "article": r["source"],
            "sentence_start": _int(r.get("ss")), "sentence_end": _int(r.get("se")),
            "start": _int(r.get("xs")), "end": _int(r.get("xe")), "exact": r.get("exact")}


def evidence(pool, fact: str, known: dict | None = None) -> list[dict]:
    found = rows(pool, f"SELECT DISTINCT {EVIDENCE_VARS} WHERE {{ {_evidence_pattern(node(fact))} }} ORDER BY ?ev")
    cited = rows(pool, f"""SELECT DISTINCT ?ev ?c WHERE {{ {node(fact)} dip:evidence ?ev . ?ev dip:citedSource ?c }}""")
    names = labels(pool, [c["c"] for c in cited], known)
    items = {}
    for r in found:
        items.setdefault(r["ev"], _evidence(r))
    for c in cited:
        if c["ev"] in items:
            items[c["ev"]].setdefault("cited", []).append({"iri": c["c"], "label": names.get(c["c"], local_name(c["c"]))})
    return list(items.values())


# --- actors and places ------------------------------------------------------------------


def _block(total: int, items: list, page: int, size: int) -> dict:
    """A list as a page shows it: its items on this page, the total, and where the pages go."""
    return {"count": total, "items": items, "page": page, "size": size,
            "pages": max(1, -(-total // size)), "offset": (page - 1) * size}


def _window(page: int, size: int) -> str:
    return f"LIMIT {int(size)} OFFSET {(int(page) - 1) * int(size)}"


def meetings(pool, where: str, known: dict | None = None, page: int = 1, size: int = LIST_CAP) -> dict:
    """Meetings matching a pattern on ?m, as a timeline, one page of them: {"count", "items", "page", …}.

    A meeting is one event however many articles report it (the events graph): one row each, dated by its
    own date or else its earliest article's, with the articles that report it."""
    total = count(pool, f"?m a dip:Meeting . {where}")
    # first the page of meetings in date order (few variables: sorting is the cost), then their details
    window = rows(pool, f"""SELECT ?m (MIN(STR(COALESCE(?date, ?adate))) AS ?d) WHERE {{ ?m a dip:Meeting . {where}
        ?m dip:reportedIn ?article . OPTIONAL {{ ?m dip:date ?date }} OPTIONAL {{ ?article dip:date ?adate }}
    }} GROUP BY ?m ORDER BY ?d ?m {_window(page, size)}""")
    order = {r["m"]: i for i, r in enumerate(window)}
    values = " ".join(node(m) for m in order)
    found = rows(pool, f"""SELECT DISTINCT ?m ?label ?date ?status ?place WHERE {{
        VALUES ?m {{ {values} }} ?m rdfs:label ?label ; dip:status ?status .
        OPTIONAL {{ ?m dip:date ?date }} OPTIONAL {{ ?m dip:location ?place }}
    }}""") if order else []
    found.sort(key=lambda r: order[r["m"]])
    items: dict[str, dict] = {}
    for r in found:
        items.setdefault(r["m"], {"iri": r["m"], "label": r["label"], "date": r.get("date"), "article_date": None,
                                  "status": local_name(r["status"]), "place": r.get("place"), "article": None,
                                  "articles": [], "participants": []})
    people = []
    if items:
        for r in rows(pool, f"""SELECT DISTINCT ?m ?article ?adate WHERE {{ VALUES ?m {{ {values} }}
                ?m dip:reportedIn ?article OPTIONAL {{ ?article dip:date ?adate }} }}"""):
            items[r["m"]]["articles"].append((r.get("adate") or "9999", r["article"]))
        people = rows(pool, f"SELECT DISTINCT ?m ?a WHERE {{ VALUES ?m {{ {values} }} ?m dip:participant ?a }}")
    names = labels(pool, [p["a"] for p in people] + [m["place"] for m in items.values() if m["place"]], known)
    for r in people:
        items[r["m"]]["participants"].append({"iri": r["a"], "label": names.get(r["a"], local_name(r["a"]))})
    for m in items.values():
        m["participants"].sort(key=lambda p: p["label"])
        m["place_label"] = names.get(m["place"]) if m["place"] else None
        dated = sorted(set(m["articles"]))  # the earliest article first; undated ones last
        m["articles"] = [a for _, a in dated]
        m["article"] = m["articles"][0] if dated else None
        m["article_date"] = dated[0][0] if dated and dated[0][0] != "9999" else None
    return _block(total, list(items.values()), page, size)


def positions(pool, where: str, known: dict | None = None, page: int = 1, size: int = LIST_CAP) -> dict:
    """Positions matching a pattern on ?pos, each with its evidence, one page of them: {"count", "items", …}."""
    total = count(pool, f"?pos a dip:Position . {where}")
    window = rows(pool, f"""SELECT ?pos WHERE {{ ?pos a dip:Position . {where} ?pos dip:reportedIn ?article .
        OPTIONAL {{ ?article dip:date ?adate }} }} ORDER BY STR(?adate) ?pos {_window(page, size)}""")
    order = {r["pos"]: i for i, r in enumerate(window)}
    found = rows(pool, f"""SELECT DISTINCT ?pos ?label ?holder ?stance ?action ?topic ?article ?adate WHERE {{
        VALUES ?pos {{ {" ".join(node(p) for p in order)} }}
        ?pos rdfs:label ?label ; dip:holder ?holder ; dip:stance ?stance ; dip:topic ?topic ; dip:reportedIn ?article .
        OPTIONAL {{ ?pos dip:action ?action }} OPTIONAL {{ ?article dip:date ?adate }}
    }}""") if order else []
    found.sort(key=lambda r: order[r["pos"]])
    names = labels(pool, [r["holder"] for r in found] + [r["topic"] for r in found], known)
    items: dict[str, dict] = {}
    for r in found:
        items.setdefault(r["pos"], {
            "iri": r["pos"], "label": r["label"], "holder": r["holder"],
            "holder_label": names.get(r["holder"], local_name(r["holder"])),
            "stance": local_name(r["stance"]), "action": local_name(r["action"]) if r.get("action") else None,
            "topic": r["topic"], "topic_label": names.get(r["topic"], local_name(r["topic"])),
            "article": r["article"], "date": r.get("adate"), "evidence": []})
    if items:
        values = " ".join(node(p) for p in items)
        for r in rows(pool, f"""SELECT DISTINCT ?pos {EVIDENCE_VARS} WHERE {{ VALUES ?pos {{ {values} }}
                {_evidence_pattern("?pos")} }} ORDER BY ?pos ?ev"""):
            p = items[r["pos"]]
            if not any(e["iri"] == r["ev"] for e in p["evidence"]):
                p["evidence"].append(_evidence(r))
    return _block(total, list(items.values()), page, size)


def mentioned_in(pool, iri: str, known: dict | None = None, page: int = 1, size: int = LIST_CAP) -> dict:
    n = node(iri)
    total = count(pool, f"?a schema:mentions {n}")
    found = rows(pool, f"""SELECT DISTINCT ?a ?label ?date WHERE {{ ?a schema:mentions {n} ; rdfs:label ?label .
        OPTIONAL {{ ?a dip:date ?date }} }} ORDER BY DESC(STR(?date)) ?a {_window(page, size)}""")
    return _block(total, [{"iri": r["a"], "label": r["label"], "date": r.get("date")} for r in found], page, size)


# The lists a page can show, by the name they take in `?list=`: (key in the page's data, the function,
# the pattern on the entity `{n}`, the classes whose pages show it).
LISTS = {
    "meetings": ("meetings", meetings, "?m dip:participant {n} .", {"Person", "State", "Organization", "Actor"}),
    "positions": ("positions", positions, "?pos dip:holder {n} .", {"Person", "State", "Organization", "Actor"}),
    "held": ("held_here", meetings, "?m dip:location {n} .", {"Place", "State"}),
    "stances": ("stances", positions, "?pos dip:topic {n} .", {"Treaty"}),
    "articles": ("mentioned_in", None, None, None),  # every page but an article's
}


def lists_of(types: set[str]) -> list[str]:
    """The names of the lists the page of a resource with these classes shows."""
    return [name for name, (_, _, _, classes) in LISTS.items()
            if (classes & types if classes is not None else "Article" not in types)]


def list_page(pool, iri: str, name: str, known: dict | None = None, page: int = 1, size: int = LIST_CAP) -> dict:
    """One page of one list of a resource."""
    _, fn, pattern, _ = LISTS[name]
    if fn is None:
        return mentioned_in(pool, iri, known, page, size)
    return fn(pool, pattern.format(n=node(iri)), known, page, size)


def entity(pool, iri: str, known: dict | None = None, page: int = 1, size: int = LIST_CAP,
           only: str | None = None) -> dict | None:
    """Everything the page of ``iri`` shows; ``known`` is an {iri: label} map to spare queries.

    Its lists show page ``page`` of ``size`` items each; ``only`` names the one list to show.
    """
    data = resource(pool, iri, known)
    if data is None:
        return None
    types = set(data["types"])
    data["lists"] = lists_of(types)
    for name in data["lists"]:
        if only is None or name == only:
            data[LISTS[name][0]] = dict(list_page(pool, iri, name, known, page, size), name=name)
    if "stances" in data:
        data["stance_summary"] = stance_summary(data["stances"]["items"])
    if "positions" in data:
        data["stance_summary"] = stance_summary(data["positions"]["items"], by="topic")
    if "Meeting" in types or "Position" in types:
        data["fact"] = fact(pool, iri, data, known)
    if "Article" in types:
        data["article"] = article(pool, iri, data)
    return data


# --- lists as CSV -----------------------------------------------------------------------------

CSV_COLUMNS = {
    "meetings": ["iri", "label", "date", "reported", "status", "place", "place_label", "participants",
                 "participant_iris", "article", "articles"],
    "positions": ["iri", "label", "holder", "holder_label", "stance", "action", "topic", "topic_label", "reported",
                  "article", "rule", "quote"],
    "articles": ["iri", "label", "date"],
}
CSV_COLUMNS["held"], CSV_COLUMNS["stances"] = CSV_COLUMNS["meetings"], CSV_COLUMNS["positions"]


def csv_row(name: str, item: dict) -> list:
    """One item of a list as a CSV row, in the order of CSV_COLUMNS[name]."""
    if LISTS[name][1] is meetings:
        people = item["participants"]
        return [item["iri"], item["label"], item["date"] or "", item["article_date"] or "", item["status"],
                item["place"] or "", item["place_label"] or "", "; ".join(p["label"] for p in people),
                " ".join(p["iri"] for p in people), item["article"] or "", " ".join(item["articles"])]
    if LISTS[name][1] is positions:
        ev = item["evidence"][0] if item["evidence"] else {}
        return [item["iri"], item["label"], item["holder"], item["holder_label"], item["stance"], item["action"] or "",
                item["topic"], item["topic_label"], item["date"] or "", item["article"], ev.get("rule", ""),
                ev.get("sentence", "")]
    return [item["iri"], item["label"], item["date"] or ""]


def stance_summary(items: list[dict], by: str = "holder") -> list[dict]:
    """Per holder (a treaty's page) or per treaty (``by="topic"``, an actor's page), the stances grouped
    by action (the treaty itself, its ratification, its revision…), each group in date order across the
    articles that report them: a change of stance is only ever shown within one action. Each position
    stays a statement of its article at its date."""
    by_holder: dict[str, dict] = {}
    for p in sorted(items, key=lambda p: (p["date"] or "", p["iri"])):
        h = by_holder.setdefault(p[by], {"iri": p[by], "label": p[by + "_label"], "actions": {}})
        group = h["actions"].setdefault(p["action"], {"action": p["action"], "stances": []})
        group["stances"].append({"stance": p["stance"], "date": p["date"], "position": p["iri"]})
    out = []
    for h in sorted(by_holder.values(), key=lambda h: h["label"]):
        groups = sorted(h.pop("actions").values(), key=lambda g: (g["action"] is not None, g["action"] or ""))
        for g in groups:
            g["changed"] = len({s["stance"] for s in g["stances"]}) > 1
        out.append(dict(h, groups=groups))
    return out


# --- facts (meetings and positions) -------------------------------------------------------------


def fact(pool, iri: str, data: dict, known: dict | None = None) -> dict:
    n = node(iri)
    out = data["outgoing"]

    def first(prop):
        values = out.get(DIP + prop, [])
        return values[0] if values else None

    participants = rows(pool, f"""SELECT DISTINCT ?a ?type WHERE {{ {n} dip:participant ?a .
        ?a a ?type FILTER(STRSTARTS(STR(?type), "{DIP}")) }}""")
    names = labels(pool, [r["a"] for r in participants], known)
    people: dict[str, dict] = {}
    for r in participants:
        people.setdefault(r["a"], {"iri": r["a"], "label": names.get(r["a"], local_name(r["a"])),
                                   "type": local_name(r["type"])})
    article = first("reportedIn")
    adate = rows(pool, f"SELECT DISTINCT ?d WHERE {{ {node(article['value'])} dip:date ?d }}") if article else []

    def ref(v):
        return {"iri": v["value"], "label": v["label"] or local_name(v["value"])} if v else None

    found_evidence = evidence(pool, iri, known)  # a meeting's: the evidence of all its reports
    reports = meeting_reports(pool, iri, found_evidence, known) if "Meeting" in data["types"] else []
    if reports:  # a meeting: the article that first reported it
        article = {"value": reports[0]["article"], "label": reports[0]["article_label"]}
        adate = [{"d": reports[0]["article_date"]}] if reports[0]["article_date"] else []
    return {
        "participants": sorted(people.values(), key=lambda p: p["label"]),
        "reports": reports,
        "place": ref(first("location")),
        "date": (first("date") or {}).get("value"),
        "status": local_name(first("status")["value"]) if first("status") else None,
        "holder": ref(first("holder")),
        "topic": ref(first("topic")),
        "stance": local_name(first("stance")["value"]) if first("stance") else None,
        "action": local_name(first("action")["value"]) if first("action") else None,
        "article": ref(article),
        "article_date": adate[0]["d"] if adate else None,
        "evidence": found_evidence,
    }


def meeting_reports(pool, iri: str, found_evidence: list[dict], known: dict | None = None) -> list[dict]:
    """The reports a meeting was merged from (the events graph's ``dip:report``), in the order the merge
    rule took them (``store/events.py``), each with what its article says, its evidence (of
    ``found_evidence``, the meeting's: one report per article) and why it was merged; the first is the
    earliest article's."""
    from ..store.events import Report, explain

    n = node(iri)
    found = rows(pool, f"""SELECT DISTINCT ?r ?art ?label ?status ?date ?place ?adate ?alabel WHERE {{ {n} dip:report ?r .
        ?r dip:reportedIn ?art ; rdfs:label ?label ; dip:status ?status .
        OPTIONAL {{ ?r dip:date ?date }} OPTIONAL {{ ?r dip:location ?place }}
        OPTIONAL {{ ?art dip:date ?adate }} OPTIONAL {{ ?art rdfs:label ?alabel }} }}""")
    if not found:
        return []
    core = {}
    for r in found:
        core.setdefault(r["r"], r)
    who: dict[str, set] = {}
    for r in rows(pool, f"SELECT DISTINCT ?r ?a WHERE {{ {n} dip:report ?r . ?r dip:participant ?a }}"):
        who.setdefault(r["r"], set()).add(r["a"])
    spots = {r["place"] for r in core.values() if r.get("place")}
    inside = {r["p"]: r["c"] for r in rows(pool, f"""SELECT DISTINCT ?p ?c WHERE {{
        VALUES ?p {{ {" ".join(node(x) for x in sorted(spots))} }} ?p dip:country ?c }}""")} if spots else {}
    names = labels(pool, [a for people in who.values() for a in people] + sorted(spots), known)
    reports = [Report(k, r["art"], frozenset(who.get(k, ())), r.get("place"), r.get("date"), r.get("adate"),
                      local_name(r["status"]), r["label"]) for k, r in core.items()]
    out = []
    earliest = min(reports, key=lambda r: (r.article_date or "9999", r.iri)).iri
    for rep, why in sorted(explain(reports, inside), key=lambda pair: pair[0].iri != earliest):
        r = core[rep.iri]
        out.append({"iri": rep.iri, "article": rep.article, "article_label": r.get("alabel") or local_name(rep.article),
                    "article_date": rep.article_date, "date": rep.date, "status": rep.status, "label": rep.label,
                    "place": {"iri": rep.place, "label": names.get(rep.place, local_name(rep.place))} if rep.place else None,
                    "participants": sorted(({"iri": a, "label": names.get(a, local_name(a))} for a in rep.participants),
                                           key=lambda p: p["label"]),
                    "why": None if why is None else {"people": why.people, "date": why.date, "place": why.place},
                    "evidence": [ev for ev in found_evidence if ev["article"] == rep.article]})
    return out


# --- articles ---------------------------------------------------------------------------------------


def article(pool, iri: str, data: dict) -> dict:
    n = node(iri)
    out = data["outgoing"]

    def value(prop, ns=DIP):
        values = out.get(ns + prop, [])
        return values[0]["value"] if values else None

    mentions = rows(pool, f"""SELECT DISTINCT ?mention ?start ?end ?e ?label WHERE {{ GRAPH {n} {{
        ?mention a dip:Mention ; oa:hasSource {n} ; oa:start ?start ; oa:end ?end ; dip:denotes ?e . }}
        OPTIONAL {{ ?e rdfs:label ?label }} }} ORDER BY ?start""")  # labels: in the entities graph
    facts = rows(pool, f"""SELECT DISTINCT ?f ?type ?label {EVIDENCE_VARS} WHERE {{ GRAPH {n} {{
        ?f dip:reportedIn {n} ; a ?type ; rdfs:label ?label . {_evidence_pattern("?f")} }} }}
        ORDER BY ?ss ?f""")
    items: dict[str, dict] = {}
    for r in facts:
        f = items.setdefault(r["f"], {"iri": r["f"], "type": local_name(r["type"]), "label": r["label"],
                                      "evidence": []})
        if not any(e["iri"] == r["ev"] for e in f["evidence"]):
            f["evidence"].append(_evidence(r))
    # a meeting report: the meeting it is merged into (the events graph), and how many articles report that
    for r in rows(pool, f"""SELECT ?f ?m (COUNT(DISTINCT ?other) AS ?n) WHERE {{ GRAPH {n} {{ ?f a dip:MeetingReport }}
            ?m dip:report ?f ; dip:reportedIn ?other }} GROUP BY ?f ?m"""):
        if r["f"] in items:
            items[r["f"]].update(meeting=r["m"], reports=_int(r["n"], 1))
    volume, issue = value("volume"), value("issue")
    return {
        "text": value("text", "https://schema.org/") or "",
        "publication": value("publication"), "volume": volume, "issue": issue,
        "date": value("date"), "date_inferred": value("dateInferred") == "true", "date_basis": value("dateBasis"),
        "source_file": value("sourceFile"), "source_row": value("sourceRow"), "headline": value("headline", "https://schema.org/"),
        "url": _http_url(value("url", "https://schema.org/")), "content_hash": value("contentHash"),
        "mentions": [{"iri": r["mention"], "start": _int(r["start"]), "end": _int(r["end"]), "entity": r["e"],
                      "label": r.get("label", local_name(r["e"]))} for r in mentions],
        "facts": list(items.values()),
    }


def _http_url(url: str | None) -> str | None:
    """Only an http(s) address becomes a link; anything else stays out of the page's hrefs."""
    return url if url and url.lower().startswith(("http://", "https://")) else None


# --- home ------------------------------------------------------------------------------------------------


def counts(pool) -> list[tuple[str, int]]:
    found = rows(pool, f"""SELECT ?type (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a ?type
        FILTER(STRSTARTS(STR(?type), "{DIP}")) }} GROUP BY ?type ORDER BY DESC(?n)""")
    return [(local_name(r["type"]), _int(r["n"], 0)) for r in found]


# The home page's order: what people look for first, then the rest; the bookkeeping of evidence last.
USER_CLASSES = ["Person", "State", "Organization", "Meeting", "Treaty", "Position", "Place", "Article", "MeetingReport"]
INTERNAL_CLASSES = ["Mention", "Evidence"]


def order_counts(found: list[tuple[str, int]]) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """(the classes people look for, in USER_CLASSES order then by count; the internal ones)."""
    rank = {c: i for i, c in enumerate(USER_CLASSES)}
    shown = sorted((c for c in found if c[0] not in INTERNAL_CLASSES),
                   key=lambda c: (rank.get(c[0], len(rank)), -c[1], c[0]))
    internal = sorted((c for c in found if c[0] in INTERNAL_CLASSES), key=lambda c: INTERNAL_CLASSES.index(c[0]))
    return shown, internal


def latest_articles(pool, limit: int = 12) -> list[dict]:
    found = rows(pool, f"""SELECT ?a ?label ?date WHERE {{ ?a a dip:Article ; rdfs:label ?label .
        OPTIONAL {{ ?a dip:date ?date }} }} ORDER BY DESC(STR(?date)) ?a LIMIT {limit * 4}""")
    items: dict[str, dict] = {}
    for r in found:
        items.setdefault(r["a"], {"iri": r["a"], "label": r["label"], "date": r.get("date")})
    return list(items.values())[:limit]
