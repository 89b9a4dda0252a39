"""The server through real HTTP (a `communique serve` subprocess) and in-process."""
import json

import pytest
import requests
from rdflib import Graph

DIP = "https://w3id.org/communique/ontology#"
MEETINGS = f"PREFIX dip: <{DIP}> SELECT ?m WHERE {{ ?m a dip:Meeting }}"


def test_select_by_get_and_post(live):
    r = requests.get(live.url + "/sparql", params={"query": MEETINGS})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/sparql-results+json")
    assert len(r.json()["results"]["bindings"]) >= 10
    r2 = requests.post(live.url + "/sparql", data={"query": MEETINGS})
    r3 = requests.post(live.url + "/sparql", data=MEETINGS.encode(), headers={"Content-Type": "application/sparql-query"})
    assert r.json() == r2.json() == r3.json()


def test_ask_construct_describe(live):
    r = requests.get(live.url + "/sparql", params={"query": f"ASK {{ ?m a <{DIP}Meeting> }}"})
    assert r.json()["boolean"] is True
    r = requests.get(live.url + "/sparql", params={"query": f"CONSTRUCT {{ ?m ?p ?o }} WHERE {{ ?m a <{DIP}Meeting> ; ?p ?o }}"})
    assert r.headers["Content-Type"].startswith("text/turtle")
    assert len(Graph().parse(data=r.text, format="turtle")) > 50
    r = requests.get(live.url + "/sparql", params={"query": f"DESCRIBE <{live.url}/id/person/yevgeny-primakov>"})
    assert r.status_code == 200 and "Primakov" in r.text


def test_bad_query_is_400_with_a_message(live):
    r = requests.get(live.url + "/sparql", params={"query": "SELECT ?x WHERE { ?x"})
    assert r.status_code == 400
    assert "not valid SPARQL" in r.text


def test_entity_iri_gives_html_to_browsers_and_turtle_to_machines(live):
    iri = live.url + "/id/person/yevgeny-primakov"
    html = requests.get(iri, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert html.status_code == 200 and html.headers["Content-Type"].startswith("text/html")
    assert "<h1>Yevgeny Primakov</h1>" in html.text and "Q270529" in html.text
    ttl = requests.get(iri, headers={"Accept": "text/turtle"})
    assert ttl.headers["Content-Type"].startswith("text/turtle")
    g = Graph().parse(data=ttl.text, format="turtle")
    assert any("Yevgeny Primakov" in str(o) for o in g.objects())
    # rdflib as a Linked Data client
    g2 = Graph().parse(iri)
    assert len(g2) > 5


def test_unknown_entity_is_404(live):
    r = requests.get(live.url + "/id/person/nobody-at-all", headers={"Accept": "text/turtle"})
    assert r.status_code == 404
    assert r.json()["error"]["status"] == 404
    r = requests.get(live.url + "/id/person/nobody-at-all", headers={"Accept": "text/html"})
    assert r.status_code == 404 and "nothing is known" in r.text


def test_healthz(live):
    assert requests.get(live.url + "/healthz").json() == {"status": "ok"}


def test_sparqlwrapper_client(live):
    from SPARQLWrapper import JSON, SPARQLWrapper

    sw = SPARQLWrapper(live.url + "/sparql")
    sw.setQuery(MEETINGS)
    sw.setReturnFormat(JSON)
    assert len(sw.query().convert()["results"]["bindings"]) >= 10


# --- in-process -------------------------------------------------------------------


def test_server_never_uses_rdflib_sparql(client, monkeypatch):
    """Queries must go to pyoxigraph: any use of rdflib's SPARQL engine fails this test."""
    from rdflib.plugins.sparql import processor

    def forbidden(*a, **k):
        raise AssertionError("rdflib's SPARQL engine was used by the server")

    monkeypatch.setattr(processor.SPARQLProcessor, "query", forbidden)
    monkeypatch.setattr(processor.SPARQLUpdateProcessor, "update", forbidden)
    monkeypatch.setattr(processor, "prepareQuery", forbidden)
    assert client.get("/sparql", query_string={"query": MEETINGS}).status_code == 200
    assert client.get("/id/person/yevgeny-primakov", headers={"Accept": "text/html"}).status_code == 200
    assert client.get("/id/person/yevgeny-primakov", headers={"Accept": "text/turtle"}).status_code == 200
    assert client.get("/").status_code == 200


def test_post_with_wrong_content_type_is_415(client):
    r = client.post("/sparql", data="x", headers={"Content-Type": "text/plain"})
    assert r.status_code == 415


def test_non_utf8_body_is_400(client):
    r = client.post("/sparql", data=b"\xff\xfeSELECT", headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 400


def test_oversized_body_is_413(client, app):
    big = "#" * (app.config["MAX_CONTENT_LENGTH"] + 10)
    r = client.post("/sparql", data=big, headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 413


def test_unacceptable_format_is_406(client):
    r = client.get("/sparql", query_string={"query": MEETINGS}, headers={"Accept": "image/png"})
    assert r.status_code == 406


def test_error_shape_is_fixed(client):
    r = client.get("/id/person/nobody", headers={"Accept": "application/json"})
    assert r.status_code == 404
    assert set(r.get_json()["error"]) == {"status", "title", "message"}


def test_home_page_counts(client):
    r = client.get("/")
    assert r.status_code == 200 and b"Meeting" in r.data
