"""The endpoint's limits, through real HTTP: timeout, disconnect, body size, UI rows, SERVICE, writes, CORS, log.

The runaway query is a cross product over the whole store. Timing assertions
are generous on purpose (503 within timeout + 5 s); the measured figures are
printed (``pytest -s``) and recorded in bench/results.md.
"""
from __future__ import annotations

import socket
import threading
import time
from urllib.parse import quote

import pytest
import requests

from conftest import LiveServer, children_busy

DIP = "https://w3id.org/communique/ontology#"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
SMALL = f"ASK {{ ?m a <{DIP}Meeting> }}"
TIMEOUT = 2.0


@pytest.fixture(scope="module")
def limited(tmp_path_factory, live):
    """A seeded server with a 2 s timeout, 5 UI rows, and SERVICE allowed to the `live` server only."""
    server = LiveServer(tmp_path_factory.mktemp("limited"), "--query-timeout", str(TIMEOUT), "--max-rows-html", "5",
                        "--service-allowlist", live.url + "/sparql")
    yield server
    server.stop()


def test_runaway_query_is_stopped_and_others_are_answered_meanwhile(limited):
    outcome = {}

    def runaway():
        started = time.monotonic()
        r = requests.get(limited.url + "/sparql", params={"query": RUNAWAY}, timeout=60)
        outcome.update(status=r.status_code, text=r.text, seconds=time.monotonic() - started)

    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(0.3)
    busy_during = children_busy(limited.proc.pid, 0.5)
    latencies, statuses = [], []
    while thread.is_alive():
        started = time.monotonic()
        r = requests.get(limited.url + "/sparql", params={"query": SMALL}, timeout=30)
        latencies.append(time.monotonic() - started)
        statuses.append(r.status_code)
        assert r.json()["boolean"] is True
        time.sleep(0.05)
    thread.join()
    assert outcome["status"] == 503, outcome
    assert "stopped" in outcome["text"]
    assert outcome["seconds"] < TIMEOUT + 5
    assert statuses and set(statuses) == {200}
    assert max(latencies) < TIMEOUT  # never queued behind the runaway query
    time.sleep(1.0)  # the killed worker's replacement starts
    busy_after = children_busy(limited.proc.pid, 1.0)
    assert busy_during > 0.4, "the runaway query should keep a worker busy"
    assert busy_after < 0.25, "the runaway query's CPU is freed"
    latencies.sort()
    print(f"\nrunaway: 503 after {outcome['seconds']:.2f} s (timeout {TIMEOUT} s); other queries meanwhile: "
          f"{len(latencies)} answered, median {latencies[len(latencies) // 2] * 1000:.1f} ms, "
          f"max {latencies[-1] * 1000:.1f} ms; workers' CPU during {busy_during:.2f}, after {busy_after:.2f}")


def test_runaway_update_is_stopped_and_writes_nothing(live_rw):
    src, out = "http://example.org/runaway-src", "http://example.org/runaway-out"
    data = " ".join(f"<http://example.org/s{i}> <http://example.org/p> {i} ." for i in range(200))
    r = requests.post(live_rw.url + "/sparql", data={"update": f"INSERT DATA {{ GRAPH <{src}> {{ {data} }} }}"},
                      headers=live_rw.auth)
    assert r.status_code == 204
    runaway = (f"INSERT {{ GRAPH <{out}> {{ ?a ?b ?c }} }} WHERE {{ GRAPH <{src}> {{ ?a ?b ?c . ?d ?e ?f . "
               f"?g ?h ?i . ?j ?k ?l }} FILTER(STR(?c) = CONCAT(STR(?f), STR(?i), STR(?l), 'x')) }}")
    started = time.monotonic()
    r = requests.post(live_rw.url + "/sparql", data={"update": runaway}, headers=live_rw.auth, timeout=60)
    took = time.monotonic() - started
    assert r.status_code == 503 and "nothing was written" in r.text
    assert took < 5 + 5
    ask = requests.get(live_rw.url + "/sparql", params={"query": f"ASK {{ GRAPH <{out}> {{ ?s ?p ?o }} }}"})
    assert ask.json()["boolean"] is False
    ask = requests.get(live_rw.url + "/sparql", params={"query": f"ASK {{ GRAPH <{src}> {{ ?s ?p 199 }} }}"})
    assert ask.json()["boolean"] is True
    assert children_busy(live_rw.proc.pid, 1.0) < 0.3
    r = requests.post(live_rw.url + "/sparql", data={"update": f"DROP GRAPH <{src}>"}, headers=live_rw.auth)
    assert r.status_code == 204
    print(f"\nrunaway update: 503 after {took:.2f} s (timeout 5 s)")


