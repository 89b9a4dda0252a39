"""The W3C SPARQL 1.1 Protocol tests (tests/w3c/protocol/manifest.ttl), run against a real server.

The runner reads the manifest: for each test it empties the store, loads the
test's ``ut:graphData`` through the Graph Store Protocol, sends each
``ht:Request`` as written (path, method, headers, body in its encoding) and
checks the expected status class, result format and boolean. Every
``/sparql/`` path prefix becomes ``/sparql``. The manifest assumes an open
endpoint; this one needs a token for updates, so the runner sends it with
every request (writes without it are tested in test_limits.py).
"""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import requests
from rdflib import RDF, RDFS, Graph, Namespace, URIRef
from rdflib.collection import Collection

HERE = Path(__file__).parent / "w3c" / "protocol"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
RESULT_TYPES = {"application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                "text/tab-separated-values"}
RDF_TYPES = {"text/turtle": "turtle", "application/n-triples": "nt", "application/rdf+xml": "xml",
             "application/ld+json": "json-ld", "application/trig": "trig", "application/n-quads": "nquads"}


def load_manifest() -> list[dict]:
    g = Graph().parse(HERE / "manifest.ttl", format="turtle", publicID="file:///manifest/")
    manifest = next(g.subjects(RDF.type, MF.Manifest))
    tests = []
    for entry in Collection(g, g.value(manifest, MF.entries)):
        action = g.value(entry, MF.action)
        data = [(str(g.value(gd, UT.graph)).rsplit("/", 1)[-1], str(g.value(gd, RDFS.label)))
                for gd in g.objects(entry, UT.graphData)]
        reqs = []
        for r in Collection(g, g.value(action, HT.requests)):
            body = g.value(r, HT.body)
            headers = {}
            hl = g.value(r, HT.headers)
            if hl is not None:
                for h in Collection(g, hl):
                    headers[str(g.value(h, HT.fieldName))] = str(g.value(h, HT.fieldValue))
            resp = g.value(r, HT.resp)
            reqs.append({
                "method": str(g.value(r, HT.methodName)),
                "path": str(g.value(r, HT.absolutePath)),
                "headers": headers,
                "body": None if body is None else str(g.value(body, CNT.chars)),
                "encoding": None if body is None else str(g.value(body, CNT.characterEncoding)),
                "status": {str(s).rsplit("#StatusCode", 1)[-1] for s in g.objects(resp, MF.expectedStatus)},
                "format": g.value(resp, MF.expectedFormat),
                "boolean": g.value(resp, MF.expectedBoolean),
            })
        tests.append({"id": str(entry).rsplit("#", 1)[-1], "name": str(g.value(entry, MF.name)),
                      "data": data, "requests": reqs})
    return tests


TESTS = load_manifest()


def test_manifest_has_34_tests():
    assert len(TESTS) == 34


def boolean_of(response) -> bool:
    media = response.headers["Content-Type"].split(";")[0].strip()
    if media == "application/sparql-results+json":
        return response.json()["boolean"]
    if media == "application/sparql-results+xml":
        root = ET.fromstring(response.content)
        node = root.find("{http://www.w3.org/2005/sparql-results#}boolean")
        return node.text.strip() == "true"
    raise AssertionError(f"not a boolean result format: {media}")


@pytest.mark.parametrize("test", TESTS, ids=[t["id"] for t in TESTS])
def test_w3c_protocol(live_rw, test):
    base = live_rw.url
    reset = requests.post(base + "/sparql", data={"update": "DROP ALL"}, headers=live_rw.auth)
    assert reset.status_code == 204, reset.text
    for filename, graph in test["data"]:
        put = requests.put(base + "/store", params={"graph": graph}, data=(HERE / filename).read_bytes(),
                           headers={"Content-Type": "application/n-triples", **live_rw.auth})
        assert put.status_code in (201, 204), put.text
    for req in test["requests"]:
        path = req["path"]
        assert path.startswith("/sparql/")
        url = base + "/sparql" + path[len("/sparql/"):]
        body = None if req["body"] is None else req["body"].encode(req["encoding"].lower())
        r = requests.request(req["method"], url, data=body, headers={**req["headers"], **live_rw.auth},
                             allow_redirects=False)
        status_class = f"{r.status_code // 100}xx"
        assert status_class in req["status"], f"{test['name']}: got {r.status_code} {r.text[:300]}"
        media = r.headers.get("Content-Type", "").split(";")[0].strip()
        fmt = None if req["format"] is None else str(req["format"])
        if fmt == "boolean":
            assert media in ("application/sparql-results+json", "application/sparql-results+xml")
            boolean_of(r)
        elif fmt == "tabular":
            assert media in RESULT_TYPES
            if media == "application/sparql-results+json":
                assert json.loads(r.content)["head"]["vars"] == ["value"]
        elif fmt == "RDF":
            assert media in RDF_TYPES
            Graph().parse(data=r.content, format=RDF_TYPES[media])
        if req["boolean"] is not None:
            assert boolean_of(r) is req["boolean"].toPython(), test["name"]


# --- service description (tests/w3c/service-description: three checks in prose) ----------

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
SD_TERMS = {  # the SD vocabulary's classes, properties and instances used here
    "Service", "Dataset", "Graph", "endpoint", "supportedLanguage", "feature", "resultFormat", "defaultDataset",
    "defaultGraph", "SPARQL10Query", "SPARQL11Query", "SPARQL11Update", "UnionDefaultGraph", "BasicFederatedQuery",
}


def test_service_description_manifest_has_three_checks():
    g = Graph().parse(HERE.parent / "service-description" / "manifest.ttl", format="turtle")
    names = {str(n) for n in g.objects(predicate=MF.name)}
    assert names == {"GET on endpoint returns RDF", "Service description contains a matching sd:endpoint triple",
                     "Service description conforms to schema"}


@pytest.mark.parametrize("accept", [None, "text/turtle", "application/rdf+xml", "application/n-triples"])
def test_service_description(live, accept):
    endpoint = live.url + "/sparql"
    r = requests.get(endpoint, headers={"Accept": accept} if accept else {})
    # returns-rdf: a GET on the endpoint with no query returns RDF
    assert r.status_code == 200
    media = r.headers["Content-Type"].split(";")[0]
    assert media in RDF_TYPES and (accept is None or media == accept)
    g = Graph().parse(data=r.content, format=RDF_TYPES[media])
    # has-endpoint-triple: an sd:endpoint triple whose object is the URL that was fetched
    services = list(g.subjects(SD.endpoint, URIRef(endpoint)))
    assert services and (services[0], RDF.type, SD.Service) in g
    # conforms-to-schema: SD terms only, with objects of the right kind
    used = {str(t)[len(str(SD)):] for t in g.all_nodes() | set(g.predicates()) if str(t).startswith(str(SD))}
    assert used <= SD_TERMS, used - SD_TERMS
    service = services[0]
    for lang in g.objects(service, SD.supportedLanguage):
        assert lang in (SD.SPARQL10Query, SD.SPARQL11Query, SD.SPARQL11Update)
    for fmt in g.objects(service, SD.resultFormat):
        assert isinstance(fmt, URIRef) and str(fmt).startswith("http://www.w3.org/ns/formats/")
    dataset = g.value(service, SD.defaultDataset)
    assert (dataset, RDF.type, SD.Dataset) in g
    assert (g.value(dataset, SD.defaultGraph), RDF.type, SD.Graph) in g
    assert (service, SD.feature, SD.UnionDefaultGraph) in g
    assert (service, SD.feature, SD.BasicFederatedQuery) not in g  # SERVICE is off on this server


def test_void_counts_and_wikidata_linkset(live):
    VOID = Namespace("http://rdfs.org/ns/void#")
    r = requests.get(live.url + "/.well-known/void", headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/turtle")
    g = Graph().parse(data=r.text, format="turtle")
    ds = next(g.subjects(RDF.type, VOID.Dataset))
    triples = int(g.value(ds, VOID.triples))
    count = requests.get(live.url + "/sparql", params={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"}).json()
    assert triples == int(count["results"]["bindings"][0]["n"]["value"]) > 100
    assert int(g.value(ds, VOID.entities)) > 10
    assert g.value(ds, VOID.sparqlEndpoint) == URIRef(live.url + "/sparql")
    linkset = next(g.subjects(RDF.type, VOID.Linkset))
    assert g.value(linkset, VOID.linkPredicate) == URIRef("http://www.w3.org/2002/07/owl#sameAs")
    assert g.value(linkset, VOID.objectsTarget) == URIRef("http://www.wikidata.org/")
    assert int(g.value(linkset, VOID.triples)) > 5


def test_browser_gets_yasgui_with_example_tabs(live):
    r = requests.get(live.url + "/sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html")
    assert "yasgui/yasgui.min.js" in r.text and "cdn" not in r.text.lower()
    for title in ("Who met whom", "ABM treaty", "Wikidata links", "timeline", "Federated"):
        assert title in r.text
    js = requests.get(live.url + "/static/yasgui/yasgui.min.js")
    assert js.status_code == 200 and len(js.content) > 100_000
    assert requests.get(live.url + "/static/yasgui/yasgui.min.css").status_code == 200


def test_example_queries_run(live):
    from server.web.protocol import example_queries

    examples = example_queries()
    assert len(examples) >= 5
    for ex in examples:
        r = requests.post(live.url + "/sparql", data={"query": ex["query"]})
        if "SERVICE" in ex["query"]:
            assert r.status_code == 400  # federation is off on this server
            continue
        assert r.status_code == 200, (ex["file"], r.text)
        assert r.json()["results"]["bindings"], ex["file"]


# --- negotiation and the SPARQL text checks, as plain functions ----------------------------


@pytest.mark.parametrize("accept, fmt, expected", [
    (None, None, "application/sparql-results+json"),
    ("*/*", None, "application/sparql-results+json"),
    ("application/sparql-results+xml;q=0.9, text/csv", None, "text/csv"),
    ("text/tab-separated-values;q=0.5, application/sparql-results+xml;q=0.8", None, "application/sparql-results+xml"),
    ("application/json", None, "application/sparql-results+json"),
    ("text/*", None, "text/csv"),
    ("image/png", "csv", "text/csv"),
])
def test_negotiation_for_results(accept, fmt, expected):
    from server.web import negotiation as neg

    assert neg.choose(accept, neg.RESULTS, fmt).media_type == expected


def test_negotiation_for_graphs_and_406():
    from server.web import negotiation as neg
    from server.errors import NotAcceptable

    assert neg.choose("application/ld+json;q=0.5, text/turtle", neg.GRAPHS).media_type == "text/turtle"
    assert neg.choose(None, neg.GRAPHS, "xml").media_type == "application/rdf+xml"
    assert neg.choose(None, neg.GRAPHS, "n3").media_type == "text/turtle"
    with pytest.raises(NotAcceptable) as exc:
        neg.choose("image/png", neg.GRAPHS)
    assert "text/turtle" in exc.value.message


@pytest.mark.parametrize("name, expected", [
    ("rdf+xml", "application/rdf+xml"), ("rdfxml", "application/rdf+xml"), ("xml", "application/rdf+xml"),
    ("json-ld", "application/ld+json"), ("jsonld", "application/ld+json"), ("ld+json", "application/ld+json"),
    ("turtle", "text/turtle"), ("ttl", "text/turtle"), ("TTL", "text/turtle"), ("n3", "text/turtle"),
    ("nt", "application/n-triples"), ("ntriples", "application/n-triples"), ("n-triples", "application/n-triples"),
    ("trig", "application/trig"), ("nquads", "application/n-quads"), ("nq", "application/n-quads"),
])
def test_format_parameter_aliases_for_graphs(name, expected):
    from server.web import negotiation as neg

    assert neg.choose(None, neg.GRAPHS, name).media_type == expected


@pytest.mark.parametrize("name, expected", [
    ("json", "application/sparql-results+json"), ("srj", "application/sparql-results+json"),
    ("sparql-results+json", "application/sparql-results+json"), ("xml", "application/sparql-results+xml"),
    ("srx", "application/sparql-results+xml"), ("csv", "text/csv"), ("tsv", "text/tab-separated-values"),
])
def test_format_parameter_aliases_for_results(name, expected):
    from server.web import negotiation as neg

    assert neg.choose(None, neg.RESULTS, name).media_type == expected


def test_a_matching_accept_wins_over_an_unknown_format_parameter():
    from server.web import negotiation as neg
    from server.errors import NotAcceptable

    assert neg.choose("application/rdf+xml", neg.GRAPHS, "rdf-xml-please").media_type == "application/rdf+xml"
    assert neg.choose("text/csv", neg.RESULTS, "excel").media_type == "text/csv"
    for accept in (None, "*/*", "image/png"):  # nothing the client named fits: the unknown format is the answer
        with pytest.raises(NotAcceptable) as exc:
            neg.choose(accept, neg.GRAPHS, "excel")
        assert "'excel'" in exc.value.message
    assert neg.choose("text/csv", neg.RESULTS, "json").media_type == "application/sparql-results+json"  # a known one wins


def test_service_detection_and_using_rewrite():
    from server.errors import BadRequest
    from server.store.federation import analyse
    from server.store.sparql_text import apply_using

    def services(q):
        return analyse(q, update=False).services

    q = ('PREFIX e: <http://e/> SELECT * { SERVICE SILENT <http://a/sparql> { ?s ?p ?o } SERVICE e:q { } '
         'BIND("SERVICE <http://no/>" AS ?x) # SERVICE <http://no/>\n ?service <http://x/SERVICE> ?o }')
    assert services(q) == ["http://a/sparql", "http://e/q"]
    assert services("select * { service ?x { } }") == [None]
    # what would hide a SERVICE from a naive reader: '#' in an IRI or a local name is not a comment
    assert services(r"SELECT * { ?s <http://x/\u0041#> ?o . SERVICE <http://evil/> { } }") == ["http://evil/"]
    assert services(r"PREFIX e: <http://e/> SELECT * { ?s e:a\#b ?o . SERVICE <http://evil/> { } }") == ["http://evil/"]
    assert services(r"SELECT * { ?s <http://x/'> ?o . SERVICE <http://evil/> { ?s ?p '1' } }") == ["http://evil/"]
    assert services("SELECT * { # \r SERVICE <http://evil/> { } \n }") == ["http://evil/"]
    # an escaped IRI is read as the standard reads it; the raw reading does not parse, so it is refused anyway
    remote = analyse(r"SELECT * { SERVICE <http://a/sparq\u006C> { } }", update=False)
    assert remote.services == ["http://a/sparql"] and remote.unprovable
    assert analyse("LOAD <http://x/y> INTO GRAPH <http://g>", update=True).loads == ["http://x/y"]
    out = apply_using("INSERT { GRAPH <http://o> { ?s ?p ?o } } WHERE { ?s ?p ?o } ; INSERT DATA { <a:a> <a:b> 1 }",
                      ["http://g"], ["http://n"])
    assert "USING <http://g> USING NAMED <http://n> WHERE" in out and out.endswith("INSERT DATA { <a:a> <a:b> 1 }")
    out = apply_using('DELETE WHERE { ?s <http://p> "}" }', ["http://g"], [])
    assert out == 'DELETE { ?s <http://p> "}" } USING <http://g> WHERE { ?s <http://p> "}" }'
    for update in ("WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
                   "DELETE { ?s ?p ?o } USING <http://g> WHERE { ?s ?p ?o }"):
        with pytest.raises(BadRequest):
            apply_using(update, [], ["http://x"])
