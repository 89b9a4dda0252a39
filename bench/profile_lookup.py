"""Where one SPARQL request's time goes, socket to socket, in `communique serve` (issue 14).

    .venv/bin/python bench/profile_lookup.py [--size 100000] [--requests 2000] [--query point|join|aggregate]
                                             [--store DIR] [--cpu SECONDS] [--no-write]

It starts the server as `communique serve` does (`python -m server.cli serve`, default settings), but
through this module, which first wraps functions at the stage boundaries with a time stamp
(`time.perf_counter_ns`: CLOCK_MONOTONIC, one clock for every process): waitress's accept, read,
parse, task hand-off, WSGI environ, chunk writes and socket send; Flask's request set-up, dispatch and
finalize; communique's view, `QueryPool.query`, the pipe's pickling, writes and reads on both ends; the
query worker's receive, query, serialisation and replies; the log handler. No file of server/ changes:
the wrappers are installed in memory, in the server process and (through the worker's spawn target)
in each query worker. The client is bench/compare.py's lean HTTP client, sequential (concurrency 1),
stamping its send and its last byte received; its requests take turns between the traced server and
a plain one (`python -m server.cli serve`, on a copy of the store), so that each idles while the
other answers and both see the same machine.

Every process keeps its stamps in memory and writes them when sent SIGUSR1. Each traced request's
window runs from its send to the next traced request's send (a request to the plain server lies
between, so the traced server has finished); an event's offset is its time after the send. The stage
table gives the median of each span between two events; the detail table the median offset of each
event and the median gap to the one before it. The plain server gives the same requests' untraced
latency (the wrappers' own cost is the difference). The same query is also timed in this process on a
read-only handle, back to back and 2 ms apart (an engine called now and then runs with cold caches).

With --cpu (default 10 s; py-spy must be in the venv: `pip install py-spy`, not a project dependency)
it then samples the plain server and its workers with py-spy --gil while 4 clients loop, and sorts the
samples by layer.

Figures go to the "profile-point" (or -join, -aggregate) section of bench/results.md.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NS = time.perf_counter_ns
_EVENTS: list[tuple[int, str]] = []
CHECK = "communique: the SERVICE/LOAD check"
_TRACE_DIR = os.environ.get("PROFILE_LOOKUP_DIR", "")


def ev(label: str) -> None:
    _EVENTS.append((NS(), label))


def _dump(*_):
    path = Path(_TRACE_DIR) / f"events-{os.getpid()}.json"
    path.write_text(json.dumps(_EVENTS))
    _EVENTS.clear()


if _TRACE_DIR:  # in the traced server and its workers (their environment has it): write the stamps on SIGUSR1
    signal.signal(signal.SIGUSR1, _dump)  # imported in the main thread (a spawned worker imports this module)


def _wrap(owner, name: str, label: str, exit_label: str | None = None):
    original = getattr(owner, name)
    exit_label = exit_label or f"{label} done"

    def wrapper(*args, **kwargs):
        ev(label)
        try:
            return original(*args, **kwargs)
        finally:
            ev(exit_label)

    wrapper.__wrapped__ = original
    setattr(owner, name, wrapper)


# --- the wrappers, in the server process ------------------------------------------------------


def install_server():
    import logging
    import multiprocessing.connection as mpc
    from multiprocessing.reduction import ForkingPickler

    import flask
    import flask_cors.extension
    import waitress.channel
    import waitress.server
    import waitress.task

    from server.store import pool as queries
    from server.web import protocol as sparql

    ch = waitress.channel.HTTPChannel
    _wrap(waitress.server.TcpWSGIServer, "handle_accept", "waitress: accept")
    _wrap(ch, "handle_read", "waitress: socket readable, recv")
    _wrap(ch, "received", "waitress: parse the request")
    _wrap(waitress.server.BaseWSGIServer, "add_task", "waitress: queue the task")
    _wrap(ch, "service", "waitress: a task thread takes the request", "waitress: task done (trigger the main loop)")
    _wrap(waitress.task.WSGITask, "get_environment", "waitress: build the WSGI environ")
    _wrap(waitress.task.WSGITask, "write", "waitress: write a chunk (the first: the head)")
    _wrap(waitress.task.WSGITask, "finish", "waitress: finish (last chunk)")
    _wrap(ch, "handle_write", "waitress main loop: handle_write")
    _wrap(ch, "send", "waitress main loop: socket send")
    _wrap(ch, "handle_close", "waitress main loop: close the connection")
    _wrap(flask.Flask, "wsgi_app", "Flask: wsgi_app")
    _wrap(flask.Flask, "preprocess_request", "Flask: before_request")
    _wrap(flask.Flask, "dispatch_request", "Flask: dispatch to the view (read_operation)")
    _wrap(flask.Flask, "finalize_request", "Flask: finalize (after_request: log line, CORS)")
    _wrap(sparql, "run_query", "communique: run_query (check_service, negotiation)")
    _wrap(queries.QueryPool, "query", "communique: QueryPool.query (lock, idle worker)")
    _wrap(queries._Stream, "__next__", "communique: next chunk from the worker")
    for name in ("remote_check", "check_service"):  # the SERVICE/LOAD check: remote_check on newer trees
        if hasattr(sparql, name):
            _wrap(sparql, name, CHECK)
            break
    _wrap(sparql, "read_operation", "communique: read_operation")
    _wrap(logging.Logger, "_log", "logging: a log line (record, format, write)")
    make = flask_cors.extension.make_after_request_function

    def traced_make(*a, **kw):
        after = make(*a, **kw)

        def cors_after_request(response):
            ev("flask-cors: after_request")
            try:
                return after(response)
            finally:
                ev("flask-cors: after_request done")
        return cors_after_request

    flask_cors.extension.make_after_request_function = traced_make

    def send(self, obj):
        ev(f"pipe server->worker: pickle {obj[0]}")
        data = ForkingPickler.dumps(obj)
        ev(f"pipe server->worker: write {obj[0]}")
        self.send_bytes(data)
        ev(f"pipe server->worker: written {obj[0]}")

    def recv(self):
        ev("pipe worker->server: read")
        buf = self.recv_bytes()
        ev("pipe worker->server: unpickle")
        obj = ForkingPickler.loads(buf)
        ev(f"pipe worker->server: got {obj[0]}")
        return obj

    poll = mpc.Connection.poll

    def traced_poll(self, timeout=0.0):
        ev("pipe worker->server: poll (wait for the worker)")
        try:
            return poll(self, timeout)
        finally:
            ev("pipe worker->server: poll returned")

    mpc.Connection.send, mpc.Connection.recv, mpc.Connection.poll = send, recv, traced_poll
    queries._worker = traced_worker  # the spawn target: the workers import this module and wrap themselves
    signal.signal(signal.SIGUSR1, _dump)


# --- the wrappers, in a query worker (spawned: it runs this function) -----------------------------


class _TracedConn:
    def __init__(self, conn):
        self.conn = conn

    def recv(self):
        from multiprocessing.reduction import ForkingPickler

        buf = self.conn.recv_bytes()
        ev("worker: message read")
        obj = ForkingPickler.loads(buf)
        ev(f"worker: unpickled {obj[0]}")
        return obj

    def send(self, obj):
        from multiprocessing.reduction import ForkingPickler

        ev(f"worker: pickle {obj[0]}")
        data = ForkingPickler.dumps(obj)
        ev(f"worker: write {obj[0]}")
        self.conn.send_bytes(data)
        ev(f"worker: written {obj[0]}")

    def poll(self, *a):
        return self.conn.poll(*a)


def traced_worker(conn, path: str, *args):  # pragma: no cover - a child process
    from server.store import pool as queries

    _wrap(queries._ChunkWriter, "write", "worker: serialiser writes bytes")
    queries._worker(_TracedConn(conn), path, *args)


def serve_traced(argv: list[str]) -> int:
    install_server()
    from server.cli import main

    return main(argv)


# --- the run ------------------------------------------------------------------------------------


def start(store: Path, port: int, log: Path, trace_dir: Path | None):
    env = dict(os.environ)
    if trace_dir is not None:
        env["PROFILE_LOOKUP_DIR"] = str(trace_dir)
        cmd = [sys.executable, "-m", "bench.profile_lookup", "serve-traced", "--", "serve"]
    else:
        cmd = [sys.executable, "-m", "server.cli", "serve"]
    cmd += ["--store", str(store), "--host", "127.0.0.1", "--port", str(port)]
    with open(log, "w") as f:
        return subprocess.Popen(cmd, stdout=f, stderr=subprocess.STDOUT, cwd=ROOT, env=env)


def children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    out.append(int(entry.name))
            except (OSError, ValueError, IndexError):
                pass
    return out


def client_run(ports: dict[str, int], requests: list[bytes], warm: int) -> dict[str, list[tuple[int, int]]]:
    """Sequential requests that take turns between the servers (plain, traced, plain, …): each server
    idles while the other answers, and a change in the shared machine's load falls on both alike."""
    from bench.compare import HTTPClient

    clients = {k: HTTPClient(port) for k, port in ports.items()}
    stamps: dict[str, list[tuple[int, int]]] = {k: [] for k in ports}
    for i, r in enumerate(requests):
        for k, client in clients.items():
            t = NS()
            client(r)
            if i >= warm:
                stamps[k].append((t, NS()))
    for client in clients.values():
        client.close()
    return stamps


