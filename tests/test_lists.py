"""Long lists page (?page=, rel="next"/"prev") and every list downloads as CSV, on a real server
whose page size is 2 (so the seed graph's lists are long)."""
from __future__ import annotations

import csv
import io
from urllib.parse import urljoin

import html5lib
import pytest
import requests

from conftest import LiveServer

DIP = "https://w3id.org/communique/ontology#"
SECTIONS = {  # list name: (its section's heading id, the kind of page its items link to)
    "meetings": ("h-meetings", "/page/meeting/"), "positions": ("h-positions", "/page/position/"),
    "held": ("h-held", "/page/meeting/"), "articles": ("h-articles", "/page/article/"),
    "stances": ("h-over-time", "/page/position/"),
}


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    server = LiveServer(tmp_path_factory.mktemp("lists"), "--page-size", "2")
    yield server
    server.stop()


def parse(r):
    assert r.status_code == 200, r.text[:300]
    return html5lib.parse(r.text, namespaceHTMLElements=False)


def section(doc, name):
    heading, _ = SECTIONS[name]
    return next((s for s in doc.iter("section") if s.get("aria-labelledby") == heading), None)


def items(doc, name):
    s = section(doc, name)
    if s is None:
        return []
    prefix = SECTIONS[name][1]
    seen = []
    for a in s.iter("a"):
        href = a.get("href", "")
        if href.startswith(prefix) and href not in seen:
            seen.append(href)
    return seen


def count(server, pattern: str) -> int:
    q = f"PREFIX dip: <{DIP}> PREFIX schema: <https://schema.org/> SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {pattern} }}"
    r = requests.get(server.url + "/sparql", params={"query": q}, headers={"Accept": "application/json"})
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def test_every_item_of_a_long_list_is_reached_by_following_rel_next(small):
    def iri(path):
        return f"<{small.url}/id/{path}>"

    expected = {("state/russia", "positions"): count(small, f"?x a dip:Position ; dip:holder {iri('state/russia')}"),
                ("state/russia", "articles"): count(small, f"?x schema:mentions {iri('state/russia')}"),
                ("person/yevgeny-primakov", "meetings"):
                    count(small, f"?x a dip:Meeting ; dip:participant {iri('person/yevgeny-primakov')}"),
                ("place/moscow", "held"): count(small, f"?x a dip:Meeting ; dip:location {iri('place/moscow')}"),
                ("treaty/start-ii", "stances"): count(small, f"?x a dip:Position ; dip:topic {iri('treaty/start-ii')}")}
    assert all(n > 2 for n in expected.values()), expected  # each list is longer than a page
    for (path, name), total in expected.items():
        url, pages, found = small.url + f"/page/{path}?list={name}", 0, []
        while url:
            doc = parse(requests.get(url))
            pages += 1
            on_page = items(doc, name)
            assert 0 < len(on_page) <= 2, (name, url)
            found += on_page
            assert all(section(doc, other) is None for other in SECTIONS if other != name)  # one list only
            head = {link.get("rel"): link.get("href") for link in doc.iter("link") if link.get("rel") in ("next", "prev")}
            body = {a.get("rel"): a.get("href") for a in section(doc, name).iter("a") if a.get("rel") in ("next", "prev")}
            assert body == head, url  # the same links in the head and under the list
            if pages == 1:
                assert "prev" not in head
            else:
                assert head["prev"] == f"/page/{path}?list={name}" + (f"&page={pages - 1}" if pages > 2 else "")
            url = urljoin(url, head["next"]) if "next" in head else None
        assert len(found) == len(set(found)) == total, (path, name, found)
        assert pages == -(-total // 2)


def test_the_whole_page_shows_the_first_page_of_every_list_and_links_the_next(small):
    doc = parse(requests.get(small.url + "/page/state/russia"))
    for name in ("meetings", "positions", "held", "articles"):
        s = section(doc, name)
        if s is None:
            continue
        assert len(items(doc, name)) <= 2
        pager = next(p for p in s.iter("p") if "pager" in (p.get("class") or ""))
        text = " ".join("".join(pager.itertext()).split())
        assert text.startswith("1–") or "as CSV" in text, text
    head = [link.get("href") for link in doc.iter("link") if link.get("rel") == "next"]
    assert head == ["/page/state/russia?page=2"]
    page2 = parse(requests.get(small.url + head[0]))  # every list of the page, at its second page
    assert items(page2, "positions") and not set(items(page2, "positions")) & set(items(doc, "positions"))
    assert items(page2, "articles") and not set(items(page2, "articles")) & set(items(doc, "articles"))


def test_every_list_on_a_page_downloads_as_csv(small):
    for path in ("/page/state/russia", "/page/treaty/start-ii", "/page/person/yevgeny-primakov", "/page/place/moscow"):
        doc = parse(requests.get(small.url + path))
        shown = [name for name in SECTIONS if section(doc, name) is not None]
        assert shown, path
        for name in shown:
            links = [a.get("href") for a in section(doc, name).iter("a") if "csv" in (a.get("class") or "")]
            assert links == [f"{path}?list={name}&format=csv"], (path, name, links)
            r = requests.get(small.url + links[0])
            assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/csv")
            assert "attachment" in r.headers["Content-Disposition"]
            table = list(csv.DictReader(io.StringIO(r.text)))
            # the CSV has every item (not one page of 2), the same as following the pages
            listed, url = [], small.url + f"{path}?list={name}"
            while url:
                page = parse(requests.get(url))
                listed += items(page, name)
                nxt = [link.get("href") for link in page.iter("link") if link.get("rel") == "next"]
                url = urljoin(url, nxt[0]) if nxt else None
            assert [row["iri"].split("/id/", 1)[1] for row in table] == [h.split("/page/", 1)[1] for h in listed]


def test_csv_columns(small):
    r = requests.get(small.url + "/page/state/russia", params={"list": "positions", "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(r.text)))
    first = rows[0]
    assert set(first) >= {"iri", "holder", "stance", "action", "topic", "topic_label", "reported", "quote", "rule"}
    assert {row["holder_label"] for row in rows} == {"Russia"}
    assert all(row["stance"] in ("Support", "Opposition") for row in rows) and all(row["quote"] for row in rows)
    r = requests.get(small.url + "/page/state/russia", params={"list": "meetings", "format": "csv"})
    meetings = list(csv.DictReader(io.StringIO(r.text)))
    assert all("Russia" in m["participants"] for m in meetings)


@pytest.mark.parametrize("query, status", [
    ({"page": "0"}, 400), ({"page": "two"}, 400), ({"list": "nothing"}, 404), ({"format": "csv"}, 400),
    ({"list": "stances"}, 404),  # a state's page has no stances list (a treaty's has)
    ({"format": "xlsx"}, 406),
])
def test_bad_list_requests(small, query, status):
    r = requests.get(small.url + "/page/state/russia", params=query, headers={"Accept": "application/json"})
    assert r.status_code == status, r.text
    assert r.json()["error"]["status"] == status
