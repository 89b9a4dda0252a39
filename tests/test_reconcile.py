"""/reconcile, the Reconciliation Service API 0.2, over real HTTP as OpenRefine speaks it, every response
validated against the spec's JSON schemas (copies in tests/reconciliation/, see its README)."""
from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

SCHEMAS = Path(__file__).resolve().parent / "reconciliation"
DIP = "https://w3id.org/communique/ontology#"
REGISTRY = Registry().with_resources(
    (json.loads(p.read_text())["$id"], Resource.from_contents(json.loads(p.read_text()), default_specification=DRAFT7))
    for p in SCHEMAS.glob("*.json"))


def validator(name: str) -> Draft7Validator:
    schema = json.loads((SCHEMAS / f"{name}.json").read_text())
    return Draft7Validator(schema, registry=REGISTRY)


def valid(name: str, instance) -> None:
    errors = sorted(validator(name).iter_errors(instance), key=lambda e: list(e.path))
    assert not errors, f"{name}: " + "; ".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


def example(name: str):
    return json.loads((SCHEMAS / "examples" / name).read_text())


@pytest.fixture(scope="module")
def manifest(live):
    r = requests.get(live.url + "/reconcile")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/json")
    return r.json()


def post_queries(live, batch: dict) -> dict:
    """A batch as OpenRefine sends it: a form-encoded `queries` field holding JSON."""
    valid("reconciliation-query-batch", batch)  # the test's own queries follow the spec
    r = requests.post(live.url + "/reconcile", data={"queries": json.dumps(batch)})
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("application/json")
    out = r.json()
    valid("reconciliation-result-batch", out)
    assert set(out) == set(batch)
    return out


def sparql(live, query: str) -> list[dict]:
    prefixes = f"PREFIX dip: <{DIP}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
    r = requests.get(live.url + "/sparql", params={"query": prefixes + query},
                     headers={"Accept": "application/json"})
    return r.json()["results"]["bindings"]


# --- the schemas themselves: they must be able to fail ------------------------------------------------


@pytest.mark.parametrize("schema, name", [
    ("reconciliation-result-batch", "invalid-result-missing-id.json"),
    ("reconciliation-result-batch", "invalid-result-no-result.json"),
    ("manifest", "invalid-manifest-missing-version.json"),
    ("data-extension-response", "invalid-extension-wrong-properties.json"),
    ("reconciliation-query-batch", "invalid-query-empty-query.json"),
    ("reconciliation-query-batch", "invalid-query-misnamed-property.json"),
])
def test_the_specs_invalid_examples_fail_the_schemas(schema, name):
    assert list(validator(schema).iter_errors(example(name))), f"{name} should not validate against {schema}"


def test_the_specs_valid_examples_pass():
    valid("manifest", example("valid-manifest-wikidata.json"))
    valid("reconciliation-result-batch", example("valid-result-example-full.json"))


# --- manifest ------------------------------------------------------------------------------------------


def test_manifest(live, manifest):
    valid("manifest", manifest)
    assert "0.2" in manifest["versions"]
    assert manifest["identifierSpace"] == live.url + "/id/"  # the base IRI's id space
    assert manifest["schemaSpace"] == DIP
    assert {t["id"] for t in manifest["defaultTypes"]} >= {"Person", "State", "Organization", "Place", "Treaty"}
    for kind in ("entity", "type", "property"):
        assert manifest["suggest"][kind]["service_url"].startswith(live.url)
    assert "{{id}}" in manifest["view"]["url"] and "{{id}}" in manifest["preview"]["url"]
    assert manifest["extend"]["propose_properties"]["service_path"]


def test_manifest_as_jsonp_and_cors(live):
    r = requests.get(live.url + "/reconcile", params={"callback": "jQuery123_cb"},
                     headers={"Origin": "https://openrefine.example"})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/javascript")
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    body = r.text
    assert body.startswith("/**/jQuery123_cb(") and body.endswith(");")
    valid("manifest", json.loads(body[len("/**/jQuery123_cb("):-2]))
    assert requests.get(live.url + "/reconcile", params={"callback": "alert(1)//"}).status_code == 400
    pre = requests.options(live.url + "/reconcile", headers={"Origin": "https://x.example",
                                                             "Access-Control-Request-Method": "POST"})
    assert pre.headers["Access-Control-Allow-Origin"] == "*" and "POST" in pre.headers["Access-Control-Allow-Methods"]


# --- reconciliation queries --------------------------------------------------------------------------------