def collect(proc, trace_dir: Path) -> list[tuple[int, str, str]]:
    pids = [proc.pid, *children(proc.pid)]
    for pid in pids:
        try:
            os.kill(pid, signal.SIGUSR1)
        except ProcessLookupError:
            pass
    events = []
    deadline = time.time() + 30
    for pid in pids:
        path = trace_dir / f"events-{pid}.json"
        while not path.exists() and time.time() < deadline:
            time.sleep(0.1)
        if path.exists():
            time.sleep(0.2)
            who = "server" if pid == proc.pid else f"worker {pid}"
            events += [(t, label, who) for t, label in json.loads(path.read_text())]
    return sorted(events)


def windows(events, stamps):
    """For each request: {event: offset in µs after the client's send}. A request's events are those
    from its send to its next request's send (a request to the other server lies between). A
    repeated event is given at its first occurrence, and at its last as "… (last)"."""
    out = []
    j = 0
    for i, (sent, done) in enumerate(stamps):
        row = {"client: send the request": 0.0}
        stop = stamps[i + 1][0] if i + 1 < len(stamps) else float("inf")
        while j < len(events) and events[j][0] < sent:
            j += 1
        k = j
        while k < len(events) and events[k][0] < stop:
            t, label, _who = events[k]
            k += 1
            offset = (t - sent) / 1000
            if label in row:
                row[f"{label} (last)"] = offset
            else:
                row[label] = offset
        row["client: last byte received"] = (done - sent) / 1000
        out.append(row)
    return out


