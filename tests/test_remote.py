"""communique on a remote SPARQL store: a real, private Virtuoso 7 on loopback (tests/virtuoso/).

Two Virtuoso instances per session: one that ``communique serve`` seeds (the page, search and
same-solutions tests), and one empty that the W3C protocol tests write to (they drop every graph
before each test). Both cap results at MAX_ROWS rows (ResultSetMaxRows), below the seeds' size, so
the cut is seen; communique reads quads from them in pages of PAGE rows.

The page, search and W3C protocol tests are the embedded store's own (test_pages, test_search,
test_protocol), collected here again with their ``live`` / ``live_rw`` fixtures pointing at
communique on Virtuoso. Without Virtuoso (``apt-get install virtuoso-opensource``) these tests skip,
except under CI=true, where they fail.
"""
from __future__ import annotations

import inspect
import json
import os
import re
import sys
from pathlib import Path

import pytest
import requests
from rdflib import Graph
from rdflib.compare import isomorphic

from conftest import ROOT, UPDATE_TOKEN, LiveServer, run_cli

sys.path.insert(0, str(ROOT / "tests" / "virtuoso"))
from instance import Virtuoso, available  # noqa: E402

import test_pages  # noqa: E402
import test_protocol  # noqa: E402
import test_search  # noqa: E402

MAX_ROWS = 2000
PAGE = 500
EXAMPLES = sorted(p for p in (ROOT / "server" / "web" / "examples").glob("*.rq") if "SERVICE" not in p.read_text())


def _virtuoso(tmp_path_factory, name: str) -> Virtuoso:
    why = available()
    if why:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but Virtuoso cannot run: {why} (.ci/run installs it)")
        pytest.skip(why)
    return Virtuoso(tmp_path_factory.mktemp(name), max_rows=MAX_ROWS).start()


@pytest.fixture(scope="session")
def virtuoso_seeded(tmp_path_factory):
    v = _virtuoso(tmp_path_factory, "virtuoso-seeded")
    yield v
    v.stop()


@pytest.fixture(scope="session")
def virtuoso_empty(tmp_path_factory):
    v = _virtuoso(tmp_path_factory, "virtuoso-empty")
    yield v
    v.stop()


@pytest.fixture(scope="session")
def remote(tmp_path_factory, virtuoso_seeded):
    """communique serve on the seeded Virtuoso (seeded by serve itself: the store holds no article)."""
    server = LiveServer(tmp_path_factory.mktemp("remote"), "--store-page", str(PAGE),
                        "--store-user", "writer", "--store-password", "secret",
                        store=virtuoso_seeded.endpoint, env={"COMMUNIQUE_UPDATE_TOKEN": UPDATE_TOKEN})
    server.auth = {"Authorization": f"Bearer {UPDATE_TOKEN}"}
    yield server
    server.stop()


@pytest.fixture(scope="session")
def live(remote):
    """The page and search tests' server, here on Virtuoso."""
    return remote


@pytest.fixture(scope="session")
def live_rw(tmp_path_factory, virtuoso_empty):
    """The W3C protocol tests' server, here on Virtuoso: empty, writes with UPDATE_TOKEN, timeout 5 s."""
    tmp = tmp_path_factory.mktemp("remote_rw")
    server = LiveServer(tmp, "--seeds", str(tmp / "no-seeds"), "--query-timeout", "5", "--store-page", str(PAGE),
                        store=virtuoso_empty.endpoint, env={"COMMUNIQUE_UPDATE_TOKEN": UPDATE_TOKEN})
    server.token = UPDATE_TOKEN
    server.auth = {"Authorization": f"Bearer {UPDATE_TOKEN}"}
    yield server
    server.stop()


@pytest.fixture(scope="session")
def embedded(tmp_path_factory):
    server = LiveServer(tmp_path_factory.mktemp("embedded"))
    yield server
    server.stop()


# --- the embedded store's own tests, on Virtuoso ---------------------------------------------------

_OTHER_FIXTURES = {"client", "app", "backend", "live_seeded_rw", "tmp_path", "store_dir", "copy_seeds", "engine",
                   "seed_extraction", "monkeypatch"}
for _mod in (test_pages, test_search, test_protocol):
    for _name, _fn in list(vars(_mod).items()):
        if _name.startswith("test_") and callable(_fn):
            _params = set(inspect.signature(_fn).parameters)
            if _params & {"live", "live_rw"} and not _params & _OTHER_FIXTURES:
                globals()[f"{_name}_on_virtuoso"] = _fn
