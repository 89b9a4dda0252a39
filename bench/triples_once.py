"""Each triple once at size: COUNT(*) over the union equals COUNT(DISTINCT …) on a large store.

    .venv/bin/python bench/triples_once.py [--articles 10000]

Makes ARTICLES articles from the seeds (each seed's text with a numbered sentence of its own and a
varied date, so that no two share a content hash), ingests them into a temporary store, and checks
what tests/test_triples_once.py checks on the seed store: COUNT(*) = COUNT(DISTINCT ?s ?p ?o), one
row per treaty, no duplicate rows in the README's example queries; then removes one article and
checks again. Figures go to the "triples_once" section of bench/results.md.
"""
from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.results import write_section  # noqa: E402

PREFIX = "PREFIX dip: <https://w3id.org/communique/ontology#> "


def one(store, q) -> int:
    return int(next(iter(store.query(PREFIX + q, use_default_graph_as_union=True)))["n"].value)


def duplicate_rows(store, q) -> tuple[int, int]:
    rows = [tuple(str(t) for t in s)
            for s in store.query(PREFIX + q, use_default_graph_as_union=True)]
    return len(rows), len(set(rows))


def ingest_copies(tmp: Path, n: int):
    """``n`` articles made from the seeds (each seed's text with a numbered sentence of its own) in
    ``tmp``/articles, ingested into a store in ``tmp``/store: (settings, store, result, seconds, folder)."""
    from server.ingest.pipeline import Pipeline
    from server.settings import Settings

    seeds = sorted((ROOT / "seeds").glob("*.txt"))
    folder = tmp / "articles"
    folder.mkdir()
    for i in range(n):
        seed = seeds[i % len(seeds)]
        (folder / f"a{i:05d}_{seed.stem}.txt").write_text(seed.read_text() + f"\n\nThis is report number {i}.\n")
    settings = Settings.load({"store": str(tmp / "store")}, environ={})
    store = ox.Store(str(tmp / "store"))
    started = time.perf_counter()
    result = Pipeline(settings).ingest(store, [folder])
    return settings, store, result, time.perf_counter() - started, folder


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=10000)
    args = ap.parse_args()
    from server.store import embedded as store_mod

    with tempfile.TemporaryDirectory() as tmp:
        settings, store, result, took, folder = ingest_copies(Path(tmp), args.articles)
        figures = {"articles": len(result.stored), "quads": len(store),
                   "count": one(store, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"),
                   "distinct": one(store, "SELECT (COUNT(*) AS ?n) { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }"),
                   "treaty rows": one(store, "SELECT (COUNT(*) AS ?n) { ?t a dip:Treaty }"),
                   "treaties": one(store, "SELECT (COUNT(DISTINCT ?t) AS ?n) { ?t a dip:Treaty }")}
        examples = {}
        for rq in sorted((ROOT / "server" / "web" / "examples").glob("*.rq")):
            if "SERVICE" not in rq.read_text():
                examples[rq.stem] = duplicate_rows(store, rq.read_text())
        first = str(settings.base_iri) + "id/article/" + sorted(p.stem for p in folder.iterdir())[0]
        t = time.perf_counter()
        removed = store_mod.remove_article(store, first)
        remove_ms = (time.perf_counter() - t) * 1000
        after = (one(store, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"),
                 one(store, "SELECT (COUNT(*) AS ?n) { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }"))
    lines = [f"{platform.machine()}, Python {platform.python_version()}, pyoxigraph {ox.__version__}",
             "", f"{args.articles} articles made from the seeds (each with a sentence of its own), ingested in "
             f"{took:.0f} s ({args.articles / took:.1f} articles/s)", "",
             "| figure | value |", "|---|---|"]
    lines += [f"| {k} | {v:,} |" for k, v in figures.items()]
    lines += [f"| {k}: rows, distinct rows | {a:,}, {b:,} |" for k, (a, b) in examples.items()]
    lines += [f"| after removing one article: COUNT(*), distinct | {after[0]:,}, {after[1]:,} |",
              f"| remove: ms, triples, entities dropped | {remove_ms:.0f}, {removed['triples']}, "
              f"{len(removed['entities'])} |"]
    text = "## Each triple once (issue 11)\n\n" + "\n".join(lines)
    print(text)
    write_section("triples_once", text)
    assert figures["count"] == figures["distinct"] and figures["treaty rows"] == figures["treaties"]
    assert after[0] == after[1] and all(a == b for a, b in examples.values())


if __name__ == "__main__":
    main()
