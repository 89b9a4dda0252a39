"""The pictures: who met whom (/network, entity pages) and the timeline chart, over real HTTP.

What the pictures show is checked against what SPARQL says over the same HTTP
endpoint, with an overlap test written here independently of ``server.charts``:
the network has a node for each participant of the meetings in range and an
edge for each pair, the timeline a mark for each dated meeting and position.
The browser side (cytoscape drawing, JavaScript off) is in test_browser.py.
"""
from __future__ import annotations

import calendar
import re

import html5lib
import pytest
import requests

from server.web import charts

DIP = "https://w3id.org/communique/ontology#"
BROWSER = {"Accept": "text/html"}


def sparql(live, query: str) -> list[dict]:
    r = requests.post(live.url + "/sparql", data={"query": f"PREFIX dip: <{DIP}>\n" + query},
                      headers={"Accept": "application/sparql-results+json"}, timeout=30)
    r.raise_for_status()
    return [{k: v["value"] for k, v in b.items()} for b in r.json()["results"]["bindings"]]


def in_range(value: str | None, start: str, end: str) -> bool:
    """A date (YYYY, YYYY-MM or YYYY-MM-DD) overlaps [start, end]: its first day ≤ end, its last ≥ start."""
    if not value:
        return False
    parts = value.split("-")
    first = "-".join(parts + ["01"] * (3 - len(parts)))
    last = value + {1: "-12-31", 2: f"-{calendar.monthrange(int(parts[0]), int(parts[1] if len(parts) > 1 else 1))[1]:02d}",
                    3: ""}[len(parts)]
    return first <= end and last >= start


def all_meetings(live) -> dict[str, dict]:
    """{meeting: {"date", "participants"}} straight from SPARQL (the meeting's date, else its article's)."""
    out: dict[str, dict] = {}
    for r in sparql(live, """SELECT DISTINCT ?m ?date ?adate ?a WHERE { ?m a dip:Meeting ; dip:participant ?a ;
            dip:reportedIn ?art . OPTIONAL { ?m dip:date ?date } OPTIONAL { ?art dip:date ?adate } }"""):
        m = out.setdefault(r["m"], {"date": r.get("date") or r.get("adate"), "participants": set()})
        m["participants"].add(r["a"])
    return out


def expected_network(meetings: dict[str, dict]) -> tuple[set, set]:
    nodes = {a for m in meetings.values() for a in m["participants"]}
    edges = {frozenset((a, b)) for m in meetings.values() for a in m["participants"] for b in m["participants"]
             if a != b}
    return nodes, edges


def network_json(live, **params) -> dict:
    r = requests.get(live.url + "/network", params=dict(params, format="json"), timeout=30)
    assert r.status_code == 200, r.text
    return r.json()


# --- pure functions ----------------------------------------------------------------------------------


def test_dates_are_periods_and_bounds():
    assert charts.period("1999-03") == (charts.date(1999, 3, 1), charts.date(1999, 3, 31))
    assert charts.period("2000-02")[1].day == 29 and charts.period("1999")[1] == charts.date(1999, 12, 31)
    assert charts.period("1999-02-30") is None and charts.period("soon") is None and charts.period(None) is None
    assert charts.bound("1999", end=False) == "1999-01-01" and charts.bound("1999-02", end=True) == "1999-02-28"
    assert charts.bound("", end=True) is None
    for bad in ("1999-13", "tomorrow", "1999-02-23T10:00", "99"):
        with pytest.raises(ValueError):
            charts.bound(bad, end=False)
    assert charts.overlaps("1999-03", "1999-03-15", "1999-04-30")
    assert not charts.overlaps("1999-03", "1999-04-01", None) and charts.overlaps("1999-03", None, "1999-03-01")
    for value in ("1999", "1999-03", "1999-03-15", "1999-12-31"):  # the two overlap tests agree
        for start, end in (("1999-03-01", "1999-03-31"), ("1999-03-16", "1999-12-30"), ("1998-01-01", "1999-01-01")):
            assert charts.overlaps(value, start, end) == in_range(value, start, end), (value, start, end)


