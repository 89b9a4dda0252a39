"""Full-text search over the articles' text (SQLite FTS5): the index as plain functions, and /search over HTTP."""
from __future__ import annotations

import html5lib
import pytest
import requests

from conftest import SEEDS
from server.web.search import tokens
from server.web.textsearch import TextIndex, match_expression

ROWS = [
    ("x:a1", "Monitor 5:39", "Talbott met Primakov in Moscow to discuss the ABM treaty and missile defense.", "1999-02-23"),
    ("x:a2", "Monitor 5:40", "The Duma delayed ratification of START II; missile defense was not discussed.", "1999-02-24"),
    ("x:a3", "Zürich notes", "Talks in Zürich on <script>alert(1)</script> & other matters.", None),
]


@pytest.fixture(scope="module")
def index():
    return TextIndex(ROWS)


def test_every_word_is_required_and_the_last_may_be_a_prefix(index):
    assert index.search("missile defense")[0] == 2
    assert [h.iri for h in index.search("primakov missile")[1]] == ["x:a1"]
    assert index.search("ratif")[0] == 1  # a prefix of "ratification"
    assert index.search("ratif duma")[0] == 0  # only the last word is a prefix
    assert index.search("zurich")[0] == 1 and index.search("ZÜRICH")[0] == 1  # case and accents folded
    assert index.search("nothing like this") == (0, [])
    assert index.search("   ") == (0, [])


def test_query_syntax_never_reaches_fts5(index):
    for q in ('" OR 1', "missile NEAR(defense)", "body:missile", "*", "missile AND", "(", "defense -missile"):
        total, hits = index.search(q)  # no sqlite3.OperationalError: only words reach MATCH
        assert total == len(hits) or total > len(hits)
    assert match_expression('x" OR "y') == '"x" "or" "y"*'


def test_snippets_are_escaped_and_marked(index):
    [hit] = index.search("alert")[1]
    html = str(hit.snippet_html)
    assert "<script>" not in html and "&lt;script&gt;" in html and "<mark>alert</mark>" in html
    assert "<mark>" not in hit.snippet_text and "alert" in hit.snippet_text


def test_ranking_prefers_the_label(index):
    rows = ROWS + [("x:a4", "Missile defense, a primer", "An overview.", None)]
    assert TextIndex(rows).search("missile defense")[1][0].iri == "x:a4"


def _seed_texts() -> dict[str, str]:
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))}


@pytest.mark.parametrize("query", ["missile defense", "ratification", "closed-door", "warm chilled relations"])
def test_text_search_over_http_finds_the_articles_that_have_the_words(live, query):
    words = tokens(query)
    expected = {stem for stem, text in _seed_texts().items()
                if all(w in tokens(text) for w in words[:-1]) and any(t.startswith(words[-1]) for t in tokens(text))}
    assert expected, query
    r = requests.get(live.url + "/search", params={"q": query, "in": "text"}, headers={"Accept": "application/json"})
    text = r.json()["text"]
    assert text["count"] == len(expected)
    assert {h["href"].rsplit("/", 1)[1] for h in text["results"]} == expected
    assert all("<mark>" in h["snippet_html"] for h in text["results"])


def test_search_page_shows_names_and_text(live):
    doc = html5lib.parse(requests.get(live.url + "/search", params={"q": "Luzhkov"}).text, namespaceHTMLElements=False)
    names = [a.get("href") for a in doc.findall(".//ol[@class='results']/li/a")]
    assert names[0] == "/page/person/yuri-luzhkov"
    text_hits = doc.findall(".//ol[@class='results text-hits']/li")
    assert len(text_hits) == sum("Luzhkov" in t for t in _seed_texts().values())
    assert all(li.find(".//mark") is not None and li.find(".//mark").text == "Luzhkov" for li in text_hits)
