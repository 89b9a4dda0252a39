"""Timings of the pages and the search, at the seed corpus size and at about 1M triples.

    .venv/bin/python bench/search.py [--triples 1000000] [--repeat 20]

The large store is synthetic: copies of the seed articles' graphs under new
article IRIs (so every entity description is repeated once per copy, as in a
real store), each with a few synthetic people it mentions. It is built in
bench/search.tmp/ (git-ignored) and removed afterwards. Requests go through the
Flask app in-process (no network), so the figures are the server's own time:
the SPARQL queries in the worker processes plus rendering. Figures are written
to the "pages" section of bench/results.md.
"""
from __future__ import annotations

import argparse
import os
import platform
import random
import re
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.results import write_section  # noqa: E402
TMP = ROOT / "bench" / "search.tmp"
HEADING = "## Linked Data pages and search (issues 5 and 13)"
FIRST = ["Anna", "Boris", "Carla", "Dmitri", "Elena", "Fyodor", "Galina", "Hans", "Irina", "Jacques", "Karl", "Lena",
         "Mikhail", "Nadia", "Oleg", "Pavel", "Rosa", "Sergei", "Tatiana", "Viktor", "Walter", "Yuri", "Zoya"]
LAST = ["Abramov", "Belov", "Chernov", "Dubov", "Egorov", "Fomin", "Gusev", "Hartmann", "Ilyin", "Jansen", "Kozlov",
        "Lebedev", "Morozov", "Novak", "Orlov", "Petrov", "Romanov", "Sokolov", "Titov", "Volkov", "Weber", "Zaitsev"]
PAGES = [("entity page, a person (Yevgeny Primakov)", "/page/person/yevgeny-primakov"),
         ("entity page, a state (Russia)", "/page/state/russia"),
         ("treaty page (ABM Treaty)", "/page/treaty/abm-treaty"),
         ("article page (the seed article)", "/page/article/000_684714e08cb29c29"),
         ("home page", "/")]
SEARCHES = ["prima", "Primakov", "yev prim", "abm", "mosc", "zaits", "united st"]
FUZZY = ["primakof", "yevgeny-primakof", "moskow", "madeleine albrite"]  # typos: the prefix search finds none, rapidfuzz does
TEXT = ["missile defense", "ratif", "closed-door consultations", "luzhkov"]  # the articles' text (FTS5)
COMPLETE = ["Primak", "mos"]


def seed_quads(base: str) -> tuple[str, list[str]]:
    """The seed articles' graphs as N-Quads text, and their stems."""
    from rdflib import Dataset

    from server.ingest.pipeline import Pipeline
    from server.settings import Settings

    pipeline = Pipeline(Settings.load({"base_iri": base}, environ={}))
    ds = Dataset()
    stems = []
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        checked = pipeline.check(path)
        stems.append(path.stem)
        g = ds.graph(checked.graph.identifier)
        for t in checked.graph:
            g.add(t)
    return ds.serialize(format="nquads"), stems


def build_large(target: int, base: str, directory: Path = TMP, meetings: int = 0,
                positions: int = 0) -> tuple[Path, int]:
    """A store of about `target` quads in `directory`/store (the directory is emptied first).

    `meetings` and `positions`: that many synthetic meetings and positions more per article copy,
    among the copy's synthetic people and the seeds' states, places and treaties (the contract's
    shapes, without evidence), for benchmarks that need many facts (bench/compare.py); the pages
    benchmark adds none.
    """
    import pyoxigraph as ox

    text, stems = seed_quads(base)
    per_copy = text.count("\n")
    pattern = re.compile("|".join(re.escape(s) for s in stems))
    rnd = random.Random(5)
    facts_rnd = random.Random(7)  # apart, so the names are the same with or without the facts
    kinds = {kind: sorted(set(re.findall(rf"^<({re.escape(base)}id/{kind}/[^>#]+)> <{RDF_TYPE}> ", text, re.M)))
             for kind in ("state", "place", "treaty")}
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    nq = directory / "large.nq"
    total, copy = 0, 0
    with open(nq, "w", encoding="utf-8") as out:
        while total < target:
            copy += 1
            # the first copy keeps the seed IRIs, so the same pages can be timed at both sizes
            out.write(text if copy == 1 else pattern.sub(lambda m: f"{m.group(0)}-s{copy}", text))
            total += per_copy
            for stem in stems:  # a few synthetic people per article, so search has many names to sift
                suffix = '' if copy == 1 else f'-s{copy}'
                article = f"<{base}id/article/{stem}{suffix}>"
                people = []
                for k in range(3):
                    name = f"{rnd.choice(FIRST)} {rnd.choice(LAST)}"
                    person = f"<{base}id/person/synthetic-{copy}-{stem}-{k}>"
                    people.append((person, name))
                    out.write(f'{person} <{RDF_TYPE}> <{DIP}Person> {article} .\n'
                              f'{person} <http://www.w3.org/2000/01/rdf-schema#label> "{name}" {article} .\n'
                              f'{article} <https://schema.org/mentions> {person} {article} .\n')
                    total += 3
                for n in range(meetings):
                    total += _synthetic_meeting(out, facts_rnd, base, f"{stem}{suffix}-{101 + n}", article, people,
                                                kinds)
                for n in range(positions):
                    total += _synthetic_position(out, facts_rnd, base, f"{stem}{suffix}-{101 + n}", article, people,
                                                 kinds)
    store = ox.Store(str(directory / "store"))
    store.bulk_load(path=str(nq), format=ox.RdfFormat.N_QUADS)
    store.flush()
    n = len(store)
    del store
    nq.unlink()
    return directory / "store", n


RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
DIP = "https://w3id.org/communique/ontology#"
XSD_DATE = "http://www.w3.org/2001/XMLSchema#date"


def _synthetic_meeting(out, rnd: random.Random, base: str, slug: str, article: str, people, kinds) -> int:
    """One dip:Meeting (ontology/MODEL.md) of two of the article's people and a state; its quad count."""
    meeting = f"<{base}id/meeting/{slug}>"
    (p1, n1), (p2, n2) = rnd.sample(people, 2)
    state = rnd.choice(kinds["state"])
    date = f"{rnd.randint(1990, 2015)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}"
    status = rnd.choice(("Held", "Held", "Held", "Planned", "Cancelled"))
    lines = [(RDF_TYPE, f"<{DIP}Meeting>"), (RDFS_LABEL, f'"{n1}, {n2}, {date}"'),
             (f"{DIP}participant", p1), (f"{DIP}participant", p2), (f"{DIP}participant", f"<{state}>"),
             (f"{DIP}location", f"<{rnd.choice(kinds['place'])}>"), (f"{DIP}date", f'"{date}"^^<{XSD_DATE}>'),
             (f"{DIP}status", f"<{DIP}{status}>"), (f"{DIP}reportedIn", article)]
    out.write("".join(f"{meeting} <{p}> {o} {article} .\n" for p, o in lines))
    return len(lines)


def _synthetic_position(out, rnd: random.Random, base: str, slug: str, article: str, people, kinds) -> int:
    """One dip:Position (ontology/MODEL.md): a person or state for or against a treaty; its quad count."""
    position = f"<{base}id/position/{slug}>"
    holder = rnd.choice([p for p, _ in people] + [f"<{s}>" for s in kinds["state"]])
    stance = rnd.choice(("Support", "Opposition"))
    lines = [(RDF_TYPE, f"<{DIP}Position>"), (RDFS_LABEL, f'"{holder.rsplit("/", 1)[1][:-1]} {stance.lower()}"'),
             (f"{DIP}holder", holder), (f"{DIP}stance", f"<{DIP}{stance}>"),
             (f"{DIP}topic", f"<{rnd.choice(kinds['treaty'])}>"), (f"{DIP}reportedIn", article)]
    out.write("".join(f"{position} <{p}> {o} {article} .\n" for p, o in lines))
    return len(lines)


def timed(fn, repeat: int) -> tuple[float, float]:
    fn()  # warm: worker snapshots, the label index
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), max(times)


