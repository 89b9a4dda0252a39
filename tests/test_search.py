"""Label and alias search: the index as plain functions, and /search as HTML and JSON."""
from __future__ import annotations

import pytest

from server.web.search import LabelIndex, Searcher, normalise, tokens

DIP = "https://w3id.org/communique/ontology#"
ROWS = [
    ("x:primakov", DIP + "Person", "Yevgeny Primakov", "Evgeny Primakov"),
    ("x:primakov", DIP + "Person", "Yevgeny Primakov", "Primakov"),
    ("x:prime", DIP + "Organization", "Primeval Agency", None),
    ("x:russia", DIP + "State", "Russia", None),
    ("x:russia", DIP + "Place", "Russia", None),
    ("x:abm", DIP + "Treaty", "Anti-Ballistic Missile Treaty", "ABM treaty"),
    ("x:gore", DIP + "Person", "Al Gore", None),
    ("x:zurich", DIP + "Place", "Zürich", None),
    ("x:article", DIP + "Article", "Monitor 5:39 — Primakov in Moscow", None),
]


@pytest.fixture(scope="module")
def index():
    return LabelIndex(ROWS)


def test_normalise_folds_case_and_accents():
    assert normalise("ZÜRICH") == "zurich"
    assert tokens("Anti-Ballistic Missile Treaty (ABM)") == ["anti", "ballistic", "missile", "treaty", "abm"]


@pytest.mark.parametrize("query, first", [
    ("Primakov", "x:primakov"),
    ("primak", "x:primakov"),  # a prefix of a label token
    ("yev prim", "x:primakov"),  # every word a prefix
    ("evgeny", "x:primakov"),  # an alias
    ("abm", "x:abm"),
    ("ballistic missile", "x:abm"),
    ("zurich", "x:zurich"),  # without the accent
    ("ZÜR", "x:zurich"),
    ("gore", "x:gore"),
])
def test_prefix_search_on_labels_and_aliases(index, query, first):
    hits = index.search(query)
    assert hits and hits[0].iri == first


def test_no_match_and_empty_query(index):
    assert index.search("nobody") == []
    assert index.search("   ") == []
    assert index.search("primakov zzz") == []


def test_ranking_and_types(index):
    hits = index.search("prim")
    assert [h.iri for h in hits] == ["x:prime", "x:primakov", "x:article"]  # names starting so first, articles last
    assert [h.type for h in index.search("russia")] == ["State"]  # one entry, shown as its most specific class
    alias = index.search("evgeny")[0]
    assert alias.label == "Yevgeny Primakov" and alias.matched == "Evgeny Primakov"


def test_entities_come_before_articles(index):
    assert [h.iri for h in index.search("mo")] == ["x:article"]
    assert [h.type for h in LabelIndex(ROWS + [("x:mo", DIP + "State", "Federal Republic", "Montenegro")]).search("mo")] \
        == ["State", "Article"]


@pytest.mark.parametrize("query, first", [
    ("primakof", "x:primakov"), ("Primakof", "x:primakov"), ("yevgeny-primakof", "x:primakov"),
    ("evgeni primakov", "x:primakov"), ("balistic misile", "x:abm"), ("zurch", "x:zurich"), ("rusia", "x:russia"),
])
def test_typos_are_forgiven(index, query, first):
    hits = index.search(query)
    assert hits and hits[0].iri == first, (query, hits)
    assert hits[0].fuzzy and 75 <= hits[0].score < 100


def test_fuzzy_matches_come_after_prefix_matches_and_stay_close(index):
    hits = index.search("prim")  # prefixes only: no typo needed, none forgiven
    assert hits and not any(h.fuzzy for h in hits)
    assert index.search("prim", fuzzy=False) == hits
    assert index.search("gor") == [h for h in index.search("gor") if not h.fuzzy]  # short tokens are never fuzzy
    assert index.search("nobody") == [] and index.search("xylophone") == []
    assert index.search("primakof", fuzzy=False) == []


def test_limit(index):
    assert len(index.search("p", limit=2)) == 2


class FakePool:
    def __init__(self):
        self.generation, self.calls = 0, 0

    def select(self, query):
        self.calls += 1
        label = "Yevgeny Primakov" if self.generation == 0 else "Igor Ivanov"
        if query == LabelIndex.TYPES:
            return [{"s": {"value": "x:" + label}, "type": {"value": DIP + "Person"}}]
        if query == LabelIndex.LABELS:
            return [{"s": {"value": "x:" + label}, "label": {"value": label}},
                    {"s": {"value": "x:meeting"}, "label": {"value": "A meeting"}}]  # not a searched class
        return [{"s": {"value": "x:" + label}, "alt": {"value": label.split()[-1]}}]


