"""Ingest and page timings on a private Virtuoso 7 beside the embedded store, in the same run.

    python bench/remote.py [ARTICLE_DIR]      (default: the seeds)

Ingests the articles with `communique ingest` into a fresh embedded store and a fresh Virtuoso
(tests/virtuoso/instance.py), then serves each and times a person, a state, a treaty page and a
search (median of 5 after one warm-up). Synthetic archives of 10,000 articles are not run yet.
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "virtuoso"))
from conftest import BIN, LiveServer  # noqa: E402
from instance import Virtuoso  # noqa: E402

PAGES = {"person": "/page/person/yevgeny-primakov", "state": "/page/state/russia",
         "treaty": "/page/treaty/abm-treaty", "search": "/search?q=primakov"}


def ingest(store: str, articles: Path) -> float:
    t = time.perf_counter()
    done = subprocess.run([str(BIN / "communique"), "ingest", "--store", store, str(articles)],
                          capture_output=True, text=True, env=dict(os.environ, COMMUNIQUE_STORE=""))
    if done.returncode != 0:
        sys.exit(done.stderr)
    return time.perf_counter() - t


def pages(server: LiveServer) -> dict:
    out = {}
    for name, path in PAGES.items():
        requests.get(server.url + path)
        times = []
        for _ in range(5):
            t = time.perf_counter()
            r = requests.get(server.url + path)
            times.append((time.perf_counter() - t) * 1000)
        out[name] = (r.status_code, statistics.median(times))
    return out


def main():
    articles = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "seeds"
    n = len([p for p in articles.iterdir() if p.is_file()])
    tmp = Path(tempfile.mkdtemp(prefix="bench-remote-"))
    v = Virtuoso(tmp / "virtuoso").start()
    try:
        rows = {}
        for name, store in (("embedded", str(tmp / "store")), ("virtuoso", v.endpoint)):
            seconds = ingest(store, articles)
            (tmp / f"serve-{name}").mkdir()
            server = LiveServer(tmp / f"serve-{name}", store=store, base_iri=False)  # the store's own base
            try:
                rows[name] = (seconds, pages(server))
            finally:
                server.stop()
        print(f"{n} articles from {articles}")
        print("| backend | ingest s | articles/s | " + " | ".join(f"{p} ms" for p in PAGES) + " |")
        print("|---|---|---|" + "---|" * len(PAGES))
        for name, (seconds, timings) in rows.items():
            print(f"| {name} | {seconds:.1f} | {n / seconds:.2f} | "
                  + " | ".join(f"{ms:.1f}" + ("" if code == 200 else f" ({code})") for code, ms in timings.values())
                  + " |")
    finally:
        v.stop()


if __name__ == "__main__":
    main()
