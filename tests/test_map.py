"""The map of meeting places: the projection and layout as plain functions, and /map and the place and
state pages in-process (Flask test client on the seed store), checked against SPARQL and the gazetteer.

The browser side (the SVG drawn in Chromium, a marker opening its page, a screenshot) is in test_browser.py.
"""
from __future__ import annotations

import re
from pathlib import Path

import html5lib
import pytest

from mappings import gazetteer as gz
from server.settings import Settings
from server.web import charts, pictures

DIP = "https://w3id.org/communique/ontology#"
BROWSER = {"Accept": "text/html"}
SVG = "{http://www.w3.org/2000/svg}"
XHTML = "{http://www.w3.org/1999/xhtml}"


# --- the projection and the layout ---------------------------------------------------------------


def test_the_projection_puts_the_corners_and_the_origin_where_they_belong():
    k = charts.MAP_WIDTH / 360
    assert charts.project(charts.NORTH, -180) == (0, 0)
    assert charts.project(0, 0) == pytest.approx((180 * k, charts.NORTH * k))
    assert charts.project(charts.SOUTH, 180) == pytest.approx((charts.MAP_WIDTH, charts.MAP_HEIGHT), abs=0.5)
    # one scale for both axes: a degree east is as long as a degree north
    (x0, y0), (x1, y1) = charts.project(10, 10), charts.project(11, 11)
    assert x1 - x0 == pytest.approx(y0 - y1)


def subpaths(d: str) -> list[list[tuple[float, float]]]:
    out = []
    for part in re.findall(r"M([^MZ]+)Z", d):
        out.append([tuple(map(float, p.split())) for p in part.split("L")])
    return out


def test_a_ring_across_the_antimeridian_is_drawn_on_both_sides_without_a_line_across_the_world():
    ring = [[170, 60], [179.9, 61], [-180, 62], [-170, 61], [-170, 59], [180, 58], [170, 60]]
    d = charts.outline_path({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]}}]})
    parts = subpaths(d)
    assert len(parts) == 2, "once where it starts, once 360° away"
    for part in parts:
        assert max(abs(a[0] - b[0]) for a, b in zip(part, part[1:])) < 30
    xs = sorted(min(x for x, _ in part) for part in parts)
    assert xs[0] < 0 < charts.MAP_WIDTH < max(x for x, _ in parts[1] + parts[0]), "each half reaches past an edge"


def test_rings_south_of_the_map_are_left_out():
    south = [[0, -70], [10, -70], [10, -80], [0, -70]]
    d = charts.outline_path({"features": [{"geometry": {"type": "MultiPolygon", "coordinates": [[south]]}}]})
    assert d == ""


@pytest.mark.skipif(not pictures.WORLD.exists(), reason="the world outline is not installed (make installs it)")
def test_the_world_outline_has_no_line_across_the_map():
    parts = subpaths(pictures.world_outline())
    assert len(parts) > 150  # Natural Earth 1:110m: 177 countries, many with islands
    longest = max(abs(a[0] - b[0]) for part in parts for a, b in zip(part, part[1:]))
    assert longest < charts.MAP_WIDTH / 4


@pytest.mark.skipif(not pictures.WORLD.exists(), reason="the world outline is not installed (make installs it)")
def test_the_world_outline_is_one_cached_svg_document(client):
    r = client.get("/map/world.svg")
    assert r.status_code == 200 and r.mimetype == "image/svg+xml" and "max-age" in r.headers["Cache-Control"]
    root = html5lib.parse(r.get_data(as_text=True), treebuilder="etree", namespaceHTMLElements=False)
    path = next(e for e in root.iter() if e.get("id") == "countries")
    assert path.get("d") == pictures.world_outline()
    again = client.get("/map/world.svg", headers={"If-None-Match": r.headers["ETag"]})
    assert again.status_code == 304 and not again.data


def test_markers_grow_with_meetings_and_places_without_a_coordinate_are_left_out():
    places = [{"iri": "a", "lat": 55.0, "long": 37.0, "meetings": 1},
              {"iri": "b", "lat": 60.0, "long": 25.0, "meetings": 9},
              {"iri": "c", "lat": None, "long": None, "meetings": 40},
              {"iri": "d", "lat": 38.9, "long": -77.0, "meetings": 4}]
    lay = charts.place_map(places)
    assert [m["iri"] for m in lay["markers"]] == ["b", "d", "a"], "largest first, so small ones are drawn over"
    r = {m["iri"]: m["r"] for m in lay["markers"]}
    assert r["b"] == charts.R_MAX and r["a"] < r["d"] < r["b"] and r["a"] >= charts.R_MIN
    assert lay["view"] == [0, 0, charts.MAP_WIDTH, pytest.approx(charts.MAP_HEIGHT, abs=0.5)]
    b = next(m for m in lay["markers"] if m["iri"] == "b")
    assert (b["x"], b["y"]) == pytest.approx(charts.project(60.0, 25.0), abs=0.01)


