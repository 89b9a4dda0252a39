"""Federation stays off unless allowed: SERVICE and LOAD in every disguise, against a real listener.

A TCP listener on 127.0.0.1 records every connection. Each variant goes to the live server (GET and
POST; queries, and updates with the write token); each must get 400 naming SERVICE (or LOAD), and
the listener must see nothing. Underneath, the query workers have no network at all: a SERVICE
query sent to them directly, past the endpoint's checks, reaches nobody either.
"""
import socket
import threading
import time

import pytest
import requests

from server.store.pool import QueryPool

from conftest import UPDATE_TOKEN


class Listener:
    """Accepts connections on 127.0.0.1 and counts them."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/sparql"
        self.hits = 0
        self.running = True
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.hits += 1
            conn.close()

    def close(self):
        self.running = False
        self.thread.join(2)
        self.sock.close()


@pytest.fixture(scope="module")
def listener():
    server = Listener()
    yield server
    server.close()


def variants(url):
    host = url.rsplit("/", 1)[0]
    esc = "SERVIC\\u0045"
    escaped_url = url.replace("sparql", "sp\\u0061rql")
    escaped_host = host.replace("127", "\\u0031\\u00327")
    return [
        f"SELECT * WHERE {{ #\rSERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ #\r\nSERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ #\fSERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ # a comment\rSERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ {esc} <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVIC\\U00000045 <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE <{escaped_url}> {{ ?s ?p ?o }} }}",
        f"PREFIX e: <{host}/> SELECT * WHERE {{ SERVICE e:sparql {{ ?s ?p ?o }} }}",
        f"BASE <{host}/> SELECT * WHERE {{ SERVICE <sparql> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ FILTER EXISTS {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
        f"SELECT * WHERE {{ ?a ?b ?c MINUS {{ SERVICE <{url}> {{ ?a ?b ?c }} }} }}",
        f"SELECT * WHERE {{ {{ SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }} }}",
        f"SELECT * WHERE {{ OPTIONAL {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
        f"SELECT * WHERE {{ VALUES ?e {{ <{url}> }} SERVICE ?e {{ ?s ?p ?o }} }}",
        f"select * where {{ service <{url}> {{ ?s ?p ?o }} }}",
        f"SeLeCt * WhErE {{ SeRvIcE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ {{ ?s ?p ?o }} UNION {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
        f"SELECT * WHERE {{ GRAPH ?g {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
        f"ASK {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"DESCRIBE ?s WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ BIND(1 AS ?x) #\r SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{\r\n  SERVICE\r\n  <{url}>\r\n  {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE\t<{url}>{{?s ?p ?o}} }}",
        f"PREFIX e: <{escaped_host}/> SELECT * WHERE {{ SERVICE e:sparql {{ ?s ?p ?o }} }}",
    ]


UPDATES = [
    "INSERT {{ GRAPH <http://x/g> {{ ?s ?p ?o }} }} WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "INSERT {{ GRAPH <http://x/g> {{ ?s ?p ?o }} }} WHERE {{ #\rSERVICE <{url}> {{ ?s ?p ?o }} }}",
    "DELETE {{ ?s ?p ?o }} WHERE {{ SERVIC\\u0045 <{url}> {{ ?s ?p ?o }} }}",
    "LOAD <{url}>",
    "LOAD SILENT <{url}> INTO GRAPH <http://x/g>",
    "load <file:///etc/hostname>",
    "CLEAR GRAPH <http://x/g> ; #\rLOAD <{url}>",
]


@pytest.mark.parametrize("n", range(26))
def test_service_in_any_disguise_is_refused(live, listener, n):
    query = variants(listener.url)[n]
    before = listener.hits
    for r in (requests.get(live.url + "/sparql", params={"query": query}, timeout=30),
              requests.post(live.url + "/sparql", data=query.encode(), timeout=30,
                            headers={"Content-Type": "application/sparql-query"}),
              requests.post(live.url + "/sparql", data={"query": query}, timeout=30)):
        assert r.status_code == 400, (query, r.status_code, r.text[:200])
        assert "SERVICE" in r.text
    time.sleep(0.1)
    assert listener.hits == before


@pytest.mark.parametrize("n", range(len(UPDATES)))
def test_service_and_load_in_updates_are_refused(live_rw, listener, n):
    update = UPDATES[n].format(url=listener.url)
    before = listener.hits
    r = requests.post(live_rw.url + "/sparql", data=update.encode(), timeout=30,
                      headers={"Content-Type": "application/sparql-update", **live_rw.auth})
    assert r.status_code == 400, (update, r.text[:200])
    assert ("LOAD" if "load" in update.lower() else "SERVICE") in r.text
    time.sleep(0.1)
    assert listener.hits == before


def test_strings_iris_and_names_that_say_service_still_run(live):
    query = ('PREFIX ex: <http://example.org/> SELECT ?service WHERE { '
             'BIND("SERVICE <http://127.0.0.1:1/>" AS ?service) ?s ex:serviceType ?t } LIMIT 1')
    r = requests.get(live.url + "/sparql", params={"query": query}, timeout=30)
    assert r.status_code == 200, r.text


def drain(pool, query, formats, network=False):
    try:
        b"".join(pool.query(query, formats, network=network).chunks)
    except Exception:  # the endpoint turns these into 502s; here only the listener matters
        pass


def test_query_workers_have_no_network(tmp_path, listener):
    """Past every check, straight into the worker pool: a sandboxed worker reaches nobody; an
    unsandboxed one does reach the listener, which shows that the test can see a connection."""
    query = f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"
    formats = {"solutions": "application/sparql-results+json", "boolean": "application/sparql-results+json",
               "triples": "application/n-triples"}
    sandboxed = QueryPool(str(tmp_path / "store"), workers=1, timeout=5)  # workers are sandboxed by default
    try:
        assert sandboxed.sandboxes == {"namespace": 1}, "unshare(CLONE_NEWNET) was refused here"
        before = listener.hits
        drain(sandboxed, query, formats)  # "Network is unreachable": logged, the stream ends
        time.sleep(0.2)
        assert listener.hits == before
    finally:
        sandboxed.close()
    open_pool = QueryPool(str(tmp_path / "store"), workers=0, network_workers=1, timeout=5)  # one for federation
    try:
        before = listener.hits
        drain(open_pool, query, formats, network=True)  # the listener closes at once: no answer
        time.sleep(0.2)
        assert listener.hits > before
    finally:
        open_pool.close()
