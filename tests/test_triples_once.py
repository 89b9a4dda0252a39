"""Each triple is stored once (issue 11, item 1): entity descriptions in one entities graph, the roles an
article gives people as its own statements, and `communique remove` / Graph Store DELETE that leave
nothing orphaned. pyoxigraph 0.5's union default graph gives a triple once per graph that holds it, so
a triple in two graphs would be counted twice by every query that forgets DISTINCT."""
from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from conftest import ROOT, SEEDS, UPDATE_TOKEN, LiveServer, make_settings, run_cli

DIP = "https://w3id.org/communique/ontology#"
PREFIX = f"PREFIX dip: <{DIP}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
BASE = "http://localhost:5000/"
ENTITIES = ox.NamedNode(BASE + "graph/entities")
EVENTS = ox.NamedNode(BASE + "graph/events")
COUNT_ALL = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"
COUNT_DISTINCT = "SELECT (COUNT(*) AS ?n) { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }"


def build(tmp: Path, paths) -> ox.Store:
    from server.ingest.pipeline import Pipeline

    store = ox.Store()
    result = Pipeline(make_settings(tmp)).ingest(store, paths)
    assert not result.rejected, result.rejected
    return store


def one(store: ox.Store, query: str) -> int:
    return int(next(iter(store.query(PREFIX + query, use_default_graph_as_union=True)))["n"].value)


def rows(store: ox.Store, query: str) -> list[tuple]:
    result = store.query(PREFIX + query, use_default_graph_as_union=True)
    names = [v.value for v in result.variables]
    return [tuple(str(s[n]) if s[n] is not None else None for n in names) for s in result]


def quads(store: ox.Store) -> set:
    return set(store)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> ox.Store:
    return build(tmp_path_factory.mktemp("seeded"), [SEEDS])


def test_every_triple_of_the_seed_store_is_in_one_graph(seeded):
    assert one(seeded, COUNT_ALL) == one(seeded, COUNT_DISTINCT) == len({q.triple for q in seeded}) == len(seeded)
    treaties = rows(seeded, "SELECT ?t { ?t a dip:Treaty }")
    assert treaties and len(treaties) == len(set(treaties)) == 6


def test_the_readme_example_queries_give_no_duplicate_rows(seeded):
    examples = [p.read_text() for p in sorted((ROOT / "server" / "web" / "examples").glob("*.rq")) if "SERVICE" not in p.read_text()]
    examples += ["SELECT ?m ?date WHERE { ?m a dip:Meeting ; dip:date ?date } ORDER BY ?date",
                 "SELECT ?s WHERE { ?s a dip:Person }",
                 "SELECT * WHERE { ?m a dip:Meeting }"]
    assert len(examples) >= 7
    for query in examples:
        found = rows(seeded, query)
        assert found, query
        assert len(found) == len(set(found)), f"duplicate rows for\n{query}"
    met = rows(seeded, (ROOT / "server/web/examples/01-who-met-whom.rq").read_text())
    talbott_luzhkov = [r for r in met if "strobe-talbott" in (r[1] or "") + (r[3] or "")
                       and "luzhkov" in (r[1] or "") + (r[3] or "")]
    assert len(talbott_luzhkov) == 1


