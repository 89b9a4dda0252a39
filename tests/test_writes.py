"""Writes keep every article graph valid: real HTTP, real store.

One seeded server takes writes (the token). A SPARQL Update or Graph Store
write that would leave an article graph that fails the shapes gets 422 with
the SHACL report, and the store is unchanged; a valid one commits; graphs of
no article stay free.
"""
from __future__ import annotations

import re
import time

import pytest
import requests
from rdflib import Graph


DIP = "https://w3id.org/communique/ontology#"
PREFIXES = (f"PREFIX dip: <{DIP}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
            "PREFIX owl: <http://www.w3.org/2002/07/owl#> PREFIX oa: <http://www.w3.org/ns/oa#> "
            "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> ")
SEED = "article/000_684714e08cb29c29"  # the seed article, as conftest's live_seeded_rw names it
BROWSER = {"Accept": "text/html"}


@pytest.fixture(scope="module")
def server(live_seeded_rw):
    return live_seeded_rw


def update(server, text: str) -> requests.Response:
    return requests.post(server.url + "/sparql", data={"update": PREFIXES + text}, headers=server.auth, timeout=60)


def ask(server, text: str) -> bool:
    return requests.get(server.url + "/sparql", params={"query": PREFIXES + text}).json()["boolean"]


def graph_nt(server, iri: str) -> set[str]:
    r = requests.get(server.url + "/store", params={"graph": iri}, headers={"Accept": "application/n-triples"})
    assert r.status_code == 200
    return set(line for line in r.text.splitlines() if line.strip())


def first_mention(server) -> tuple[str, int]:
    q = PREFIXES + (f"SELECT ?m ?s WHERE {{ GRAPH <{server.article}> {{ ?m a dip:Mention ; oa:start ?s }} }} "
                    "ORDER BY ?s LIMIT 1")
    row = requests.get(server.url + "/sparql", params={"query": q}).json()["results"]["bindings"][0]
    return row["m"]["value"], int(row["s"]["value"])


def test_what_is_stored_conforms_when_read_back(server):
    """Every article graph, read back from the store (offsets come back as xsd:integer), passes the shapes,
    together with the entities graph that describes the entities it names (MODEL.md, "Graphs")."""
    from server.ingest import shacl

    entities = "\n".join(graph_nt(server, f"{server.url}/graph/entities"))
    assert entities
    graphs = requests.get(server.url + "/sparql", params={
        "query": f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?g a <{DIP}Article> }} }}"}).json()["results"]["bindings"]
    assert len(graphs) == 7
    for row in graphs:
        g = Graph().parse(data="\n".join(graph_nt(server, row["g"]["value"])) + "\n" + entities, format="nt")
        assert any("XMLSchema#integer" in str(o.datatype) for o in g.objects() if hasattr(o, "datatype") and o.datatype)
        report = shacl.validate(g, row["g"]["value"])
        assert report.conforms, str(report)


