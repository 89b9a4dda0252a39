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
from rdflib import RDF, RDFS, Graph, Namespace
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
