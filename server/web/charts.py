"""The pictures' geometry: dates as periods, the who-met-whom network, the timeline's layout and the map's.

Pure functions over plain rows (no Flask, no store), so they are tested as
such; ``pictures.py`` fetches the rows with SPARQL, the templates draw the
result (``_timeline.html`` and ``_map.html`` as server-rendered SVG, ``_network.html`` with
cytoscape.js over a table that stands in without JavaScript).
"""
from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def period(value: str | None) -> tuple[date, date] | None:
    """The first and last day a date stands for: "1999-03" is all of March 1999. None if it is no date."""
    found = _DATE.fullmatch((value or "").strip()[:10])
    if not found:
        return None
    year, month, day = (int(g) if g else None for g in found.groups())
    try:
        if day:
            d = date(year, month, day)
            return d, d
        if month:
            return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
        return date(year, 1, 1), date(year, 12, 31)
    except ValueError:
        return None


def bound(value: str | None, end: bool) -> str | None:
    """A range bound as a full date: ``from=1999`` is 1999-01-01, ``to=1999-03`` is 1999-03-31.

    Raises ValueError for anything that is not YYYY, YYYY-MM or YYYY-MM-DD."""
    if value is None or not value.strip():
        return None
    found = period(value) if len(value.strip()) <= 10 else None
    if found is None:
        raise ValueError(f"{value!r} is not a date: write YYYY, YYYY-MM or YYYY-MM-DD")
    return found[1 if end else 0].isoformat()


def overlaps(value: str | None, start: str | None, end: str | None) -> bool:
    """Whether a (possibly partial) date overlaps [start, end] (full dates, either may be open)."""
    found = period(value)
    if found is None:
        return start is None and end is None
    return (start is None or found[1].isoformat() >= start) and (end is None or found[0].isoformat() <= end)


# --- the network --------------------------------------------------------------------------------


def network(meetings: list[dict], labels: dict[str, str], types: dict[str, str], hrefs: dict[str, str],
            center: set[str] = frozenset()) -> dict:
    """Who met whom: a node per participant, an edge per pair that met, with the meetings it stands for.

    ``meetings`` are ``{"iri", "date", "participants": [iri…]}`` (each once). Nodes are sorted by label,
    edges by their two labels; a meeting of one participant gives a node and no edge."""
    counts: dict[str, int] = {}
    pairs: dict[tuple[str, str], list[dict]] = {}
    for m in meetings:
        people = sorted(set(m["participants"]))
        for a in people:
            counts[a] = counts.get(a, 0) + 1
        for i, a in enumerate(people):
            for b in people[i + 1:]:
                pairs.setdefault((a, b), []).append({"iri": m["iri"], "href": hrefs.get(m["iri"], ""),
                                                     "date": m.get("date")})
    label = lambda i: labels.get(i) or i.rstrip("/").rsplit("/", 1)[-1]  # noqa: E731
    nodes = [{"id": i, "label": label(i), "type": types.get(i, "Actor"), "href": hrefs.get(i, ""),
              "meetings": n, "center": i in center} for i, n in counts.items()]
    nodes.sort(key=lambda n: (n["label"].casefold(), n["id"]))
    edges = []
    for (a, b), ms in pairs.items():
        ms.sort(key=lambda m: (m["date"] or "", m["iri"]))
        first, second = sorted((a, b), key=lambda i: label(i).casefold())
        edges.append({"id": f"{first} {second}", "source": first, "target": second, "count": len(ms),
                      "source_label": label(first), "target_label": label(second), "meetings": ms})
    edges.sort(key=lambda e: (e["source_label"].casefold(), e["target_label"].casefold()))
    return {"nodes": nodes, "edges": edges}


# --- the timeline ---------------------------------------------------------------------------------

WIDTH = 800  # the SVG's viewBox width; it scales to the page
LEFT, RIGHT = 92, 34  # room for the lane names, and a margin
ROW = 13  # height of one row of marks within a lane
AXIS = 26  # height of the axis under the lanes
TEXT_EM = 5.6  # width of one character of a mark's word (10px sans), for the room it takes on its row