def test_entities_are_described_in_the_entities_graph_and_articles_hold_their_own_statements(seeded):
    articles = [g for g in seeded.named_graphs() if "/id/article/" in g.value]
    assert len(articles) == 7 and set(seeded.named_graphs()) == {*articles, ENTITIES, EVENTS}
    entity_types = [ox.NamedNode(DIP + t) for t in ("Person", "State", "Organization", "Place", "Treaty")]
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    for g in articles:
        for t in entity_types:
            assert not list(seeded.quads_for_pattern(None, rdf_type, t, g)), (g, t)
        # every entity the article names is described once, in the entities graph
        for q in seeded.quads_for_pattern(None, ox.NamedNode(DIP + "participant"), None, g):
            assert list(seeded.quads_for_pattern(q.object, rdf_type, None, ENTITIES)), q
    # the role an article gives a person is that article's statement, in its graph only
    roles = rows(seeded, """SELECT ?g ?st ?p ?role WHERE { GRAPH ?g { ?st a dip:RoleStatement ; dip:person ?p ;
                            dip:role ?role ; dip:reportedIn ?g } }""")
    assert roles and all(st.startswith(g[:-1] + "#role-") for g, st, _, _ in roles)
    assert ("<http://localhost:5000/id/person/yevgeny-primakov>", "\"Prime Minister\"") in {(p, r) for _, _, p, r in roles}
    assert not list(seeded.quads_for_pattern(None, ox.NamedNode(DIP + "role"), None, ENTITIES))
    # the shapes still say something real: the article graph with the descriptions it names conforms,
    # and without them (no types) sh:class fails
    from rdflib import Graph

    from server.ingest import shacl
    from server.ingest import writegate

    g = next(a for a in articles if a.value.endswith("000_684714e08cb29c29"))
    own = [q.triple for q in seeded.quads_for_pattern(None, None, None, g)]
    described = writegate.descriptions(seeded, g, ENTITIES)
    assert described
    with_entities = Graph().parse(data=ox.serialize(own + described, format=ox.RdfFormat.N_TRIPLES), format="nt")
    assert shacl.validate(with_entities, "seed").conforms
    alone = Graph().parse(data=ox.serialize(own, format=ox.RdfFormat.N_TRIPLES), format="nt")
    report = shacl.validate(alone, "seed")
    assert not report.conforms and any("participant" in (p.path or "") for p in report.problems)


def test_removing_an_article_is_the_store_without_it(tmp_path, seeded):
    from server.store import embedded as store_mod

    store = ox.Store()
    store.extend(seeded)
    gone = store_mod.remove_article(store, BASE + "id/article/d04_test_ban")
    assert gone and gone["triples"] > 100 and "http://localhost:5000/id/treaty/ctbt" in gone["entities"]
    without = build(tmp_path, sorted(p for p in SEEDS.iterdir() if p.stem != "d04_test_ban"))
    assert quads(store) == quads(without)
    assert store_mod.remove_article(store, BASE + "id/article/d04_test_ban") is None
    assert quads(store) == quads(without)
    # the last article: nothing is left, not even an entity description
    for g in [g for g in store.named_graphs() if "/id/article/" in g.value]:
        store_mod.remove_article(store, g.value)
    assert len(store) == 0


def test_reingesting_an_article_replaces_exactly_its_own_statements(tmp_path, seeded):
    """A new version of an article that no longer names the CTBT: the store is as if built with it."""
    articles = tmp_path / "articles"
    shutil.copytree(SEEDS, articles)
    store = ox.Store()
    store.extend(seeded)
    text = (articles / "d04_test_ban.txt").read_text()
    (articles / "d04_test_ban.txt").write_text(text.split("\n\n")[0] + "\n\nSergei Lavrov met Madeleine Albright in Moscow.\n")
    from server.ingest.pipeline import Pipeline

    result = Pipeline(make_settings(tmp_path)).ingest(store, [articles / "d04_test_ban.txt"])
    assert len(result.stored) == 1
    fresh = build(tmp_path / "fresh", [articles])
    assert quads(store) == quads(fresh)
    assert one(store, COUNT_ALL) == one(store, COUNT_DISTINCT)


def test_an_identical_article_under_another_name_is_not_stored_twice(tmp_path, seeded):
    """Item 2's floor: the same text (whatever its whitespace) is recognised by dip:contentHash."""
    from server.ingest.pipeline import Pipeline

    copies = tmp_path / "copies"
    copies.mkdir()
    seed = (SEEDS / "000_684714e08cb29c29.txt").read_text()
    (copies / "copy-a.txt").write_text(seed)
    (copies / "copy-b.txt").write_text(seed.replace("\n\n", "\n\n\n").replace(" ", "  ", 20))
    store = ox.Store()
    store.extend(seeded)
    result = Pipeline(make_settings(tmp_path)).ingest(store, [copies])
    assert not result.stored and [c for _, c in result.duplicates] == [BASE + "id/article/000_684714e08cb29c29"] * 2
    assert quads(store) == quads(seeded)
    timeline = rows(store, """SELECT ?m WHERE { ?m a dip:Meeting ; dip:participant
                              <http://localhost:5000/id/person/yevgeny-primakov> }""")
    assert len(timeline) == len(set(timeline))


