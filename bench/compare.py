"""Side by side, in one run: raw pyoxigraph in process, communique over HTTP, rdflib-endpoint over HTTP.

    .venv/bin/python bench/compare.py [--sizes 100000,1000000] [--quick] [--workdir DIR]

For each size it builds a synthetic store with bench/search.py's builder (copies of
the seed articles' graphs, each article with synthetic people, meetings and
positions: the contract's vocabulary, ontology/MODEL.md), starts both servers,
and times three queries on three systems, in rounds (within a round the systems take
turns, so that a change in the shared machine's load falls on all three alike; the
servers idle while another is timed):

- raw: pyoxigraph in this process, on a read-only handle of the store, with the
  server's options (the default graph is the union of the named graphs); each call
  runs the query and serialises the whole result as SPARQL JSON, as the server's
  workers do;
- communique: ``python -m server.cli serve`` (what the ``communique serve`` script
  runs, here from this working tree) over the store directory, on a free port of
  127.0.0.1, with its default settings (2 query workers, 8 HTTP threads); its log
  goes to a file;
- rdflib-endpoint: the PyPI release pinned below, installed by pip into a scratch
  virtual environment under the work directory, serving an N-Quads dump of the same
  store (``rdflib-endpoint serve``: an rdflib Dataset with the union default graph;
  its command serves SPARQL at /, communique at /sparql).

Queries, rotated over up to 512 subjects drawn from the store (the same sequence for
every system; more than the 128 prepared queries rdflib-endpoint keeps, so that each
lookup pays its parse, as distinct lookups do): a point lookup (one meeting's label, date and status), a 2-hop join
(the other people a person met, and their names: person -> meeting -> person ->
label) and an aggregate over all meetings (meetings by status). For each: the median
latency of sequential requests (concurrency 1) and the throughput of 4 clients
looping (concurrency 4). Clients are threads of this process speaking HTTP/1.1 with
keep-alive (one connection each, a lean client on a raw socket: its CPU per request is
in the table too), asking for SPARQL JSON.

It prints the tables and the ratios and writes them to the "compare" section of
bench/results.md (--quick runs a small store briefly and does not write, unless
--write). The machine may be shared: compare the figures of one run.
"""
from __future__ import annotations

import argparse
import gc
import http.client
import json
import os
import platform
import random
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.results import write_section  # noqa: E402
from bench.search import build_large  # noqa: E402

RDFLIB_ENDPOINT = "0.6.3"  # the peer of issue 14
BASE = "http://localhost:5000/"
DIP = "https://w3id.org/communique/ontology#"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
JSON = "application/sparql-results+json"
MEETINGS, POSITIONS = 10, 5  # synthetic facts per article copy: about 1,900 meetings per 100k quads
SYSTEMS = ("raw", "communique", "rdflib-endpoint")
CONCURRENCY = 4
SUBJECTS = 512  # more than rdflib-endpoint's cache of 128 prepared queries: each lookup pays its parse


def point_lookup(meeting: str) -> str:
    return (f"SELECT ?label ?date ?status WHERE {{ <{meeting}> <{LABEL}> ?label ; <{DIP}date> ?date ; "
            f"<{DIP}status> ?status }}")


def join(person: str) -> str:
    return (f"SELECT ?meeting ?other ?name WHERE {{ ?meeting <{DIP}participant> <{person}>, ?other . "
            f"?other a <{DIP}Person> ; <{LABEL}> ?name FILTER(?other != <{person}>) }}")


def aggregate(_: str) -> str:
    return f"SELECT ?status (COUNT(?m) AS ?meetings) WHERE {{ ?m a <{DIP}Meeting> ; <{DIP}status> ?status }} GROUP BY ?status"


QUERIES = (("point lookup", point_lookup), ("2-hop join", join), ("aggregate over all meetings", aggregate))


@dataclass
class Timing:
    p50_ms: float = 0.0
    c1_n: int = 0
    rps: float = 0.0
    c4_n: int = 0
    cpu_ms: float | None = None  # server-side CPU per request at concurrency 4 (the server and its children)
    client_cpu_ms: float = 0.0  # this process's CPU per request at concurrency 4: the clients (raw: the engine)
    connects: float = 0.0  # TCP connections opened per request at concurrency 4 (0 when keep-alive holds)
    rows: list[int] = field(default_factory=list)  # rows of the first answers, to check the systems agree


# --- the store --------------------------------------------------------------------------------


