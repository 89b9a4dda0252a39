"""SERVICE and LOAD: refused on a real parse, and the workers cannot reach the network anyway.

Every request goes over real HTTP to a real server; the target of every
SERVICE and LOAD is a real socket server on 127.0.0.1 that records each
connection it gets. The bypass variants must all be refused with a 400 that
names SERVICE (or LOAD), and the listener must see nothing. Then the second
line of defence is tested on its own: a query pool's workers, asked directly
(no parse check in between), cannot open a connection to the listener, under
both sandbox mechanisms, while a worker started for federation can (so the
listener really would have seen them).
"""
from __future__ import annotations

import http.server
import socket
import threading
import time
from urllib.parse import quote

import pytest
import requests

from conftest import UPDATE_TOKEN, LiveServer

SPARQL_QUERY = {"Content-Type": "application/sparql-query"}


class Listener:
    """A TCP server on 127.0.0.1 that records every connection and what it was sent."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.seen: list[bytes] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            conn.settimeout(2)
            try:
                self.seen.append(conn.recv(4096))
            except OSError:
                self.seen.append(b"")
            conn.close()


@pytest.fixture(scope="module")
def listener():
    return Listener()


# --- the variants ---------------------------------------------------------------------------------

P = "{ ?s ?p ?o }"


def query_variants(url: str, host: str, port: int) -> list[tuple[str, str]]:
    """(name, query): each would make pyoxigraph call the listener if it ran."""
    esc_s = "\\u0053"  # S
    return [
        ("comment ended by CR", f"SELECT * WHERE {{ #\rSERVICE <{url}/x> {P} }}"),
        ("comment ended by CR LF", f"SELECT * WHERE {{ #\r\nSERVICE <{url}/x> {P} }}"),
        ("comment, CR, more comment after", f"SELECT * WHERE {{ # a comment\rSERVICE <{url}/x> {P} # \n }}"),
        ("form feed as a separator", f"SELECT * WHERE {{\fSERVICE\f<{url}/x>\f{P} }}"),
        ("escaped CR inside a comment", f"SELECT * WHERE {{ # \\u000D SERVICE <{url}/x> {P} \n }}"),
        ("\\u escape of the keyword", f"SELECT * WHERE {{ {esc_s}ERVICE <{url}/x> {P} }}"),
        ("\\U escape of the keyword", f"SELECT * WHERE {{ \\U00000053ERVICE <{url}/x> {P} }}"),
        ("escape in the middle of the keyword", f"SELECT * WHERE {{ SERVIC\\u0045 <{url}/x> {P} }}"),
        ("escaped IRI", f"SELECT * WHERE {{ SERVICE <\\u0068ttp://{host}:{port}/x> {P} }}"),
        ("prefixed name", f"PREFIX l: <{url}/> SELECT * WHERE {{ SERVICE l:x {P} }}"),
        ("empty prefix", f"PREFIX : <{url}/> SELECT * WHERE {{ SERVICE :x {P} }}"),
        ("prefix declared twice", f"PREFIX l: <http://example.org/> PREFIX l: <{url}/> SELECT * WHERE {{ SERVICE l:x {P} }}"),
        ("BASE and a relative IRI", f"BASE <{url}/> SELECT * WHERE {{ SERVICE <x> {P} }}"),
        ("relative IRI (the server's own base)", f"SELECT * WHERE {{ SERVICE </sparql> {P} }}"),
        ("SILENT", f"SELECT * WHERE {{ SERVICE SILENT <{url}/x> {P} }}"),
        ("inside FILTER EXISTS", f"SELECT * WHERE {{ ?a ?b ?c FILTER EXISTS {{ SERVICE <{url}/x> {P} }} }}"),
        ("inside FILTER NOT EXISTS", f"SELECT * WHERE {{ ?a ?b ?c FILTER NOT EXISTS {{ SERVICE <{url}/x> {P} }} }}"),
        ("inside MINUS", f"SELECT * WHERE {{ ?a ?b ?c MINUS {{ SERVICE <{url}/x> {P} }} }}"),
        ("inside a subquery", f"SELECT * WHERE {{ {{ SELECT * WHERE {{ SERVICE <{url}/x> {P} }} }} }}"),
        ("inside OPTIONAL", f"SELECT * WHERE {{ OPTIONAL {{ SERVICE <{url}/x> {P} }} }}"),
        ("inside UNION", f"SELECT * WHERE {{ {{ ?a ?b ?c }} UNION {{ SERVICE <{url}/x> {P} }} }}"),
        ("inside GRAPH", f"SELECT * WHERE {{ GRAPH ?g {{ SERVICE <{url}/x> {P} }} }}"),
        ("SERVICE ?var with VALUES", f"SELECT * WHERE {{ VALUES ?e {{ <{url}/x> }} SERVICE ?e {P} }}"),
        ("SERVICE ?var with BIND", f"SELECT * WHERE {{ BIND(<{url}/x> AS ?e) SERVICE ?e {P} }}"),
        ("lower case", f"select * where {{ service <{url}/x> {P} }}"),
        ("mixed case", f"SeLeCt * WhErE {{ SeRvIcE sIlEnT <{url}/x> {P} }}"),
        ("no spaces", f"SELECT*WHERE{{SERVICE<{url}/x>{{?s ?p ?o}}}}"),
        ("tabs", f"SELECT\t*\tWHERE\t{{\tSERVICE\t<{url}/x>\t{P}\t}}"),
        ("'#' in an IRI before it", f"SELECT * WHERE {{ ?s <http://example.org/a#b> ?o . SERVICE <{url}/x> {P} }}"),
        ("'#' in a string before it", f"SELECT * WHERE {{ BIND('#' AS ?h) SERVICE <{url}/x> {P} }}"),
        ("long string with a line break before it", f"SELECT * WHERE {{ BIND('''a\nb''' AS ?h) SERVICE <{url}/x> {P} }}"),
        ("nested SERVICE", f"SELECT * WHERE {{ SERVICE <{url}/a> {{ SERVICE <{url}/b> {P} }} }}"),
        ("LATERAL (pyoxigraph only)", f"SELECT * WHERE {{ ?a ?b ?c LATERAL {{ SERVICE <{url}/x> {P} }} }}"),
        ("ASK", f"ASK {{ SERVICE <{url}/x> {P} }}"),
        ("CONSTRUCT", f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}/x> {P} }}"),
        ("DESCRIBE", f"DESCRIBE ?s WHERE {{ SERVICE <{url}/x> {P} }}"),
        ("localhost", f"SELECT * WHERE {{ SERVICE <http://localhost:{port}/x> {P} }}"),
    ]


def update_variants(url: str) -> list[tuple[str, str, dict]]:
    """(name, update, extra form fields): each would make pyoxigraph call the listener if it ran."""
    g = "http://example.org/federation-test"
    return [
        ("INSERT … WHERE { SERVICE }", f"INSERT {{ GRAPH <{g}> {{ ?s ?p ?o }} }} WHERE {{ SERVICE <{url}/x> {P} }}", {}),
        ("update, comment ended by CR", f"INSERT {{ GRAPH <{g}> {{ ?s ?p ?o }} }} WHERE {{ #\rSERVICE <{url}/x> {P} }}", {}),
        ("DELETE … WHERE { SERVICE }", f"DELETE {{ GRAPH <{g}> {{ ?s ?p ?o }} }} WHERE {{ SERVICE SILENT <{url}/x> {P} }}", {}),
        ("WITH … INSERT … WHERE { OPTIONAL { SERVICE } }",
         f"WITH <{g}> INSERT {{ ?s ?p ?o }} WHERE {{ OPTIONAL {{ SERVICE <{url}/x> {P} }} }}", {}),
        ("second operation", f"INSERT DATA {{ GRAPH <{g}> {{ <a:a> <a:b> 1 }} }} ; "
                             f"PREFIX l: <{url}/> INSERT {{ GRAPH <{g}> {{ ?s ?p ?o }} }} WHERE {{ SERVICE l:x {P} }}", {}),
        ("with using-graph-uri", f"INSERT {{ GRAPH <{g}> {{ ?s ?p ?o }} }} WHERE {{ SERVICE <{url}/x> {P} }}",
         {"using-graph-uri": g}),
        ("update, \\u escape", f"INSERT {{ GRAPH <{g}> {{ ?s ?p ?o }} }} WHERE {{ \\u0053ERVICE <{url}/x> {P} }}", {}),
    ]


def test_at_least_thirty_bypass_variants_are_refused_and_the_listener_sees_nothing(live_rw, listener):
    refused = []
    for name, q in query_variants(listener.url, "127.0.0.1", listener.port):
        r = requests.post(live_rw.url + "/sparql", data=q.encode(), headers=SPARQL_QUERY, timeout=60)
        assert r.status_code == 400 and "SERVICE" in r.text, (name, r.status_code, r.text[:300])
        refused.append(name)
    # by GET, with the CR as %0D, and as a form
    q = f"SELECT * WHERE {{ #\rSERVICE <{listener.url}/x> {P} }}"
    r = requests.get(live_rw.url + "/sparql?query=" + quote(q, safe=""), timeout=60)
    assert "%0D" in r.request.url and r.status_code == 400 and "SERVICE" in r.text, r.text
    r = requests.post(live_rw.url + "/sparql", data={"query": q}, timeout=60)
    assert r.status_code == 400 and "SERVICE" in r.text, r.text
    refused += ["GET with %0D", "POST form"]
    for name, u, extra in update_variants(listener.url):
        for how in ("direct", "form"):
            if how == "direct" and extra:
                continue
            if how == "direct":
                r = requests.post(live_rw.url + "/sparql", data=u.encode(), timeout=60,
                                  headers={**live_rw.auth, "Content-Type": "application/sparql-update"})
            else:
                r = requests.post(live_rw.url + "/sparql", data={"update": u, **extra}, headers=live_rw.auth, timeout=60)
            assert r.status_code == 400 and "SERVICE" in r.text, (name, how, r.status_code, r.text[:300])
            refused.append(f"{name} ({how})")
    time.sleep(0.5)
    assert listener.seen == [], f"the listener was called: {listener.seen}"
    assert len(refused) >= 30
    print(f"\n{len(refused)} SERVICE variants, all 400 naming SERVICE, listener saw {len(listener.seen)} connections")
    # what only looks like federation still runs
    for q in ("SELECT ?service WHERE { BIND('SERVICE <http://x/>' AS ?service) }",
              "SELECT * WHERE { ?s <http://example.org/service> ?o } # SERVICE <http://x/> { }",
              "PREFIX service: <http://example.org/> SELECT * WHERE { ?s service:load ?o }"):
        r = requests.post(live_rw.url + "/sparql", data=q.encode(), headers=SPARQL_QUERY)
        assert r.status_code == 200, (q, r.text)


def test_load_is_off_by_default_and_only_http(live_rw, listener):
    before = len(listener.seen)
    cases = [
        (f"LOAD <{listener.url}/data.ttl>", "LOAD is disabled"),
        (f"LOAD SILENT <{listener.url}/data.ttl>", "LOAD is disabled"),
        (f"load <{listener.url}/data.ttl> INTO GRAPH <http://example.org/g>", "LOAD is disabled"),
        (f"PREFIX l: <{listener.url}/> LOAD l:data", "LOAD is disabled"),
        (f"CLEAR SILENT GRAPH <http://example.org/g> ; #\rLOAD <{listener.url}/data.ttl>", "LOAD is disabled"),
        ("LOAD <file:///etc/hostname>", "only http and https"),
        ("LOAD <ftp://example.org/x>", "only http and https"),
    ]
    for update, message in cases:
        r = requests.post(live_rw.url + "/sparql", data={"update": update}, headers=live_rw.auth)
        assert r.status_code == 400 and message in r.text, (update, r.status_code, r.text)
    time.sleep(0.3)
    assert len(listener.seen) == before


# --- allowed federation: the endpoints on the allow-list, and bad answers from them ---------------


class Remote(http.server.ThreadingHTTPServer):
    """A remote source: /good.ttl is Turtle, /sparql answers SPARQL JSON; the others send what cannot be read."""

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _RemoteHandler)
        self.url = f"http://127.0.0.1:{self.server_address[1]}"
        threading.Thread(target=self.serve_forever, daemon=True).start()


class _RemoteHandler(http.server.BaseHTTPRequestHandler):
    ANSWERS = {
        "/good.ttl": ("text/turtle", b"<http://example.org/a> <http://example.org/b> \"loaded\" ."),
        "/bad.ttl": ("text/turtle", b"this is { not <turtle"),
        "/page.html": ("text/html", b"<html>not RDF</html>"),
        "/sparql": ("application/sparql-results+json",
                    b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "literal", "value": "far"}}]}}'),
        "/broken": ("application/sparql-results+json", b"{ not json"),
    }

    def do_GET(self):
        ctype, body = self.ANSWERS.get(self.path.split("?")[0], ("text/plain", b"no"))
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def remote():
    server = Remote()
    yield server
    server.shutdown()


@pytest.fixture(scope="module")
def federated(tmp_path_factory, remote):
    tmp = tmp_path_factory.mktemp("federated")
    server = LiveServer(tmp, "--seeds", str(tmp / "no-seeds"), "--query-timeout", "10",
                        "--service-allowlist", f"{remote.url}/sparql {remote.url}/broken",
                        "--load-allowlist", f"{remote.url}/", env={"COMMUNIQUE_UPDATE_TOKEN": UPDATE_TOKEN})
    server.auth = {"Authorization": f"Bearer {UPDATE_TOKEN}"}
    yield server
    server.stop()


def test_allowed_load_and_service_work(federated, remote):
    r = requests.post(federated.url + "/sparql", headers=federated.auth,
                      data={"update": f"LOAD <{remote.url}/good.ttl> INTO GRAPH <http://example.org/loaded>"})
    assert r.status_code == 204, r.text
    r = requests.get(federated.url + "/sparql", params={
        "query": 'ASK { GRAPH <http://example.org/loaded> { <http://example.org/a> ?p "loaded" } }'})
    assert r.json()["boolean"] is True
    r = requests.get(federated.url + "/sparql", params={"query": f"SELECT ?x WHERE {{ SERVICE <{remote.url}/sparql> {{ ?x ?p ?o }} }}"})
    assert r.status_code == 200, r.text
    assert [b["x"]["value"] for b in r.json()["results"]["bindings"]] == ["far"]


def test_remote_answers_that_cannot_be_read_are_502_and_the_worker_lives(federated, remote):
    for update in (f"LOAD <{remote.url}/bad.ttl>", f"LOAD <{remote.url}/page.html>"):
        r = requests.post(federated.url + "/sparql", data={"update": update}, headers=federated.auth)
        assert r.status_code == 502, (update, r.status_code, r.text)
        assert "remote" in r.text and "could not be used" in r.text
    r = requests.get(federated.url + "/sparql", params={"query": f"SELECT * WHERE {{ SERVICE <{remote.url}/broken> {{ ?s ?p ?o }} }}"},
                     headers={"Accept": "application/json"})
    assert r.status_code == 502 and r.json()["error"]["status"] == 502, r.text
    # the refusals still hold with federation on
    r = requests.post(federated.url + "/sparql", data={"update": f"LOAD <{remote.url.replace('127.0.0.1', 'localhost')}/good.ttl>"},
                      headers=federated.auth)
    assert r.status_code == 400 and "allow-list" in r.text
    r = requests.get(federated.url + "/sparql", params={"query": f"SELECT * WHERE {{ SERVICE <{remote.url}/other> {P} }}"})
    assert r.status_code == 400 and "allow-list" in r.text
    r = requests.get(federated.url + "/sparql", params={"query": f"BASE <{remote.url}/> SELECT * WHERE {{ SERVICE <sparql> {P} }}"})
    assert r.status_code == 400 and "absolute" in r.text
    assert requests.get(federated.url + "/sparql", params={"query": "ASK { }"}).json()["boolean"] is True
    log = federated.output()
    assert "Traceback" not in log and "stopped unexpectedly" not in log, log[-3000:]


# --- the second line: the processes themselves -----------------------------------------------------


@pytest.mark.parametrize("mechanism", ["namespace", "seccomp"])
def test_workers_cannot_reach_the_network_even_if_asked_directly(tmp_path, listener, mechanism):
    """No parse check here: the query goes straight to a worker, which must fail to connect."""
    from server.errors import CommuniqueError
    from server.store.pool import QueryPool

    formats = {"solutions": "application/sparql-results+json", "boolean": "application/sparql-results+json",
               "triples": "application/n-triples"}
    pool = QueryPool(str(tmp_path / "store"), workers=1, timeout=20, network_workers=1, sandbox=mechanism)
    try:
        assert pool.sandboxes.get(mechanism) == 1, pool.sandboxes  # the sandboxed worker said which one it has
        before = len(listener.seen)
        with pytest.raises(CommuniqueError) as exc:
            pool.query(f"SELECT * WHERE {{ SERVICE <{listener.url}/worker> {P} }}", formats).read()
        assert ("unreachable" if mechanism == "namespace" else "ermission denied") in exc.value.message
        with pytest.raises(CommuniqueError) as exc:
            pool.update(f"LOAD <{listener.url}/updater>")
        assert ("unreachable" if mechanism == "namespace" else "ermission denied") in exc.value.message
        time.sleep(0.3)
        assert listener.seen[before:] == []
        # the control: a worker started for federation reaches the same listener
        with pytest.raises(CommuniqueError):
            pool.query(f"SELECT * WHERE {{ SERVICE <{listener.url}/allowed> {P} }}", formats, network=True).read()
        deadline = time.monotonic() + 5
        while len(listener.seen) == before and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(listener.seen) == before + 1 and b"/allowed" in listener.seen[-1]
    finally:
        pool.close()


def test_sandbox_mechanisms_in_a_process_of_their_own():
    """Each mechanism, in a fresh process: TCP to the host is impossible, a Unix socket pair still works."""
    import multiprocessing as mp

    ctx = mp.get_context("spawn")
    for mechanism in ("namespace", "seccomp"):
        with ctx.Pool(1) as p:
            got = p.apply(_probe, (mechanism,))
        assert got[0] == mechanism
        assert got[1] == ("unreachable" if mechanism == "namespace" else "forbidden"), got
        assert got[2] == b"x"


def _probe(mechanism: str):
    import socket as s

    from server.store import sandbox

    with s.socket() as srv:  # a listener of the process's own, opened before: reachable until the sandbox
        srv.bind(("127.0.0.1", 0))
        srv.listen()
        port = srv.getsockname()[1]
        assert sandbox.reachable("127.0.0.1", port) == "connected"
        got = sandbox.isolate(mechanism)
        after = sandbox.reachable("127.0.0.1", port)
    a, b = s.socketpair()
    a.send(b"x")
    return got, after, b.recv(1)