def test_cli_remove(tmp_path):
    store = tmp_path / "store"
    r = run_cli("ingest", str(SEEDS), "--store", str(store))
    assert r.returncode == 0, r.stderr
    r = run_cli("remove", "d04_test_ban", "--store", str(store))
    assert r.returncode == 0, r.stderr
    assert "Removed <http://localhost:5000/id/article/d04_test_ban>" in r.stderr and "treaty/ctbt" in r.stderr
    r = run_cli("remove", "d04_test_ban", "--store", str(store))
    assert r.returncode == 1 and "no article" in r.stderr
    r = run_cli("query", "--store", str(store), "--format", "csv", PREFIX + COUNT_ALL)
    all_ = int(r.stdout.split()[-1])
    r = run_cli("query", "--store", str(store), "--format", "csv", PREFIX + COUNT_DISTINCT)
    assert all_ == int(r.stdout.split()[-1])
    r = run_cli("query", "--store", str(store), "--format", "csv",
                PREFIX + "ASK { { GRAPH ?g { <http://localhost:5000/id/article/d04_test_ban> ?p ?o } } UNION "
                         "{ ?s ?p <http://localhost:5000/id/treaty/ctbt> } UNION { <http://localhost:5000/id/treaty/ctbt> ?p ?o } }")
    assert "false" in r.stdout.lower()


@pytest.fixture(scope="module")
def writable(tmp_path_factory):
    server = LiveServer(tmp_path_factory.mktemp("triples_once"), env={"COMMUNIQUE_UPDATE_TOKEN": UPDATE_TOKEN})
    server.auth = {"Authorization": f"Bearer {UPDATE_TOKEN}"}
    yield server
    server.stop()


def _select(server, query):
    r = requests.get(server.url + "/sparql", params={"query": PREFIX + query}, headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    return r.json()["results"]["bindings"]


def test_graph_store_delete_removes_an_article_and_what_only_it_used(writable):
    s = writable
    art, ctbt = f"{s.url}/id/article/d04_test_ban", f"{s.url}/id/treaty/ctbt"
    before = int(_select(s, COUNT_ALL)[0]["n"]["value"])
    r = requests.delete(s.url + "/store", params={"graph": art}, headers=s.auth)
    assert r.status_code == 200, r.text
    after = int(_select(s, COUNT_ALL)[0]["n"]["value"])
    assert after < before and after == int(_select(s, COUNT_DISTINCT)[0]["n"]["value"])
    assert not _select(s, f"SELECT ?p ?o {{ <{ctbt}> ?p ?o }}")
    assert requests.get(s.url + "/id/treaty/ctbt", headers={"Accept": "text/html"}, allow_redirects=True).status_code == 404
    # what other articles use stays: Russia, Primakov, the ABM Treaty
    for iri in ("state/russia", "person/yevgeny-primakov", "treaty/abm-treaty"):
        assert _select(s, f"SELECT ?l {{ <{s.url}/id/{iri}> rdfs:label ?l }}"), iri
    r = requests.delete(s.url + "/store", params={"graph": art}, headers=s.auth)
    assert r.status_code == 404


def test_a_write_that_names_an_undescribed_entity_is_refused(writable):
    s = writable
    art = f"{s.url}/id/article/000_684714e08cb29c29"
    meeting = f"{s.url}/id/article/000_684714e08cb29c29#meeting-1"  # the article's report of its first meeting
    r = requests.post(s.url + "/sparql", headers=s.auth, data={"update": PREFIX + (
        f"INSERT DATA {{ GRAPH <{art}> {{ <{meeting}> dip:participant <{s.url}/id/person/nobody-known> }} }}")})
    assert r.status_code == 422 and "participant" in r.text, r.text[:500]
    # described in the entities graph in the same write, it is accepted
    r = requests.post(s.url + "/sparql", headers=s.auth, data={"update": PREFIX + (
        f"INSERT DATA {{ GRAPH <{s.url}/graph/entities> {{ <{s.url}/id/person/nobody-known> a dip:Person ; "
        f"rdfs:label \"Nobody Known\" }} GRAPH <{art}> {{ <{meeting}> dip:participant <{s.url}/id/person/nobody-known> }} }}")})
    assert r.status_code in (200, 204), r.text[:500]
    # a bad description in the entities graph is refused
    r = requests.post(s.url + "/sparql", headers=s.auth, data={"update": PREFIX + (
        f"INSERT DATA {{ GRAPH <{s.url}/graph/entities> {{ <{s.url}/id/person/nobody-known> rdfs:label \"Two\" }} }}")})
    assert r.status_code == 422, r.text[:500]