def subjects(store_path: Path) -> dict[str, list[str]]:
    """Up to SUBJECTS synthetic meetings, and as many synthetic people who met another person (each
    in one article's graph only: the three systems give the same rows), drawn with a fixed seed."""
    import pyoxigraph as ox

    store = ox.Store.read_only(str(store_path))
    try:
        meetings = [r["m"].value for r in store.query(f"SELECT ?m WHERE {{ ?m a <{DIP}Meeting> }}",
                                                        use_default_graph_as_union=True)]
        meetings = [m for m in meetings if m.rsplit("-", 1)[1].isdigit() and int(m.rsplit("-", 1)[1]) > 100]
        people = sorted({r["p"].value for r in store.query(
            f"SELECT DISTINCT ?p WHERE {{ ?m <{DIP}participant> ?p, ?o . ?p a <{DIP}Person> . ?o a <{DIP}Person> "
            f"FILTER(?p != ?o && CONTAINS(STR(?p), \"/person/synthetic-\")) }}", use_default_graph_as_union=True)})
        quads = len(store)
        triples = int(next(iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o "
                                            "WHERE { GRAPH ?g { ?s ?p ?o } } }")))["n"].value)
        n_meetings = int(next(iter(store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?m a <{DIP}Meeting> }} }}")))["n"].value)
    finally:
        del store
        gc.collect()
    rnd = random.Random(14)
    return {"point lookup": rnd.sample(sorted(meetings), min(SUBJECTS, len(meetings))),
            "2-hop join": rnd.sample(people, min(SUBJECTS, len(people))),
            "aggregate over all meetings": [""], "quads": quads, "triples": triples, "meetings": n_meetings}


def dump(store_path: Path, out: Path) -> None:
    import pyoxigraph as ox

    store = ox.Store.read_only(str(store_path))
    try:
        store.dump(str(out), format=ox.RdfFormat.N_QUADS)
    finally:
        del store
        gc.collect()


# --- timing -----------------------------------------------------------------------------------


def proc_cpu(pid: int | None) -> float:
    """CPU seconds of a process and its children (the query workers), from /proc."""
    if pid is None:
        return 0.0
    tick = os.sysconf("SC_CLK_TCK")
    total, pids = 0.0, [pid]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    pids.append(int(entry.name))
            except (OSError, ValueError, IndexError):
                pass
    for p in pids:
        try:
            f = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(f[11]) + int(f[12])) / tick
        except OSError:
            pass
    return total


def sequential(call, texts: list[str], start: int, count: int, seconds: float) -> list[float]:
    """Latencies (s) of up to `count` requests in a row, for at most `seconds` (at least 3)."""
    times = []
    deadline = time.perf_counter() + seconds
    i = start
    while (len(times) < count and time.perf_counter() < deadline) or len(times) < 3:
        t = time.perf_counter()
        call(texts[i % len(texts)])
        times.append(time.perf_counter() - t)
        i += 1
    return times


def self_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def concurrent(make_call, texts: list[str], seconds: float, pid: int | None) -> tuple:
    """CONCURRENCY clients looping for `seconds` (each finishes its last request): (requests, elapsed s,
    server CPU s, this process's CPU s, connections opened)."""
    calls = [make_call() for _ in range(CONCURRENCY)]
    for c in calls:
        c(texts[0])  # connect
    done = [0] * CONCURRENCY
    errors: list[BaseException] = []
    start = threading.Barrier(CONCURRENCY + 1)
    stop_at = [0.0]

    def loop(k: int):
        call = calls[k]
        start.wait()
        i = k
        try:
            while True:
                call(texts[i % len(texts)])
                done[k] += 1
                i += CONCURRENCY
                if time.perf_counter() >= stop_at[0]:
                    return
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=loop, args=(k,)) for k in range(CONCURRENCY)]
    for t in threads:
        t.start()
    cpu0, self0, conn0 = proc_cpu(pid), self_cpu(), HTTPClient.connections
    t0 = time.perf_counter()
    stop_at[0] = t0 + seconds
    start.wait()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    cpu, own, connects = proc_cpu(pid) - cpu0, self_cpu() - self0, HTTPClient.connections - conn0
    for c in calls:
        getattr(c, "close", lambda: None)()
    if errors:
        raise errors[0]
    return sum(done), elapsed, cpu, own, connects


def count_rows(body: bytes) -> int:
    return len(json.loads(body)["results"]["bindings"])


