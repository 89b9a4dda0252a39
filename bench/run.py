"""Extraction benchmark: time per article, and how matching scales with the gazetteer's size.

    .venv/bin/python bench/run.py [--repeat N]      (or: make bench)

Figures go to the "extraction" section of bench/results.md (the README quotes them).
Machines here are shared and noisy: compare figures from one run, not across runs.
"""
from __future__ import annotations

import argparse
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.results import write_section  # noqa: E402
from mappings import Engine, IRIs, read_article, to_graph  # noqa: E402
from mappings.gazetteer import Entry, Gazetteer  # noqa: E402
from server.ingest import shacl  # noqa: E402


def timed(fn, repeat):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), statistics.mean(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    rows = []
    started = time.perf_counter()
    engine = Engine()
    load_ms = (time.perf_counter() - started) * 1000
    articles = [read_article(p) for p in sorted((ROOT / "seeds").glob("*.txt"))]
    rows.append(("engine start (load gazetteer, rules; compile the matcher)", f"{load_ms:.0f} ms", "once"))
    words = sum(len(a.text.split()) for a in articles)
    engine.extract(articles[0])  # the spaCy model loads on first use
    sentences = [s for a in articles for s in engine.splitter.split(a)]
    med, mean = timed(lambda: [engine.extract(a) for a in articles], args.repeat)
    rows.append(("extract one article (parser and rules)", f"{mean / len(articles):.1f} ms",
                 f"mean over {len(articles)} articles × {args.repeat}"))
    rows.append(("… per 500 words (target ≤ 50 ms)", f"{mean / words * 500:.0f} ms", f"{words} words in all"))
    full = [s for s in sentences if engine.ruleset.could_match({t.lower for t in s.tokens})]
    by_article = [[s for s in engine.splitter.split(a)] for a in articles]
    med, mean = timed(lambda: [engine.linguistics.parse(ss) for ss in by_article], args.repeat)
    rows.append(("… of which the full spaCy pipeline on every sentence, per 500 words", f"{mean / words * 500:.0f} ms",
                 f"{len(sentences)} sentences; {len(full)} of them hold words some rule needs"))
    rows.append(("spaCy throughput on this machine", f"{words / mean * 1000:,.0f} words/s", "tagger, parser, NER"))
    started_cli = time.perf_counter()
    subprocess.run([sys.executable, "-m", "server.cli", "extract", str(ROOT / "seeds" / "d01_oslo_talks.txt")],
                   capture_output=True, check=True, cwd=ROOT)
    rows.append(("`communique extract` of one article, from process start (target ≤ 2 s)",
                 f"{time.perf_counter() - started_cli:.2f} s", "one run, wall clock"))
    iris = IRIs()
    med, mean = timed(lambda: [to_graph(engine.extract(a), iris) for a in articles], args.repeat)
    rows.append(("extract one article to an RDF graph", f"{mean / len(articles):.2f} ms", "mean"))
    graphs = [to_graph(engine.extract(a), iris) for a in articles]
    med, mean = timed(lambda: [shacl.validate(g, "x") for g in graphs], max(3, args.repeat // 4))
    rows.append(("SHACL validation of one article graph", f"{mean / len(graphs):.1f} ms", "mean"))
    # The gazetteer is one Aho-Corasick automaton: matching must not slow down as it grows.
    texts = [a.text for a in articles]
    real = list(engine.gazetteer.entries.values())
    base_ms = timed(lambda: [engine.gazetteer.find(t) for t in texts], args.repeat)[1]
    for factor in (10, 100):
        fake = [Entry(id=f"synthetic-{n}", type="Person", label=f"Synthetic Person{n} Name{n % 977}")
                for n in range(len(real) * factor)]
        big = Gazetteer(real + fake)
        ms = timed(lambda: [big.find(t) for t in texts], args.repeat)[1]
        rows.append((f"gazetteer matching with {len(real) * (factor + 1):,} entries vs {len(real):,}",
                     f"{ms / base_ms:.2f}×", f"{ms / len(texts):.2f} ms vs {base_ms / len(texts):.2f} ms per article"))
    gaz = len(engine.gazetteer)
    table = "\n".join(f"| {a} | {b} | {c} |" for a, b, c in rows)
    text = f"""## Extraction

Machine: {platform.machine()}, Python {platform.python_version()}; gazetteer of {gaz} entries,
{len(engine.ruleset)} rules. Run: `make bench`.

| what | figure | how measured |
|---|---|---|
{table}
"""
    write_section("extraction", text)
    print(text)


if __name__ == "__main__":
    main()
