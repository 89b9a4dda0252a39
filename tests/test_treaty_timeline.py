"""The treaty page's timeline chart: a lane per actor, a mark per position coloured by its stance, with its
action written after it. Checked in-process (Flask test client on the seed store) against SPARQL; the
layout rule (a mark's word keeps room on its row) as a plain function. The drawing in Chromium, with a
screenshot, is in test_browser.py."""
from __future__ import annotations

import html5lib
import pytest

from server.web import charts, pictures

DIP = "https://w3id.org/communique/ontology#"
SVG = "{http://www.w3.org/2000/svg}"
BROWSER = {"Accept": "text/html"}


def test_a_marks_word_keeps_room_on_its_row():
    events = [{"iri": "a", "date": "1999-02-23", "title": "a", "text": "ratification"},
              {"iri": "b", "date": "1999-02-25", "title": "b", "text": "withdrawal"}]
    lane = lambda evs: [{"name": "x", "label": "X", "events": evs}]  # noqa: E731
    with_words = charts.timeline(lane(events))
    without = charts.timeline(lane([{k: v for k, v in e.items() if k != "text"} for e in events]))
    assert len({m["row"] for m in with_words["marks"]}) == 2, "the first word would run into the second mark"
    a, b = sorted(with_words["marks"], key=lambda m: m["iri"])
    assert a["text"] == "ratification" and a["tx"] > a["x"]
    # without words, two days apart is room enough at this span: one row
    assert {m["row"] for m in without["marks"]} == {0} and all(m["text"] == "" for m in without["marks"])


def positions(client, treaty: str) -> dict[str, dict]:
    r = client.post("/sparql", data={"query": f"""PREFIX dip: <{DIP}>
        SELECT DISTINCT ?pos ?holder ?stance ?action ?adate WHERE {{ ?pos dip:topic <{treaty}> ; dip:holder ?holder ;
            dip:stance ?stance ; dip:reportedIn ?art . OPTIONAL {{ ?pos dip:action ?action }}
            OPTIONAL {{ ?art dip:date ?adate }} }}"""}, headers={"Accept": "application/sparql-results+json"})
    rows = [{k: v["value"] for k, v in b.items()} for b in r.get_json()["results"]["bindings"]]
    return {row["pos"]: row for row in rows}


def name(iri: str) -> str:
    return iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1]


@pytest.mark.parametrize("slug", ["abm-treaty", "ctbt"])
def test_treaty_page_has_a_mark_per_position_in_its_actors_lane(client, slug):
    treaty = f"http://localhost:5000/id/treaty/{slug}"
    expected = positions(client, treaty)
    assert expected, "the seeds have positions on this treaty"
    doc = html5lib.parse(client.get(f"/page/treaty/{slug}", headers=BROWSER).get_data(as_text=True),
                         treebuilder="etree", namespaceHTMLElements=True)
    chart = doc.find(f".//*[@id='timeline']")
    assert chart is not None
    marks = {m.get("data-iri"): m for m in chart.iter() if (m.get("class") or "").startswith("mark ")}
    assert set(marks) == set(expected)
    for iri, row in expected.items():
        mark = marks[iri]
        assert mark.get("data-lane") == name(row["holder"])
        assert f"stance-{name(row['stance']).lower()}" in mark.get("class")
        assert mark.get("data-date") == row.get("adate")
    words = [t.text for t in chart.iter(f"{SVG}text") if t.get("class") == "mark-text"]
    assert sorted(words) == sorted((name(r["action"]) if r.get("action") else "treaty").lower()
                                   for r in expected.values())
    lanes = {g.get("class").split("lane-", 1)[1] for g in chart.iter(f"{SVG}g") if "lane " in (g.get("class") or "")}
    assert lanes == {name(r["holder"]) for r in expected.values()}


def test_two_stances_on_one_day_are_two_marks_on_two_rows(client):
    treaty = "http://localhost:5000/id/treaty/abm-treaty"
    expected = positions(client, treaty)
    russia = [p for p, r in expected.items() if r["holder"].endswith("/state/russia")]
    assert len(russia) >= 2 and len({expected[p].get("adate") for p in russia}) == 1, "the seed's same-day pair"
    doc = html5lib.parse(client.get("/page/treaty/abm-treaty", headers=BROWSER).get_data(as_text=True),
                         treebuilder="etree", namespaceHTMLElements=True)
    ys = {m.get("cy") or m.get("y") for m in doc.iter() if m.get("data-iri") in russia and m.get("data-lane")}
    assert len(ys) == len(russia), "stacked, never drawn over each other"


def test_a_treaty_timeline_keeps_the_actors_with_the_most_positions(backend, monkeypatch):
    treaty = "http://localhost:5000/id/treaty/abm-treaty"
    full = pictures.treaty_timeline(backend.pool, treaty, lambda i: "")
    assert full["actors"] == full["shown_actors"] == len(full["lanes"]) >= 2
    monkeypatch.setattr(pictures, "TREATY_LANES", 1)
    one = pictures.treaty_timeline(backend.pool, treaty, lambda i: "")
    assert one["shown_actors"] == len(one["lanes"]) == 1 and one["actors"] == full["actors"]
    most = max(full["lanes"], key=lambda lane: lane["count"])
    assert one["lanes"][0]["name"] == most["name"] and one["lanes"][0]["count"] == most["count"]
    assert len(one["marks"]) == most["count"]
