"""Linked Data and the pages people browse, in-process (Flask test client on a real store).

The 303 pattern, the representations and their Link headers, what each page
shows, escaping of article text, HTML5 validity, the ontology, shapes and dumps.
"""
from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import html5lib
import pytest
from rdflib import Dataset, Graph, URIRef

BASE = "http://localhost:5000/"
DIP = "https://w3id.org/communique/ontology#"
PRIMAKOV = "person/yevgeny-primakov"
SEED_ARTICLE = "article/000_684714e08cb29c29"
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
HOSTILE = """Publication: Monitor Volume: 5 Issue: 77

<script>alert("x")</script> Russian Foreign Minister Igor Ivanov met with U.S. Secretary of State Madeleine Albright \
in Moscow on March 3 & said "</script><b>bold</b>" (Reuters, March 4). Russia strongly opposes any revision of the \
ABM treaty, Ivanov said <img src=x onerror=alert(1)>.
"""


# --- helpers ------------------------------------------------------------------------------------


class Page(HTMLParser):
    """What a reader sees: the text, the links, the ids, the headings, the tags."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags, self.ids, self.links, self.headings, self.scripts = [], [], [], [], []
        self.script_srcs = []  # scripts from files: only the site's own
        self.attrs_of: list[tuple[str, dict]] = []
        self._heading, self._script, self.text = None, None, []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        self.attrs_of.append((tag, a))
        if "id" in a:
            self.ids.append(a["id"])
        if tag == "a" and "href" in a:
            self.links.append(a)
        if tag in ("h1", "h2", "h3"):
            self._heading = [tag, ""]
        if tag == "script" and "src" in a:
            self.script_srcs.append(a["src"])
        elif tag == "script":
            self._script = [a.get("type"), ""]

    def handle_endtag(self, tag):
        if self._heading and tag == self._heading[0]:
            self.headings.append(tuple(self._heading))
            self._heading = None
        if tag == "script" and self._script:
            self.scripts.append(tuple(self._script))
            self._script = None

    def handle_data(self, data):
        if self._heading:
            self._heading[1] += data
        if self._script:
            self._script[1] += data
        else:
            self.text.append(data)

    def shown(self) -> str:
        return re.sub(r"\s+", " ", "".join(self.text))


def valid_html5(html: str) -> Page:
    """Strict HTML5 parsing (html5lib raises on any parse error) plus the page rules we keep."""
    html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(html)
    page = Page(html)
    assert re.match(r"<!DOCTYPE html>\s*<html lang=\"en\">", html), "doctype and lang"
    assert len([h for h in page.headings if h[0] == "h1"]) == 1, "exactly one h1"
    assert len(page.ids) == len(set(page.ids)), f"duplicate ids: {[i for i in page.ids if page.ids.count(i) > 1]}"
    for tag, attrs in page.attrs_of:
        if tag == "img":
            assert "alt" in attrs
        if tag == "input" and attrs.get("type") != "hidden":
            assert attrs.get("id") and f'for="{attrs["id"]}"' in html, "every input has a label"
    return page


def get_page(client, path: str, status: int = 200) -> tuple[str, Page]:
    r = client.get(path, headers=BROWSER)
    assert r.status_code == status, (path, r.status_code, r.data[:500])
    html = r.get_data(as_text=True)
    return html, valid_html5(html)


def select(backend, query: str) -> list[dict]:
    return [{k: v["value"] for k, v in row.items()} for row in backend.pool.select(query)]


# --- the 303 pattern -------------------------------------------------------------------------------


@pytest.mark.parametrize("accept, location", [
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", f"/page/{PRIMAKOV}"),
    (None, f"/page/{PRIMAKOV}"),
    ("*/*", f"/page/{PRIMAKOV}"),
    ("text/turtle", f"/data/{PRIMAKOV}.ttl"),
    ("application/n-triples", f"/data/{PRIMAKOV}.nt"),
    ("application/ld+json", f"/data/{PRIMAKOV}.jsonld"),
    ("application/rdf+xml", f"/data/{PRIMAKOV}.rdf"),
    ("application/rdf+xml;q=0.5, text/turtle;q=0.9, text/html;q=0.1", f"/data/{PRIMAKOV}.ttl"),
])
def test_id_answers_303_by_accept(client, accept, location):
    headers = {"Accept": accept} if accept else {}
    r = client.get(f"/id/{PRIMAKOV}", headers=headers)
    assert r.status_code == 303
    assert r.headers["Location"] == location
    assert "Accept" in r.headers["Vary"]


def test_unsupported_type_is_406(client):
    r = client.get(f"/id/{PRIMAKOV}", headers={"Accept": "image/png"})
    assert r.status_code == 406
    assert set(r.get_json()["error"]) == {"status", "title", "message"}


def test_unknown_entity_is_404_with_a_helpful_page(client):
    html, page = get_page(client, "/id/person/primakov", 404)
    assert "nothing is known about http://localhost:5000/id/person/primakov" in page.shown()
    assert any(a["href"] == f"/page/{PRIMAKOV}" for a in page.links), "suggests the likely entity"
    assert any(a["href"].startswith("/search") for a in page.links)
    r = client.get("/id/person/primakov", headers={"Accept": "text/turtle"})
    assert r.status_code == 404 and r.get_json()["error"]["status"] == 404
    assert client.get("/page/person/nobody-at-all", headers=BROWSER).status_code == 404
    assert client.get("/data/person/nobody-at-all.ttl").status_code == 404
    assert client.get(f"/data/{PRIMAKOV}.png").status_code == 404


@pytest.mark.parametrize("ext, fmt", [("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld"), ("rdf", "xml")])
def test_data_in_every_format_with_links_to_the_others(client, ext, fmt):
    r = client.get(f"/data/{PRIMAKOV}.{ext}")
    assert r.status_code == 200
    g = Graph().parse(data=r.get_data(as_text=True), format=fmt)
    me = URIRef(BASE + "id/" + PRIMAKOV)
    assert (me, URIRef("http://www.w3.org/2000/01/rdf-schema#label"), None) in g
    assert (me, URIRef("http://www.w3.org/2002/07/owl#sameAs"), URIRef("http://www.wikidata.org/entity/Q270529")) in g
    assert any(p == URIRef(DIP + "participant") for _, p, _ in g.triples((None, None, me))), "incoming links too"
    links = r.headers["Link"]
    assert f'</page/{PRIMAKOV}>; rel="alternate"; type="text/html"' in links
    others = {"ttl", "nt", "jsonld", "rdf"} - {ext}
    assert all(f"/data/{PRIMAKOV}.{o}>" in links for o in others)
    assert f"/data/{PRIMAKOV}.{ext}>" not in links


def test_page_links_to_every_data_format(client):
    r = client.get(f"/page/{PRIMAKOV}")
    assert r.status_code == 200 and r.mimetype == "text/html"
    for ext, media in (("ttl", "text/turtle"), ("nt", "application/n-triples"), ("jsonld", "application/ld+json"),
                       ("rdf", "application/rdf+xml")):
        assert f'</data/{PRIMAKOV}.{ext}>; rel="alternate"; type="{media}"' in r.headers["Link"]


def test_evidence_of_a_meeting_is_in_its_data(client):
    g = Graph().parse(data=client.get("/data/meeting/000_684714e08cb29c29-1.ttl").get_data(as_text=True),
                      format="turtle")
    ev = URIRef(BASE + "id/meeting/000_684714e08cb29c29-1#evidence-1")
    assert (ev, URIRef(DIP + "rule"), None) in g
    span = g.value(ev, URIRef("http://www.w3.org/ns/oa#hasSelector"))
    assert g.value(span, URIRef("http://www.w3.org/ns/oa#start")) is not None


# --- the entity page ---------------------------------------------------------------------------------------


def test_entity_page_shows_who_what_where(client, backend):
    html, page = get_page(client, f"/page/{PRIMAKOV}")
    shown = page.shown()
    assert ("h1", "Yevgeny Primakov") in page.headings
    assert "Person" in shown and "Prime Minister" in shown
    assert any(a["href"] == "https://www.wikidata.org/wiki/Q270529" for a in page.links)
    assert any(a["href"] == "/page/state/russia" for a in page.links), "affiliation"
    # the meeting timeline: every meeting he took part in, with date, place, co-participants and status
    meetings = select(backend, f"""PREFIX dip: <{DIP}> SELECT DISTINCT ?m WHERE {{
        ?m dip:participant <{BASE}id/{PRIMAKOV}> }}""")
    assert meetings
    for m in meetings:
        assert any(a["href"] == m["m"].replace(BASE + "id/", "/page/") for a in page.links)
    timeline = html[html.index('id="h-meetings"'):html.index("</ol>", html.index('id="h-meetings"'))]
    assert "Georgy Mamedov" in timeline and "Strobe Talbott" in timeline and "Moscow" in timeline
    assert "1999-02-23" in timeline and "Held" in timeline and "Planned" in timeline
    # articles that mention him, and links in and out grouped by property with labels
    assert any(a["href"] == f"/page/{SEED_ARTICLE}" for a in page.links)
    assert "Links to Yevgeny Primakov" in shown and "participant" in shown and "altLabel" in shown
    # a SPARQL link with a prefilled query that names him
    sparql = [a["href"] for a in page.links if a["href"].startswith("/sparql#query=")]
    assert sparql and "yevgeny-primakov" in sparql[0]


def test_entity_page_embeds_its_data_as_json_ld(client):
    _, page = get_page(client, f"/page/{PRIMAKOV}")
    blocks = [text for kind, text in page.scripts if kind == "application/ld+json"]
    assert len(blocks) == 1
    g = Graph().parse(data=blocks[0], format="json-ld")
    assert (URIRef(BASE + "id/" + PRIMAKOV), URIRef("http://www.w3.org/2000/01/rdf-schema#label"), None) in g


def test_positions_show_the_evidence_and_link_to_the_sentence(client):
    html, page = get_page(client, "/page/state/russia")
    assert "Positions on treaties" in page.shown()
    assert "opposes revision of Anti-Ballistic Missile Treaty" in page.shown()
    assert "<mark>" in html, "the matched words are marked in the quote"
    targets = [a["href"] for a in page.links if "#s-" in a["href"]]
    assert targets
    article, anchor = targets[0].split("#")
    _, article_page = get_page(client, article)
    assert anchor in article_page.ids, "the evidence link lands on the sentence"


def test_treaty_page_shows_who_supports_and_opposes_over_time(client, backend):
    _, page = get_page(client, "/page/treaty/abm-treaty")
    shown = page.shown()
    holders = select(backend, f"""PREFIX dip: <{DIP}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT DISTINCT ?label ?stance WHERE {{ ?p dip:topic <{BASE}id/treaty/abm-treaty> ; dip:holder ?h ;
        dip:stance ?stance . ?h rdfs:label ?label }}""")
    assert holders
    for h in holders:
        assert h["label"] in shown
    assert "Who supports it, who opposes it" in shown and "Over time, with the evidence" in shown
    assert "opposes revision" in shown and "supports revision" in shown


def test_meeting_page(client):
    _, page = get_page(client, "/page/meeting/000_684714e08cb29c29-1")
    shown = page.shown()
    for words in ("Al Gore", "Yevgeny Primakov", "Washington", "1999-03", "Planned", "meeting.meeting-between"):
        assert words in shown
    assert "evidence-1" in page.ids, "the evidence hash IRI is an anchor on the page"
    assert any(a["href"] == f"/page/{SEED_ARTICLE}" for a in page.links)


def test_article_page_highlights_every_mention(client, backend):
    html, page = get_page(client, f"/page/{SEED_ARTICLE}")
    text = select(backend, f"PREFIX schema: <https://schema.org/> SELECT ?t WHERE {{ <{BASE}id/{SEED_ARTICLE}> schema:text ?t }}")[0]["t"]
    mentions = select(backend, f"""PREFIX dip: <{DIP}> PREFIX oa: <http://www.w3.org/ns/oa#>
        SELECT DISTINCT ?m ?e ?start ?end WHERE {{ ?m a dip:Mention ; oa:hasSource <{BASE}id/{SEED_ARTICLE}> ;
        dip:denotes ?e ; oa:start ?start ; oa:end ?end }}""")
    body = html[html.index('<div class="text">') + len('<div class="text">'):html.index("</div>", html.index('<div class="text">'))]
    # the text is all there, unchanged, once the markup is taken away
    assert Page(body).shown() == re.sub(r"\s+", " ", text)
    links = [a for a in Page(body).links if "mention" in a.get("class", "")]
    assert len(links) == len(mentions) > 30
    for m in mentions:
        frag = m["m"].split("#")[1]
        link = next(a for a in links if a.get("id") == frag)
        assert link["href"] == m["e"].replace(BASE + "id/", "/page/")
    shown = page.shown()
    assert "Conforms to the SHACL shapes" in shown
    assert "meeting.held-consultations" in shown or "meeting.met-with" in shown, "facts with their rule ids"
    assert re.search(r"Facts extracted \(\d+\)", shown)


def test_home_page(client):
    html, page = get_page(client, "/")
    shown = page.shown()
    for cls in ("Meeting", "Person", "Article", "Treaty"):
        assert cls in shown
    assert 'action="/search"' in html and 'name="q"' in html
    hrefs = {a["href"] for a in page.links}
    assert {"/sparql", "/ontology", "/shapes", "/dump.nq", "/dump.trig"} <= hrefs
    assert f"/page/{SEED_ARTICLE}" in hrefs, "latest articles"


# --- ontology, shapes, dumps -----------------------------------------------------------------------------------


def test_ontology_and_shapes_as_html_and_turtle(client):
    _, page = get_page(client, "/ontology")
    for term in ("Meeting", "Position", "participant", "evidence", "Held"):
        assert term in page.ids, f"/ontology#{term} is an anchor"
    ttl = client.get("/ontology", headers={"Accept": "text/turtle"})
    assert ttl.mimetype == "text/turtle" and "Vary" in ttl.headers
    assert (URIRef(DIP + "Meeting"), None, None) in Graph().parse(data=ttl.get_data(as_text=True), format="turtle")
    _, page = get_page(client, "/shapes")
    assert "MeetingShape" in page.ids
    g = Graph().parse(data=client.get("/shapes.ttl").get_data(as_text=True), format="turtle")
    assert len(g) > 100


def test_pages_link_ontology_terms_to_their_anchor(client):
    _, page = get_page(client, f"/page/{PRIMAKOV}")
    assert any(a["href"] == "/ontology#Person" for a in page.links)


def test_dumps_hold_every_quad(client, backend):
    expected = int(select(backend, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")[0]["n"])
    r = client.get("/dump.nq")
    assert r.status_code == 200 and r.mimetype == "application/n-quads"
    assert "attachment" in r.headers["Content-Disposition"]
    ds = Dataset()
    ds.parse(data=r.get_data(as_text=True), format="nquads")
    assert len(list(ds.quads((None, None, None, None)))) == expected
    assert len(list(ds.graphs())) >= 8  # 7 articles and the default graph
    r = client.get("/dump.trig")
    ds2 = Dataset()
    ds2.parse(data=r.get_data(as_text=True), format="trig")
    assert len(list(ds2.quads((None, None, None, None)))) == expected


# --- HTML validity of every page ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", f"/page/{PRIMAKOV}", "/page/state/russia", "/page/place/moscow",
                                  "/page/organization/nato", "/page/treaty/abm-treaty",
                                  "/page/meeting/000_684714e08cb29c29-1", "/page/position/000_684714e08cb29c29-1",
                                  f"/page/{SEED_ARTICLE}", "/search?q=prim", "/search", "/search?q=zzzz",
                                  "/ontology", "/shapes", "/network", "/network?from=1999-05&to=1999-11",
                                  "/network?around=state/russia", "/network?from=2030"])
def test_every_page_is_valid_html5(client, path):
    get_page(client, path)


def test_stylesheet_has_a_visible_focus_style(client):
    css = client.get("/static/style.css").get_data(as_text=True)
    assert re.search(r":focus(-visible)?[^{]*\{[^}]*outline:\s*3px solid", css)


# --- article text is data, never markup -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """A second app: a hostile article, and a base IRI that is not the host serving the pages."""
    from conftest import make_settings
    from server.web.app import create_app
    from server.backend import Backend

    tmp = tmp_path_factory.mktemp("hostile")
    seeds = tmp / "seeds"
    seeds.mkdir()
    (seeds / "h01_hostile.txt").write_text(HOSTILE, encoding="utf-8")
    b = Backend(make_settings(tmp, seeds=str(seeds), base_iri="https://example.org/kg/")).open()
    yield create_app(b.settings, b).test_client()
    b.close()


def test_article_text_is_escaped_everywhere(hostile):
    for path in ("/page/article/h01_hostile", "/page/meeting/h01_hostile-1", "/page/position/h01_hostile-1",
                 "/page/state/russia", "/page/treaty/abm-treaty", "/"):
        html, page = get_page(hostile, path)
        assert "<script>alert" not in html and "<img src=x" not in html and "<b>bold</b>" not in html
        assert [s for s in page.tags if s in ("img", "b")] == []
        # no inline script runs: the JSON-LD, and the network's data (application/json, a data block)
        assert all(kind in ("application/ld+json", "application/json") for kind, _ in page.scripts)
        assert all("</script" not in text.lower() for _, text in page.scripts)
        # the search box's autocomplete and the network's drawing, from this site
        assert page.script_srcs[0] == "/static/complete.js" or page.script_srcs[-1] == "/static/complete.js"
        assert set(page.script_srcs) <= {"/static/complete.js", "/static/cytoscape/cytoscape.min.js",
                                         "/static/network.js"}
    html, page = get_page(hostile, "/page/article/h01_hostile")
    assert '<script>alert("x")</script>' in page.shown(), "shown as text"
    script = [t for k, t in page.scripts if k == "application/ld+json"][0]
    assert "</script" not in script.lower()
    assert any("</script><b>bold</b>" in str(o) for o in Graph().parse(data=script, format="json-ld").objects())


def test_links_stay_local_when_the_base_iri_is_another_host(hostile):
    r = hostile.get("/id/person/igor-ivanov", headers=BROWSER)
    assert r.status_code == 303 and r.headers["Location"] == "/page/person/igor-ivanov"
    _, page = get_page(hostile, "/page/article/h01_hostile")
    assert "https://example.org/kg/id/article/h01_hostile" in page.shown()
    hrefs = [a["href"] for a in page.links]
    assert "/page/person/igor-ivanov" in hrefs
    assert not any(h.startswith("https://example.org/") for h in hrefs)
    data = hostile.get("/data/person/igor-ivanov.ttl").get_data(as_text=True)
    assert "<https://example.org/kg/id/person/igor-ivanov>" in data


# --- pure helpers --------------------------------------------------------------------------------------------------


def test_annotate_nests_escapes_and_drops_crossing_spans():
    from server.web.render import Span, annotate

    text = "a <b> & Primakov met Talbott."
    html = str(annotate(text, [Span(8, 16, "/page/p", "P<", "person", "m1"), Span(12, 20, "/overlap"),
                               Span(4, 10, "/crossing"), Span(21, 28, "/page/t", css="person")],
                        [Span(6, 29, id="s-6-29", css="evidence"), Span(0, 1, id="s-0-1"), Span(0, 3, id="first")]))
    assert html.startswith('<span class="sentence" id="first">a &lt;</span>b&gt; ')
    assert '<span class="sentence evidence" id="s-6-29">&amp; <a class="mention person" href="/page/p" title="P&lt;" id="m1">Primakov</a>' in html
    assert "/overlap" not in html and "/crossing" not in html and "s-0-1" not in html
    assert Page(html).shown() == text


def test_json_for_script_cannot_close_the_element():
    from server.web.render import json_for_script

    out = str(json_for_script({"v": "</script><script>alert(1)</script> & \u2028"}))
    assert "<" not in out and ">" not in out and "&" not in out
    assert json.loads(out) == {"v": "</script><script>alert(1)</script> & \u2028"}


def test_local_href():
    from server.web.linkeddata import local_href

    assert local_href("https://ex.org/kg/id/person/x", "https://ex.org/kg/") == "/page/person/x"
    assert local_href("https://ex.org/kg/id/article/a#mention-1-2", "https://ex.org/kg/") == "/page/article/a#mention-1-2"
    assert local_href(DIP + "Meeting", "https://ex.org/kg/") == "/ontology#Meeting"
    assert local_href("http://www.wikidata.org/entity/Q1", "https://ex.org/kg/") == "http://www.wikidata.org/entity/Q1"


def test_dump_terms_become_n_triples():
    from server.web.dump import term, tsv_to_quads

    assert term("5") == '"5"^^<http://www.w3.org/2001/XMLSchema#integer>'
    assert term("-2.5") == '"-2.5"^^<http://www.w3.org/2001/XMLSchema#decimal>'
    assert term("1e3") == '"1e3"^^<http://www.w3.org/2001/XMLSchema#double>'
    assert term("true") == '"true"^^<http://www.w3.org/2001/XMLSchema#boolean>'
    assert term('"a\\tb"@en') == '"a\\tb"@en'
    chunks = [b"?s\t?p\t?o\t?g\n<http://a>\t<http://p>\t", b"5\t<http://g>\n"]
    assert b"".join(tsv_to_quads(chunks)) == (
        b'<http://a> <http://p> "5"^^<http://www.w3.org/2001/XMLSchema#integer> <http://g> .\n')


# --- the treaty summary groups stances by action ------------------------------------------


def test_stance_summary_groups_by_action():
    from server.web.describe import stance_summary

    def pos(iri, stance, action, date):
        return {"iri": iri, "holder": "x:russia", "holder_label": "Russia", "stance": stance, "action": action,
                "date": date}

    [russia] = stance_summary([pos("p1", "Opposition", "Revision", "1999-02-23"), pos("p2", "Support", None, "1999-02-23"),
                               pos("p3", "Support", "Ratification", "1999-02-23"),
                               pos("p4", "Opposition", "Ratification", "1999-05-28")])
    assert [g["action"] for g in russia["groups"]] == [None, "Ratification", "Revision"]  # the treaty itself first
    by_action = {g["action"]: g for g in russia["groups"]}
    assert [s["stance"] for s in by_action["Ratification"]["stances"]] == ["Support", "Opposition"]
    assert by_action["Ratification"]["changed"] and not by_action["Revision"]["changed"] and not by_action[None]["changed"]


def test_treaty_page_shows_different_actions_apart(live):
    """Russia opposes the ABM treaty's revision and supports the treaty: two stances, not one reversal."""
    import html5lib
    import requests

    doc = html5lib.parse(requests.get(live.url + "/page/treaty/abm-treaty").text, namespaceHTMLElements=False)
    rows = {r.find("th/a").text: r for r in doc.find(".//table[@class='stances']").iter("tr") if r.find("th/a") is not None}
    russia = ["".join(li.itertext()).split() for li in rows["Russia"].iter("li")]
    assert russia == [["the", "treaty:", "supports", "1999-02-23"], ["its", "revision:", "opposes", "1999-02-23"]]
    assert "→" not in "".join(rows["Russia"].itertext())
    doc = html5lib.parse(requests.get(live.url + "/page/treaty/start-ii").text, namespaceHTMLElements=False)
    rows = {r.find("th/a").text: r for r in doc.find(".//table[@class='stances']").iter("tr") if r.find("th/a") is not None}
    ratification = next(li for li in rows["Russia"].iter("li") if "ratification" in "".join(li.itertext()))
    text = " ".join("".join(ratification.itertext()).split())
    assert text == "its ratification: supports 1999-02-23 → opposes 1999-05-28 (changed)", text
