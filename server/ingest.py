"""The ingest gate: article → rules → graph → SHACL → store.

An article is stored only if it is read, extracted and conforms to the shapes;
it then replaces its own named graph in one transaction. A rejected article
changes nothing in the store.
"""
from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset, Graph

from mappings import ArticleError, Engine, IRIs, bind, read_article, to_graph
from mappings.model import Extraction

from . import shacl, store as store_mod
from .errors import ArticleRejected, BadRequest


def plural(n: int, word: str, many: str | None = None) -> str:
    """``1 meeting``, ``2 meetings`` (``many`` for another plural: entity, entities)."""
    return f"{n} {word if n == 1 else (many or word + 's')}"


def article_files(paths) -> list[Path]:
    """The article files named by `paths`: files as given, directories' *.txt sorted."""
    files: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = sorted(x for x in p.glob("*.txt") if x.is_file())
            if not found:
                raise BadRequest(f"{p}: no article files (*.txt) in this directory")
            files.extend(found)
        elif p.is_file():
            files.append(p)
        else:
            raise BadRequest(f"{p}: no such file or directory")
    return files


@dataclass
class Checked:
    path: Path
    iri: str
    extraction: Extraction
    graph: Graph
    report: shacl.Report


@dataclass
class IngestResult:
    stored: list[Checked] = field(default_factory=list)
    rejected: list[tuple[Path, str]] = field(default_factory=list)
    seconds: float = 0.0


class Pipeline:
    def __init__(self, settings, engine: Engine | None = None):
        self.settings = settings
        self.iris = IRIs(settings.base_iri)
        self._engine = engine

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = Engine(self.settings.gazetteer, self.settings.rules)
        return self._engine

    def extract(self, path: Path) -> tuple[Extraction, Graph]:
        try:
            article = read_article(path)
        except ArticleError as exc:
            raise ArticleRejected(str(exc)) from None
        extraction = self.engine.extract(article)
        return extraction, to_graph(extraction, self.iris)

    def check(self, path: Path) -> Checked:
        """Extract and validate one article; raises ArticleRejected with a readable report."""
        extraction, graph = self.extract(path)
        report = shacl.validate(graph, path.name)
        checked = Checked(path, str(graph.identifier), extraction, graph, report)
        if not report.conforms:
            raise ArticleRejected(str(report))
        return checked

    def ingest(self, store: ox.Store, paths, progress=None) -> IngestResult:
        files = article_files(paths)
        result = IngestResult()
        started = time.perf_counter()
        progress = progress or Progress(len(files), quiet=True)
        for path in files:
            try:
                checked = self.check(path)
            except ArticleRejected as exc:
                result.rejected.append((path, exc.message))
                progress.step(path.name, f"REJECTED\n{exc.message}")
                continue
            store_mod.replace_graph(store, checked.iri, checked.graph)
            result.stored.append(checked)
            x = checked.extraction
            progress.step(path.name, f"{plural(len(checked.graph), 'triple')}, {plural(len(x.meetings), 'meeting')}, "
                                     f"{plural(len(x.positions), 'position')}")
        result.seconds = time.perf_counter() - started
        progress.done()
        return result


def dataset(checked_graphs: list[Graph]) -> Dataset:
    ds = Dataset()
    bind(ds)
    for g in checked_graphs:
        target = ds.graph(g.identifier)
        for triple in g:
            target.add(triple)
    return ds


class Progress:
    """Progress for people: a line per article, or a running count on a terminal for many."""

    def __init__(self, total: int, stream=None, quiet: bool = False):
        self.total, self.n = total, 0
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.started = time.perf_counter()

    def step(self, name: str, note: str):
        self.n += 1
        if self.quiet:
            return
        rejected = note.startswith("REJECTED")
        if self.total <= 20 or rejected or not self.tty:
            if self.total > 20 and not rejected and not self.tty and self.n % max(1, self.total // 20):
                return
            self.stream.write(f"[{self.n}/{self.total}] {name}: {note}\n")
        else:
            elapsed = time.perf_counter() - self.started
            rate = self.n / elapsed if elapsed else 0
            self.stream.write(f"\r[{self.n}/{self.total}] {rate:.0f} articles/s  {name[:40]:40}")
        self.stream.flush()

    def done(self):
        if not self.quiet and self.tty and self.total > 20:
            self.stream.write("\n")