def test_writes_that_break_the_shapes_are_422_and_change_nothing(server):
    a, p, m = server.article, server.person, server.meeting
    mention, _ = first_mention(server)
    bad = {
        "a second dip:date, as a string": f'INSERT DATA {{ GRAPH <{a}> {{ <{m}> dip:date "the day before" }} }}',
        "a malformed xsd:date": (f'DELETE {{ GRAPH <{a}> {{ <{a}> dip:date ?d }} }} INSERT {{ GRAPH <{a}> {{ <{a}> dip:date '
                                 f'"1999-13-45"^^xsd:date }} }} WHERE {{ GRAPH <{a}> {{ <{a}> dip:date ?d }} }}'),
        "rdf:type as a literal": f'INSERT DATA {{ GRAPH <{a}> {{ <{m}> a "Meeting" }} }}',
        "a 900 KB label": f'INSERT DATA {{ GRAPH <{a}> {{ <{p}> skos:altLabel "{"x" * 900_000}" }} }}',
        "oa:start as text": (f'DELETE {{ GRAPH <{a}> {{ <{mention}> oa:start ?s }} }} INSERT {{ GRAPH <{a}> {{ <{mention}> '
                             f'oa:start "abc" }} }} WHERE {{ GRAPH <{a}> {{ <{mention}> oa:start ?s }} }}'),
        "oa:start on a node of no class": f'INSERT DATA {{ GRAPH <{a}> {{ <{a}#x> oa:start "abc" ; oa:end 3 }} }}',
        "a negative offset": f'INSERT DATA {{ GRAPH <{a}> {{ <{a}#y> oa:start -1 ; oa:end 3 }} }}',
        "owl:sameAs javascript:": f'INSERT DATA {{ GRAPH <{a}> {{ <{p}> owl:sameAs <javascript:alert(1)> }} }}',
        "a status not in the list": f'INSERT DATA {{ GRAPH <{a}> {{ <{m}> dip:status "Held" }} }}',
        "a meeting without participants": f'DELETE WHERE {{ GRAPH <{a}> {{ <{m}> dip:participant ?x }} }}',
        "a second label": f'INSERT DATA {{ GRAPH <{a}> {{ <{p}> rdfs:label "Another name" }} }}',
        "a participant that is no actor": f'INSERT DATA {{ GRAPH <{a}> {{ <{m}> dip:participant <http://example.org/x> }} }}',
        "the article's type removed": f'DELETE DATA {{ GRAPH <{a}> {{ <{a}> a dip:Article }} }}',
        "a new article graph with nothing in it but a label":
            f'INSERT DATA {{ GRAPH <{server.url}/id/article/fake> {{ <{server.url}/id/article/fake> rdfs:label "x" }} }}',
        "an Article slipped into another graph": 'INSERT DATA { GRAPH <http://example.org/notes> { <http://example.org/a> a dip:Article } }',
        "non-deterministic: RAND() picks the bad value": (
            f'INSERT {{ GRAPH <{a}> {{ <{m}> dip:date ?d }} }} WHERE {{ BIND(IF(RAND() < 2, "soon", "1999-01-01"^^xsd:date) AS ?d) }}'),
    }
    before = graph_nt(server, a)
    for name, text in bad.items():
        r = update(server, text)
        assert r.status_code == 422, (name, r.status_code, r.text[:500])
        assert "does not conform" in r.text and "nothing was changed" in r.text, (name, r.text[:500])
        assert graph_nt(server, a) == before, name
    # the report is readable: the node, the property, the shape's message, the value
    r = update(server, bad["oa:start as text"])
    assert f"<{mention}> (oa:start)" in r.text and "character offset" in r.text and "abc" in r.text
    r = requests.post(server.url + "/sparql", data={"update": PREFIXES + bad["rdf:type as a literal"]},
                      headers={**server.auth, "Accept": "application/json"})
    assert r.status_code == 422 and r.json()["error"]["title"] == "Write rejected by the shapes"
    assert not ask(server, 'ASK { GRAPH <http://example.org/notes> { ?s a dip:Article } }')
    print(f"\n{len(bad)} writes that break the shapes: all 422, the article graph unchanged")


def test_valid_writes_commit_and_the_page_still_conforms(server):
    a, p = server.article, server.person
    r = update(server, f'INSERT DATA {{ GRAPH <{a}> {{ <{p}> skos:altLabel "Primakov, Yevgeny Maksimovich" }} }}')
    assert r.status_code == 204, r.text
    assert ask(server, f'ASK {{ GRAPH <{a}> {{ <{p}> skos:altLabel "Primakov, Yevgeny Maksimovich" }} }}')
    html = requests.get(server.url + f"/page/{SEED}", headers=BROWSER).text
    assert "Conforms to the" in html and "Does not conform" not in html
    r = update(server, f'DELETE DATA {{ GRAPH <{a}> {{ <{p}> skos:altLabel "Primakov, Yevgeny Maksimovich" }} }}')
    assert r.status_code == 204