def measure(store: Path, base: str, repeat: int, seed: bool) -> dict:
    from server.web.app import create_app
    from server.backend import Backend
    from server.settings import Settings

    settings = Settings.load({"store": str(store), "base_iri": base, "query_timeout": 120}, environ={})
    backend = Backend(settings).open(seed=seed)
    try:
        app = create_app(settings, backend)
        client = app.test_client()
        html = {"Accept": "text/html"}
        triples = int(backend.pool.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")[0]["n"]["value"])
        out = {"triples": triples, "rows": []}
        from server.web.search import LabelIndex
        from server.web.textsearch import TextIndex

        client.get("/healthz")  # the workers' snapshots are open
        t = time.perf_counter()
        out["index_size"] = len(LabelIndex.from_pool(backend.pool))
        out["index_ms"] = (time.perf_counter() - t) * 1000
        t = time.perf_counter()
        out["text_index_size"] = len(TextIndex.from_pool(backend.pool))
        out["text_index_ms"] = (time.perf_counter() - t) * 1000
        vocab = LabelIndex.from_pool(backend.pool)._vocab
        out["vocab"] = len(vocab)
        client.get("/search?q=x", headers={"Accept": "application/json"})  # the app's own indexes
        for name, path in PAGES:
            def get(path=path):
                r = client.get(path, headers=html)
                assert r.status_code == 200, (path, r.status_code)
            med, worst = timed(get, max(3, repeat // 4) if "russia" in path or path == "/" else repeat)
            out["rows"].append((name, path, med, worst))
        for q in SEARCHES:
            def search(q=q):
                r = client.get("/search", query_string={"q": q}, headers={"Accept": "application/json"})
                assert r.status_code == 200
            med, worst = timed(search, repeat * 5)
            out["rows"].append((f"search “{q}” (JSON)", f"/search?q={q}", med, worst))
        for q in FUZZY:
            def fuzzy(q=q):
                r = client.get("/search", query_string={"q": q, "in": "names"}, headers={"Accept": "application/json"})
                assert r.status_code == 200 and r.get_json()["results"], q
            med, worst = timed(fuzzy, repeat * 5)
            out["rows"].append((f"search with a typo “{q}” (names, JSON)", f"/search?q={q}&in=names", med, worst))
        for q in TEXT:
            def text(q=q):
                r = client.get("/search", query_string={"q": q, "in": "text"}, headers={"Accept": "application/json"})
                assert r.status_code == 200 and r.get_json()["text"]["count"], q
            med, worst = timed(text, repeat * 5)
            out["rows"].append((f"full text “{q}” (FTS5, JSON)", f"/search?q={q}&in=text", med, worst))
        for q in COMPLETE:
            def complete(q=q):
                assert client.get("/search/complete", query_string={"q": q}).status_code == 200
            med, worst = timed(complete, repeat * 5)
            out["rows"].append((f"autocomplete “{q}”", f"/search/complete?q={q}", med, worst))
        def search_html():
            assert client.get("/search?q=Primakov", headers=html).status_code == 200
        med, worst = timed(search_html, repeat * 5)
        out["rows"].append(("search “Primakov” (HTML page)", "/search?q=Primakov", med, worst))
        return out
    finally:
        backend.close()


def report(small: dict, large: dict) -> str:
    lines = [HEADING, "",
             f"Machine: {platform.machine()}, Python {platform.python_version()}, 2 query workers. Run: "
             f"`.venv/bin/python bench/search.py`. In-process requests (Flask test client; SPARQL in the worker "
             f"processes); median and worst of repeated requests after one warm-up. Load average when it started: "
             f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (the machine is shared: compare within one run).",
             f"The large store is synthetic: {large['triples']:,} quads, copies of the seed articles' graphs plus "
             f"3 synthetic people per article (label index: {large['index_size']:,} names, "
             f"{large['vocab']:,} distinct name words, which the typo search compares against; the synthetic "
             f"names repeat {len(FIRST)} first and {len(LAST)} last names, so a real store of that size has more).",
             "The index builds are timed apart, each from its SELECTs (the text index: one SELECT of every "
             "article's text, then FTS5's insert).", "",
             f"| request | seed corpus ({small['triples']:,} quads): median / worst | "
             f"{large['triples']:,} quads: median / worst |", "|---|---|---|"]
    for (name, _, m1, w1), (_, _, m2, w2) in zip(small["rows"], large["rows"]):
        lines.append(f"| {name} | {m1:.1f} / {w1:.1f} ms | {m2:.1f} / {w2:.1f} ms |")
    lines.append(f"| build the label index (once per store generation) | {small['index_ms']:.0f} ms "
                 f"| {large['index_ms']:.0f} ms |")
    lines.append(f"| build the full-text index (FTS5, in memory; once per store generation) | "
                 f"{small['text_index_ms']:.0f} ms ({small['text_index_size']:,} articles) | "
                 f"{large['text_index_ms']:.0f} ms ({large['text_index_size']:,} articles) |")
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--triples", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--out", default=str(ROOT / "bench" / "results.md"))
    ap.add_argument("--keep", action="store_true", help="keep the large store in bench/search.tmp/")
    args = ap.parse_args()
    base = "http://localhost:5000/"
    try:
        small_dir = TMP / "small"
        shutil.rmtree(TMP, ignore_errors=True)
        small = measure(small_dir, base, args.repeat, seed=True)
        t = time.perf_counter()
        store, n = build_large(args.triples, base)
        print(f"built a store of {n:,} quads in {time.perf_counter() - t:.0f} s", file=sys.stderr)
        large = measure(store, base, args.repeat, seed=False)
    finally:
        if not args.keep:
            shutil.rmtree(TMP, ignore_errors=True)
    section = report(small, large)
    write_section("pages", section, Path(args.out))
    print(section)


if __name__ == "__main__":
    main()