def test_client_that_disconnects_does_not_leave_its_query_running(live):
    """The `live` server has the default 30 s timeout: only the disconnect can stop the query this soon."""
    with socket.create_connection(("127.0.0.1", live.port)) as sock:
        sock.sendall(f"GET /sparql?query={quote(RUNAWAY)} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        time.sleep(0.5)
        assert children_busy(live.proc.pid, 0.5) > 0.4
    time.sleep(2.0)
    assert children_busy(live.proc.pid, 1.0) < 0.3
    assert requests.get(live.url + "/sparql", params={"query": SMALL}).json()["boolean"] is True


def _rss_mb(pid: int) -> float:
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def test_a_million_row_select_is_streamed_not_built_in_memory(live):
    before = _rss_mb(live.proc.pid)
    peak, rows, size = before, 0, 0
    r = requests.get(live.url + "/sparql", params={"query": "SELECT ?a ?b { ?a ?p ?x . ?b ?q ?y } LIMIT 1000000"},
                     headers={"Accept": "text/tab-separated-values"}, stream=True)
    assert r.headers.get("Content-Length") is None  # streamed, not sized up front
    for n, chunk in enumerate(r.iter_content(64 * 1024)):
        rows += chunk.count(b"\n")
        size += len(chunk)
        if n % 50 == 0:
            peak = max(peak, _rss_mb(live.proc.pid))
    assert rows == 1_000_001  # the header line, then a million rows
    assert size > 100_000_000
    assert peak - before < 80, f"the server grew by {peak - before:.0f} MB for a {size / 1e6:.0f} MB result"


def test_oversized_body_is_413(live):
    r = requests.post(live.url + "/sparql", data=b"#" * (1_048_576 + 10),
                      headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 413


@pytest.fixture(scope="module")
def small_body(tmp_path_factory):
    """A server whose body limit is 2,000 bytes, and writes on (Graph Store bodies)."""
    tmp = tmp_path_factory.mktemp("small_body")
    server = LiveServer(tmp, "--seeds", str(tmp / "no-seeds"), "--max-body", "2000",
                        env={"COMMUNIQUE_UPDATE_TOKEN": "t0ken"})
    yield server
    server.stop()


def test_413_is_exactly_over_max_body_and_in_the_apps_error_shape(small_body):
    def post(n: int, **headers):
        query = b"ASK { }"
        body = query + b" " * (n - len(query))  # a valid query, padded to n bytes
        return requests.post(small_body.url + "/sparql", data=body,
                             headers={"Content-Type": "application/sparql-query", **headers})

    assert post(2000).status_code == 200  # exactly max_body: accepted
    r = post(2001, Accept="application/json")  # one byte more: refused by waitress, in the app's shape
    assert r.status_code == 413
    assert r.json() == {"error": {"status": 413, "title": "Request Entity Too Large",
                                  "message": "the request body is larger than the limit of 2000 bytes"}}
    r = post(2001, Accept="text/html")
    assert r.status_code == 413 and r.headers["Content-Type"].startswith("text/html")
    assert "<h1>Request Entity Too Large</h1>" in r.text and "limit of 2000 bytes" in r.text
    r = post(50_000)
    assert r.status_code == 413 and "limit of 2000 bytes" in r.text  # /sparql without Accept: the plain-text shape
    r = requests.put(small_body.url + "/store", params={"graph": "http://example.org/g"}, data=b"#" * 2001,
                     headers={"Content-Type": "text/turtle", "Authorization": "Bearer t0ken"})
    assert r.status_code == 413 and r.json()["error"]["status"] == 413
    r = requests.put(small_body.url + "/store", params={"graph": "http://example.org/g"}, data=b"#" * 2000,
                     headers={"Content-Type": "text/turtle", "Authorization": "Bearer t0ken"})
    assert r.status_code == 201  # an empty graph, of exactly max_body bytes of comment


def test_no_internal_parser_message_for_a_bad_iri(live):
    for path in ("/id/person/%00", "/page/person/%00", "/data/person/%00.ttl", "/id/person/a%20b", "/id/person/%3E"):
        for accept in ("application/json", "text/html"):
            r = requests.get(live.url + path, headers={"Accept": accept}, allow_redirects=False)
            assert r.status_code == 404, (path, accept, r.status_code, r.text[:300])
            assert "IRI parsing failed" not in r.text and "error at" not in r.text, (path, r.text[:300])


def test_ui_rows_are_capped_other_clients_get_all(limited):
    q = f"SELECT ?s WHERE {{ ?s a <{DIP}Mention> }}"
    full = requests.post(limited.url + "/sparql", data={"query": q}).json()["results"]["bindings"]
    assert len(full) > 5
    r = requests.post(limited.url + "/sparql", data={"query": q, "ui": "1"})
    assert len(r.json()["results"]["bindings"]) == 5
    assert r.headers["Communique-Truncated"].startswith("true")
    assert r.json()["results"]["bindings"] == full[:5]


def test_ui_construct_is_capped_too(limited):
    q = f"CONSTRUCT {{ ?s a <{DIP}Mention> }} WHERE {{ ?s a <{DIP}Mention> }}"
    r = requests.post(limited.url + "/sparql", data={"query": q, "ui": "1"}, headers={"Accept": "application/n-triples"})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/n-triples")
    assert len(r.text.strip().splitlines()) == 5 and r.headers["Communique-Truncated"].startswith("true")


def test_service_is_off_by_default(live):
    r = requests.get(live.url + "/sparql", params={"query": "SELECT * { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"})
    assert r.status_code == 400 and "SERVICE" in r.text and "disabled" in r.text
    # the word SERVICE in a string or a variable is not a SERVICE clause
    r = requests.get(live.url + "/sparql", params={"query": 'SELECT ?service { BIND("SERVICE <x>" AS ?service) }'})
    assert r.status_code == 200


def test_service_to_an_allowed_endpoint_works_and_others_are_refused(limited, live):
    q = f"SELECT ?m WHERE {{ SERVICE <{live.url}/sparql> {{ ?m a <{DIP}Meeting> }} }}"
    r = requests.get(limited.url + "/sparql", params={"query": q})
    assert r.status_code == 200, r.text
    assert len(r.json()["results"]["bindings"]) >= 10
    r = requests.get(limited.url + "/sparql", params={"query": "SELECT * { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"})
    assert r.status_code == 400 and "allow-list" in r.text
    r = requests.get(limited.url + "/sparql", params={"query": "SELECT * { SERVICE ?e { ?s ?p ?o } }"})
    assert r.status_code == 400


def test_writes_are_off_without_a_token(live):
    r = requests.post(live.url + "/sparql", data={"update": "CLEAR ALL"})
    assert r.status_code == 403 and "update token" in r.text
    r = requests.put(live.url + "/store?graph=http://example.org/g", data=b"<a:b> <a:c> <a:d> .",
                     headers={"Content-Type": "application/n-triples", "Authorization": "Bearer anything"})
    assert r.status_code == 403
    assert requests.get(live.url + "/sparql", params={"query": SMALL}).json()["boolean"] is True


def test_writes_need_the_right_token(live_rw):
    for auth in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic " + live_rw.token}):
        r = requests.post(live_rw.url + "/sparql", data={"update": "CLEAR ALL"}, headers=auth)
        assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith("Bearer")
    r = requests.post(live_rw.url + "/sparql", data={"update": "INSERT DATA { <http://x/s> <http://x/p> 1 }"},
                      headers=live_rw.auth)
    assert r.status_code == 204
    # a write is visible to the next query
    r = requests.get(live_rw.url + "/sparql", params={"query": "ASK { <http://x/s> <http://x/p> 1 }"})
    assert r.json()["boolean"] is True
    assert requests.get(live_rw.url + "/store", params={"default": ""}).status_code == 200


def test_cors_preflight_and_simple_request(live):
    r = requests.options(live.url + "/sparql", headers={"Origin": "https://yasgui.example",
                                                         "Access-Control-Request-Method": "POST",
                                                         "Access-Control-Request-Headers": "content-type"})
    assert r.headers["Access-Control-Allow-Origin"] in ("*", "https://yasgui.example")
    assert "POST" in r.headers["Access-Control-Allow-Methods"]
    r = requests.get(live.url + "/sparql", params={"query": SMALL}, headers={"Origin": "https://yasgui.example"})
    assert r.headers["Access-Control-Allow-Origin"] in ("*", "https://yasgui.example")


def test_access_log_has_time_status_and_size(live):
    requests.get(live.url + "/sparql", params={"query": f"SELECT ?m WHERE {{ ?m a <{DIP}Meeting> }}"})
    time.sleep(0.2)
    lines = [line for line in live.output().splitlines() if line.startswith("query solutions")]
    assert lines, live.output()[-2000:]
    assert " 200 " in lines[-1] and "ms" in lines[-1] and "bytes" in lines[-1]


def test_healthz(live):
    assert requests.get(live.url + "/healthz").json()["status"] == "ok"