def test_a_zoomed_map_holds_its_markers_and_stays_on_the_world():
    places = [{"iri": "oslo", "lat": 59.9, "long": 10.75, "meetings": 1},
              {"iri": "helsinki", "lat": 60.2, "long": 24.9, "meetings": 2}]
    lay = charts.place_map(places, zoom=True)
    x, y, w, h = lay["view"]
    k = charts.MAP_WIDTH / 360
    assert lay["zoomed"] and 40 * k - 0.01 <= w < charts.MAP_WIDTH / 2
    assert h == pytest.approx(w * charts.MAP_HEIGHT / charts.MAP_WIDTH, rel=0.01), "the world's proportions"
    for m in lay["markers"]:
        assert x <= m["x"] - 5 * k and m["x"] + 5 * k <= x + w and y <= m["y"] <= y + h
        assert m["r"] < charts.R_MAX * w / charts.MAP_WIDTH + 0.01, "radii in the view's units"
    # a place at the edge of the world: the view is moved in, not cut
    x, y, w, h = charts.place_map([{"iri": "suva", "lat": -18.1, "long": 178.4, "meetings": 1}], zoom=True)["view"]
    assert x + w == pytest.approx(charts.MAP_WIDTH, abs=0.05) and x > 0


# --- /map and the pages, against SPARQL and the gazetteer ------------------------------------------


