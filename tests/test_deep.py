"""Deep and long queries and updates never kill a worker: a fuzz over real HTTP.

Each generated text is sent to a real server. The answer must be 200 (it ran),
400 (over a documented limit, or not SPARQL) or 503 (it ran past the
timeout and was stopped); never 500, which is what a worker dying of a stack
overflow gives. After every batch the workers still answer, and the server's
log holds no traceback and no dead worker. The figures are printed
(``pytest -s``) for the report.
"""
from __future__ import annotations

import random
import re
from collections import Counter

import pytest
import requests

from conftest import UPDATE_TOKEN, LiveServer
from server.store.sparql_text import MAX_DEPTH, MAX_NESTING, check_limits
from server.errors import BadRequest

T = "?s ?p ?o"
NESTED = {  # n levels of one construct inside another
    "braces": lambda n: "SELECT * WHERE " + "{ " * n + T + " }" * n,
    "parens": lambda n: f"SELECT * WHERE {{ {T} FILTER(" + "(" * n + "?o" + ")" * n + ") }",
    "function calls": lambda n: f"SELECT * WHERE {{ {T} BIND(" + "CONCAT(" * n + '"a"' + ")" * n + " AS ?x) }",
    "subqueries": lambda n: "SELECT * WHERE { " + "{ SELECT * WHERE " * n + "{ " + T + " }" + " }" * n + " }",
    "EXISTS": lambda n: f"SELECT * WHERE {{ {T} " + "FILTER EXISTS { " * n + T + " }" * n + " }",
    "OPTIONAL inside OPTIONAL": lambda n: "SELECT * WHERE { " + "OPTIONAL { " * n + T + " }" * n + " }",
    "blank node lists": lambda n: "SELECT * WHERE { ?s ?p " + "[ ?p " * n + "?o" + " ]" * n + " }",
    "collections": lambda n: "SELECT * WHERE { ?s ?p " + "( " * n + "?o" + " )" * n + " }",
    "path groups": lambda n: "SELECT * WHERE { ?s " + "(" * n + "<http://e/p>" + ")" * n + " ?o }",
    "unclosed braces": lambda n: "SELECT * WHERE " + "{ " * n,
    "unclosed parens": lambda n: f"SELECT * WHERE {{ {T} FILTER" + "(" * n,
    "negations": lambda n: f"SELECT * WHERE {{ {T} FILTER(" + "!" * n + "?o) }",
    "with 'service' in an IRI": lambda n: "SELECT * WHERE " + "{ " * n + "?s <http://e/service> ?o" + " }" * n,
}
CHAINED = {  # n operators or patterns one after the other
    "|| chain": lambda n: f"SELECT * WHERE {{ {T} FILTER(" + " || ".join(["?o"] * (n + 1)) + ") }",
    "&& chain": lambda n: f"SELECT * WHERE {{ {T} FILTER(" + " && ".join(["?o"] * (n + 1)) + ") }",
    "= || chain": lambda n: f"SELECT * WHERE {{ {T} FILTER(" + " || ".join(["?o = 1"] * (n // 2 + 1)) + ") }",
    "+ chain": lambda n: f"SELECT * WHERE {{ {T} FILTER(" + " + ".join(["1"] * (n + 1)) + " > 0) }",
    "< hidden in an IRI-looking run": lambda n: f"SELECT * WHERE {{ {T} FILTER(?o<?a" + "+1" * n + ") . ?x <http://e/p> ?y }",
    "path sequence": lambda n: "SELECT * WHERE { ?s " + "/".join(["<http://e/p>"] * (n + 1)) + " ?o }",
    "path alternatives": lambda n: "SELECT * WHERE { ?s " + "|".join(["<http://e/p>"] * (n + 1)) + " ?o }",
    "UNION chain": lambda n: "SELECT * WHERE { " + " UNION ".join([f"{{ {T} }}"] * (n + 1)) + " }",
    "MINUS chain": lambda n: f"SELECT * WHERE {{ {T} " + " ".join([f"MINUS {{ ?s ?p 1 }}"] * n) + " }",
    "BIND chain": lambda n: f"SELECT * WHERE {{ {T} " + " ".join(f"BIND({i} AS ?x{i})" for i in range(n)) + " }",
    "triple patterns": lambda n: "SELECT * WHERE { " + " . ".join(f"?s{i} ?p ?o" for i in range(n + 1)) + " }",
}
NEST_SIZES = [10, 50, MAX_NESTING - 1, MAX_NESTING, MAX_NESTING + 1, 1000, 5000, 50_000]
CHAIN_SIZES = [10, 500, MAX_DEPTH // 2, MAX_DEPTH - 10, MAX_DEPTH + 10, 10_000, 25_000]


def as_update(query: str) -> str:
    """The same pattern as the WHERE of an update that writes to a graph of no article."""
    where = query.split("WHERE", 1)[1] if "WHERE" in query else "{ }"
    return f"INSERT {{ GRAPH <http://example.org/fuzz> {{ <http://e/s> <http://e/p> 1 }} }} WHERE {where}"


def random_text(rng: random.Random, depth: int) -> str:
    """A random mix of the constructs above, nested ``depth`` deep, each level with a random chain."""
    inner = T
    for _ in range(depth):
        kind = rng.choice(["group", "optional", "exists", "union", "sub", "filter", "path", "bind"])
        chain = rng.randint(0, 60)
        if kind == "group":
            inner = "{ " + inner + " . ?a ?b ?c" * chain + " }"
        elif kind == "optional":
            inner = "{ ?a ?b ?c OPTIONAL { " + inner + " } }"
        elif kind == "exists":
            inner = "{ ?a ?b ?c FILTER EXISTS { " + inner + " } }"
        elif kind == "union":
            inner = "{ " + " UNION ".join(["{ ?a ?b ?c }"] * chain + ["{ " + inner + " }"]) + " }"
        elif kind == "sub":
            inner = "{ SELECT * WHERE { " + inner + " } }"
        elif kind == "filter":
            inner = "{ " + inner + " FILTER(" + " || ".join(["?o = 1"] * (chain + 1)) + ") }"
        elif kind == "path":
            inner = "{ " + inner + " ?s " + "/".join(["<http://e/p>"] * (chain + 1)) + " ?o }"
        else:
            inner = "{ " + inner + " BIND(" + "CONCAT(" * (chain % 8) + '"a"' + ")" * (chain % 8) + " AS ?z) }"
    return "SELECT * WHERE " + inner


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("fuzz")
    server = LiveServer(tmp, "--seeds", str(tmp / "no-seeds"), "--query-timeout", "3",
                        env={"COMMUNIQUE_UPDATE_TOKEN": UPDATE_TOKEN})
    server.auth = {"Authorization": f"Bearer {UPDATE_TOKEN}"}
    yield server
    server.stop()


def _send(server, text: str, update: bool) -> requests.Response:
    if update:
        return requests.post(server.url + "/sparql", data=text.encode(), timeout=60,
                             headers={**server.auth, "Content-Type": "application/sparql-update"})
    return requests.post(server.url + "/sparql", data=text.encode(), timeout=60,
                         headers={"Content-Type": "application/sparql-query"})


def _alive(server):
    r = requests.get(server.url + "/sparql", params={"query": "ASK { }"}, timeout=30)
    assert r.status_code == 200 and r.json()["boolean"] is True


def test_limits_are_checked_before_parsing_as_plain_functions():
    check_limits("SELECT * WHERE " + "{" * MAX_NESTING + "}" * MAX_NESTING)
    with pytest.raises(BadRequest, match=f"more than {MAX_NESTING} levels"):
        check_limits("SELECT * WHERE " + "{" * (MAX_NESTING + 1) + "}" * (MAX_NESTING + 1))
    with pytest.raises(BadRequest, match="too deep"):
        check_limits("ASK { FILTER(" + " || ".join(["?o"] * (MAX_DEPTH + 1)) + ") }")
    # an expression cannot hide its operators inside what looks like an IRI
    with pytest.raises(BadRequest, match="too deep"):
        check_limits("ASK { ?s ?p ?o FILTER(?o<?a" + "+1" * (MAX_DEPTH + 1) + ") . ?x <http://e/p> ?y }")
    # ground data is a flat list: a big INSERT DATA is no deeper than a small one
    big = "INSERT DATA { " + " ".join(f"<http://e/s{i}> <http://e/p> {i} ." for i in range(20_000)) + " }"
    assert check_limits(big, "update").depth == 1
    # brackets in strings, IRIs and comments are not brackets
    assert check_limits('ASK { ?s ?p "((((((((" } # {{{{{{{{\n').nesting == 1


def test_fuzz_deep_and_long_texts_never_kill_a_worker(fuzz_server):
    outcomes: Counter = Counter()
    sent = 0
    cases = []
    for name, make in NESTED.items():
        cases += [(name, n, make(n)) for n in NEST_SIZES]
    for name, make in CHAINED.items():
        cases += [(name, n, make(n)) for n in CHAIN_SIZES]
    rng = random.Random(8)
    cases += [("random mix", d, random_text(rng, d)) for d in (rng.randint(1, 45) for _ in range(60))]
    for name, n, query in cases:
        for update in (False, True):
            text = as_update(query) if update else query
            if len(text.encode()) > 1_048_576:
                continue  # larger than the body limit: 413, tested elsewhere
            r = _send(fuzz_server, text, update)
            sent += 1
            outcomes[r.status_code] += 1
            assert r.status_code in (200, 204, 400, 503), (name, n, update, r.status_code, r.text[:300])
            if r.status_code == 400 and (n > MAX_NESTING and name in NESTED and not name.startswith("negations")):
                assert re.search(r"nests brackets|too deep", r.text), (name, n, r.text[:300])
        _alive(fuzz_server)
    log = fuzz_server.output()
    assert "Traceback" not in log and "stopped unexpectedly" not in log, log[-3000:]
    print(f"\nfuzz: {sent} texts ({len(cases)} patterns, as queries and updates): "
          + ", ".join(f"{k}: {v}" for k, v in sorted(outcomes.items())))


def test_the_reported_crashes_are_400(fuzz_server):
    """The issue's reproductions: 5,000 nested { or (, a 100 KB || chain; also in an update's WHERE."""
    for query in (NESTED["braces"](5000), NESTED["parens"](5000),
                  f"SELECT * WHERE {{ {T} FILTER(" + " || ".join(["?o = 1"] * 10_000) + ") }"):
        assert len(query) < 1_048_576
        for update in (False, True):
            r = _send(fuzz_server, as_update(query) if update else query, update)
            assert r.status_code == 400 and re.search(r"nests brackets|too deep", r.text), (update, r.text[:300])
    _alive(fuzz_server)


def test_a_deep_json_ld_body_is_400_and_the_server_lives(fuzz_server):
    """Graph Store bodies are parsed in the server process: pyoxigraph's JSON-LD reader would overflow its stack."""
    for n, status in ((50, 201), (5000, 400), (50_000, 400)):
        body = '{"@id": "http://e/s", "http://e/p": ' + '{"http://e/p": ' * n + '1' + '}' * n + '}'
        r = requests.put(fuzz_server.url + "/store", params={"graph": f"http://example.org/json-{n}"},
                         data=body.encode(), headers={**fuzz_server.auth, "Content-Type": "application/ld+json"})
        assert r.status_code == status, (n, r.status_code, r.text[:300])
        if status == 400:
            assert "nests" in r.text
    _alive(fuzz_server)