def test_batch_of_names_with_types(live):
    out = post_queries(live, {
        "q0": {"query": "Yevgeny Primakov", "type": "Person"},
        "q1": {"query": "Russia", "type": "State", "limit": 3},
        "q2": {"query": "ABM treaty", "type": "Treaty"},  # an alias
        "q3": {"query": "Russia", "type": "Person"},  # no person is called Russia
        "q4": {"query": "Primakof", "type": ["Person"]},  # a typo: found, but not certain
        "q5": {"query": "Moscow", "limit": 1},
    })
    first = {k: v["result"][0] if v["result"] else None for k, v in out.items()}
    assert first["q0"]["id"] == "person/yevgeny-primakov" and first["q0"]["match"] is True
    assert first["q0"]["name"] == "Yevgeny Primakov" and {"id": "Person", "name": "Person"} in first["q0"]["type"]
    assert first["q1"]["id"] == "state/russia" and first["q1"]["match"] and len(out["q1"]["result"]) <= 3
    assert first["q2"]["id"] == "treaty/abm-treaty" and first["q2"]["match"]
    assert all(c["id"] != "state/russia" for c in out["q3"]["result"])
    assert all(any(t["id"] == "Person" for t in c["type"]) for c in out["q3"]["result"] + out["q4"]["result"])
    assert first["q4"]["id"] == "person/yevgeny-primakov" and first["q4"]["match"] is False
    assert len(out["q5"]["result"]) == 1
    for result in out.values():  # sorted by decreasing score; match only ever on the first
        scores = [c["score"] for c in result["result"]]
        assert scores == sorted(scores, reverse=True)
        assert not any(c["match"] for c in result["result"][1:])


def test_scores_are_explained_by_features(live):
    out = post_queries(live, {"q0": {"query": "Yevgeny Primakov"}, "q1": {"query": "Yevgeny Primakof"},
                              "q2": {"query": "Igor Ivanov", "properties": [{"pid": "affiliation", "v": "Russia"}]}})
    exact, typo = out["q0"]["result"][0], out["q1"]["result"][0]
    features = {f["id"]: f["value"] for f in exact["features"]}
    assert features["name_exact"] is True and features["name_similarity"] == 1
    typo_features = {f["id"]: f["value"] for f in typo["features"]}
    assert typo["id"] == exact["id"] and typo_features["name_exact"] is False
    assert 0.8 < typo_features["name_similarity"] < 1 and typo["score"] == pytest.approx(
        typo_features["name_similarity"] * 100, abs=0.1)  # with no property, the score is the name's similarity
    ivanov = {f["id"]: f["value"] for f in out["q2"]["result"][0]["features"]}
    assert ivanov["property_affiliation"] == 1 and isinstance(ivanov["facts"], int)


def test_property_constraints(live):
    out = post_queries(live, {
        "right": {"query": "Igor Ivanov", "type": "Person", "properties": [{"pid": "affiliation", "v": "Russia"}]},
        "by_id": {"query": "Igor Ivanov", "properties": [{"pid": "affiliation", "v": {"id": "state/russia"}}]},
        "wrong": {"query": "Igor Ivanov", "type": "Person",
                  "properties": [{"pid": "affiliation", "v": "United States"}]},
        "only": {"type": "Person", "properties": [{"pid": "affiliation", "v": "Russia"}], "limit": 50},
        "place": {"query": "Moscow", "type": "Place", "properties": [{"pid": "country", "v": {"id": "state/russia",
                                                                                                "name": "Russia"}}]},
        "several": {"query": "Igor Ivanov", "properties": [{"pid": "affiliation", "v": ["Ukraine", "Russia"]}]},
    })
    right, wrong = out["right"]["result"][0], out["wrong"]["result"][0]
    assert right["id"] == "person/igor-ivanov" and right["match"] is True
    assert out["by_id"]["result"][0]["match"] is True and out["several"]["result"][0]["match"] is True
    assert wrong["id"] == "person/igor-ivanov" and wrong["match"] is False and wrong["score"] < right["score"]
    # a query of properties only: exactly the people affiliated to Russia, as SPARQL says
    expected = {b["p"]["value"].split("/id/", 1)[1] for b in sparql(
        live, "SELECT DISTINCT ?p WHERE { ?p a dip:Person . ?st dip:person ?p ; dip:affiliation ?s . "
              "?s rdfs:label 'Russia' }")}  # the articles' role statements give affiliations (MODEL.md)
    assert expected and {c["id"] for c in out["only"]["result"]} == expected
    assert out["place"]["result"][0]["id"] == "place/moscow" and out["place"]["result"][0]["match"]