@dataclass
class System:
    name: str
    factory: Callable[[], Callable]  # a new client: call(prepared request) -> SPARQL JSON bytes
    prepare: Callable[[str], object]  # a query's text -> what the client sends
    pid: int | None = None  # the server process, for its CPU


def measure(systems: list[System], texts: dict, quick: bool, rounds: int) -> dict[str, dict[str, Timing]]:
    """Every query on every system, in rounds: within a round the systems take turns, so that a change
    in the machine's load (it is shared) falls on all of them alike."""
    out: dict[str, dict[str, Timing]] = {s.name: {} for s in systems}
    count, seconds, window = (60, 1.0, 1.5) if quick else (400, 4.0, 5.0)
    for name, make in QUERIES:
        qs = {s.name: [s.prepare(make(x)) for x in texts[name]] for s in systems}
        for s in systems:  # warm up (at most 2 s), and keep the first answers' row counts
            call, t = s.factory(), Timing()
            deadline = time.perf_counter() + 2.0
            for i in range(5 if quick else 30):
                body = call(qs[s.name][i % len(qs[s.name])])
                if i < 3:
                    t.rows.append(count_rows(body))
                if i >= 2 and time.perf_counter() > deadline:
                    break
            getattr(call, "close", lambda: None)()
            out[s.name][name] = t
        times: dict[str, list[float]] = defaultdict(list)
        for r in range(rounds):
            for s in systems:
                call = s.factory()
                times[s.name] += sequential(call, qs[s.name], r * (count // rounds), count // rounds, seconds / rounds)
                getattr(call, "close", lambda: None)()
        sums: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0.0, 0.0, 0])
        for r in range(rounds):
            for s in systems:
                got = concurrent(s.factory, qs[s.name], window / rounds, s.pid)
                sums[s.name] = [a + b for a, b in zip(sums[s.name], got)]
        for s in systems:
            n, elapsed, cpu, own, connects = sums[s.name]
            t = out[s.name][name]
            t.p50_ms, t.c1_n = statistics.median(times[s.name]) * 1000, len(times[s.name])
            t.rps, t.c4_n = n / elapsed, n
            t.cpu_ms = cpu / n * 1000 if s.pid is not None else None
            t.client_cpu_ms, t.connects = own / n * 1000, connects / n
            print(f"  {s.name:16} {name:28} p50 {t.p50_ms:8.2f} ms ({t.c1_n:4} requests)   c=4 {t.rps:8.1f} req/s "
                  f"({n} requests){'' if t.cpu_ms is None else f'   server CPU {t.cpu_ms:.2f} ms/request'}"
                  f"   bench CPU {t.client_cpu_ms:.2f} ms/request   {t.connects:.2f} connections/request",
                  file=sys.stderr)
    return out


# --- the systems ------------------------------------------------------------------------------


def raw_system(store) -> System:
    import pyoxigraph as ox

    fmt = ox.QueryResultsFormat.JSON

    def factory():
        def call(q: str) -> bytes:
            return store.query(q, use_default_graph_as_union=True, base_iri=BASE).serialize(format=fmt)
        return call

    return System("raw", factory, lambda q: q)


_COUNT = threading.Lock()


