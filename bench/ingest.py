"""Ingest at archive scale (issue 11, item 3): articles/s and memory at 1,000 and 10,000 synthetic
articles, SHACL per article by engine, and how long Ctrl-C takes to stop an ingest.

    .venv/bin/python bench/ingest.py [--count 10000] [--jobs 0] [--before 200] [--write]

* after: one ``Pipeline.ingest`` of ``--count`` articles of bench/synthetic.py (seed 11) into a fresh
  store, in a child process; at 1,000 articles and at the end it records the articles/s so far and the
  resident memory (VmRSS) of the ingesting process and of its worker processes (and their PSS, which
  counts the pages the forked workers share with it once).
* before: ``--before`` articles the same way with the code of another checkout (``--tree``, default
  /work/main, the code before this work: one process, pySHACL), if it exists.
* SHACL: pySHACL with the whole ontology (the gate before), pySHACL with the subclass axioms only,
  pyshacl-turbo on compiled shapes (the gate now), mean per synthetic article graph.
* Ctrl-C: seconds from SIGINT (to the whole process group, as a terminal sends it) to the exit of
  ``communique ingest`` on 300 articles, three times.

``--write`` puts the figures into bench/results.md (section ``ingest``).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CHILD = """
import json, os, sys, time
from pathlib import Path
sys.path.insert(0, {tree!r})
from server.settings import Settings
from server.ingest.pipeline import Pipeline
from server.store import embedded as store_mod

def kib(pid, field, name="status"):
    try:
        for line in open(f"/proc/{{pid}}/{{name}}"):
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0

def cpu(pid):
    try:
        fields = open(f"/proc/{{pid}}/stat").read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return 0.0

def children(pid):
    out = []
    for task in os.listdir(f"/proc/{{pid}}/task"):
        try:
            out += [int(x) for x in open(f"/proc/{{pid}}/task/{{task}}/children").read().split()]
        except OSError:
            pass
    return out

marks = {marks!r}
files = sorted(Path({articles!r}).glob("*.txt"))[:{count}]
settings = Settings.load({{"store": {store!r}, "base_iri": "http://localhost:5000/"}}, environ={{}})
pipeline = Pipeline(settings)
figures = []
started = None

class Probe:
    total = 0
    n = 0
    def step(self, name, note):
        global started
        self.n += 1
        if self.n == 1:
            started = time.perf_counter()  # after the first article: the workers are up, the models loaded
            self.cpu0 = cpu(os.getpid()) + sum(cpu(k) for k in children(os.getpid()))
        if self.n in marks:
            me, kids = os.getpid(), children(os.getpid())
            figures.append({{"n": self.n, "seconds": time.perf_counter() - started,
                            "rss_mb": kib(me, "VmRSS") / 1024,
                            "workers_rss_mb": sum(kib(k, "VmRSS") for k in kids) / 1024,
                            "pss_mb": (kib(me, "Pss", "smaps_rollup") + sum(kib(k, "Pss", "smaps_rollup") for k in kids)) / 1024,
                            "workers": len(kids), "cpu_s": cpu(me), "workers_cpu_s": sum(cpu(k) for k in kids)}})
            x = figures[-1]
            x["cpu_ms_per_article"] = (x["cpu_s"] + x["workers_cpu_s"] - self.cpu0) / max(1, x["n"] - 1) * 1000
            print(json.dumps(x), file=sys.stderr, flush=True)  # as it goes: a long run that is stopped keeps its marks
    def done(self):
        pass

jobs = {jobs!r}
kwargs = {{"jobs": jobs}} if jobs is not None else {{}}
with store_mod.owned(settings.store, "bench") as store:
    probe = Probe()
    result = pipeline.ingest(store, files, probe, **kwargs)
    quads = store_mod.count_quads(store)
print(json.dumps({{"figures": figures, "stored": len(result.stored), "rejected": len(result.rejected),
                  "duplicates": len(result.duplicates), "quads": quads}}))