def test_network_counts_pairs_once_per_meeting():
    meetings = [{"iri": "m1", "date": "1999-01-02", "participants": ["a", "b", "c"]},
                {"iri": "m2", "date": "1999-02", "participants": ["a", "b", "b"]},
                {"iri": "m3", "date": None, "participants": ["d"]}]
    net = charts.network(meetings, {"a": "Ann", "b": "Bob", "c": "Cy", "d": "Di"}, {"a": "Person"}, {}, {"a"})
    assert [(n["label"], n["meetings"], n["center"]) for n in net["nodes"]] == \
        [("Ann", 2, True), ("Bob", 2, False), ("Cy", 1, False), ("Di", 1, False)]
    assert [(e["source_label"], e["target_label"], e["count"]) for e in net["edges"]] == \
        [("Ann", "Bob", 2), ("Ann", "Cy", 1), ("Bob", "Cy", 1)]
    assert [m["iri"] for m in net["edges"][0]["meetings"]] == ["m1", "m2"]


def test_timeline_has_a_mark_per_dated_event_and_keeps_marks_apart():
    events = [{"iri": f"e{i}", "date": d, "title": d or "?"} for i, d in
              enumerate(["1999-02-23", "1999-02-23", "1999-03", None, "1999-11-19"])]
    t = charts.timeline([{"name": "meetings", "label": "Meetings", "events": events}])
    assert len(t["marks"]) == 4 and t["undated"] == 1
    same_day = [m for m in t["marks"] if m["date"] == "1999-02-23"]
    assert same_day[0]["x"] == same_day[1]["x"] and same_day[0]["y"] != same_day[1]["y"], "stacked, not hidden"
    month = next(m for m in t["marks"] if m["date"] == "1999-03")
    assert not month["point"] and month["w"] > 20
    assert all(t["left"] <= m["x"] <= t["right"] for m in t["marks"])
    assert t["ticks"] and t["start"] <= "1999-02-01" and t["end"] >= "1999-11-30"
    assert charts.timeline([{"name": "x", "label": "X", "events": [{"iri": "a", "date": None, "title": ""}]}]) is None


# --- over HTTP -------------------------------------------------------------------------------------------


def test_whole_graph_network_has_every_participant_and_pair(live):
    expected_nodes, expected_edges = expected_network(all_meetings(live))
    net = network_json(live)
    assert net["meetings"] == len(all_meetings(live)) == len(net["meeting_list"]) and not net["truncated"]
    assert {n["id"] for n in net["nodes"]} == expected_nodes
    assert {frozenset((e["source"], e["target"])) for e in net["edges"]} == expected_edges
    assert len(net["nodes"]) == len(expected_nodes), "each participant once, whatever the duplicate triples"
    primakov = next(n for n in net["nodes"] if n["label"] == "Yevgeny Primakov")
    assert primakov["type"] == "Person" and primakov["href"] == "/page/person/yevgeny-primakov"


@pytest.mark.parametrize("start, end", [("1999-05", "1999-11-18"), ("1999-03-01", "1999-03-31"),
                                        ("1999-11-19", "1999"), ("1999-02-23", "1999-02-23")])
def test_a_date_range_keeps_only_the_meetings_that_overlap_it(live, start, end):
    meetings = all_meetings(live)
    lo, hi = charts.bound(start, end=False), charts.bound(end, end=True)
    kept = {m: v for m, v in meetings.items() if in_range(v["date"], lo, hi)}
    assert 0 < len(kept) < len(meetings), "the range keeps some meetings and removes others"
    net = network_json(live, **{"from": start, "to": end})
    assert {m["iri"] for m in net["meeting_list"]} == set(kept)
    assert net["from"] == lo and net["to"] == hi and net["meetings"] == len(kept)
    nodes, edges = expected_network(kept)
    assert {n["id"] for n in net["nodes"]} == nodes
    assert {frozenset((e["source"], e["target"])) for e in net["edges"]} == edges
    # the HTML: the table of meetings and the timeline have one row and one mark per meeting in range
    html = requests.get(live.url + "/network", params={"from": start, "to": end}, headers=BROWSER, timeout=30).text
    html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(html)
    marks = re.findall(r'class="mark meeting[^"]*" data-iri="([^"]+)"', html)
    assert sorted(marks) == sorted(kept)
    outside = set(meetings) - set(kept)
    assert not any(f'data-iri="{m}"' in html for m in outside)