class HTTPClient:
    """One keep-alive HTTP/1.1 connection on a raw socket, lean so that the clients take little of the
    machine's CPU: the request bytes are built before the clock starts (``request``); the answer's head
    is split by hand, its body read by Content-Length or chunks. Like http.client or requests, it
    connects again for the next request when an answer says ``Connection: close``, and counts it."""

    connections = 0  # opened by all clients (a class total: read it before and after a run)

    def __init__(self, port: int):
        self.port, self.sock, self.buf = port, None, bytearray()

    def _connect(self):
        self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=900)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf.clear()
        with _COUNT:
            HTTPClient.connections += 1

    @staticmethod
    def request(path: str, query: str) -> bytes:
        return (f"GET {path}?{urlencode({'query': query})} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Accept: {JSON}\r\n\r\n").encode()

    def _more(self):
        data = self.sock.recv(262144)
        if not data:
            raise ConnectionError("the server closed the connection")
        self.buf += data

    def _take(self, n: int) -> bytes:
        while len(self.buf) < n:
            self._more()
        out = bytes(self.buf[:n])
        del self.buf[:n]
        return out

    def _line(self) -> bytes:
        while (i := self.buf.find(b"\r\n")) < 0:
            self._more()
        return self._take(i + 2)[:-2]

    def __call__(self, request: bytes) -> bytes:
        if self.sock is None:
            self._connect()
        self.sock.sendall(request)
        while (end := self.buf.find(b"\r\n\r\n")) < 0:
            self._more()
        head = self._take(end + 4).decode("latin-1").split("\r\n")
        status = int(head[0].split(" ", 2)[1])
        headers = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in head[1:] if h)}
        if "content-length" in headers:
            body = self._take(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while True:
                size = int(self._line().split(b";")[0], 16)
                if size == 0:
                    while self._line():  # trailers, then the empty line
                        pass
                    break
                parts.append(self._take(size + 2)[:-2])
            body = b"".join(parts)
        else:
            raise RuntimeError(f"an answer without a length: {head}")
        if headers.get("connection", "").lower() == "close":
            self.close()
        if status != 200:
            raise RuntimeError(f"HTTP {status}: {body[:300]!r}")
        return body

    def close(self):
        if self.sock is not None:
            self.sock.close()
            self.sock = None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(port: int, proc: subprocess.Popen, path: str, limit: float, log: Path) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        if proc.poll() is not None:
            raise RuntimeError(f"the server stopped (exit {proc.returncode}); its log:\n{log.read_text()[-3000:]}")
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request("GET", path, headers={"Accept": JSON})
            r = c.getresponse()
            r.read()
            c.close()
            if r.status == 200:
                return time.perf_counter() - started
            if 400 <= r.status < 500:
                raise RuntimeError(f"the server answered {path} with {r.status}")
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server did not answer within {limit:.0f} s; its log:\n{log.read_text()[-3000:]}")


def stop(proc: subprocess.Popen):
    proc.terminate()
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def start_server(cmd: list[str], log: Path, cwd: Path | None = None) -> subprocess.Popen:
    with open(log, "w") as logf:
        return subprocess.Popen(cmd, stdout=logf, stderr=subprocess.STDOUT, cwd=cwd)


def http_system(name: str, proc: subprocess.Popen, port: int, path: str) -> System:
    return System(name, lambda: HTTPClient(port), lambda q: HTTPClient.request(path, q), proc.pid)


def start_communique(store_path: Path, work: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    cmd = [sys.executable, "-m", "server.cli", "serve", "--store", str(store_path), "--host", "127.0.0.1",
           "--port", str(port)]
    return start_server(cmd, work / "communique.log", cwd=ROOT), port


def scratch_venv(work: Path) -> Path:
    venv = work / "rdflib-endpoint-venv"
    exe = venv / "bin" / "rdflib-endpoint"
    if not exe.exists():
        print(f"installing rdflib-endpoint {RDFLIB_ENDPOINT} into {venv}", file=sys.stderr)
        base_python = getattr(sys, "_base_executable", None) or "python3"
        subprocess.run([base_python, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", f"rdflib-endpoint[cli]=={RDFLIB_ENDPOINT}"],
                       check=True)
    return exe


def rdflib_versions(venv_exe: Path) -> str:
    out = subprocess.run([str(venv_exe.parent / "python"), "-c",
                          "import importlib.metadata as m; print(', '.join(f'{p} {m.version(p)}' for p in "
                          "('rdflib-endpoint', 'rdflib', 'uvicorn', 'fastapi')))"],
                         capture_output=True, text=True, check=True)
    return out.stdout.strip()


def start_rdflib(nq: Path, exe: Path, work: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    cmd = [str(exe), "serve", str(nq), "--host", "127.0.0.1", "--port", str(port)]  # it serves SPARQL at /
    return start_server(cmd, work / "rdflib-endpoint.log"), port


# --- the report -------------------------------------------------------------------------------


def ms(v: float) -> str:
    return f"{v:.2f} ms" if v < 10 else f"{v:.1f} ms" if v < 100 else f"{v:,.0f} ms"


def rps(v: float) -> str:
    return f"{v:,.0f}" if v >= 10 else f"{v:.1f}"


def targets(raw: dict[str, Timing], com: dict[str, Timing]) -> list[str]:
    """Issue 14's targets, checked on this run's figures."""
    out = []
    for name in ("point lookup", "2-hop join"):
        limit = 1.3 * raw[name].p50_ms + 0.7
        got = com[name].p50_ms
        out.append(f"{name} p50 ≤ 1.3 × raw + 0.7 ms = {limit:.2f} ms: {got:.2f} ms, "
                   f"{'met' if got <= limit else 'not met'}")
    for name, want in (("point lookup", 1500), ("2-hop join", 1000)):
        got = com[name].rps
        out.append(f"{name} ≥ {want:,} req/s at c=4: {got:,.0f}, {'met' if got >= want else 'not met'}")
    name = "aggregate over all meetings"
    ratio = com[name].p50_ms / raw[name].p50_ms
    out.append(f"aggregate p50 within 1.15 × raw: {ratio:.2f}×, {'met' if ratio <= 1.15 else 'not met'}")
    return out


def table(size: dict, res: dict[str, dict[str, Timing]]) -> str:
    raw, com, rdf = (res[s] for s in SYSTEMS)
    lines = [f"#### {size['quads']:,} quads ({size['triples']:,} distinct triples, {size['meetings']:,} meetings)", "",
             "| | raw pyoxigraph, in process | communique | rdflib-endpoint | communique / raw | "
             "rdflib-endpoint / communique |", "|---|---|---|---|---|---|"]
    for name, _ in QUERIES:
        r, c, e = raw[name], com[name], rdf[name]
        lines.append(f"| {name}, p50 at c=1 | {ms(r.p50_ms)} | {ms(c.p50_ms)} | {ms(e.p50_ms)} | "
                     f"{c.p50_ms / r.p50_ms:.2f}× (+{c.p50_ms - r.p50_ms:.2f} ms) | {e.p50_ms / c.p50_ms:.2f}× |")
        lines.append(f"| {name}, req/s at c=4 | {rps(r.rps)} | {rps(c.rps)} | {rps(e.rps)} | "
                     f"{c.rps / r.rps:.2f}× | {e.rps / c.rps:.2f}× |")
    lines.append("| server CPU per request at c=4 (point / join / aggregate) | – | "
                 + " / ".join(f"{com[n].cpu_ms:.2f}" for n, _ in QUERIES) + " ms | "
                 + " / ".join(f"{rdf[n].cpu_ms:.2f}" if rdf[n].cpu_ms < 100 else f"{rdf[n].cpu_ms:,.0f}"
                              for n, _ in QUERIES) + " ms | | |")
    lines.append("| the bench process's CPU per request at c=4: the engine for raw, the HTTP clients otherwise | "
                 + " | ".join(" / ".join(f"{res[s][n].client_cpu_ms:.2f}" for n, _ in QUERIES) + " ms" for s in SYSTEMS)
                 + " | | |")
    lines.append("| TCP connections the clients opened per request at c=4 (point / join / aggregate) | – | "
                 + " | ".join(" / ".join(f"{res[s][n].connects:.2f}" for n, _ in QUERIES) for s in SYSTEMS[1:])
                 + " | | |")
    lines += ["", f"Rotated over {len(size['point lookup'])} meetings and {len(size['2-hop join'])} people. "
              "Requests timed (c=1 / c=4): " + "; ".join(
        f"{s} " + ", ".join(f"{res[s][n].c1_n}/{res[s][n].c4_n}" for n, _ in QUERIES) for s in SYSTEMS) + ".", "",
        "Issue 14's targets on these figures: " + "; ".join(targets(raw, com)) + "."]
    agree = []
    for name, _ in QUERIES:
        n = min(len(res[s][name].rows) for s in SYSTEMS)
        counts = {s: res[s][name].rows[:n] for s in SYSTEMS}
        if len({tuple(v) for v in counts.values()}) != 1:
            agree.append(f"{name}: rows differ {counts}")
    lines += ["", "The three systems gave the same rows for the first answers of each query." if not agree
              else "Row counts differ: " + "; ".join(agree)]
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="100000,1000000", help="store sizes in quads, comma-separated")
    ap.add_argument("--quick", action="store_true", help="a 20,000-quad store, short timings, no write")
    ap.add_argument("--write", action="store_true", help="write bench/results.md even with --quick")
    ap.add_argument("--workdir", help="keep the stores and the scratch venv here (reused by the next run)")
    ap.add_argument("--rounds", type=int, default=3, help="the systems take turns this many times per figure")
    ap.add_argument("--out", default=str(ROOT / "bench" / "results.md"))
    args = ap.parse_args()
    sizes = [20_000] if args.quick and args.sizes == ap.get_default("sizes") else \
        [int(s.replace("_", "")) for s in args.sizes.split(",")]
    work = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="communique-compare-"))
    work.mkdir(parents=True, exist_ok=True)
    load0, t0 = os.getloadavg(), time.perf_counter()
    try:
        exe = scratch_venv(work)
        versions = rdflib_versions(exe)
        from importlib.metadata import version
        sections, ready = [], {}
        for size in sizes:
            d = work / f"store-{size}"
            if not (d / "store" / "CURRENT").exists() or not (d / "data.nq").exists():
                t = time.perf_counter()
                store_path, n = build_large(size, BASE, d, meetings=MEETINGS, positions=POSITIONS)
                dump(store_path, d / "data.nq")
                print(f"built a store of {n:,} quads in {time.perf_counter() - t:.0f} s", file=sys.stderr)
            store_path = d / "store"
            texts = subjects(store_path)
            print(f"{texts['quads']:,} quads:", file=sys.stderr)
            t = time.perf_counter()
            com, com_port = start_communique(store_path, work)
            rdf, rdf_port = start_rdflib(d / "data.nq", exe, work)
            store = None
            try:
                ask = "?" + urlencode({"query": "ASK {}"})
                wait_ready(com_port, com, "/sparql" + ask, 1800, work / "communique.log")
                ready[("communique", size)] = time.perf_counter() - t
                wait_ready(rdf_port, rdf, "/" + ask, 1800, work / "rdflib-endpoint.log")
                ready[("rdflib-endpoint", size)] = time.perf_counter() - t
                import pyoxigraph as ox

                store = ox.Store.read_only(str(store_path))
                systems = [raw_system(store), http_system("communique", com, com_port, "/sparql"),
                           http_system("rdflib-endpoint", rdf, rdf_port, "/")]
                res = measure(systems, texts, args.quick, args.rounds)
            finally:
                del store
                gc.collect()
                stop(com)
                stop(rdf)
            sections.append(table(texts, res))
            print(sections[-1] + "\n")
        load1 = os.getloadavg()
        minutes = (time.perf_counter() - t0) / 60
        starts = "; ".join(f"{s} at {n:,} quads after {v:.0f} s" for (s, n), v in ready.items())
        text = "\n".join([
            "## Side by side: raw pyoxigraph, communique, rdflib-endpoint (issue 14)", "",
            f"Machine: {platform.machine()}, {os.cpu_count()} cores, shared with other jobs (load average "
            f"{load0[0]:.1f} when the run started, {load1[0]:.1f} when it ended); Python {platform.python_version()}, "
            f"pyoxigraph {version('pyoxigraph')}, waitress {version('waitress')}, Flask {version('flask')}; "
            f"the peer: {versions} in a scratch venv. "
            f"Run: `.venv/bin/python bench/compare.py{' --quick' if args.quick else ''}` "
            f"({minutes:.0f} minutes). All figures of one run; ratios are within it.", "",
            "The store: bench/search.py's builder (copies of the seed articles' graphs, 3 synthetic people, "
            f"{MEETINGS} synthetic meetings and {POSITIONS} positions per article copy; each article one named graph, "
            "the default graph their union). communique ran as `python -m server.cli serve` (the `communique serve` "
            "entry point, from this tree) with its defaults: 2 query workers, 8 waitress threads, the access log "
            "to a file. rdflib-endpoint ran as `rdflib-endpoint serve data.nq` over an N-Quads dump of the same "
            "store. Clients: threads of the bench, one keep-alive HTTP/1.1 connection each (a lean client on a raw socket, the request bytes built before the clock starts), GET /sparql (rdflib-endpoint: GET /), "
            "SPARQL JSON results; raw: the same queries on a read-only handle in the bench process, each result "
            "serialised to SPARQL JSON, with 4 threads for c=4. Both servers run throughout; the systems take turns "
            f"in {args.rounds} rounds per figure (c=1 medians pool the rounds' requests, c=4 rates sum them). "
            "Point lookups and joins are rotated over up to "
            f"{SUBJECTS} subjects (rdflib-endpoint keeps 128 prepared queries: a repeated text skips its parse). "
            "Server CPU: the server process and its query workers, from /proc, over the c=4 run. "
            f"Ready (first answer after start): {starts}.", "",
            "Queries:", "",
            f"- point lookup: `{point_lookup('…meeting…')}`",
            f"- 2-hop join: `{join('…person…')}`",
            f"- aggregate: `{aggregate('')}`", "",
            *[s + "\n" for s in sections]])
        print(text)
        if not args.quick or args.write:
            write_section("compare", text, Path(args.out))
    finally:
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