def summarise(rows: list[dict]) -> list[tuple[str, float, float, int]]:
    """(event, median offset µs, median gap to the event before it µs, requests that had it), by offset."""
    counts: dict[str, int] = defaultdict(int)
    for r in rows:
        for k in r:
            counts[k] += 1
    common = [k for k, n in counts.items() if n >= 0.5 * len(rows)]
    med = {k: statistics.median(r[k] for r in rows if k in r) for k in common}
    order = sorted(common, key=lambda k: med[k])
    out = []
    for i, k in enumerate(order):
        prev = order[i - 1] if i else None
        gap = statistics.median(r[k] - r[prev] for r in rows if k in r and prev in r) if prev else 0.0
        out.append((k, med[k], gap, counts[k]))
    return out


LAST_SEND = "waitress main loop: socket send done (last)"
STAGES = [  # (stage, from event, to event, on the path): spans; those on the path follow each other
    ("kernel and waitress's main loop: connect, accept the connection, read the request",
     "client: send the request", "waitress: parse the request", True),
    ("waitress: parse the request line and headers, queue the task",
     "waitress: parse the request", "waitress: queue the task done", True),
    ("waitress: hand-off to a task thread (it wakes)",
     "waitress: queue the task done", "waitress: a task thread takes the request", True),
    ("waitress: the task's WSGI environ", "waitress: a task thread takes the request", "Flask: wsgi_app", True),
    ("Flask: request context, URL routing, before_request",
     "Flask: wsgi_app", "Flask: dispatch to the view (read_operation)", True),
    ("communique view: read_operation (the query from the URL)",
     "Flask: dispatch to the view (read_operation)", "communique: run_query (check_service, negotiation)", True),
    ("communique: the SERVICE/LOAD check (check_service tokenised the query; remote_check: the limits, "
     "a word scan)", "communique: run_query (check_service, negotiation)", f"{CHECK} done", True),
    ("communique: dataset parameters, content negotiation (3 × negotiation.choose), settings",
     f"{CHECK} done", "communique: QueryPool.query (lock, idle worker)", True),
    ("QueryPool.query: read lock, an idle worker, pickle the message",
     "communique: QueryPool.query (lock, idle worker)", "pipe server->worker: write query", True),
    ("the pipe: write; the worker wakes, reads and unpickles the message",
     "pipe server->worker: write query", "worker: unpickled query", True),
    ("worker: store.query (parse, optimise; the options)",
     "worker: unpickled query", "worker: pickle solutions", True),
    ("worker: pickle the 'solutions' message", "worker: pickle solutions", "worker: write solutions", True),
    ("the pipe back: write; the server thread wakes (poll), reads and unpickles 'solutions'",
     "worker: write solutions", "pipe worker->server: got solutions", True),
    ("  (meanwhile the worker serialises the results to SPARQL JSON, sends 'data' and 'end')",
     "worker: written solutions", "worker: written end", False),
    ("communique: the streamed Response, back out of the view",
     "pipe worker->server: got solutions", "Flask: finalize (after_request: log line, CORS)", True),
    ("Flask: finalize — after_request: flask-cors, the access log line",
     "Flask: finalize (after_request: log line, CORS)", "Flask: finalize (after_request: log line, CORS) done", True),
    ("Flask/werkzeug: the WSGI response, start_response, request context popped",
     "Flask: finalize (after_request: log line, CORS) done", "Flask: wsgi_app done", True),
    ("waitress + communique: the body — 'data' and 'end' from the pipe, the head and chunk to the outbuf "
     "(the main loop sends them meanwhile), "
     "the stream's log line", "Flask: wsgi_app done", "waitress: finish (last chunk)", True),
    ("waitress: the last chunk; the main loop (woken by the task's trigger) sends what is left",
     "waitress: finish (last chunk)", LAST_SEND, True),
    ("kernel and client: the last byte read", LAST_SEND, "client: last byte received", True),
]


