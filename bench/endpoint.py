"""SPARQL endpoint benchmark: a runaway query under the timeout, and a million-row SELECT streamed.

    .venv/bin/python bench/endpoint.py

Starts `communique serve` on the seeds (in a temporary store) twice: with a
2 s timeout for the runaway query, and with the default timeout for the
stream. Figures go to the "endpoint" section of bench/results.md.
"""
from __future__ import annotations

import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.results import write_section  # noqa: E402

BIN = Path(sys.executable).parent
DIP = "https://w3id.org/communique/ontology#"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
SMALL = f"ASK {{ ?m a <{DIP}Meeting> }}"
MILLION = "SELECT ?a ?b WHERE { ?a ?p ?x . ?b ?q ?y } LIMIT 1000000"


class Server:
    def __init__(self, tmp: Path, *extra: str):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen([str(BIN / "communique"), "serve", "--store", str(tmp / "store"),
                                      "--port", str(self.port), *extra],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(600):
            try:
                if requests.get(self.url + "/healthz", timeout=2).ok:
                    return
            except requests.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError("the server did not start")

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    out.append(int(entry.name))
            except OSError:
                pass
    return out


def cpu_seconds(pids: list[int]) -> float:
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            f = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(f[11]) + int(f[12])) / tick
        except OSError:
            pass
    return total


def small_latencies(url: str, n: int) -> list[float]:
    out = []
    for _ in range(n):
        t = time.perf_counter()
        assert requests.get(url + "/sparql", params={"query": SMALL}).json()["boolean"] is True
        out.append((time.perf_counter() - t) * 1000)
    return out


def runaway(tmp: Path) -> dict:
    server = Server(tmp, "--query-timeout", "2")
    try:
        baseline = small_latencies(server.url, 30)
        outcome = {}

        def run():
            t = time.perf_counter()
            r = requests.get(server.url + "/sparql", params={"query": RUNAWAY})
            outcome.update(status=r.status_code, seconds=time.perf_counter() - t)

        thread = threading.Thread(target=run)
        thread.start()
        time.sleep(0.2)
        during = []
        while thread.is_alive():
            during += small_latencies(server.url, 1)
            time.sleep(0.02)
        thread.join()
        time.sleep(0.5)
        before = cpu_seconds(children(server.proc.pid))
        time.sleep(1)
        after = cpu_seconds(children(server.proc.pid)) - before
        return {"status": outcome["status"], "seconds": outcome["seconds"], "baseline": baseline,
                "during": during, "cpu_after": after}
    finally:
        server.stop()


def million(tmp: Path) -> dict:
    server = Server(tmp)
    try:
        pid = server.proc.pid
        rss_before = rss_mb(pid)
        peak = {"server": rss_before, "worker": 0.0}
        t = time.perf_counter()
        r = requests.get(server.url + "/sparql", params={"query": MILLION},
                         headers={"Accept": "text/tab-separated-values"}, stream=True)
        size, lines, first = 0, 0, None
        for n, chunk in enumerate(r.iter_content(64 * 1024)):
            if first is None:
                first = time.perf_counter() - t
            size += len(chunk)
            lines += chunk.count(b"\n")
            if n % 50 == 0:
                peak["server"] = max(peak["server"], rss_mb(pid))
                peak["worker"] = max([peak["worker"], *(rss_mb(c) for c in children(pid))])
        total = time.perf_counter() - t
        return {"rows": lines - 1, "mb": size / 1e6, "seconds": total, "first": first,
                "rss_before": rss_before, "rss_peak": peak["server"], "worker_peak": peak["worker"]}
    finally:
        server.stop()


def main():
    with tempfile.TemporaryDirectory() as d1, tempfile.TemporaryDirectory() as d2:
        ra = runaway(Path(d1))
        mi = million(Path(d2))
    med = statistics.median
    text = f"""## Endpoint

Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; the seed
store; 2 query workers. Run: `.venv/bin/python bench/endpoint.py`.

| what | figure | how measured |
|---|---|---|
| runaway query (4-way cross product of the store) | {ra['status']} after {ra['seconds']:.2f} s | timeout 2 s |
| small ASK, nothing else running | median {med(ra['baseline']):.1f} ms, max {max(ra['baseline']):.1f} ms | 30 in a row |
| small ASK while the runaway query runs | median {med(ra['during']):.1f} ms, max {max(ra['during']):.1f} ms | {len(ra['during'])} in a row |
| workers' CPU in the second after the 503 | {ra['cpu_after']:.2f} s | /proc, all worker processes |
| million-row SELECT as TSV | {mi['rows']:,} rows, {mi['mb']:.0f} MB in {mi['seconds']:.1f} s; first bytes after {mi['first'] * 1000:.0f} ms | streamed by requests |
| server process memory during it | {mi['rss_before']:.0f} MB before, {mi['rss_peak']:.0f} MB peak | VmRSS |
| query worker memory during it | {mi['worker_peak']:.0f} MB peak | VmRSS |
"""
    write_section("endpoint", text)
    print(text)


if __name__ == "__main__":
    main()
