"""Only http, https and mailto IRIs become links, on every page: stored IRIs of other schemes, fetched over HTTP.

IRIs with other schemes (``javascript:``, ``data:``, ``vbscript:``, in mixed
case) are stored where writes allow them, and every page that shows them is
fetched from a real server: none of them is a link, and each is still shown.
"""
from __future__ import annotations

import re

import pytest
import requests

from test_writes import BROWSER, SEED, first_mention, update


@pytest.fixture(scope="module")
def server(live_seeded_rw):
    return live_seeded_rw


UNSAFE = ["javascript:alert(1)", "JaVaScRiPt:alert(2)", "data:text/html,%3Cscript%3Ealert(3)%3C/script%3E",
          "vbscript:msgbox(4)", "DATA:text/html;base64,PHNjcmlwdD5hbGVydCg1KTwvc2NyaXB0Pg=="]


def hrefs(html: str) -> list[str]:
    from html.parser import HTMLParser

    found = []

    class Links(HTMLParser):
        def handle_starttag(self, tag, attrs):
            for k, v in attrs:
                if k in ("href", "src", "action", "formaction", "cite") and v is not None:
                    found.append(v)

    Links().feed(html)
    return found


def assert_only_safe_links(html: str, where: str):
    for href in hrefs(html):
        scheme = re.match(r"\s*([A-Za-z][A-Za-z0-9+.-]*):", href)
        assert scheme is None or scheme.group(1).lower() in ("http", "https", "mailto"), (where, href)
        assert not href.lower().lstrip().startswith(("javascript", "data", "vbscript")), (where, href)


def test_stored_iris_of_other_schemes_are_text_not_links(server):
    """Stored in a graph of no article (writes there are free), and as an article's mention (the shapes allow
    any IRI there); every page that shows them is fetched over HTTP."""
    p, a = server.person, server.article
    objects = " , ".join(f"<{iri}>" for iri in UNSAFE)
    r = update(server, f"INSERT DATA {{ GRAPH <http://example.org/links> {{ <{p}> rdfs:seeAlso {objects} ; "
                       f"dip:affiliation <javascript:alert(6)> . <javascript:alert(7)> dip:participant <{p}> ; "
                       f"rdfs:label \"a meeting with a bad IRI\" }} }}")
    assert r.status_code == 204, r.text
    mention, _ = first_mention(server)
    r = update(server, f"DELETE {{ GRAPH <{a}> {{ <{mention}> dip:denotes ?e }} }} INSERT {{ GRAPH <{a}> {{ <{mention}> "
                       f"dip:denotes <JaVaScRiPt:alert(8)> }} }} WHERE {{ GRAPH <{a}> {{ <{mention}> dip:denotes ?e }} }}")
    assert r.status_code == 204, r.text
    pages = [f"/page/person/yevgeny-primakov", f"/page/{SEED}", "/search?q=primakov", "/"]
    for path in pages:
        r = requests.get(server.url + path, headers=BROWSER)
        assert r.status_code == 200, path
        assert_only_safe_links(r.text, path)
    person = requests.get(server.url + pages[0], headers=BROWSER).text
    for iri in UNSAFE[:2] + ["vbscript:msgbox(4)"]:
        assert iri in person, f"{iri} is shown as text"  # autoescaped, not dropped
    assert re.search(r'<span class="unlinked" title="javascript:alert\(1\)">', person)
    article = requests.get(server.url + pages[1], headers=BROWSER).text
    assert re.search(r'<span class="mention [^"]*" title="[^"]*" id="' + re.escape(mention.rsplit("#", 1)[1]), article)
    # the rest still links as before
    assert 'href="/page/state/russia"' in person or 'href="/page/' in person
    assert 'href="https://www.wikidata.org/wiki/' in person


def test_the_reported_xss_write_is_refused_and_the_page_has_no_javascript_link(server):
    r = update(server, f"INSERT DATA {{ GRAPH <{server.article}> {{ <{server.person}> owl:sameAs <javascript:alert(1)> }} }}")
    assert r.status_code == 422
    r = update(server, f"INSERT DATA {{ GRAPH <http://example.org/xss> {{ <{server.person}> owl:sameAs <javascript:alert(1)> }} }}")
    assert r.status_code == 204
    html = requests.get(server.url + "/page/person/yevgeny-primakov", headers=BROWSER).text
    assert 'href="javascript:' not in html.lower()
    assert_only_safe_links(html, "person page")


def test_safe_href_as_a_function():
    from server.web.render import safe_href

    for ok in ("http://x/", "HTTPS://x/", "mailto:a@b.c", "/page/person/x", "#s-1-2", "/ontology#Meeting"):
        assert safe_href(ok) == ok
    for bad in ("javascript:alert(1)", "JAVASCRIPT:x", "data:text/html,x", "vbscript:x", "file:///etc/passwd",
                "java\tscript:x", " javascript:x", "\x01javascript:x", "ftp://x/", "urn:isbn:1", "relative/path", ""):
        assert safe_href(bad) == "", bad


def test_search_results_and_autocomplete_never_link_other_schemes(server):
    """Search (HTML and JSON) and the autocomplete list a typed, labelled entity whatever its IRI; only a safe one
    gets an href (complete.js then opens nothing for it)."""
    r = update(server, 'INSERT DATA { GRAPH <http://example.org/links-search> { <JaVaScRiPt:alert(9)> a dip:Person ; '
                       'rdfs:label "Zyzzyx Scriptovich" } }')
    assert r.status_code == 204, r.text
    html = requests.get(server.url + "/search", params={"q": "zyzzyx"}, headers=BROWSER).text
    assert "Zyzzyx Scriptovich" in html
    assert_only_safe_links(html, "/search")
    found = requests.get(server.url + "/search", params={"q": "zyzzyx"}, headers={"Accept": "application/json"}).json()
    completed = requests.get(server.url + "/search/complete", params={"q": "zyzz"}).json()
    for results in (found["results"], completed["results"]):
        hit = next(h for h in results if h["iri"] == "JaVaScRiPt:alert(9)")
        assert hit["href"] == ""
    primakov = requests.get(server.url + "/search/complete", params={"q": "primakov"}).json()["results"]
    assert primakov and all(h["href"].startswith("/page/") for h in primakov)