def test_get_with_queries_gives_what_post_gives(live):
    batch = {"q0": {"query": "Strobe Talbott"}, "q1": {"query": "NATO", "type": "Organization"}}
    got = requests.get(live.url + "/reconcile", params={"queries": json.dumps(batch)})
    assert got.status_code == 200
    valid("reconciliation-result-batch", got.json())
    assert got.json() == post_queries(live, batch)
    assert got.json()["q0"]["result"][0]["id"] == "person/strobe-talbott"
    jsonp = requests.get(live.url + "/reconcile", params={"queries": json.dumps(batch), "callback": "cb"})
    assert json.loads(jsonp.text[len("/**/cb("):-2]) == got.json()


def test_an_id_or_a_qid_as_query(live):
    out = post_queries(live, {"id": {"query": "person/yevgeny-primakov"}, "qid": {"query": "Q270529"}})
    for key in ("id", "qid"):
        best = out[key]["result"][0]
        assert best["id"] == "person/yevgeny-primakov" and best["match"] is True, key


def test_match_only_when_unique(live):
    """Two entities named alike: neither is a certain match, though both names are exact."""
    from server.web.reconciliation import ReconIndex

    base = "http://x/"
    facts = {"types": [(base + "id/place/georgia-us", DIP + "Place"), (base + "id/state/georgia", DIP + "State")],
             "labels": [(base + "id/place/georgia-us", "Georgia"), (base + "id/state/georgia", "Georgia")]}
    index = ReconIndex(base, facts)
    both = index.reconcile({"query": "Georgia"})
    assert {c["id"] for c in both} == {"place/georgia-us", "state/georgia"} and not any(c["match"] for c in both)
    [state] = index.reconcile({"query": "Georgia", "type": "State"})  # the type makes it unique
    assert state["id"] == "state/georgia" and state["match"] is True
    valid("reconciliation-result-batch", {"q": {"result": both}})


@pytest.mark.parametrize("batch, status", [
    ("not json", 400),
    ("[]", 400),
    (json.dumps({"q0": {"limit": 1}}), 400),  # the spec's invalid example: neither query nor properties
    (json.dumps({"q0": {"query": "x", "props": []}}), 400),  # a misnamed field
    (json.dumps({"q0": {"query": "x", "properties": [{"pid": "shoe_size", "v": 42}]}}), 400),
    (json.dumps({"q0": {"query": "x", "limit": 0}}), 400),
    (json.dumps({f"q{i}": {"query": "x"} for i in range(101)}), 413),  # over the manifest's batchSize
])
def test_bad_batches(live, batch, status):
    r = requests.post(live.url + "/reconcile", data={"queries": batch}, headers={"Accept": "application/json"})
    assert r.status_code == status, r.text
    assert r.json()["error"]["status"] == status


def test_the_specs_invalid_query_examples_are_refused(live):
    for name in ("invalid-query-empty-query.json", "invalid-query-misnamed-property.json"):
        r = requests.post(live.url + "/reconcile", data={"queries": json.dumps(example(name))})
        assert r.status_code == 400, name


# --- suggest, preview, view ------------------------------------------------------------------------------


def suggest(live, manifest, kind: str, **params) -> dict:
    service = manifest["suggest"][kind]
    r = requests.get(service["service_url"] + service["service_path"], params=params)
    assert r.status_code == 200, r.text
    valid(f"suggest-{ {'entity': 'entities', 'type': 'types', 'property': 'properties'}[kind] }-response", r.json())
    return r.json()


def test_suggest_entities(live, manifest):
    found = suggest(live, manifest, "entity", prefix="Yevgeny Prim")["result"]
    assert found[0]["id"] == "person/yevgeny-primakov" and found[0]["name"] == "Yevgeny Primakov"
    assert {"id": "Person", "name": "Person"} in found[0]["notable"] and "Prime Minister" in found[0]["description"]
    assert suggest(live, manifest, "entity", prefix="primakof")["result"][0]["id"] == "person/yevgeny-primakov"
    assert suggest(live, manifest, "entity", prefix="person/igor-ivanov")["result"][0]["id"] == "person/igor-ivanov"
    assert suggest(live, manifest, "entity", prefix="Q649")["result"][0]["id"] == "place/moscow"
    many = suggest(live, manifest, "entity", prefix="m")["result"]
    later = suggest(live, manifest, "entity", prefix="m", cursor=2)["result"]
    assert len(many) > 3 and later[0] == many[2]  # cursor skips that many
    assert suggest(live, manifest, "entity", prefix="")["result"] == []


