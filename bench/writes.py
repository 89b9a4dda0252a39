"""What the write gate costs per write, on the seed store (and on copies of it, to show how it grows).

    .venv/bin/python bench/writes.py [--repeat 20] [--copies 1,10]

Builds the seed store in bench/writes.tmp/ (git-ignored, removed afterwards),
optionally with each article graph copied N times under new article IRIs,
and runs SPARQL Updates through ``writegate.apply`` directly on the
read-write handle (the update process's own work, without HTTP): a
``skos:altLabel`` added to a person in an article graph (checked against the
shapes), and the same triple added to a graph of no article (compared, not
checked). Figures go to the "writes" section of bench/results.md.
"""
from __future__ import annotations

import argparse
import platform
import shutil
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.results import write_section  # noqa: E402

TMP = ROOT / "bench" / "writes.tmp"
BASE = "http://localhost:5000/"
ARTICLE = BASE + "id/article/000_684714e08cb29c29"
PERSON = BASE + "id/person/yevgeny-primakov"
ALT = "http://www.w3.org/2004/02/skos/core#altLabel"


def build(copies: int):
    import pyoxigraph as ox

    from server.ingest.pipeline import Pipeline, article_files
    from server.settings import Settings

    if TMP.exists():
        shutil.rmtree(TMP)
    TMP.mkdir(parents=True)
    settings = Settings.load({"store": str(TMP / "store")}, environ={})
    store = ox.Store(str(TMP / "store"))
    Pipeline(settings).ingest(store, article_files([settings.seeds]))
    if copies > 1:
        quads = list(store)
        extra = []
        for n in range(1, copies):
            for q in quads:
                g = ox.NamedNode(f"{q.graph_name.value}-copy{n}")
                extra.append(ox.Quad(q.subject, q.predicate, q.object, g))
        store.bulk_extend(extra)
    return store


def run(store, repeat: int) -> dict:
    from server.ingest import writegate

    out = {}
    for kind, graph in (("article graph (checked)", ARTICLE), ("graph of no article", "http://example.org/notes")):
        runs = []
        for i in range(repeat):
            info = writegate.apply(store, f'INSERT DATA {{ GRAPH <{graph}> {{ <{PERSON}> <{ALT}> "alias {kind[:3]} {i}" }} }}',
                                   articles=BASE + "id/article/")
            runs.append(info["ms"])
        out[kind] = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--copies", default="1,10")
    args = parser.parse_args(argv)
    rows = []
    try:
        for copies in (int(c) for c in args.copies.split(",")):
            store = build(copies)
            quads = sum(1 for _ in store)
            figures = run(store, args.repeat)
            for kind, ms in figures.items():
                rows.append(f"| {quads:,} quads ({7 * copies} articles) | {kind} | {ms['copy']:.1f} | {ms['diff']:.1f} | "
                            f"{ms['shapes']:.1f} | {ms['commit']:.1f} | {ms['total']:.1f} |")
                print(rows[-1], flush=True)
            del store
    finally:
        shutil.rmtree(TMP, ignore_errors=True)
    text = f"""## The write gate (issue 8)

Machine: {platform.machine()}, Python {platform.python_version()}. Median of {args.repeat} SPARQL Updates per row,
through `writegate.apply` on the read-write handle (the update process's work, no HTTP): a `skos:altLabel` for
a person, into an article graph (validated with the shapes) or into a graph of no article (compared only).
Run: `.venv/bin/python bench/writes.py`.

| store | write to | copy (ms) | compare (ms) | shapes (ms) | commit (ms) | total (ms) |
|---|---|---|---|---|---|---|
""" + "\n".join(rows) + """

The copy and the comparison read every quad once, so they grow with the store; the SHACL check grows with
the article graphs a write changes (one here)."""
    write_section("writes", text)


if __name__ == "__main__":
    main()