def test_network_around_a_person_and_a_state(live):
    person = f"{live.url}/id/person/strobe-talbott"
    meetings = {m: v for m, v in all_meetings(live).items() if person in v["participants"]}
    net = network_json(live, around="person/strobe-talbott")
    assert net["around"] == person and {m["iri"] for m in net["meeting_list"]} == set(meetings)
    assert {n["id"] for n in net["nodes"]} == expected_network(meetings)[0]
    assert [n["id"] for n in net["nodes"] if n["center"]] == [person]
    # a state: the meetings of its members too (the people an article's dip:RoleStatement affiliates with it)
    russia = f"{live.url}/id/state/russia"
    members = {r["a"] for r in sparql(live, f"SELECT DISTINCT ?a WHERE {{ ?st dip:person ?a ; dip:affiliation <{russia}> }}")}
    assert members
    theirs = {m for m, v in all_meetings(live).items() if v["participants"] & (members | {russia})}
    net = network_json(live, around=russia)
    assert theirs and {m["iri"] for m in net["meeting_list"]} == theirs
    assert {n["id"] for n in net["nodes"] if n["center"]} == (members | {russia}) & {n["id"] for n in net["nodes"]}


def test_network_refuses_what_it_cannot_read_and_sends_cors(live):
    for params, status in (({"from": "last week"}, 400), ({"from": "1999-12", "to": "1999-01"}, 400),
                           ({"around": "person/nobody-at-all"}, 404), ({"around": "person/bad iri>"}, 404)):
        r = requests.get(live.url + "/network", params=dict(params, format="json"), timeout=30)
        assert r.status_code == status, (params, r.status_code)
        assert set(r.json()["error"]) == {"status", "title", "message"}
    r = requests.get(live.url + "/network", headers={"Origin": "https://notebook.example", "Accept": "application/json"},
                     timeout=30)
    assert r.status_code == 200 and r.headers["Access-Control-Allow-Origin"] == "*"
    assert r.headers["Content-Type"].startswith("application/json") and "Accept" in r.headers["Vary"]


def test_entity_page_has_a_timeline_mark_per_meeting_and_position(live):
    for path, lanes in (("person/yevgeny-primakov", {"meetings": "dip:participant"}),
                        ("state/russia", {"positions": "dip:holder"}),
                        ("place/moscow", {"held": "dip:location"})):
        iri = f"{live.url}/id/{path}"
        html = requests.get(f"{live.url}/page/{path}", headers=BROWSER, timeout=30).text
        html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(html)
        for lane, prop in lanes.items():
            cls = "Position" if lane == "positions" else "Meeting"
            facts = {r["f"] for r in sparql(live, f"""SELECT DISTINCT ?f WHERE {{ ?f a dip:{cls} ; {prop} <{iri}> ;
                dip:reportedIn ?art . {{ ?f dip:date ?d }} UNION {{ ?art dip:date ?d }} }}""")}
            marks = re.findall(rf'data-iri="([^"]+)" data-date="[^"]*" data-lane="{lane}"', html)
            assert facts and sorted(marks) == sorted(facts), (path, lane)
    # the network section on a person's page, with the data its script draws and the table that stands in
    html = requests.get(f"{live.url}/page/person/yevgeny-primakov", headers=BROWSER, timeout=30).text
    assert 'id="h-network"' in html and 'id="network-data"' in html and 'id="network-pairs"' in html
    assert "Strobe Talbott" in html.split('id="network-pairs"')[1]


def test_the_scripts_are_served_from_here(live):
    html = requests.get(f"{live.url}/network", headers=BROWSER, timeout=30).text
    sources = re.findall(r'<script[^>]* src="([^"]+)"', html)
    assert "/static/cytoscape/cytoscape.min.js" in sources and all(s.startswith("/static/") for s in sources)
    for s in sources:
        r = requests.get(live.url + s, timeout=30)
        assert r.status_code == 200 and len(r.content) > 1000