def at(row: dict, key: str) -> float | None:
    """An event's offset; "… (last)" is the event itself when it happened once."""
    if key in row:
        return row[key]
    return row.get(key[:-len(" (last)")]) if key.endswith(" (last)") else None


def stage_table(rows: list[dict]) -> list[tuple[str, float | None, bool]]:
    out = []
    for name, a, b, on_path in STAGES:
        gaps = [at(r, b) - at(r, a) for r in rows if at(r, a) is not None and at(r, b) is not None]
        out.append((name, statistics.median(gaps) if len(gaps) >= 0.5 * len(rows) else None, on_path))
    return out


def log_cost(rows) -> float:
    per = []
    for r in rows:
        a, b = "logging: a log line (record, format, write)", "logging: a log line (record, format, write) done"
        total = (r[b] - r[a]) if a in r and b in r else 0.0
        if f"{a} (last)" in r and f"{b} (last)" in r:
            total += r[f"{b} (last)"] - r[f"{a} (last)"]
        per.append(total)
    return statistics.median(per)


def span(rows, a, b) -> float:
    return statistics.median(at(r, b) - at(r, a) for r in rows if at(r, a) is not None and at(r, b) is not None)


def engine_in_process(store: Path, qs: list[str]) -> tuple[float, float]:
    """Median µs of query + SPARQL JSON serialisation on a read-only handle here: back to back, 2 ms apart."""
    import gc

    import pyoxigraph as ox

    from bench.compare import BASE

    handle = ox.Store.read_only(str(store))
    out = []
    try:
        for pause in (0.0, 0.002):
            times = []
            for i in range(300):
                if pause:
                    time.sleep(pause)
                t = NS()
                handle.query(qs[i % len(qs)], use_default_graph_as_union=True, base_iri=BASE).serialize(
                    format=ox.QueryResultsFormat.JSON)
                times.append((NS() - t) / 1000)
            out.append(statistics.median(times))
    finally:
        del handle
        gc.collect()
    return out[0], out[1]