"""


def run_ingest(tree: Path, articles: Path, count: int, jobs, marks) -> dict:
    store = Path(tempfile.mkdtemp(prefix="bench-ingest-")) / "store"
    try:
        code = CHILD.format(tree=str(tree), marks=sorted(set(marks)), articles=str(articles), count=count,
                            store=str(store), jobs=jobs)
        out = subprocess.run([PYTHON, "-c", code], stdout=subprocess.PIPE, text=True, check=True,
                             env={**os.environ, "PYTHONPATH": str(tree)})
        return json.loads(out.stdout.strip().splitlines()[-1])
    finally:
        shutil.rmtree(store.parent, ignore_errors=True)


def shacl_figures(articles: Path, n: int = 30) -> dict:
    sys.path.insert(0, str(ROOT))
    import pyshacl
    from rdflib import Graph

    from mappings import readers
    from server.ingest import shacl
    from server.ingest.pipeline import Pipeline
    from server.settings import Settings

    pipeline = Pipeline(Settings.load({"base_iri": "http://localhost:5000/"}, environ={}))
    pipeline.warm()
    graphs = [pipeline.extract_article(a)[1] for f in sorted(articles.glob("*.txt"))[:n] for a in readers.read(f)]

    def small(g):
        return pyshacl.validate(g, shacl_graph=shacl.shapes(), ont_graph=shacl.subclasses(), inference="none",
                                advanced=False, allow_warnings=True)

    out = {"triples": sum(len(g) for g in graphs) / len(graphs)}
    for name, fn in (("pySHACL, whole ontology (before)", shacl.reference), ("pySHACL, subclass axioms only", small),
                     ("pyshacl-turbo, compiled shapes, subclass axioms (now)", shacl.check)):
        fn(graphs[0])
        t = time.perf_counter()
        for g in graphs:
            fn(g)
        out[name] = (time.perf_counter() - t) / len(graphs) * 1000
    return out


def sigint_figures(articles: Path, runs: int = 3) -> list[float]:
    out = []
    for _ in range(runs):
        store = Path(tempfile.mkdtemp(prefix="bench-sigint-")) / "store"
        try:
            proc = subprocess.Popen([str(Path(PYTHON).parent / "communique"), "ingest", str(articles), "--store",
                                     str(store), "--base-iri", "http://localhost:5000/"], stderr=subprocess.PIPE,
                                    text=True, start_new_session=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
            for line in proc.stderr:
                if re.match(r"\[\d+/\d+\]", line) and not line.startswith("[1/"):
                    break
            os.killpg(proc.pid, signal.SIGINT)
            sent = time.perf_counter()
            proc.wait(timeout=60)
            out.append(time.perf_counter() - sent)
            proc.stderr.read()
        finally:
            shutil.rmtree(store.parent, ignore_errors=True)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--count", type=int, default=10000)
    ap.add_argument("--jobs", type=int, default=0)
    ap.add_argument("--before", type=int, default=200, help="articles for the figure of --tree (0: none)")
    ap.add_argument("--tree", type=Path, default=Path("/work/main"))
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from bench.synthetic import generate

    work = Path(tempfile.mkdtemp(prefix="bench-articles-"))
    try:
        articles = work / "articles"
        generate(articles, args.count, seed=11)
        small = work / "sigint"
        small.mkdir()
        for f in sorted(articles.glob("*.txt"))[:300]:
            shutil.copy(f, small / f.name)
        load_start = os.getloadavg()[0]
        figures = {"count": args.count, "load_start": load_start}
        figures["shacl"] = shacl_figures(articles)
        print(json.dumps(figures["shacl"]), file=sys.stderr)
        figures["sigint"] = sigint_figures(small)
        print("sigint", figures["sigint"], file=sys.stderr)
        if args.before and (args.tree / "server" / "ingest" / "pipeline.py").exists():
            figures["before"] = run_ingest(args.tree, articles, args.before, None, [args.before])
            print("before", figures["before"], file=sys.stderr)
        figures["after"] = run_ingest(ROOT, articles, args.count, args.jobs, [1000, args.count])  # marks on stderr as it goes
        print("after", figures["after"], file=sys.stderr)
        figures["load_end"] = os.getloadavg()[0]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(figures, indent=1))
    if args.write:
        write(figures, args)
    return 0


def write(f: dict, args) -> None:
    from server.ingest.pipeline import resolve_jobs

    jobs = resolve_jobs(args.jobs)
    lines = [f"## Ingest at archive scale (issue 11, item 3)", "",
             f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; shared with "
             f"other engineers' jobs (load average {f['load_start']:.1f} when the run started, {f['load_end']:.1f} when "
             "it ended), so the rates are lower bounds of what an idle machine does. Run: "
             f"`.venv/bin/python bench/ingest.py --count {f['count']} --write`. Articles: bench/synthetic.py, seed 11 "
             "(150–400 words, front matter, datelines, meeting and position sentences with gazetteer names). "
             "Rates are counted from the first article stored (the workers up, the models loaded).", ""]
    s = f["shacl"]
    lines += [f"SHACL per article graph (mean over 30 synthetic articles, {s['triples']:.0f} triples each):", "",
              "| engine | ms per article |", "|---|---|"]
    lines += [f"| {k} | {v:.1f} |" for k, v in s.items() if k != "triples"]
    lines += ["", "| run | articles | articles/s | CPU per article (all processes) | ingesting process RSS | workers' RSS "
                  "| PSS of all | quads |", "|---|---|---|---|---|---|---|---|"]
    if "before" in f:
        b = f["before"]["figures"][-1]
        lines.append(f"| before (one process, pySHACL; {args.tree} at its commit) | {b['n']:,} | "
                     f"{(b['n'] - 1) / b['seconds']:.1f} | {b['cpu_ms_per_article']:.0f} ms | {b['rss_mb']:.0f} MB | – | {b['pss_mb']:.0f} MB | "
                     f"{f['before']['quads']:,} (all {f['before']['stored']} stored) |")
    for x in f["after"]["figures"]:
        lines.append(f"| after, --jobs {jobs} ({x['workers']} workers) | {x['n']:,} | {(x['n'] - 1) / x['seconds']:.1f} | "
                     f"{x['cpu_ms_per_article']:.0f} ms | {x['rss_mb']:.0f} MB | {x['workers_rss_mb']:.0f} MB | {x['pss_mb']:.0f} MB | "
                     f"{f['after']['quads']:,} at the end |" if x is f["after"]["figures"][-1] else
                     f"| after, --jobs {jobs} ({x['workers']} workers) | {x['n']:,} | {(x['n'] - 1) / x['seconds']:.1f} | "
                     f"{x['cpu_ms_per_article']:.0f} ms | {x['rss_mb']:.0f} MB | {x['workers_rss_mb']:.0f} MB | {x['pss_mb']:.0f} MB | |")
    a = f["after"]["figures"]
    if len(a) == 2:
        rate = (a[1]["n"] - a[0]["n"]) / (a[1]["seconds"] - a[0]["seconds"])
        lines += ["", f"From {a[0]['n']:,} to {a[1]['n']:,} articles: {rate:.1f} articles/s; the ingesting process's RSS "
                      f"grew by {a[1]['rss_mb'] - a[0]['rss_mb']:+.0f} MB, the PSS of all processes by "
                      f"{a[1]['pss_mb'] - a[0]['pss_mb']:+.0f} MB (target: less than 100 MB). Issue 11's target of "
                      f"40 articles/s on 2 cores: {'met' if rate >= 40 else 'not met'}; the CPU time per article says "
                      f"what two idle cores would give at most: {2000 / a[1]['cpu_ms_per_article']:.1f} articles/s."]
    g = f["sigint"]
    lines += ["", f"Ctrl-C (SIGINT to the process group) to the exit of `communique ingest` on 300 articles: "
                  + ", ".join(f"{x:.2f} s" for x in g) + " (target: within 2 s)."]
    section = "\n".join(lines)
    path = ROOT / "bench" / "results.md"
    text = path.read_text()
    begin, end = "<!-- begin ingest -->", "<!-- end ingest -->"
    block = f"{begin}\n{section}\n{end}"
    text = re.sub(re.escape(begin) + ".*?" + re.escape(end), lambda m: block, text, flags=re.S) if begin in text \
        else text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text)


if __name__ == "__main__":
    sys.exit(main())