def sparql(client, query: str) -> list[dict]:
    r = client.post("/sparql", data={"query": f"PREFIX dip: <{DIP}>\n" + query},
                    headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200
    return [{k: v["value"] for k, v in b.items()} for b in r.get_json()["results"]["bindings"]]


@pytest.fixture(scope="module")
def gaz():
    return gz.load(Path(Settings.load().gazetteer))


def located_counts(client, start: str | None = None, end: str | None = None) -> dict[str, int]:
    """{place: meetings held there} straight from SPARQL, kept in [start, end] by the meeting's date, else its
    article's (a day, month or year overlapping the range)."""
    out: dict[str, set] = {}
    for r in sparql(client, """SELECT DISTINCT ?m ?p ?date ?adate WHERE { ?m a dip:Meeting ; dip:location ?p ;
            dip:reportedIn ?a . OPTIONAL { ?m dip:date ?date } OPTIONAL { ?a dip:date ?adate } }"""):
        d = r.get("date") or r.get("adate")
        if start and not (d and charts.overlaps(d, start, end)):
            continue
        out.setdefault(r["p"], set()).add(r["m"])
    return {p: len(ms) for p, ms in out.items()}


def slug(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]


def test_map_json_counts_every_meeting_place_and_gives_the_gazetteers_coordinates(client, gaz):
    r = client.get("/map?format=json")
    assert r.status_code == 200 and r.headers["Access-Control-Allow-Origin"] == "*"
    data = r.get_json()
    expected = located_counts(client)
    assert {p["iri"]: p["meetings"] for p in data["places"]} == expected
    assert data["meetings"] == sum(expected.values())
    for p in data["places"]:
        entry = gaz.get(slug(p["iri"]))
        assert (p["lat"], p["long"]) == (entry.coordinates or (None, None)), p["iri"]
        assert p["href"] == "/page/place/" + slug(p["iri"])
    located = {slug(p["iri"]) for p in data["places"] if p["lat"] is not None}
    assert {"moscow", "oslo", "helsinki"} <= located and "istanbul" not in located
    assert data["located_meetings"] == sum(p["meetings"] for p in data["places"] if p["lat"] is not None)


def parse(text: str):
    return html5lib.parse(text, treebuilder="etree", namespaceHTMLElements=True)


def test_map_page_draws_a_marker_per_located_place_and_tables_them_all(client):
    places = client.get("/map?format=json").get_json()["places"]
    r = client.get("/map", headers=BROWSER)
    assert r.status_code == 200 and 'rel="alternate"' in r.headers["Link"]
    doc = parse(r.get_data(as_text=True))
    circles = doc.findall(f".//{SVG}circle")
    drawn = {c.get("data-iri"): int(c.get("data-meetings")) for c in circles}
    assert drawn == {p["iri"]: p["meetings"] for p in places if p["lat"] is not None}
    links = {a.get("href") for a in doc.findall(f".//{SVG}a")}
    assert links == {p["href"] for p in places if p["lat"] is not None}
    land = doc.find(f".//{SVG}use")
    if pictures.WORLD.exists():
        assert land is not None and land.get("class") == "land" and land.get("href") == "/map/world.svg#countries"
        assert len(r.data) < 60_000, "the outline is referenced, not copied into each page"
    rows = doc.findall(f".//{XHTML}table[@id='map-places']/{XHTML}tbody/{XHTML}tr")
    assert {row.get("data-iri") for row in rows} == {p["iri"] for p in places}
    unlocated = [p for p in places if p["lat"] is None]
    assert len([row for row in rows if row.get("class") == "unlocated"]) == len(unlocated) >= 1
    summary = "".join(doc.find(f".//{XHTML}p[@class='meta map-summary']").itertext())
    assert f"{len(places) - len(unlocated)} of {len(places)} meeting places on the map" in summary
    assert all(p["label"] in summary for p in unlocated), "the places not drawn are named"


@pytest.mark.parametrize("start,end", [("1999-05", "1999-11-18"), ("1999-02-23", "1999-02-23"), ("2001", None)])
def test_map_keeps_the_meetings_of_a_date_range(client, start, end):
    args = {"from": start} | ({"to": end} if end else {})
    data = client.get("/map", query_string=dict(args, format="json")).get_json()
    bounds = charts.bound(start, False), charts.bound(end, True)
    expected = located_counts(client, *bounds)
    assert {p["iri"]: p["meetings"] for p in data["places"]} == expected
    assert sum(expected.values()) < sum(located_counts(client).values()), "the range leaves meetings out"


@pytest.mark.parametrize("query,message", [("from=soon", "not a date"), ("from=1999-05&to=1999-01", "after")])
def test_map_refuses_a_bad_range_in_the_error_shape(client, query, message):
    r = client.get("/map?" + query, headers={"Accept": "application/json"})
    assert r.status_code == 400 and message in r.get_json()["error"]["message"]


def test_a_states_page_maps_the_meetings_in_its_places_zoomed_in(client):
    r = client.get("/page/state/russia", headers=BROWSER)
    doc = parse(r.get_data(as_text=True))
    figure = doc.find(f".//{XHTML}figure[@id='place-map']")
    assert figure is not None
    russia = "http://localhost:5000/id/state/russia"
    in_russia = {r["p"] for r in sparql(client, f"SELECT ?p WHERE {{ ?p dip:country <{russia}> }}")} | {russia}
    expected = {p for p in located_counts(client) if p in in_russia}
    rows = doc.findall(f".//{XHTML}table[@id='place-map-places']/{XHTML}tbody/{XHTML}tr")
    assert {row.get("data-iri") for row in rows} == expected  # Moscow, and the Kremlin (no coordinate)
    circles = figure.findall(f".//{SVG}circle")
    assert [c.get("data-iri") for c in circles] == ["http://localhost:5000/id/place/moscow"]
    x, y, w, h = map(float, figure.find(f".//{SVG}svg").get("viewBox").split())
    assert w < charts.MAP_WIDTH / 4, "zoomed in on Russia's meeting places"


def test_a_place_without_a_coordinate_has_no_map_and_one_with_has(client):
    istanbul = client.get("/page/place/istanbul", headers=BROWSER).get_data(as_text=True)
    assert 'id="place-map"' not in istanbul and 'id="h-held"' in istanbul
    oslo = parse(client.get("/page/place/oslo", headers=BROWSER).get_data(as_text=True))
    circles = oslo.findall(f".//{XHTML}figure[@id='place-map']//{SVG}circle")
    assert [c.get("data-iri") for c in circles] == ["http://localhost:5000/id/place/oslo"]


def test_the_home_page_and_the_menu_link_the_map(client):
    doc = parse(client.get("/", headers=BROWSER).get_data(as_text=True))
    hrefs = [a.get("href") for a in doc.iter(f"{XHTML}a")]
    assert hrefs.count("/map") >= 2


def test_an_entitys_data_carries_its_coordinate(client, gaz):
    r = client.get("/data/place/moscow.nt")
    lat, lon = gaz.get("moscow").coordinates
    body = r.get_data(as_text=True)
    geo = "http://www.w3.org/2003/01/geo/wgs84_pos#"
    assert f'<{geo}lat> "{lat}"^^<http://www.w3.org/2001/XMLSchema#decimal>' in body
    assert f'<{geo}long> "{lon}"^^<http://www.w3.org/2001/XMLSchema#decimal>' in body


@pytest.mark.parametrize("value,most,expected", [("55.7558", 90, 55.7558), ("-180", 180, -180.0), ("95", 90, None),
                                                    ("abc", 90, None), (None, 180, None), ("1e1", 90, 10.0)])
def test_a_stored_coordinate_is_read_only_when_it_is_one(value, most, expected):
    """Whatever a store holds (the shapes refuse bad coordinates on write), the map reads only degrees in range."""
    assert pictures._degrees(value, most) == expected