# --- where the CPU goes at concurrency 4 (py-spy) ------------------------------------------------

LAYERS = [  # (bucket, path fragment of a frame's file); a sample goes to the first, leaf first, it names
    ("threading: Condition, Lock (queue.Queue, the RWLock)", "threading.py"),
    ("pipe: pickle, read, write (multiprocessing.connection)", "multiprocessing/"),
    ("logging: the access-log lines", "logging/"),
    ("communique: the SERVICE/LOAD check (sparql_text.py)", "server/store/sparql_text.py"),
    ("communique: content negotiation (negotiation.py)", "server/web/negotiation.py"),
    ("communique: QueryPool, the stream (store/pool.py)", "server/store/pool.py"),
    ("communique: the view and the app (web/protocol.py, web/app.py, web/context.py)", "server/"),
    ("flask-cors", "flask_cors/"),
    ("werkzeug: request parsing, routing, the response", "werkzeug/"),
    ("Flask", "flask/"),
    ("waitress: channel, parser, task (WSGI, chunks)", "waitress/"),
]


def bucket(stack: list[str]) -> str:
    for frame in reversed(stack):
        for name, fragment in LAYERS:
            if fragment in frame:
                return name
    return "other (selectors, socket, the standard library …)"


RATE = 250  # py-spy samples a second


