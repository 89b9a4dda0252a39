"""The server through real HTTP (a `communique serve` subprocess) and in-process."""
import json

import pytest
import requests
from rdflib import OWL, Graph, URIRef

from conftest import SEED

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


# --- the base IRI follows the port when none is set ------------------------------------------


def test_default_base_iri_follows_host_and_port():
    from server.settings import Settings

    assert Settings.load({}, environ={}).base_iri == "http://localhost:5000/"
    assert Settings.load({"port": 8123}, environ={}).base_iri == "http://localhost:8123/"
    assert Settings.load({}, environ={"COMMUNIQUE_PORT": "8124"}).base_iri == "http://localhost:8124/"
    assert Settings.load({"host": "0.0.0.0", "port": 80}, environ={}).base_iri == "http://localhost:80/"
    assert Settings.load({"host": "kg.example.org", "port": 8000}, environ={}).base_iri == "http://kg.example.org:8000/"
    assert Settings.load({"host": "fd00::1", "port": 8000}, environ={}).base_iri == "http://[fd00::1]:8000/"
    explicit = Settings.load({"port": 8123, "base_iri": "https://example.org/kg"}, environ={})
    assert explicit.base_iri == "https://example.org/kg/" and not explicit.extra.get("base_iri_derived")


def test_serve_on_another_port_mints_iris_there(tmp_path):
    from conftest import LiveServer

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / SEED.name).write_text(SEED.read_text())
    server = LiveServer(tmp_path, "--seeds", str(seeds), base_iri=False)
    try:
        base = f"http://localhost:{server.port}/"
        r = requests.get(server.url + "/sparql", params={"query": MEETINGS}, headers={"Accept": "application/json"})
        iris = [b["m"]["value"] for b in r.json()["results"]["bindings"]]
        assert iris and all(i.startswith(base + "id/meeting/") for i in iris), iris[:3]
        person = requests.get(server.url + "/page/person/yevgeny-primakov")
        assert person.status_code == 200 and base + "id/person/yevgeny-primakov" in person.text
        assert f"IRIs under {base}" in server.output()
        assert "Search indexes: " in server.output() and "1 article (SQLite FTS5)" in server.output()
        assert "entities to reconcile" in server.output()  # built at start, not by the first request
    finally:
        server.stop()


def test_a_store_keeps_its_base_when_none_is_set(tmp_path):
    """A store minted under one base, opened on another port without --base-iri, keeps its IRIs (and pages)."""
    from conftest import make_settings
    from server.backend import Backend

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / SEED.name).write_text(SEED.read_text())
    first = Backend(make_settings(tmp_path, seeds=str(seeds), port=5001)).open()
    first.close()
    assert first.settings.base_iri == "http://localhost:5001/"
    second = Backend(make_settings(tmp_path, seeds=str(seeds), port=5002)).open()
    try:
        assert second.settings.base_iri == "http://localhost:5001/"
        assert second.pool.ask("ASK { <http://localhost:5001/id/person/yevgeny-primakov> ?p ?o }")
    finally:
        second.close()


def test_linked_data_and_search_allow_any_origin(live):
    """A browser app on another origin can read /data, /id (its 303) and /search, as it can /sparql."""
    origin = {"Origin": "https://notebook.example.org"}
    for path, accept in (("/data/person/yevgeny-primakov.ttl", "text/turtle"),
                         ("/id/person/yevgeny-primakov", "text/turtle"),
                         ("/search?q=primakov", "application/json"),
                         ("/sparql?query=ASK%7B%7D", "application/sparql-results+json")):
        r = requests.get(live.url + path, headers={"Accept": accept, **origin}, allow_redirects=False)
        assert r.status_code in (200, 303), path
        assert r.headers.get("Access-Control-Allow-Origin") == "*", path
    r = requests.get(live.url + "/id/person/yevgeny-primakov", headers={"Accept": "text/turtle", **origin},
                     allow_redirects=False)
    assert "Location" in r.headers.get("Access-Control-Expose-Headers", "")
    preflight = requests.options(live.url + "/search?q=x", headers={**origin, "Access-Control-Request-Method": "GET"})
    assert preflight.headers.get("Access-Control-Allow-Origin") == "*"
    assert "GET" in preflight.headers.get("Access-Control-Allow-Methods", "")


def test_home_lists_what_people_look_for_first(live):
    """Person, State, Organization, Meeting, Treaty, Position first; Mention and Evidence last, folded away."""
    import html5lib

    doc = html5lib.parse(requests.get(live.url + "/").text, namespaceHTMLElements=False)
    main = doc.find(".//table[@class='counts']")
    shown = [row.find("td/a").text for row in main.iter("tr") if row.find("td/a") is not None]
    assert shown[:6] == ["Person", "State", "Organization", "Meeting", "Treaty", "Position"], shown
    assert "Mention" not in shown and "Evidence" not in shown
    folded = doc.find(".//details[@class='internal']")
    internal = [a.text for a in folded.iter("a") if a.text in ("Mention", "Evidence")]
    assert set(internal) == {"Mention", "Evidence"}
