"""The server through real HTTP (a `communique serve` subprocess) and in-process."""
import json

import pytest
import requests
from rdflib import OWL, Graph, URIRef

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


def test_entity_iri_redirects_browsers_to_the_page_and_machines_to_the_data(live):
    iri = live.url + "/id/person/yevgeny-primakov"
    # curl-style: no redirects followed, one request per representation
    r = requests.get(iri, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}, allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"] == "/page/person/yevgeny-primakov"
    assert r.headers["Vary"] == "Accept"
    r = requests.get(iri, headers={"Accept": "text/turtle"}, allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"] == "/data/person/yevgeny-primakov.ttl"
    assert requests.get(iri, headers={"Accept": "image/png"}, allow_redirects=False).status_code == 406
    # a browser follows to the page
    html = requests.get(iri, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert html.status_code == 200 and html.headers["Content-Type"].startswith("text/html")
    assert html.url == live.url + "/page/person/yevgeny-primakov"
    assert "<h1>Yevgeny Primakov</h1>" in html.text and "Q270529" in html.text
    assert '</data/person/yevgeny-primakov.ttl>; rel="alternate"; type="text/turtle"' in html.headers["Link"]
    ttl = requests.get(iri, headers={"Accept": "text/turtle"})
    assert ttl.headers["Content-Type"].startswith("text/turtle")
    assert '</page/person/yevgeny-primakov>; rel="alternate"; type="text/html"' in ttl.headers["Link"]
    g = Graph().parse(data=ttl.text, format="turtle")
    assert any("Yevgeny Primakov" in str(o) for o in g.objects())
    # rdflib as a Linked Data client: it negotiates, follows the 303 and parses what it gets
    g2 = Graph().parse(iri)
    assert len(g2) > 5 and (URIRef(iri), OWL.sameAs, URIRef("http://www.wikidata.org/entity/Q270529")) in g2
    for fmt in ("turtle", "json-ld", "xml", "nt"):
        assert len(Graph().parse(iri, format=fmt)) == len(g2)


def test_unknown_entity_is_404(live):
    r = requests.get(live.url + "/id/person/nobody-at-all", headers={"Accept": "text/turtle"})
    assert r.status_code == 404
    assert r.json()["error"]["status"] == 404
    r = requests.get(live.url + "/id/person/nobody-at-all", headers={"Accept": "text/html"})
    assert r.status_code == 404 and "nothing is known" in r.text


def test_healthz(live):
    body = requests.get(live.url + "/healthz").json()
    assert body["status"] == "ok"
    # how the query processes keep off the network: every one that started says so (sandbox.py)
    assert set(body["network"]) <= {"namespace", "seccomp"} and sum(body["network"].values()) >= 2, body


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
    for accept in ("text/html", "text/turtle", "application/ld+json"):
        r = client.get("/id/person/yevgeny-primakov", headers={"Accept": accept}, follow_redirects=True)
        assert r.status_code == 200 and r.mimetype == accept
    for path in ("/page/article/000_684714e08cb29c29", "/page/treaty/abm-treaty", "/page/state/russia",
                 "/page/meeting/000_684714e08cb29c29-1", "/search?q=primakov", "/dump.nq"):
        assert client.get(path).status_code == 200, path
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
