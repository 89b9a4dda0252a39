"""The typo-tolerant name search (rapidfuzz) against a large vocabulary of distinct name words.

    .venv/bin/python bench/fuzzy.py [--names 50000]

bench/search.py's synthetic 1M-quad store repeats a few dozen names, so its typo searches compare
against a few hundred distinct words. Here the label index holds NAMES random two-word names (about
90,000 distinct words for 50,000 names) plus Yevgeny Primakov, and each misspelt query is timed in
the index itself (no HTTP). Figures go to the "fuzzy" section of bench/results.md.
"""
from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.results import write_section  # noqa: E402
from server.web.search import LabelIndex  # noqa: E402

DIP = "https://w3id.org/communique/ontology#"
QUERIES = ["primakof", "yevgeny-primakof", "madeleine albrite", "zzzzzz"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--names", type=int, default=50_000)
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    rnd = random.Random(13)

    def word():
        return "".join(rnd.choice("aeiou" if i % 2 else "bcdfghklmnprstvz") for i in range(rnd.randint(4, 10)))

    rows = [(f"x:{i}", DIP + "Person", f"{word().title()} {word().title()}", None) for i in range(args.names)]
    rows.append(("x:primakov", DIP + "Person", "Yevgeny Primakov", None))
    started = time.perf_counter()
    index = LabelIndex(rows)
    build = (time.perf_counter() - started) * 1000
    lines = ["## Typo-tolerant name search against a large vocabulary (issue 13)", "",
             f"Machine: {platform.machine()}, Python {platform.python_version()}, load average "
             f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores. Run: `.venv/bin/python bench/fuzzy.py`. "
             f"{len(index):,} names, {len(index._vocab):,} distinct name words; the index built in {build:.0f} ms. "
             "A query runs the prefix search, then, finding fewer than 20, rapidfuzz over every distinct word.", "",
             "| query | median / worst | first hit |", "|---|---|---|"]
    for q in QUERIES:
        times = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            hits = index.search(q, 20)
            times.append((time.perf_counter() - t) * 1000)
        lines.append(f"| “{q}” | {statistics.median(times):.1f} / {max(times):.1f} ms | "
                     f"{hits[0].label + ' (' + str(hits[0].score) + ')' if hits else 'none'} |")
    section = "\n".join(lines) + "\n"
    write_section("fuzzy", section)
    print(section)


if __name__ == "__main__":
    main()