del _mod, _name, _fn, _params
test_w3c_protocol = test_protocol.test_w3c_protocol  # the 34 W3C protocol tests (their ids stay)


# --- the same solutions on both backends ------------------------------------------------------------

OWN_QUERIES = {
    "articles": "SELECT ?a ?hash ?file WHERE { ?a a dip:Article ; dip:contentHash ?hash ; dip:sourceFile ?file }",
    "positions": "SELECT ?p ?pp ?o WHERE { ?p a dip:Position ; ?pp ?o }",
    # Virtuoso also compares an xsd:gYearMonth with an xsd:date (pyoxigraph: a type error, no row): README
    "dates": "SELECT ?m ?d WHERE { ?m dip:date ?d FILTER(DATATYPE(?d) = xsd:date && ?d >= '1999-01-01'^^xsd:date) }",
    "meetings": "SELECT ?m ?p WHERE { ?m a dip:Meeting ; dip:participant ?p }",
    "labels": "SELECT ?s ?l WHERE { GRAPH ?g { ?s rdfs:label ?l } FILTER(STRENDS(STR(?g), 'graph/entities')) }",
    # Virtuoso's system graphs are seen by a client's query (README, "Remote store"): filtered out here
    "per-graph": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER(CONTAINS(STR(?g), '/id/article/') "
                 "|| STRENDS(STR(?g), '/graph/entities')) } GROUP BY ?g",
    "types": "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c FILTER(STRSTARTS(STR(?c), STR(dip:))) } GROUP BY ?c",
    "entity-graph": "SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRENDS(STR(?g), '/graph/entities')) }",
    "ask": "ASK { ?m a dip:Meeting }",
    "construct": "CONSTRUCT { ?s rdfs:label ?l } WHERE { ?s a dip:Person ; rdfs:label ?l }",
    "optional": "SELECT ?p ?q WHERE { ?p a dip:Person OPTIONAL { ?p owl:sameAs ?q } }",
}
PREFIXES = ("PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\nPREFIX dip: <https://w3id.org/communique/ontology#>\n"
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\nPREFIX owl: <http://www.w3.org/2002/07/owl#>\n")


def _solutions(server, query: str):
    r = requests.get(server.url + "/sparql", params={"query": query},
                     headers={"Accept": "application/sparql-results+json, application/n-triples"})
    assert r.status_code == 200, r.text[:500]
    text = r.text.replace(server.url + "/", "BASE/")
    if r.headers["Content-Type"].startswith("application/n-triples"):
        return sorted(set(text.splitlines()))
    data = json.loads(text)
    if "boolean" in data:
        return data["boolean"]
    rows = [json.dumps({k: _unordered(v) for k, v in sorted(row.items()) if v["type"] != "bnode"}, sort_keys=True)
            for row in data["results"]["bindings"]]
    return sorted(rows)


def _unordered(term: dict) -> dict:
    """A GROUP_CONCAT's parts come in no defined order (SPARQL 1.1, 18.5.1.7): compare them sorted."""
    if term["type"] == "literal" and ", " in term["value"]:
        return {**term, "value": ", ".join(sorted(term["value"].split(", ")))}
    return term


@pytest.mark.parametrize("query", [*EXAMPLES, *OWN_QUERIES], ids=[*(p.stem for p in EXAMPLES), *OWN_QUERIES])
def test_same_solutions_on_both_backends(remote, embedded, query):
    text = query.read_text() if isinstance(query, Path) else PREFIXES + OWN_QUERIES[query]
    on_virtuoso, on_embedded = _solutions(remote, text), _solutions(embedded, text)
    assert on_embedded, "the query must find something on the seeds"
    assert on_virtuoso == on_embedded


# --- Virtuoso's quirks, each handled -----------------------------------------------------------------

def test_a_result_cut_at_the_stores_cap_is_refused_not_passed_on(remote):
    """ResultSetMaxRows cuts silently (200, header X-SPARQL-MaxRows): communique answers 502, never a short result."""
    r = requests.get(remote.url + "/sparql", params={"query": "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }"},
                     headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 502, r.text[:300]
    assert "cut this result at 2000 rows" in r.text
    page = requests.get(remote.url + "/sparql", params={"query": "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } } "
                                                                 "ORDER BY ?g ?s ?p ?o LIMIT 1000 OFFSET 1000"},
                        headers={"Accept": "application/sparql-results+json"})
    assert page.status_code == 200 and len(page.json()["results"]["bindings"]) == 1000


def test_a_direct_post_query_is_answered(remote):
    """A POST of application/sparql-query hangs Virtuoso 7.2.5; communique sends it on by GET."""
    r = requests.post(remote.url + "/sparql", data="ASK { ?s a <https://w3id.org/communique/ontology#Meeting> }",
                      headers={"Content-Type": "application/sparql-query",
                               "Accept": "application/sparql-results+json"}, timeout=20)
    assert r.status_code == 200 and r.json()["boolean"] is True


def test_the_system_graphs_stay_out_of_communiques_own_reads(remote, embedded):
    """Virtuoso's union default graph holds its system graphs: a client sees them, communique's reads do not."""
    ours = ("FILTER(CONTAINS(STR(?g), '/id/article/') || STRENDS(STR(?g), '/graph/entities') "
            "|| STRENDS(STR(?g), '/graph/events'))")
    theirs = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(!({ours[7:-1]})) }}"
    assert int(json.loads(_solutions(remote, theirs)[0])["n"]["value"]) > 1000
    assert json.loads(_solutions(embedded, theirs)[0])["n"]["value"] == "0"
    void = requests.get(remote.url + "/store", params={"graph": remote.url + "/id/article/d01_oslo_talks"},
                        headers={"Accept": "application/n-triples"})
    same = requests.get(embedded.url + "/store", params={"graph": embedded.url + "/id/article/d01_oslo_talks"},
                        headers={"Accept": "application/n-triples"})
    assert void.status_code == same.status_code == 200
    assert sorted(set(_integers(void.text.replace(remote.url, "B")).splitlines())) == \
        sorted(set(same.text.replace(embedded.url, "B").splitlines()))


def _integers(nt: str) -> str:
    """The embedded store (pyoxigraph) reads an xsd:nonNegativeInteger back as xsd:integer; Virtuoso keeps it."""
    return nt.replace("XMLSchema#nonNegativeInteger>", "XMLSchema#integer>")


def test_blank_nodes_round_trip_through_the_graph_store(live_rw):
    """Virtuoso refuses blank nodes in INSERT DATA and names them nodeID://…; both are handled."""
    graph = "http://example.org/bnodes"
    data = '@prefix ex: <http://example.org/> . ex:a ex:p [ ex:q "x"@en ; ex:r [ ex:s 1 ] ] .'
    put = requests.put(live_rw.url + "/store", params={"graph": graph}, data=data.encode(),
                       headers={"Content-Type": "text/turtle", **live_rw.auth})
    assert put.status_code in (201, 204), put.text
    back = requests.get(live_rw.url + "/store", params={"graph": graph}, headers={"Accept": "text/turtle"})
    assert back.status_code == 200
    assert isomorphic(Graph().parse(data=back.text, format="turtle"), Graph().parse(data=data, format="turtle"))


def test_clear_all_empties_the_store(live_rw):
    """CLEAR ALL does nothing on Virtuoso; through communique's write gate it clears each graph."""
    put = requests.put(live_rw.url + "/store", params={"graph": "http://example.org/c"},
                       data=b"<http://example.org/a> <http://example.org/b> <http://example.org/c> .",
                       headers={"Content-Type": "application/n-triples", **live_rw.auth})
    assert put.status_code in (201, 204)
    r = requests.post(live_rw.url + "/sparql", data={"update": "CLEAR ALL"}, headers=live_rw.auth)
    assert r.status_code == 204, r.text
    ask = requests.get(live_rw.url + "/sparql", params={"query": "ASK { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), 'http://example.org/')) }"},
                       headers={"Accept": "application/sparql-results+json"})
    assert ask.json()["boolean"] is False


def test_the_writegate_holds_on_the_remote_store(remote):
    """A write that leaves an article graph not conforming to the shapes is refused, and nothing changes."""
    article = f"{remote.url}/id/article/d01_oslo_talks"
    before = requests.get(remote.url + "/sparql", params={"query": f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{article}> "
                                                                   "{ ?s ?p ?o } }"},
                          headers={"Accept": "application/sparql-results+json"}).json()
    r = requests.post(remote.url + "/sparql", headers=remote.auth, data={
        "update": f"DELETE WHERE {{ GRAPH <{article}> {{ <{article}> a ?t }} }}"})
    assert r.status_code == 422, r.text[:300]
    after = requests.get(remote.url + "/sparql", params={"query": f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{article}> "
                                                                  "{ ?s ?p ?o } }"},
                         headers={"Accept": "application/sparql-results+json"}).json()
    assert before == after


def test_updates_need_the_grant_or_digest(virtuoso_seeded, tmp_path):
    """Digest on /sparql-auth with the writer user works; a wrong password is a clear error, no traceback."""
    article = tmp_path / "d01_changed.txt"
    article.write_text((ROOT / "seeds" / "d01_oslo_talks.txt").read_text() + "\nThe talks ended on time.\n")
    bad = run_cli("ingest", "--store", virtuoso_seeded.endpoint, "--store-user", "writer", "--store-password",
                  "wrong", "--base-iri", "http://wrong.example/", str(article), env={"COMMUNIQUE_STORE": ""})
    assert bad.returncode != 0 and "Traceback" not in bad.stderr, bad.stderr
    assert "refused the write" in bad.stderr
    ok = run_cli("query", "--store", virtuoso_seeded.endpoint, "--format", "json",
                 "ASK { ?s a <https://w3id.org/communique/ontology#Article> }")
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["boolean"] is True


def test_ingest_replaces_an_article_and_keeps_each_triple_once(virtuoso_empty, tmp_path):
    """Ingest through the CLI twice: the same quads, each entity description once (no duplicate across graphs)."""
    endpoint = virtuoso_empty.endpoint
    env = {"COMMUNIQUE_STORE": ""}
    seed = ROOT / "seeds" / "d01_oslo_talks.txt"
    first = run_cli("ingest", "--store", endpoint, "--base-iri", "http://ingest.example/", str(seed), env=env)
    assert first.returncode == 0, first.stderr
    again = run_cli("ingest", "--store", endpoint, "--base-iri", "http://ingest.example/", str(seed), env=env)
    assert again.returncode == 0, again.stderr
    count = re.compile(r"\((\d+) quads? in the store\)")
    assert count.search(first.stderr).group(1) == count.search(again.stderr).group(1)
    dup = run_cli("query", "--store", endpoint, "--format", "json",
                  "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g1 { ?s ?p ?o } GRAPH ?g2 { ?s ?p ?o } FILTER(?g1 != ?g2) "
                  "FILTER(STRSTARTS(STR(?g1), 'http://ingest.example/')) }", env=env)
    assert dup.returncode == 0, dup.stderr
    assert json.loads(dup.stdout)["results"]["bindings"][0]["n"]["value"] == "0"


def test_meetings_merge_on_the_remote_store(virtuoso_empty, tmp_path):
    """The three reports of one meeting (tests/test_events.py) make one dip:Meeting on Virtuoso too, and
    removing an article merges again, as on the embedded store."""
    from test_events import MERGED, write_articles

    endpoint, env, base = virtuoso_empty.endpoint, {"COMMUNIQUE_STORE": ""}, "http://merge.example/"
    folder = write_articles(tmp_path / "articles", MERGED)
    run = run_cli("ingest", "--store", endpoint, "--base-iri", base, str(folder), env=env)
    assert run.returncode == 0, run.stderr

    def reported() -> dict:
        out = run_cli("query", "--store", endpoint, "--format", "json",
                      f"SELECT ?m ?a WHERE {{ GRAPH <{base}graph/events> {{ ?m a <https://w3id.org/communique/ontology#Meeting> ; "
                      f"<https://w3id.org/communique/ontology#reportedIn> ?a }} }}", env=env)
        assert out.returncode == 0, out.stderr
        found: dict = {}
        for b in json.loads(out.stdout)["results"]["bindings"]:
            found.setdefault(b["m"]["value"], set()).add(b["a"]["value"].rsplit("/", 1)[-1])
        return found

    assert reported() == {base + "id/meeting/m1_courier-1": set(MERGED)}
    gone = run_cli("remove", "--store", endpoint, "--base-iri", base, "m1_courier", env=env)
    assert gone.returncode == 0, gone.stderr
    assert reported() == {base + "id/meeting/m2_gazette-1": {"m2_gazette", "m3_wire"}}