def _ticks(first: date, last: date) -> list[tuple[date, str]]:
    """Axis ticks: years over a long span, months (every 1, 2, 3 or 6) over a short one; at most ~12."""
    years = last.year - first.year
    if years >= 3:
        step = max(1, -(-(years + 1) // 10))
        return [(date(y, 1, 1), str(y)) for y in range(first.year, last.year + 2, step)]
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    step = next(s for s in (1, 2, 3, 6, 12) if months / s <= 12)
    out, y, m = [], first.year, first.month
    while (y, m) <= (last.year, last.month + 1 if last.month < 12 else 13):
        if (m - 1) % step == 0:
            out.append((date(y, m, 1), f"{y}-{m:02d}" if m != 1 or step < 12 else str(y)))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def timeline(lanes: list[dict], width: int = WIDTH) -> dict | None:
    """The layout of a timeline chart: one lane per kind of event, one mark per dated event.

    ``lanes`` are ``{"name", "label", "events": [{"iri", "href", "date", "reported", "title", "css", "text"?}]}``;
    an event's date may be partial ("1999-03"), drawn as a bar over its period; a day is a dot. Events
    without a date are counted in ``undated`` and not drawn. An event's ``text`` is a word written after its
    mark. Marks (with their words) that would touch are put on rows of their own. None when no event has a
    date."""
    spans = [(period(e["date"]), e) for lane in lanes for e in lane["events"]]
    dated = [s for s, _ in spans if s]
    if not dated:
        return None
    first, last = min(s[0] for s in dated), max(s[1] for s in dated)
    ticks = _ticks(first, last)
    lo = min(first, ticks[0][0]) if ticks else first
    hi = max(last, date(last.year + (last.month == 12), last.month % 12 + 1, 1))
    if ticks and ticks[-1][0] > hi:
        hi = ticks[-1][0]
    days = max((hi - lo).days, 1)
    inner = width - LEFT - RIGHT
    x_of = lambda d: LEFT + inner * (d - lo).days / days  # noqa: E731
    y, out_lanes, marks, undated = 8, [], [], 0
    for lane in lanes:
        rows: list[float] = []  # the right edge of the last mark on each row
        placed = []
        events = [(period(e["date"]), e) for e in lane["events"]]
        undated += sum(1 for p, _ in events if p is None)
        for p, e in sorted(((p, e) for p, e in events if p), key=lambda pe: (pe[0][0], pe[1]["iri"])):
            point = p[0] == p[1]
            x0 = x_of(p[0])
            left, right = (x0 - 5, x0 + 5) if point else (x0, max(x_of(p[1] + timedelta(days=1)), x0 + 6))
            mark_right, text = right, e.get("text") or ""
            if text:  # a word after the mark (the action of a position): its row keeps room for it
                right += 3 + TEXT_EM * len(text)
            row = next((i for i, edge in enumerate(rows) if edge + 2 <= left), None)
            if row is None:
                rows.append(right)
                row = len(rows) - 1
            else:
                rows[row] = right
            placed.append({"iri": e["iri"], "href": e.get("href", ""), "title": e["title"], "date": e["date"],
                           "css": e.get("css", ""), "reported": bool(e.get("reported")), "row": row,
                           "point": point, "x": round(x0 if point else left, 1), "w": round(mark_right - left, 1),
                           "text": text, "tx": round(mark_right + 3, 1)})
        height = max(len(rows), 1) * ROW + 12
        for m in placed:
            m["y"] = round(y + 6 + m["row"] * ROW + ROW / 2, 1)
        out_lanes.append({"name": lane["name"], "label": lane["label"], "title": lane.get("title") or lane["label"],
                          "y": y, "height": height,
                          "count": len(placed), "mid": y + height / 2})
        marks.extend(dict(m, lane=lane["name"]) for m in placed)
        y += height
    return {"width": width, "height": y + AXIS, "axis_y": y, "left": LEFT, "right": width - RIGHT,
            "lanes": out_lanes, "marks": marks, "undated": undated, "start": lo.isoformat(), "end": hi.isoformat(),
            "ticks": [{"x": round(x_of(d), 1), "label": label} for d, label in ticks if lo <= d <= hi]}


# --- the map of meeting places ----------------------------------------------------------------------
# An equirectangular projection (longitude and latitude as x and y, one scale for both), cut to the
# latitudes where people meet: nothing is drawn south of 60°S (Antarctica) or north of 84°N.

MAP_WIDTH = 800  # the SVG's viewBox width at the whole world; it scales to the page
NORTH, SOUTH = 84.0, -60.0
MAP_HEIGHT = round(MAP_WIDTH * (NORTH - SOUTH) / 360)
R_MIN, R_MAX = 3.0, 14.0  # a marker's radius (at the page's scale) for the fewest and the most meetings


def project(lat: float, lon: float, width: float = MAP_WIDTH) -> tuple[float, float]:
    """(x, y) of a point: x grows east from 180°W, y grows south from ``NORTH``; degrees are ``width / 360``."""
    k = width / 360
    return (lon + 180) * k, (NORTH - lat) * k


def _rings(geometry: dict):
    kind, coords = geometry.get("type"), geometry.get("coordinates") or []
    polygons = [coords] if kind == "Polygon" else coords if kind == "MultiPolygon" else []
    for polygon in polygons:
        yield from polygon


def outline_path(geojson: dict, width: float = MAP_WIDTH) -> str:
    """The SVG path (``d``) of every polygon of a GeoJSON FeatureCollection, projected.

    A ring that crosses the antimeridian (its longitude jumps by more than 180° from one point to the
    next, as Chukotka and Fiji do in Natural Earth) is unwrapped into one continuous ring and drawn
    twice, 360° apart, so each half shows on its side of the map and no line crosses the world.
    Rings wholly south of ``SOUTH`` are left out."""
    parts = []
    for feature in geojson.get("features", []):
        for ring in _rings(feature.get("geometry") or {}):
            if len(ring) < 3 or all(lat < SOUTH for _, lat in ring):
                continue
            lons, shift, prev = [], 0.0, ring[0][0]
            for lon, _ in ring:
                if lon - prev > 180:
                    shift -= 360
                elif prev - lon > 180:
                    shift += 360
                lons.append(lon + shift)
                prev = lon
            offsets = [0.0] + ([-360.0] if max(lons) > 180 else []) + ([360.0] if min(lons) < -180 else [])
            for offset in offsets:
                points = (project(lat, lon + offset, width) for lon, (_, lat) in zip(lons, ring))
                parts.append("M" + "L".join(f"{x:.1f} {y:.1f}" for x, y in points) + "Z")
    return "".join(parts)


def place_map(places: list[dict], width: float = MAP_WIDTH, zoom: bool = False) -> dict:
    """The layout of a map of meeting places: a marker per place with a coordinate, its area by meetings.

    ``places`` are ``{"iri", "lat", "long", "meetings", …}`` (other keys are kept); those without a
    coordinate are left out. With ``zoom`` the view is the markers' box (at least 40° wide, padded, kept
    within the map) rather than the world. Radii are in the view's units, so markers keep their size on
    the page whatever the zoom; larger markers come first, so smaller ones are drawn over them."""
    located = [p for p in places if p.get("lat") is not None and p.get("long") is not None]
    vx, vy, vw, vh = 0.0, 0.0, float(width), width * (NORTH - SOUTH) / 360
    if zoom and located:
        k, aspect = width / 360, vh / vw
        xs, ys = zip(*(project(p["lat"], p["long"], width) for p in located))
        box_w, box_h = max(xs) - min(xs) + 20 * k, max(ys) - min(ys) + 20 * k  # 10° around the markers
        w = min(max(box_w, 40 * k, box_h / aspect), vw)
        h = w * aspect
        vx = min(max((max(xs) + min(xs)) / 2 - w / 2, 0.0), vw - w)
        vy = min(max((max(ys) + min(ys)) / 2 - h / 2, 0.0), vh - h)
        vw, vh = w, h
    scale = vw / width  # view units per page unit
    most = max((p["meetings"] for p in located), default=1) or 1
    markers = []
    for p in sorted(located, key=lambda p: (-p["meetings"], p["iri"])):
        x, y = project(p["lat"], p["long"], width)
        r = (R_MIN + (R_MAX - R_MIN) * (p["meetings"] / most) ** 0.5) * scale
        markers.append(dict(p, x=round(x, 2), y=round(y, 2), r=round(r, 2)))
    return {"width": width, "view": [round(v, 2) for v in (vx, vy, vw, vh)], "markers": markers,
            "stroke": round(scale, 3), "zoomed": bool(zoom and located)}
