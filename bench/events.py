"""One event, many reports, at size: what merging the meetings costs at ingest, and what it gives.

    .venv/bin/python bench/events.py [--articles 700]

Makes ARTICLES articles from the seeds as bench/triples_once.py does (each seed's text with a numbered
sentence of its own, so no two share a content hash: the same meetings reported again and again, the
worst case for the merge, as every copy joins the same meetings), ingests them into a temporary store
one at a time, and reports the time spent merging (``events.changes``) against the whole ingest, the
meetings and reports stored, and how many rows Primakov's meeting list has. Figures go to the "events"
section of bench/results.md.
"""
from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.results import write_section  # noqa: E402
from bench.triples_once import ingest_copies, one  # noqa: E402

def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=700)
    args = ap.parse_args()
    from server.store import embedded as store_mod
    from server.store import events

    spent: list[float] = []
    changes = events.changes

    def timed(*a, **k):
        t = time.perf_counter()
        try:
            return changes(*a, **k)
        finally:
            spent.append(time.perf_counter() - t)

    store_mod.events.changes = timed
    with tempfile.TemporaryDirectory() as tmp:
        settings, store, result, took, folder = ingest_copies(Path(tmp), args.articles)
        primakov = "<" + settings.base_iri + "id/person/yevgeny-primakov>"
        figures = {"articles stored": len(result.stored),
                   "meetings (dip:Meeting)": one(store, "SELECT (COUNT(?m) AS ?n) { ?m a dip:Meeting }"),
                   "meeting reports": one(store, "SELECT (COUNT(?m) AS ?n) { ?m a dip:MeetingReport }"),
                   "Primakov's meetings (list rows)": one(store, f"SELECT (COUNT(?m) AS ?n) {{ ?m a dip:Meeting ; "
                                                                 f"dip:participant {primakov} }}"),
                   "Primakov's meeting reports": one(store, f"SELECT (COUNT(?m) AS ?n) {{ ?m a dip:MeetingReport ; "
                                                            f"dip:participant {primakov} }}")}
        first = str(settings.base_iri) + "id/article/" + sorted(p.stem for p in folder.iterdir())[0]
        t = time.perf_counter()
        store_mod.remove_article(store, first)
        remove_ms = (time.perf_counter() - t) * 1000
    tenth = max(1, len(spent) // 10)
    lines = [f"{platform.machine()}, Python {platform.python_version()}, pyoxigraph {ox.__version__}",
             "", f"{args.articles} articles made from the seeds (each with a sentence of its own: every copy reports "
             f"the same meetings), ingested one by one in {took:.0f} s ({args.articles / took:.1f} articles/s)", "",
             "| figure | value |", "|---|---|"]
    lines += [f"| {k} | {v:,} |" for k, v in figures.items()]
    lines += [f"| merging, all articles: s (share of the ingest) | {sum(spent):.1f} ({sum(spent) / took:.0%}) |",
              f"| merging, one article: median ms of the first tenth, of the last tenth | "
              f"{statistics.median(spent[:tenth]) * 1000:.0f}, {statistics.median(spent[-tenth:]) * 1000:.0f} |",
              f"| remove one article (merging its meetings again): ms | {remove_ms:.0f} |"]
    text = "## One event, many reports (issue 11, item 2)\n\n" + "\n".join(lines)
    print(text)
    write_section("events", text)


if __name__ == "__main__":
    main()
