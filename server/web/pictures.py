"""The data step of the pictures: SPARQL SELECTs through the QueryPool → rows for ``charts``.

Every query is DISTINCT (a meeting has several participants, dates or places),
and labels come from ``describe.labels`` rather than a join. Entity descriptions
(types, labels) are in the entities graph, and whom a person acts for is what an
article says: its ``dip:RoleStatement`` (``dip:person``, ``dip:affiliation``),
both read through the union default graph (ontology/MODEL.md, "Graphs"). A meeting's date is its own
``dip:date`` or, failing that, its article's date ("reported"), as in the lists.
A date range keeps the meetings whose date (a day, a month or a year) overlaps it.
The map counts the meetings by their ``dip:location`` and draws a place at its ``wgs84:lat``/``wgs84:long``
(the gazetteer's coordinate, in the entities graph) over the world's outline, read once from the GeoJSON
that ``make install`` converts from the pinned world-atlas package.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from .charts import overlaps, timeline
from .describe import DIP, LISTS, labels, node, rows
from .render import local_name
from . import charts

NETWORK_CAP = 2000  # most meetings one network shows (the earliest, with the total said)
TIMELINE_CAP = 2000  # most events one lane of a timeline shows


def _range_filter(start: str | None, end: str | None) -> str:
    """A FILTER on ?d (a date string, maybe partial) that keeps what overlaps [start, end]: a period
    overlaps when the bounds cut to its length enclose it ("1999-03" is within 1999-03-31 … 1999-03-01)."""
    parts = []
    if start:
        parts.append(f'?d >= SUBSTR("{start}", 1, STRLEN(?d))')
    if end:
        parts.append(f'?d <= SUBSTR("{end}", 1, STRLEN(?d))')
    return f"FILTER(BOUND(?d) && {' && '.join(parts)})" if parts else ""


def _around(iri: str | None) -> str:
    """Meetings of an entity: those it took part in, or a member of it (someone an article's
    ``dip:RoleStatement`` says acts for it)."""
    if iri is None:
        return ""
    n = node(iri)
    return f"{{ ?m dip:participant {n} }} UNION {{ ?m dip:participant ?member . {_members(n)} }}"


def _members(n: str) -> str:
    """A pattern binding ?member to the people affiliated with the entity ``n``: a role statement of an
    article (``?st dip:person ?member ; dip:affiliation n``), or a ``dip:affiliation`` on the person
    itself, as a graph written by hand may still have it."""
    return f"{{ ?st dip:person ?member ; dip:affiliation {n} }} UNION {{ ?member dip:affiliation {n} }}"


def meetings(pool, pattern: str, start: str | None = None, end: str | None = None,
             cap: int = NETWORK_CAP) -> tuple[list[dict], int]:
    """([{"iri", "date", "reported", "participants", "place", "status"}], total) for the meetings matching a
    pattern on ?m in the range, the earliest ``cap`` of them, in date order."""
    where = f"""?m a dip:Meeting ; dip:reportedIn ?art . {pattern}
        OPTIONAL {{ ?m dip:date ?date }} OPTIONAL {{ ?art dip:date ?adate }}
        BIND(STR(COALESCE(?date, ?adate)) AS ?d) {_range_filter(start, end)}"""
    total = rows(pool, f"SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE {{ {where} }}")
    total = int(total[0]["n"]) if total else 0
    found = rows(pool, f"""SELECT DISTINCT ?m ?date ?adate WHERE {{ {where} }}
        ORDER BY ?d ?m LIMIT {int(cap) * 2}""")  # a meeting with two stored dates has two rows
    items: dict[str, dict] = {}
    for r in found:
        m = items.get(r["m"])
        if m is None:
            if len(items) >= cap:
                break
            items[r["m"]] = {"iri": r["m"], "date": r.get("date") or r.get("adate"), "reported": "date" not in r,
                             "participants": [], "place": None, "status": None}
        elif r.get("date") and (m["reported"] or r["date"] < m["date"]):
            m.update(date=r["date"], reported=False)
    if items:
        values = " ".join(node(m) for m in items)
        for r in rows(pool, f"SELECT DISTINCT ?m ?a WHERE {{ VALUES ?m {{ {values} }} ?m dip:participant ?a }}"):
            items[r["m"]]["participants"].append(r["a"])
        for r in rows(pool, f"""SELECT DISTINCT ?m ?p ?s WHERE {{ VALUES ?m {{ {values} }}
                OPTIONAL {{ ?m dip:location ?p }} OPTIONAL {{ ?m dip:status ?s }} }}"""):
            m = items[r["m"]]
            m["place"] = m["place"] or r.get("p")
            m["status"] = m["status"] or (local_name(r["s"]) if r.get("s") else None)
    # a range bound cut a partial date exactly as charts.overlaps does; check again in Python all the same
    return [m for m in items.values() if overlaps(m["date"], start, end) or not (start or end)], total


def types(pool, iris) -> dict[str, str]:
    """{iri: its first dip: class among Person, State, Organization, Place…} for the IRIs given."""
    out: dict[str, set] = {}
    iris = list(dict.fromkeys(iris))
    for at in range(0, len(iris), 200):
        values = " ".join(node(i) for i in iris[at:at + 200])
        for r in rows(pool, f"""SELECT DISTINCT ?x ?t WHERE {{ VALUES ?x {{ {values} }} ?x a ?t
                FILTER(STRSTARTS(STR(?t), "{DIP}")) }}"""):
            out.setdefault(r["x"], set()).add(r["t"][len(DIP):])
    order = ("Person", "State", "Organization", "Place", "Treaty")
    return {i: next((t for t in order if t in ts), sorted(ts)[0]) for i, ts in out.items()}


def network(pool, href, known: dict | None = None, around: str | None = None, start: str | None = None,
            end: str | None = None, cap: int = NETWORK_CAP) -> dict:
    """Who met whom, around an entity (its meetings and its members') or in the whole graph, in a date range."""
    found, total = meetings(pool, _around(around), start, end, cap)
    people = {a for m in found for a in m["participants"]}
    center = set()
    if around is not None:
        center = {around} | {r["member"] for r in rows(pool, f"""SELECT DISTINCT ?member WHERE {{
            {_members(node(around))} }}""") if r["member"] in people}
    names = labels(pool, list(people) + [m["place"] for m in found if m["place"]], known)
    hrefs = {i: href(i) for i in people | {m["iri"] for m in found}}
    graph = charts.network(found, names, types(pool, people), hrefs, center)
    for m in found:
        m.update(href=hrefs[m["iri"]], place_label=names.get(m["place"]) if m["place"] else None,
                 place_href=href(m["place"]) if m["place"] else "",
                 participant_labels=sorted(names.get(a, local_name(a)) for a in m["participants"]))
    return dict(graph, around=around, center_members=bool(center - {around}), start=start, end=end, total=total, shown=len(found),
                truncated=total > len(found), meetings=found)


def _meeting_events(found: list[dict], known: dict, pool, href, skip: str | None) -> list[dict]:
    names = labels(pool, {a for m in found for a in m["participants"]} | {m["place"] for m in found if m["place"]},
                   known)
    events = []
    for m in found:
        others = sorted(names.get(a, local_name(a)) for a in m["participants"] if a != skip)
        title = m["date"] + (" (reported)" if m["reported"] else "") if m["date"] else "date unknown"
        title += " · " + (("with " if skip in m["participants"] else "") + ", ".join(others) if others else "meeting")
        if m["place"]:
            title += " · " + names.get(m["place"], local_name(m["place"]))
        events.append({"iri": m["iri"], "href": href(m["iri"]), "date": m["date"], "reported": m["reported"],
                       "title": title, "css": f"meeting status-{(m['status'] or '').lower()}"})
    return events


def _position_events(pool, pattern: str, known: dict, href, cap: int) -> list[dict]:
    found = rows(pool, f"""SELECT DISTINCT ?pos ?adate ?holder ?stance ?action ?topic WHERE {{
        ?pos a dip:Position . {pattern} ?pos dip:reportedIn ?art ; dip:holder ?holder ; dip:stance ?stance ;
        dip:topic ?topic . OPTIONAL {{ ?pos dip:action ?action }} OPTIONAL {{ ?art dip:date ?adate }}
    }} ORDER BY STR(?adate) ?pos LIMIT {int(cap) * 2}""")
    names = labels(pool, [r["holder"] for r in found] + [r["topic"] for r in found], known)
    events: dict[str, dict] = {}
    for r in found:
        if r["pos"] in events or len(events) >= cap:
            continue
        stance = local_name(r["stance"])
        verb = {"Support": "supports", "Opposition": "opposes"}.get(stance, stance.lower())
        what = (local_name(r["action"]).lower() + " of " if r.get("action") else "") + \
            names.get(r["topic"], local_name(r["topic"]))
        events[r["pos"]] = {"iri": r["pos"], "href": href(r["pos"]), "date": r.get("adate"), "reported": True,
                            "title": f"{r.get('adate') or 'date unknown'} · {names.get(r['holder'], local_name(r['holder']))}"
                                     f" {verb} {what}", "css": f"position stance-{stance.lower()}",
                            "holder": r["holder"], "holder_label": names.get(r["holder"], local_name(r["holder"])),
                            "stance": stance, "action": local_name(r["action"]) if r.get("action") else None}
    return list(events.values())


def entity_timeline(pool, iri: str, list_names: list[str], href, known: dict | None = None,
                    cap: int = TIMELINE_CAP) -> dict | None:
    """The timeline of an entity's page: a lane for each of its lists of meetings and positions (the same
    patterns as the lists), one mark per item; None when nothing has a date."""
    known = known or {}
    titles = {"meetings": "Meetings", "held": "Held here", "positions": "Positions", "stances": "Positions"}
    lanes = []
    for name in list_names:
        if name not in titles:
            continue
        pattern = LISTS[name][2].format(n=node(iri))
        if LISTS[name][1].__name__ == "meetings":
            found, _ = meetings(pool, pattern, cap=cap)
            events = _meeting_events(found, known, pool, href, iri)
        else:
            events = _position_events(pool, pattern, known, href, cap)
        if events:
            lanes.append({"name": name, "label": titles[name], "events": events})
    return timeline(lanes) if lanes else None


TREATY_LANES = 12  # most actors (lanes) a treaty's timeline shows: those with the most positions


def _short(label: str, most: int = 15) -> str:
    return label if len(label) <= most else label[:most - 1].rstrip() + "…"


def treaty_timeline(pool, iri: str, href, known: dict | None = None, cap: int = TIMELINE_CAP) -> dict | None:
    """The positions taken on a treaty over time: a lane per actor (the ``TREATY_LANES`` with the most
    positions, then by name), a mark per position coloured by its stance, with its action ("revision",
    or "treaty" when it is on the treaty as a whole) written after it. None when no position has a date.
    ``actors`` and ``shown_actors`` say how many actors there are and how many have a lane."""
    events = _position_events(pool, LISTS["stances"][2].format(n=node(iri)), known or {}, href, cap)
    by_holder: dict[str, list[dict]] = {}
    for e in events:
        by_holder.setdefault(e["holder"], []).append(dict(e, text=(e["action"] or "treaty").lower()))
    order = sorted(by_holder, key=lambda h: (-len(by_holder[h]), by_holder[h][0]["holder_label"].casefold(), h))
    lanes = [{"name": local_name(h), "label": _short(by_holder[h][0]["holder_label"]),
              "title": by_holder[h][0]["holder_label"], "events": by_holder[h]} for h in order[:TREATY_LANES]]
    chart = timeline(lanes) if lanes else None
    if chart is not None:
        chart.update(actors=len(by_holder), shown_actors=len(lanes), positions=len(events))
    return chart


def range_timeline(net: dict, pool, href, known: dict | None = None) -> dict | None:
    """The meetings of a network (``network()``) as a one-lane timeline."""
    events = _meeting_events(net["meetings"], known or {}, pool, href, None)
    return timeline([{"name": "meetings", "label": "Meetings", "events": events}]) if events else None


# --- the map of meeting places ----------------------------------------------------------------------

WORLD = Path(__file__).parent / "static" / "world" / "countries-110m.geojson"  # `make install` writes it


@lru_cache(maxsize=1)
def world_outline() -> str | None:
    """The SVG path of the world's countries (Natural Earth 1:110m, from the pinned world-atlas package),
    projected once per process; None when ``make install`` has not written the file."""
    try:
        return charts.outline_path(json.loads(WORLD.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return None


@lru_cache(maxsize=1)
def world_svg() -> bytes | None:
    """The outline as an SVG document of its own (``/map/world.svg``), which every map uses by reference
    (``<use href="/map/world.svg#countries">``) so that pages do not each carry it; None without the file."""
    d = world_outline()
    if d is None:
        return None
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {charts.MAP_WIDTH} {charts.MAP_HEIGHT}">'
            f'<path id="countries" vector-effect="non-scaling-stroke" d="{d}"/></svg>').encode("ascii")


def meeting_places(pool, href, known: dict | None = None, within: str | None = None, start: str | None = None,
                   end: str | None = None) -> dict:
    """Where the meetings were: a row per place named as a meeting's ``dip:location``, with its meetings
    counted and its coordinate (``wgs84:lat``/``wgs84:long``) when the gazetteer has a verified one.

    ``within`` keeps the meetings located at that place or in a place whose ``dip:country`` it is (a
    state's page). The date range works as the network's. Returns ``{"places": [...] (most meetings
    first), "located": [...], "unlocated": [...], "meetings", "located_meetings", "unplaced"}``: the
    meetings counted, those at a place with a coordinate, and those naming no place at all."""
    scope = ""
    if within is not None:
        n = node(within)
        scope = f"OPTIONAL {{ ?p dip:country ?c }} FILTER(?p = {n} || ?c = {n})"
    dated = f"""?m a dip:Meeting ; dip:reportedIn ?art . OPTIONAL {{ ?m dip:date ?date }}
        OPTIONAL {{ ?art dip:date ?adate }} BIND(STR(COALESCE(?date, ?adate)) AS ?d) {_range_filter(start, end)}"""
    found = rows(pool, f"""SELECT ?p (COUNT(DISTINCT ?m) AS ?n) (SAMPLE(?lat) AS ?la) (SAMPLE(?long) AS ?lo)
        WHERE {{ {dated} ?m dip:location ?p . {scope}
                 OPTIONAL {{ ?p wgs84:lat ?lat ; wgs84:long ?long }} }} GROUP BY ?p""")
    unplaced = 0
    if within is None:
        count = rows(pool, f"SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE {{ {dated} FILTER NOT EXISTS {{ ?m dip:location ?x }} }}")
        unplaced = int(count[0]["n"]) if count else 0
    countries = {r["p"]: r["c"] for r in rows(pool, "SELECT DISTINCT ?p ?c WHERE { VALUES ?p { "
                                                   + " ".join(node(r["p"]) for r in found) + " } ?p dip:country ?c }")} \
        if found else {}
    names = labels(pool, [r["p"] for r in found] + list(countries.values()), known)
    places = []
    for r in found:
        lat, lon = _degrees(r.get("la"), 90), _degrees(r.get("lo"), 180)
        if lat is None or lon is None:  # a pair or nothing: a half or unreadable coordinate is none
            lat = lon = None
        country = countries.get(r["p"])
        places.append({"iri": r["p"], "label": names.get(r["p"], local_name(r["p"])), "href": href(r["p"]),
                       "meetings": int(r["n"]), "lat": lat, "long": lon, "country": country,
                       "country_label": names.get(country, local_name(country)) if country else None,
                       "country_href": href(country) if country else ""})
    places.sort(key=lambda p: (-p["meetings"], p["label"].casefold(), p["iri"]))
    located = [p for p in places if p["lat"] is not None]
    return {"places": places, "located": located, "unlocated": [p for p in places if p["lat"] is None],
            "meetings": sum(p["meetings"] for p in places), "unplaced": unplaced,
            "located_meetings": sum(p["meetings"] for p in located), "within": within, "start": start, "end": end}


def _degrees(value: str | None, most: float) -> float | None:
    """A stored coordinate as a number of degrees within ±``most``; None when it is not one (the shapes
    refuse such writes, but a page never fails on one)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if -most <= number <= most else None


def place_map(pool, href, known: dict | None = None, within: str | None = None, start: str | None = None,
              end: str | None = None, zoom: bool = False) -> dict:
    """``meeting_places`` with the map's layout (``charts.place_map``), and whether the world's outline is there."""
    found = meeting_places(pool, href, known, within, start, end)
    return dict(found, layout=charts.place_map(found["located"], zoom=zoom), outline=world_svg() is not None)