def cpu_profile(store: Path, texts, name: str, make, work: Path, seconds: float) -> tuple[dict, float, float, int, int]:
    """py-spy samples (of threads holding the GIL) of the server and its workers while 4 clients loop:
    {(process, bucket): samples}, the CPU per request (/proc), the req/s, the samples, the requests."""
    from bench.compare import HTTPClient, concurrent, free_port, wait_ready

    spy = Path(sys.executable).parent / "py-spy"
    if not spy.exists():
        raise SystemExit("--cpu needs py-spy in the venv (pip install py-spy; it is not a project dependency)")
    port = free_port()
    log = work / "server-cpu.log"
    proc = start(store, port, log, None)
    try:
        wait_ready(port, proc, "/healthz", 600, log)
        qs = [HTTPClient.request("/sparql", make(x)) for x in texts[name]]
        concurrent(lambda: HTTPClient(port), qs, 2.0, proc.pid)  # warm
        out = work / "pyspy.txt"
        record = subprocess.Popen([str(spy), "record", "--pid", str(proc.pid), "--subprocesses", "--gil", "--rate", str(RATE),
                                   "--nonblocking", "--format", "raw", "--output", str(out),
                                   "--duration", str(int(seconds) + 1)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1.0)
        n, elapsed, cpu, _, _ = concurrent(lambda: HTTPClient(port), qs, seconds, proc.pid)
        record.wait(60)
    finally:
        proc.terminate()
        proc.wait(20)
    counts: dict[tuple[str, str], int] = defaultdict(int)
    total = 0
    for line in out.read_text().splitlines():
        stack, _, k = line.rpartition(" ")
        frames = stack.split(";")
        who = "worker" if "_worker" in stack or "communique-query" in frames[0] else "server"
        layer = bucket(frames)
        if who == "worker" and layer.startswith("communique: QueryPool"):
            layer = "pyoxigraph: store.query and serialize (native, the GIL kept), from _worker"
        counts[(who, layer)] += int(k)
        total += int(k)
    return counts, cpu / n * 1000, n / elapsed, total, n


def cpu_report(counts, cpu_ms: float, rps: float, total: int, n: int, name: str, seconds: float) -> str:
    held = total / RATE / n * 1000
    lines = [f"### Python time holding the GIL at concurrency 4 ({name}, py-spy)", "",
             f"py-spy --gil (only threads holding the GIL), {RATE} samples a second, non-blocking, of the server "
             f"process and its query workers while 4 clients looped for {seconds:g} s: {rps:,.0f} req/s; "
             f"{cpu_ms:.2f} ms of CPU per request in all (the server and its workers, /proc), of which "
             f"{held:.2f} ms with the GIL held (Python code, and native code that keeps the GIL). The rest is "
             "the kernel (sockets, pipes, scheduling) and native code without the GIL. (Without --gil, py-spy "
             "counted threads blocked in recv, send, select and Condition.wait here as running: not used.) "
             "Each sample goes to the first layer on its stack, leaf first.", "",
             "| process | layer | share of the GIL-held samples | ms per request |", "|---|---|---|---|"]
    for (who, b), k in sorted(counts.items(), key=lambda kv: -kv[1]):
        if k / total >= 0.01:
            lines.append(f"| {who} | {b} | {k / total:.0%} | {k / RATE / n * 1000:.3f} |")
    return "\n".join(lines)


def main():
    from bench.compare import BASE, HTTPClient, QUERIES, free_port, subjects, wait_ready
    from bench.results import write_section
    from bench.search import build_large

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", type=int, default=100_000, help="quads of the synthetic store (bench/compare.py's)")
    ap.add_argument("--store", help="an existing store directory (else one is built in a temporary directory)")
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--query", choices=("point", "join", "aggregate"), default="point")
    ap.add_argument("--cpu", type=float, default=10.0, metavar="SECONDS",
                    help="also sample the CPU with py-spy at c=4 for this long (0: not)")
    ap.add_argument("--no-write", action="store_true", help="print only; leave bench/results.md alone")
    ap.add_argument("--out", default=str(ROOT / "bench" / "results.md"))
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="communique-profile-"))
    try:
        if args.store:
            store = Path(args.store)
        else:
            from bench.compare import MEETINGS, POSITIONS

            store, _ = build_large(args.size, BASE, work / "build", meetings=MEETINGS, positions=POSITIONS)
        texts = subjects(store)
        name, make = {"point": QUERIES[0], "join": QUERIES[1], "aggregate": QUERIES[2]}[args.query]
        warm = 200
        reqs = [HTTPClient.request("/sparql", make(texts[name][i % len(texts[name])]))
                for i in range(args.requests + warm)]
        plain_store = work / "plain-store"  # a copy: the server locks its store
        shutil.copytree(store, plain_store)
        trace_dir = work / "trace"
        trace_dir.mkdir()
        ports = {"plain": free_port(), "traced": free_port()}
        procs = {"plain": start(plain_store, ports["plain"], work / "server-plain.log", None),
                 "traced": start(store, ports["traced"], work / "server-traced.log", trace_dir)}
        try:
            for k, proc in procs.items():
                wait_ready(ports[k], proc, "/healthz", 600, work / f"server-{k}.log")
            stamps = client_run(ports, reqs, warm)
            events = collect(procs["traced"], trace_dir)
        finally:
            for proc in procs.values():
                proc.terminate()
                proc.wait(20)
        rows = windows(events, stamps["traced"])
        hot, cold = engine_in_process(store, [make(x) for x in texts[name]])
        lat = {k: statistics.median((d - t) / 1000 for t, d in v) for k, v in stamps.items()}
        plain, traced_lat = lat["plain"], lat["traced"]
        results = stamps
        timeline = summarise(rows)
        stages = stage_table(rows)
        logs = log_cost(rows)
        text = report(args, texts, name, plain, traced_lat, timeline, stages, logs, rows, len(results["traced"]),
                      hot, cold)
        if args.cpu:
            text += "\n\n" + cpu_report(*cpu_profile(store, texts, name, make, work, args.cpu), name, args.cpu)
        print(text)
        if not args.no_write:
            write_section(f"profile-{args.query}", text, Path(args.out))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def report(args, texts, name, plain, traced, timeline, stages, logs, rows, n, hot, cold) -> str:
    from importlib.metadata import version

    engine = span(rows, "worker: unpickled query", "worker: written end")
    pipe_out = span(rows, "communique: QueryPool.query (lock, idle worker)", "worker: unpickled query")
    lines = [f"## Profile of one {name}, socket to socket (issue 14)", "",
             f"Machine: {platform.machine()}, {os.cpu_count()} cores, shared (load average {os.getloadavg()[0]:.1f} "
             f"at the end); Python {platform.python_version()}, waitress {version('waitress')}, "
             f"Flask {version('flask')}, pyoxigraph {version('pyoxigraph')}. Store: bench/compare.py's synthetic "
             f"store of {texts['quads']:,} quads. Run: `.venv/bin/python bench/profile_lookup.py"
             f"{'' if args.query == 'point' else ' --query ' + args.query}"
             f"{'' if args.size == 100_000 else f' --size {args.size}'}`.",
             f"{n:,} sequential requests (concurrency 1, after 200 to warm up) from bench/compare.py's lean client, "
             "taking turns with as many to a second server without the wrappers (on a copy of the store), "
             "each a new TCP connection: waitress closes the connection after every chunked response, which "
             "every /sparql answer is (it streams, so it has no Content-Length).", "",
             f"Latency, median: {plain:.0f} µs without the wrappers, {traced:.0f} µs with them "
             f"({traced - plain:+.0f} µs: the cost of about {len(timeline)} time stamps). "
             f"The engine's own part (the worker from the unpickled query to the 'end' message written, "
             f"query and serialisation): {engine:.0f} µs. The same queries in this process (raw pyoxigraph, query "
             f"and SPARQL JSON): {hot:.0f} µs back to back, {cold:.0f} µs when 2 ms apart.", "",
             "Stages on the request's path (median µs over the requests; consecutive spans, "
             "so they add up to about the whole, except where marked as overlapping):", "",
             "| stage | µs |", "|---|---|"]
    for stage, v, _ in stages:
        lines.append(f"| {stage} | {'–' if v is None else f'{v:.0f}'} |")
    total = sum(v for _, v, on in stages if on and v is not None)
    lines.append(f"| sum of the stages on the path (medians; the whole, measured: {traced:.0f}) | {total:.0f} |")
    cors = span(rows, "flask-cors: after_request", "flask-cors: after_request done")
    task_end = span(rows, "client: last byte received", "waitress: task done (trigger the main loop)")
    closed = span(rows, "client: last byte received", "waitress main loop: close the connection done")
    lines.append(f"| after the client has its last byte: the task thread ends {task_end:.0f} µs later, the main loop "
                 f"closes the connection {closed:.0f} µs later (off the path at c=1; CPU that other requests wait "
                 "for at c=4) | |")
    lines += ["", f"Of which: the two access-log lines (Logger._log: the record, its format, the write to the "
              f"log file) {logs:.0f} µs; flask-cors's after_request {cors:.0f} µs; from QueryPool.query to "
              f"the worker holding the query {pipe_out:.0f} µs.", "",
              "<details><summary>Every time stamp: median offset after the client's send, and the median gap "
              "to the one before it</summary>", "", "| event | offset µs | gap µs |", "|---|---|---|"]
    for k, off, gap, _ in timeline:
        lines.append(f"| {k} | {off:.0f} | {gap:.0f} |")
    lines += ["", "</details>"]
    return "\n".join(lines)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "serve-traced":
        rest = sys.argv[2:]
        if rest and rest[0] == "--":
            rest = rest[1:]
        sys.exit(serve_traced(rest))
    main()