def test_writes_to_graphs_of_no_article_stay_free(server):
    g = "http://example.org/scratch"
    r = update(server, f'INSERT DATA {{ GRAPH <{g}> {{ <http://example.org/m> a "Meeting" ; dip:date "whenever" }} }}')
    assert r.status_code == 204, r.text
    r = requests.put(server.url + "/store", params={"graph": g}, data=b'<http://example.org/m> <http://example.org/p> "x" .',
                     headers={**server.auth, "Content-Type": "application/n-triples"})
    assert r.status_code == 204
    assert requests.delete(server.url + "/store", params={"graph": g}, headers=server.auth).status_code == 200


def test_graph_store_writes_to_an_article_graph_are_checked_too(server):
    a, p = server.article, server.person
    before = graph_nt(server, a)
    bad = f'<{p}> <http://www.w3.org/2004/02/skos/core#altLabel> 42 .'.encode()
    r = requests.post(server.url + "/store", params={"graph": a}, data=bad,
                      headers={**server.auth, "Content-Type": "text/turtle"})
    assert r.status_code == 422 and "skos:altLabel" in r.text, r.text[:500]
    r = requests.put(server.url + "/store", params={"graph": a}, data=f"<{p}> a <{DIP}Person> .".encode(),
                     headers={**server.auth, "Content-Type": "text/turtle"})
    assert r.status_code == 422 and "rdfs:label" in r.text, r.text[:500]
    assert graph_nt(server, a) == before
    good = f'<{p}> <http://www.w3.org/2004/02/skos/core#altLabel> "E. Primakov" .'.encode()
    r = requests.post(server.url + "/store", params={"graph": a}, data=good,
                      headers={**server.auth, "Content-Type": "application/n-triples"})
    assert r.status_code == 200, r.text
    assert graph_nt(server, a) > before


def test_the_write_check_costs_little_per_write(server):
    """Measured on the seed store (7 articles): the figure goes to the report and bench/results.md."""
    a, p = server.article, server.person
    times = {"article graph": [], "other graph": []}
    for i in range(10):
        for kind, target in (("article graph", a), ("other graph", "http://example.org/timing")):
            started = time.perf_counter()
            r = update(server, f'INSERT DATA {{ GRAPH <{target}> {{ <{p}> skos:altLabel "alias {i}" }} }}')
            times[kind].append((time.perf_counter() - started) * 1000)
            assert r.status_code == 204, r.text
    log = server.output()
    checks = [float(x) for x in re.findall(r"1 article graph\(s\) checked against the shapes \(copy [\d.]+, diff [\d.]+, "
                                           r"shapes ([\d.]+)", log)]
    assert checks, log[-2000:]
    med = {k: sorted(v)[len(v) // 2] for k, v in times.items()}
    print(f"\nwrite on the seed store, median of 10: article graph {med['article graph']:.0f} ms, other graph "
          f"{med['other graph']:.0f} ms (HTTP round trip); SHACL check of the article graph median "
          f"{sorted(checks)[len(checks) // 2]:.0f} ms")
    assert med["article graph"] < 5000


def test_the_article_page_says_conforms_only_when_it_does(tmp_path):
    """A graph changed behind the gate's back (straight into the store) is shown as not conforming."""
    import pyoxigraph as ox

    from conftest import make_settings
    from server.web.app import create_app
    from server.backend import Backend

    backend = Backend(make_settings(tmp_path)).open()
    try:
        client = create_app(backend.settings, backend).test_client()
        html = client.get(f"/page/{SEED}", headers=BROWSER).get_data(as_text=True)
        assert "Conforms to the" in html and "Does not conform" not in html
        article = f"http://localhost:5000/id/{SEED}"

        def corrupt(store):
            store.add(ox.Quad(ox.NamedNode(article), ox.NamedNode(DIP + "date"), ox.Literal("someday"),
                              ox.NamedNode(article)))

        backend.pool.write(corrupt)
        html = client.get(f"/page/{SEED}", headers=BROWSER).get_data(as_text=True)
        assert "Does not conform to the" in html and "Conforms to the" not in html
        assert "Problems with the shapes" in html and "someday" in html
    finally:
        backend.close()