def test_searcher_rebuilds_only_when_the_store_changes():
    pool = FakePool()
    s = Searcher(pool)
    assert s.search("prim")[0].label == "Yevgeny Primakov"
    s.search("yev")
    assert s.search("meeting") == []
    assert pool.calls == 3  # one build: types, labels, aliases
    pool.generation += 1  # a write
    assert s.search("prim") == [] and s.search("ivan")[0].label == "Igor Ivanov"
    assert pool.calls == 6


# --- the endpoint ---------------------------------------------------------------------------


def test_search_json_for_autocomplete(client):
    r = client.get("/search", query_string={"q": "Primak"}, headers={"Accept": "application/json"})
    assert r.status_code == 200 and r.mimetype == "application/json" and "Accept" in r.headers["Vary"]
    data = r.get_json()
    first = data["results"][0]
    assert data["query"] == "Primak"
    assert first == {"iri": "http://localhost:5000/id/person/yevgeny-primakov", "label": "Yevgeny Primakov",
                     "type": "Person", "matched": "Yevgeny Primakov", "fuzzy": False,
                     "href": "/page/person/yevgeny-primakov"}


def test_search_html(client):
    r = client.get("/search", query_string={"q": "abm"}, headers={"Accept": "text/html"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and r.mimetype == "text/html"
    assert 'href="/page/treaty/abm-treaty"' in html and "Anti-Ballistic Missile Treaty" in html
    assert client.get("/search", query_string={"q": "<script>"}, headers={"Accept": "text/html"}).status_code == 200
    assert "<script>" not in client.get("/search", query_string={"q": "<script>"}).get_data(as_text=True)


def test_search_finds_every_kind_of_entity_in_the_seed_graph(client):
    for q, href in (("moscow", "/page/place/moscow"), ("russia", "/page/state/russia"), ("nato", "/page/organization/nato"),
                    ("talbott", "/page/person/strobe-talbott")):
        results = client.get("/search", query_string={"q": q, "format": "json"}).get_json()["results"]
        assert results[0]["href"] == href, q


def test_typo_search_over_http(live):
    import requests

    for q in ("yevgeny-primakof", "Primakof", "yevgenny primakow"):
        r = requests.get(live.url + "/search", params={"q": q}, headers={"Accept": "application/json"})
        first = r.json()["results"][0]
        assert first["href"] == "/page/person/yevgeny-primakov" and first["fuzzy"] is True, (q, first)
    html = requests.get(live.url + "/search", params={"q": "primakof"}, headers={"Accept": "text/html"}).text
    assert "Yevgeny Primakov" in html and "close spelling" in html


def test_404_suggests_the_entity_despite_a_typo(live):
    import html5lib
    import requests

    r = requests.get(live.url + "/id/person/yevgeny-primakof", headers={"Accept": "text/html"})
    assert r.status_code == 404
    doc = html5lib.parse(r.text, namespaceHTMLElements=False)
    suggested = [a.get("href") for a in doc.iter("a") if (a.get("href") or "").startswith("/page/")]
    assert suggested[0] == "/page/person/yevgeny-primakov", suggested
    r = requests.get(live.url + "/page/treaty/anti-balistic-missile-treaty")
    assert r.status_code == 404 and 'href="/page/treaty/abm-treaty"' in r.text


def test_autocomplete_endpoint(live):
    import requests

    r = requests.get(live.url + "/search/complete", params={"q": "Primak"})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/json")
    first = r.json()["results"][0]
    assert first["label"] == "Yevgeny Primakov" and first["href"] == "/page/person/yevgeny-primakov"
    assert first["type"] == "Person" and first["fuzzy"] is False
    assert requests.get(live.url + "/search/complete", params={"q": "talbot"}).json()["results"][0]["label"] \
        == "Strobe Talbott"
    assert len(requests.get(live.url + "/search/complete", params={"q": "m"}).json()["results"]) <= 8
    assert requests.get(live.url + "/search/complete", params={"q": ""}).json() == {"query": "", "results": []}
    r = requests.get(live.url + "/search/complete", params={"q": "mos"}, headers={"Origin": "https://elsewhere.example"})
    assert r.headers["Access-Control-Allow-Origin"] == "*"
