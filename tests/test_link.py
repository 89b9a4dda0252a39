"""`communique link`: Wikidata QIDs proposed for what the gazetteer lacks, reviewed, then accepted.

There is no internet here: a real HTTP server on 127.0.0.1 (http.server in a thread) answers
wbsearchentities and wbgetentities in the shapes the Wikibase API documents (the canonical Wikibase JSON
of entities, statements with mainsnak, qualifiers and ranks; search hits with id, concepturi, display,
label, description and match). The items are invented for these tests (QIDs Q9000xx).
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
import yaml

from conftest import free_port

ROOT = Path(__file__).resolve().parent.parent
GAZETTEER = ROOT / "mappings" / "gazetteer"
CONTACT = "https://example.org/communique-tests"

ARTICLE = """\
---
title: Ministers meet in Moscow
date: 1999-03-10
source: The Alpine Courier
---
MOSCOW, March 10 (Reuters) - Austrian Foreign Minister Anselm Brandauer met Russian Foreign Minister Igor Ivanov \
in Moscow today. Finnish Foreign Minister Kalle Virtanen also met Ivanov. Danish Defence Minister Jens Okholm met \
Ivanov on Tuesday.
"""

# --- the items of the fake Wikidata ---------------------------------------------------------------------------
GREGORIAN = "http://www.wikidata.org/entity/Q1985727"


def _snak(prop, datavalue, datatype):
    return {"snaktype": "value", "property": prop, "hash": hashlib.sha1(json.dumps([prop, datavalue]).encode()).hexdigest(),
            "datavalue": datavalue, "datatype": datatype}


def item_value(prop, qid):
    return _snak(prop, {"value": {"entity-type": "item", "numeric-id": int(qid[1:]), "id": qid},
                        "type": "wikibase-entityid"}, "wikibase-item")


def time_value(prop, year, month=1, day=1, precision=11):
    return _snak(prop, {"value": {"time": f"+{year:04d}-{month:02d}-{day:02d}T00:00:00Z", "timezone": 0, "before": 0,
                                  "after": 0, "precision": precision, "calendarmodel": GREGORIAN}, "type": "time"}, "time")


def statement(qid, n, mainsnak, qualifiers=None, rank="normal"):
    st = {"mainsnak": mainsnak, "type": "statement", "id": f"{qid}$00000000-0000-4000-8000-{n:012d}", "rank": rank}
    if qualifiers:
        st["qualifiers"] = {}
        for q in qualifiers:
            st["qualifiers"].setdefault(q["property"], []).append(q)
        st["qualifiers-order"] = list(st["qualifiers"])
    return st


def item(qid, label, description, *snaks, aliases=()):
    """An item as wbgetentities gives it (props labels|descriptions|aliases|claims); snaks are mainsnaks or
    (mainsnak, [qualifier snaks]) pairs."""
    claims = {}
    for n, s in enumerate(snaks, 1):
        main, quals = s if isinstance(s, tuple) else (s, None)
        claims.setdefault(main["property"], []).append(statement(qid, n, main, quals))
    return {"type": "item", "id": qid,
            "labels": {"en": {"language": "en", "value": label}},
            "descriptions": {"en": {"language": "en", "value": description}} if description else {},
            "aliases": {"en": [{"language": "en", "value": a} for a in aliases]} if aliases else {},
            "claims": claims}


HUMAN, AUSTRIA, GERMANY, FINLAND, DENMARK, SWEDEN = "Q5", "Q40", "Q183", "Q33", "Q35", "Q34"
ITEMS = {i["id"]: i for i in [
    # the one meant: an Austrian, born 1948, foreign minister 1997-2002
    item("Q900001", "Anselm Brandauer", "Austrian diplomat and politician", item_value("P31", HUMAN),
         item_value("P27", AUSTRIA), time_value("P569", 1948, 5, 2),
         (item_value("P39", "Q900010"), [time_value("P580", 1997, 2, 1), time_value("P582", 2002, 10, 1)])),
    # namesakes: too young in 1999, a German, and a foundation
    item("Q900002", "Anselm Brandauer", "Austrian footballer", item_value("P31", HUMAN), item_value("P27", AUSTRIA),
         time_value("P569", 1990, 7, 14)),
    item("Q900003", "Anselm Brandauer", "German painter", item_value("P31", HUMAN), item_value("P27", GERMANY),
         time_value("P569", 1931)),
    item("Q900004", "Anselm Brandauer Foundation", "charity in Graz", item_value("P31", "Q163740"),
         item_value("P17", AUSTRIA)),
    item("Q900010", "Minister of Foreign Affairs of Austria", "cabinet position", item_value("P31", "Q4164871")),
    # two Finnish Kalle Virtanens, nothing tells them apart
    item("Q900030", "Kalle Virtanen", "Finnish diplomat", item_value("P31", HUMAN), item_value("P27", FINLAND),
         time_value("P569", 1950)),
    item("Q900031", "Kalle Virtanen", "Finnish politician", item_value("P31", HUMAN), item_value("P27", FINLAND),
         time_value("P569", 1955), aliases=["Kalle J. Virtanen"]),
    # Jens Okholm: a Swede, and a Dane who died in 1920
    item("Q900040", "Jens Okholm", "Swedish chemist", item_value("P31", HUMAN), item_value("P27", SWEDEN),
         time_value("P569", 1944)),
    item("Q900041", "Jens Okholm", "Danish officer", item_value("P31", HUMAN), item_value("P27", DENMARK),
         time_value("P569", 1861), time_value("P570", 1920)),
    # a person in Wikidata without a class, and a film sharing the name
    item("Q900042", "Jens Okholm", "", item_value("P27", DENMARK)),
    item("Q900043", "Jens Okholm", "1978 film", item_value("P31", "Q11424")),
]}


class FakeWikidata:
    """api.php on 127.0.0.1: wbsearchentities (prefix match on English labels and aliases) and wbgetentities.
    `mode` makes it misbehave: "500", "badjson", "apierror", or a list of answers to give first
    ("maxlag", "429")."""

    def __init__(self):
        self.requests: list[dict] = []
        self.mode = None
        self.before: list[str] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                url = urlparse(self.path)
                params = {k: v[0] for k, v in parse_qs(url.query).items()}
                fake.requests.append({"at": time.monotonic(), "path": url.path, "params": params,
                                      "user_agent": self.headers.get("User-Agent", "")})
                status, headers, body = fake.answer(url.path, params)
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.api = f"http://127.0.0.1:{self.server.server_address[1]}/w/api.php"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def answer(self, path, params):
        js = {"Content-Type": "application/json; charset=utf-8"}
        if self.before:
            kind = self.before.pop(0)
            if kind == "maxlag":
                return 200, {**js, "Retry-After": "0", "X-Database-Lag": "6"}, json.dumps({
                    "error": {"code": "maxlag", "info": "Waiting for 10.64.0.1: 6 seconds lagged.", "host": "10.64.0.1",
                              "lag": 6, "type": "db", "*": "See https://www.wikidata.org/w/api.php for API usage."},
                    "servedby": "mw-api-ext.test"}).encode()
            if kind == "429":
                return 429, {"Content-Type": "text/plain", "Retry-After": "0"}, b"Too many requests"
        if self.mode == "500":
            return 500, {"Content-Type": "text/html"}, b"<html><body>Internal error</body></html>"
        if self.mode == "badjson":
            return 200, {"Content-Type": "text/html"}, b"<!DOCTYPE html><title>Wikimedia Error</title>"
        if self.mode == "apierror":
            return 200, js, json.dumps({"error": {"code": "badvalue", "info": "Unrecognized value for parameter \"type\".",
                                                  "*": "See the API help."}, "servedby": "mw-api-ext.test"}).encode()
        if path != "/w/api.php" or params.get("format") != "json":
            return 404, {"Content-Type": "text/plain"}, b"not here"
        if params.get("action") == "wbsearchentities":
            return 200, js, json.dumps(self.search(params)).encode()
        if params.get("action") == "wbgetentities":
            return 200, js, json.dumps(self.entities(params)).encode()
        return 200, js, json.dumps({"error": {"code": "badvalue", "info": "Unrecognized value for parameter \"action\"."}}).encode()

    @staticmethod
    def search(params):
        text = params.get("search", "").casefold()
        limit = int(params.get("limit", 7))
        hits = []
        for qid, it in ITEMS.items():
            lab = it["labels"]["en"]["value"]
            alias = next((a["value"] for a in it["aliases"].get("en", []) if a["value"].casefold().startswith(text)), None)
            if not (lab.casefold().startswith(text) or alias):
                continue
            desc = it["descriptions"].get("en", {}).get("value")
            hit = {"id": qid, "title": qid, "pageid": int(qid[1:]) + 1000, "repository": "wikidata",
                   "url": f"//www.wikidata.org/wiki/{qid}", "concepturi": f"http://www.wikidata.org/entity/{qid}",
                   "display": {"label": {"value": lab, "language": "en"}}, "label": lab,
                   "match": {"type": "label" if lab.casefold().startswith(text) else "alias", "language": "en",
                             "text": lab if lab.casefold().startswith(text) else alias}}
            if desc:
                hit["display"]["description"] = {"value": desc, "language": "en"}
                hit["description"] = desc
            if alias and not lab.casefold().startswith(text):
                hit["aliases"] = [alias]
            hits.append(hit)
        out = {"searchinfo": {"search": params.get("search", "")}, "search": hits[:limit]}
        if len(hits) > limit:
            out["search-continue"] = limit
        out["success"] = 1
        return out

    @staticmethod
    def entities(params):
        props = params.get("props", "info|sitelinks|aliases|labels|descriptions|claims|datatype").split("|")
        out = {}
        for qid in params.get("ids", "").split("|"):
            it = ITEMS.get(qid)
            if it is None:
                out[qid] = {"id": qid, "missing": ""}
                continue
            out[qid] = {"type": "item", "id": qid, **{p: it[p] for p in ("labels", "descriptions", "aliases", "claims")
                                                       if p in props}}
        return {"entities": out, "success": 1}


@pytest.fixture()
def fake():
    f = FakeWikidata()
    yield f
    f.close()


@pytest.fixture()
def article(tmp_path):
    path = tmp_path / "articles" / "ministers.txt"
    path.parent.mkdir()
    path.write_text(ARTICLE, encoding="utf-8")
    return path


@pytest.fixture()
def gazetteer(tmp_path):
    target = tmp_path / "gazetteer"
    shutil.copytree(GAZETTEER, target)
    return target


def link(tmp_path, fake_api, *args, rate="50", contact=CONTACT):
    """`communique link` in this process (server.cli.main); returns (exit code, stderr)."""
    from server.cli import main

    argv = ["link", *args, "--wikidata-api", fake_api, "--wikidata-rate", rate,
            "--wikidata-cache", str(tmp_path / "cache.sqlite3"), "--wikidata-contact", contact]
    return main(argv)


def review_of(path):
    return {item["entity"]: item for item in yaml.safe_load(Path(path).read_text(encoding="utf-8"))}


def test_a_minted_person_gets_the_human_who_fits_and_namesakes_are_rejected(tmp_path, fake, article, gazetteer, capsys):
    out = tmp_path / "review.yaml"
    assert link(tmp_path, fake.api, str(article), "--gazetteer", str(gazetteer), "-o", str(out)) == 0
    err = capsys.readouterr().err
    assert "person/anselm-brandauer (Anselm Brandauer): proposed Q900001" in err
    text = out.read_text(encoding="utf-8")
    assert "communique link --accept review.yaml" in text and "Nothing here is accepted yet" in text
    review = review_of(out)
    b = review["person/anselm-brandauer"]
    assert b["status"] == "proposed" and b["proposed"] == "Q900001" and b["accept"] is False
    assert b["context"]["roles"] == ["Foreign Minister"] and b["context"]["countries"] == ["Austria (Q40)"]
    assert b["context"]["dates"] == ["1999-03-10"]
    cands = {c["qid"]: c for c in b["candidates"]}
    best = cands["Q900001"]
    assert best["verdict"] == "plausible" and best["score"] == 100
    assert best["label"] == "Anselm Brandauer" and best["description"] == "Austrian diplomat and politician"
    evidence = " | ".join(best["evidence"])
    assert "instance of human (Q5)" in evidence and "citizen of Austria (Q40, P27)" in evidence
    assert "'Minister of Foreign Affairs of Austria' (Q900010, 1997–2002) fits the role 'Foreign Minister' in 1999" \
        in evidence and "born 1948" in evidence
    assert cands["Q900002"]["verdict"] == "rejected: born 1990: 9 years old at the article of 1999"
    assert cands["Q900003"]["verdict"].startswith("rejected: citizen of Q183 (P27); the articles say Austria (Q40)")
    assert cands["Q900004"]["verdict"].startswith("rejected: no name of its is within 90%")
    assert best["fetched"] == time.strftime("%Y-%m-%d", time.gmtime())
    # entities that have a QID (Igor Ivanov, Moscow, Russia) are not proposed again
    assert not any(k in review for k in ("person/igor-ivanov", "place/moscow", "state/russia"))


def test_namesakes_with_the_wrong_country_or_dates_give_no_proposal(tmp_path, fake, article, gazetteer):
    out = tmp_path / "review.yaml"
    assert link(tmp_path, fake.api, str(article), "--gazetteer", str(gazetteer), "-o", str(out)) == 0
    j = review_of(out)["person/jens-okholm"]
    assert j["status"] == "none" and j["proposed"] is None
    verdicts = {c["qid"]: c["verdict"] for c in j["candidates"]}
    assert verdicts["Q900040"].startswith("rejected: citizen of Q34 (P27)")
    assert verdicts["Q900041"] == "rejected: died 1920, before the article of 1999"
    assert verdicts["Q900042"] == "rejected: instance of no class (P31), not a class expected for a Person"
    assert verdicts["Q900043"] == "rejected: instance of Q11424, not a class expected for a Person"


def test_two_plausible_candidates_are_ambiguous_and_none_is_picked(tmp_path, fake, article, gazetteer):
    out = tmp_path / "review.yaml"
    assert link(tmp_path, fake.api, str(article), "--gazetteer", str(gazetteer), "-o", str(out)) == 0
    k = review_of(out)["person/kalle-virtanen"]
    assert k["status"] == "ambiguous" and k["proposed"] is None
    assert {c["qid"] for c in k["candidates"] if c["verdict"] == "plausible"} == {"Q900030", "Q900031"}


def test_requests_are_polite_and_a_rerun_is_answered_from_the_cache(tmp_path, fake, article, gazetteer, capsys):
    out = tmp_path / "review.yaml"
    assert link(tmp_path, fake.api, str(article), "--gazetteer", str(gazetteer), "-o", str(out)) == 0
    first = len(fake.requests)
    # three searches (Brandauer, Virtanen, Okholm; the rest of the article has QIDs), three entity batches, and
    # the labels of the positions held, for the one person with a role and a P39
    actions = [r["params"]["action"] for r in fake.requests]
    assert actions.count("wbsearchentities") >= 3 and actions.count("wbgetentities") >= 4
    for r in fake.requests:
        ua = r["user_agent"]
        assert ua.startswith("communique/") and f"({CONTACT})" in ua and "python-requests/" in ua, ua
        assert r["params"]["maxlag"] == "5" and r["params"]["format"] == "json"
    search = next(r["params"] for r in fake.requests if r["params"]["action"] == "wbsearchentities")
    assert search["language"] == "en" and search["type"] == "item"
    batch = next(r["params"] for r in fake.requests if r["params"]["action"] == "wbgetentities")
    assert "claims" in batch["props"].split("|") and len(batch["ids"].split("|")) > 1  # one request for all candidates
    capsys.readouterr()
    again = tmp_path / "again.yaml"
    assert link(tmp_path, fake.api, str(article), "--gazetteer", str(gazetteer), "-o", str(again)) == 0
    assert len(fake.requests) == first  # nothing asked twice
    assert "0 requests sent" in capsys.readouterr().err
    strip = lambda p: [line for line in p.read_text().splitlines() if not line.startswith("#")]  # noqa: E731
    assert strip(out) == strip(again)


def test_the_rate_limit_spaces_requests(tmp_path, fake, article, gazetteer):
    assert link(tmp_path, fake.api, str(article), "--gazetteer", str(gazetteer), "-o", str(tmp_path / "r.yaml"),
                rate="20") == 0
    times = [r["at"] for r in fake.requests]
    n = len(times)
    assert n >= 6
    assert times[-1] - times[0] >= (n - 1) / 20 * 0.95, (n, times[-1] - times[0])
    # one at a time: no two requests closer than the interval allows (with a little slack for the clock)
    assert min(b - a for a, b in zip(times, times[1:])) >= 1 / 20 * 0.8


def test_maxlag_and_429_are_retried(tmp_path, fake, article, gazetteer, capsys):
    fake.before = ["maxlag", "429", "maxlag"]
    out = tmp_path / "review.yaml"
    assert link(tmp_path, fake.api, str(article), "--gazetteer", str(gazetteer), "-o", str(out)) == 0
    assert review_of(out)["person/anselm-brandauer"]["proposed"] == "Q900001"
    first = fake.requests[:4]
    assert [r["params"]["action"] for r in first] == ["wbsearchentities"] * 4
    assert len({r["params"]["search"] for r in first}) == 1  # the same request, asked again


def test_accept_writes_the_gazetteer_with_its_source_and_the_next_extraction_links_it(
        tmp_path, fake, article, gazetteer, capsys):
    out = tmp_path / "review.yaml"
    assert link(tmp_path, fake.api, str(article), "--gazetteer", str(gazetteer), "-o", str(out)) == 0
    before = {p.name: p.read_bytes() for p in gazetteer.iterdir()}
    # nothing marked: nothing accepted
    assert link(tmp_path, fake.api, "--accept", str(out), "--gazetteer", str(gazetteer)) == 0
    assert {p.name: p.read_bytes() for p in gazetteer.iterdir()} == before
    text = out.read_text(encoding="utf-8")
    items = yaml.safe_load(text)
    for it in items:
        if it["entity"] == "person/anselm-brandauer":
            it["accept"] = True
        if it["entity"] == "person/kalle-virtanen":
            it["accept"] = True  # ambiguous: `true` is refused, a QID must be chosen
    out.write_text(yaml.safe_dump(items, sort_keys=False), encoding="utf-8")
    capsys.readouterr()
    assert link(tmp_path, fake.api, "--accept", str(out), "--gazetteer", str(gazetteer)) == 1
    err = capsys.readouterr().err
    assert "nothing was accepted" in err and "person/kalle-virtanen" in err and "ambiguous" in err
    assert {p.name: p.read_bytes() for p in gazetteer.iterdir()} == before
    for it in items:
        if it["entity"] == "person/kalle-virtanen":
            it["accept"] = "Q900031"
    out.write_text(yaml.safe_dump(items, sort_keys=False), encoding="utf-8")
    assert link(tmp_path, fake.api, "--accept", str(out), "--gazetteer", str(gazetteer)) == 0
    err = capsys.readouterr().err
    assert "person/anselm-brandauer = Q900001" in err and "Accepted 2 links" in err
    linked = yaml.safe_load((gazetteer / "linked.yaml").read_text(encoding="utf-8"))
    entry = {e["id"]: e for e in linked}["anselm-brandauer"]
    today = time.strftime("%Y-%m-%d", time.gmtime())
    assert entry["type"] == "Person" and entry["label"] == "Anselm Brandauer" and entry["wikidata"] == "Q900001"
    assert entry["source"].startswith(f"wikidata API wbgetentities, {today} ({fake.api}: Q900001 'Anselm Brandauer'")
    from mappings.gazetteer import load

    assert load(gazetteer).get("kalle-virtanen").wikidata == "Q900031"
    # the next extraction links them
    from rdflib import Graph, URIRef
    from rdflib.namespace import OWL

    from server.cli import main

    capsys.readouterr()
    assert main(["extract", str(article), "--gazetteer", str(gazetteer), "--format", "nt"]) == 0
    g = Graph().parse(data=capsys.readouterr().out, format="nt")
    person = URIRef("http://localhost:5000/id/person/anselm-brandauer")
    assert (person, OWL.sameAs, URIRef("http://www.wikidata.org/entity/Q900001")) in g
    assert (URIRef("http://localhost:5000/id/person/kalle-virtanen"), OWL.sameAs,
            URIRef("http://www.wikidata.org/entity/Q900031")) in g
    # and a rerun of link no longer proposes them
    assert link(tmp_path, fake.api, str(article), "--gazetteer", str(gazetteer), "-o", str(tmp_path / "r2.yaml")) == 0
    assert set(review_of(tmp_path / "r2.yaml")) == {"person/jens-okholm"}


TREATY_ARTICLE = """\
---
title: Test ban
date: 1999-10-14
---
WASHINGTON, Oct. 14 (Reuters) - Russian Foreign Minister Igor Ivanov urged the U.S. Senate to ratify the \
Comprehensive Nuclear-Test-Ban Treaty.
"""


def test_accept_adds_the_qid_to_an_existing_gazetteer_entry_and_keeps_its_layout(tmp_path, fake, gazetteer, capsys):
    ITEMS["Q900050"] = item("Q900050", "Comprehensive Nuclear-Test-Ban Treaty", "multilateral treaty banning nuclear tests",
                            item_value("P31", "Q131569"), time_value("P585", 1996, 9, 24), aliases=["CTBT"])
    ITEMS["Q900051"] = item("Q900051", "Comprehensive Nuclear-Test-Ban Treaty Organization", "international organization",
                            item_value("P31", "Q484652"))
    try:
        path = tmp_path / "ctbt.txt"
        path.write_text(TREATY_ARTICLE, encoding="utf-8")
        out = tmp_path / "review.yaml"
        assert link(tmp_path, fake.api, str(path), "--gazetteer", str(gazetteer), "--type", "Treaty", "-o", str(out)) == 0
        t = review_of(out)["treaty/ctbt"]
        assert t["status"] == "proposed" and t["proposed"] == "Q900050" and t["context"]["year"] == 1996
        assert any("point in time 1996 (P585)" in e for e in t["candidates"][0]["evidence"])
        items = yaml.safe_load(out.read_text())
        items[0]["accept"] = True
        out.write_text(yaml.safe_dump(items), encoding="utf-8")
        original = (gazetteer / "treaties.yaml").read_text(encoding="utf-8")
        assert link(tmp_path, fake.api, "--accept", str(out), "--gazetteer", str(gazetteer)) == 0
        changed = (gazetteer / "treaties.yaml").read_text(encoding="utf-8")
        added = [line for line in changed.splitlines() if line not in original.splitlines()]
        assert len(added) == 2 and added[0] == "  wikidata: Q900050" and added[1].startswith('  source: "wikidata API')
        assert changed.splitlines()[:4] == original.splitlines()[:4]  # the header comments stay
        assert not (gazetteer / "linked.yaml").exists()
        from mappings.gazetteer import load

        assert load(gazetteer).get("ctbt").wikidata == "Q900050"
    finally:
        ITEMS.pop("Q900050")
        ITEMS.pop("Q900051")


def test_without_a_contact_no_request_is_sent(tmp_path, fake, article, gazetteer, capsys):
    assert link(tmp_path, fake.api, str(article), "--gazetteer", str(gazetteer), "-o", str(tmp_path / "r.yaml"),
                contact="") == 1
    assert "wikidata_contact" in capsys.readouterr().err and fake.requests == []
    assert not (tmp_path / "r.yaml").exists()


# --- errors, as a user sees them: a plain message, exit 1, no traceback, nothing changed ------------------------
def run_link(tmp_path, api, *args):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("COMMUNIQUE_WIKIDATA_CONTACT", None)
    return subprocess.run([sys.executable, "-m", "server.cli", "link", *args, "--wikidata-api", api,
                           "--wikidata-rate", "50", "--wikidata-cache", str(tmp_path / "cache.sqlite3"),
                           "--wikidata-contact", CONTACT], capture_output=True, text=True, cwd=ROOT, env=env, timeout=180)


def snapshot(directory: Path) -> dict:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.iterdir())}


@pytest.mark.parametrize("mode, message", [
    ("unreachable", "cannot reach the Wikidata API at"),
    ("500", "answered wbsearchentities with HTTP 500"),
    ("badjson", "with something that is not a JSON object (text/html"),
    ("apierror", "refused wbsearchentities: badvalue"),
])
def test_errors_are_a_plain_message(tmp_path, fake, article, gazetteer, mode, message):
    api = f"http://127.0.0.1:{free_port()}/w/api.php" if mode == "unreachable" else fake.api
    fake.mode = mode
    before = snapshot(gazetteer)
    out = tmp_path / "review.yaml"
    run = run_link(tmp_path, api, str(article), "--gazetteer", str(gazetteer), "-o", str(out))
    assert run.returncode == 1, run.stderr
    assert message in run.stderr and "No review file was written" in run.stderr, run.stderr
    assert "Traceback" not in run.stderr
    assert not out.exists() and snapshot(gazetteer) == before


def test_a_broken_review_file_changes_nothing(tmp_path, fake, gazetteer):
    before = snapshot(gazetteer)
    bad = tmp_path / "review.yaml"
    bad.write_text("- entity: person/x\n  accept: [unclosed\n", encoding="utf-8")
    run = run_link(tmp_path, fake.api, "--accept", str(bad), "--gazetteer", str(gazetteer))
    assert run.returncode == 1 and "is not valid YAML" in run.stderr and "Traceback" not in run.stderr
    bad.write_text(yaml.safe_dump([{"entity": "person/x", "type": "Person", "label": "X", "status": "proposed",
                                    "proposed": "Q1", "accept": "Q2", "candidates": [{"qid": "Q1"}]}]))
    run = run_link(tmp_path, fake.api, "--accept", str(bad), "--gazetteer", str(gazetteer))
    assert run.returncode == 1 and "Q2 is not one of its candidates" in run.stderr and "Traceback" not in run.stderr
    assert snapshot(gazetteer) == before and fake.requests == []


def test_a_name_and_a_class_alone_are_not_enough():
    """Without a country, a role held at the date or a treaty's year to agree, the exact namesake is weak."""
    from server.cli.link import Subject, score

    alone = Subject("http://localhost:5000/id/person/anselm-brandauer", "Person", "Anselm Brandauer",
                    dates=["1999-03-10"])
    c = score(alone, ITEMS["Q900001"], {})
    assert c.verdict == "weak" and not c.plausible and c.score == 70
    assert "nothing but its name and class agrees with the articles: not proposed" in c.evidence
    # with the role, and its dates, it is corroborated
    alone.roles = ["Foreign Minister"]
    c = score(alone, ITEMS["Q900001"], {"Q900010": "Minister of Foreign Affairs of Austria"})
    assert c.plausible and c.score == 80
    # the same position held only after the article's year does not count
    alone.dates = ["1990-01-01"]
    c = score(alone, ITEMS["Q900001"], {"Q900010": "Minister of Foreign Affairs of Austria"})
    assert c.verdict == "weak" and any("not at the articles' dates" in e for e in c.evidence)


def test_a_long_retry_after_stops_instead_of_waiting(tmp_path, fake, article, gazetteer, capsys):
    fake.before = ["429"]
    orig = fake.answer

    def slow(path, params):
        status, headers, body = orig(path, params)
        if status == 429:
            headers = {**headers, "Retry-After": "3600"}
        return status, headers, body

    fake.answer = slow
    before = snapshot(gazetteer)
    assert link(tmp_path, fake.api, str(article), "--gazetteer", str(gazetteer), "-o", str(tmp_path / "r.yaml")) == 1
    assert "asks to wait 3600 s" in capsys.readouterr().err and len(fake.requests) == 1
    assert not (tmp_path / "r.yaml").exists() and snapshot(gazetteer) == before