def test_suggest_types_and_properties(live, manifest):
    types = suggest(live, manifest, "type", prefix="Pers")["result"]
    assert types[0]["id"] == "Person" and types[0]["broader"] == [{"id": "Actor", "name": "Actor"}]
    assert {t["id"] for t in suggest(live, manifest, "type", prefix="")["result"]} >= {"Person", "Place", "Treaty"}
    props = suggest(live, manifest, "property", prefix="affil")["result"]
    assert props[0]["id"] == "affiliation"
    assert suggest(live, manifest, "property", prefix="wiki")["result"][0]["id"] == "wikidata"


def test_preview_and_view(live, manifest):
    entity = "person/yevgeny-primakov"
    url = manifest["preview"]["url"].replace("{{id}}", quote(entity, safe=""))  # as clients fill it in
    r = requests.get(url)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html")
    assert "<h1>" in r.text and "Yevgeny Primakov" in r.text and "Q270529" in r.text and "Prime Minister" in r.text
    import html5lib

    html5lib.HTMLParser(strict=True).parse(r.text)  # a whole, well-formed document for the iframe
    assert requests.get(manifest["preview"]["url"].replace("{{id}}", "person%2Fnobody")).status_code == 404
    view = requests.get(manifest["view"]["url"].replace("{{id}}", quote(entity, safe="")), allow_redirects=True)
    assert view.status_code == 200 and view.url.endswith("/page/person/yevgeny-primakov")


# --- data extension ------------------------------------------------------------------------------------


def test_propose_properties(live, manifest):
    service = manifest["extend"]["propose_properties"]
    url = service["service_url"] + service["service_path"]
    person = requests.get(url, params={"type": "Person"}).json()
    valid("data-extension-property-proposal", person)
    assert person["type"] == "Person"
    assert {p["id"] for p in person["properties"]} >= {"wikidata", "type", "role", "affiliation", "meetings",
                                                       "positions"}
    place = requests.get(url, params={"type": "Place"}).json()
    assert "country" in {p["id"] for p in place["properties"]} and "role" not in {p["id"] for p in place["properties"]}
    limited = requests.get(url, params={"type": "Person", "limit": 2}).json()
    valid("data-extension-property-proposal", limited)
    assert len(limited["properties"]) == 2 and limited["limit"] == 2
    assert requests.get(url, params={"type": "Spaceship"}).status_code == 400


def test_data_extension(live):
    ids = ["person/yevgeny-primakov", "state/russia", "place/moscow", "treaty/abm-treaty", "person/nobody"]
    props = ["wikidata", "type", "role", "affiliation", "meetings", "positions", "country"]
    query = {"ids": ids, "properties": [{"id": p} for p in props]}
    valid("data-extension-query", query)
    r = requests.post(live.url + "/reconcile", data={"extend": json.dumps(query)})
    assert r.status_code == 200, r.text
    out = r.json()
    valid("data-extension-response", out)
    assert [m["id"] for m in out["meta"]] == props and set(out["rows"]) == set(ids)
    primakov, russia, moscow, abm = (out["rows"][i] for i in ids[:4])
    assert primakov["wikidata"] == [{"str": "Q270529"}] and primakov["role"] == [{"str": "Prime Minister"}]
    assert primakov["affiliation"] == [{"id": "state/russia", "name": "Russia"}]
    assert {"str": "Person"} in primakov["type"] and moscow["country"] == [{"id": "state/russia", "name": "Russia"}]
    assert out["rows"]["person/nobody"] == {p: [] for p in props}
    # the counts are the graph's, as SPARQL counts them
    def n(query):
        return int(sparql(live, query)[0]["n"]["value"])

    me = f"<{live.url}/id/person/yevgeny-primakov>"
    assert primakov["meetings"] == [{"int": n(f"SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE {{ ?m a dip:Meeting ; dip:participant {me} }}")}]
    ru = f"<{live.url}/id/state/russia>"
    assert russia["positions"] == [{"int": n(f"SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE {{ ?p a dip:Position ; dip:holder {ru} }}")}]
    assert russia["positions"][0]["int"] > 0
    treaty = f"<{live.url}/id/treaty/abm-treaty>"
    assert abm["positions"] == [{"int": n(f"SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE {{ ?p a dip:Position ; dip:topic {treaty} }}")}]
    assert abm["meetings"] == [] and abm["role"] == []
    mo = f"<{live.url}/id/place/moscow>"
    assert moscow["meetings"] == [{"int": n(f"SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE {{ ?m a dip:Meeting ; dip:location {mo} }}")}]
    got = requests.get(live.url + "/reconcile", params={"extend": json.dumps(query)})
    assert got.json() == out
    bad = requests.post(live.url + "/reconcile", data={"extend": json.dumps({"ids": ids, "properties": [{"id": "x"}]})})
    assert bad.status_code == 400
