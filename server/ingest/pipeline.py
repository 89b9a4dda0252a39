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

from mappings import ArticleError, Engine, IRIs, bind, readers, to_graph
from mappings.model import Extraction
from mappings.text import Article

from . import shacl
from ..store import embedded as store_mod
from ..errors import ArticleRejected, BadRequest


def plural(n: int, word: str, many: str | None = None) -> str:
    """``1 meeting``, ``2 meetings`` (``many`` for another plural: entity, entities)."""
    return f"{n} {word if n == 1 else (many or word + 's')}"


def article_files(paths) -> list[Path]:
    """The article files named by `paths`: files as given; a directory's files of every supported
    type (mappings/readers: text, HTML, JSON Lines, CSV), sorted, hidden files left out. A file
    named twice (itself, and in its directory) is read once."""
    files: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = sorted(x for x in p.iterdir() if x.is_file() and readers.supported(x)
                           and not x.name.startswith("."))
            if not found:
                raise BadRequest(f"{p}: no article files in this directory "
                                 f"({', '.join('*' + s for s in readers.SUPPORTED)})")
            files.extend(found)
        elif p.is_file():
            files.append(p)
        else:
            raise BadRequest(f"{p}: no such file or directory")
    once: dict[Path, Path] = {}
    for f in files:
        once.setdefault(f.resolve(), f)
    return list(once.values())


@dataclass
class Checked:
    path: Path
    iri: str
    extraction: Extraction
    graph: Graph  # what was validated: the article's graph and the descriptions of the entities it uses
    report: shacl.Report
    article_graph: Graph | None = None  # what goes into the article's named graph
    entities_graph: Graph | None = None  # what goes into the entities graph


@dataclass
class Stored:
    """What ingest keeps of a stored article: not its graph, so a long ingest's memory stays flat."""
    name: str
    iri: str
    triples: int
    meetings: int
    positions: int


@dataclass
class IngestResult:
    stored: list[Stored] = field(default_factory=list)
    rejected: list[tuple[Path, str]] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (article, the stored copy's IRI)
    seconds: float = 0.0


def article_name(article: Article) -> str:
    return f"{article.source_file} row {article.row}" if article.row is not None else article.source_file


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

    @staticmethod
    def read(path: Path):
        """(path, Article or ArticleError) for each article of a file; a file that cannot be read at
        all gives one ArticleError."""
        try:
            for item in readers.read(path):
                yield path, item
        except ArticleError as exc:
            yield path, exc

    def extract_article(self, article: Article) -> tuple[Extraction, Graph]:
        extraction = self.engine.extract(article)
        return extraction, to_graph(extraction, self.iris)

    def extract(self, path: Path) -> tuple[Extraction, Graph]:
        """The extraction and graph of a one-article file."""
        try:
            article = readers.read_article(path)
        except ArticleError as exc:
            raise ArticleRejected(str(exc)) from None
        return self.extract_article(article)

    def check_article(self, path: Path, article: Article) -> Checked:
        """Extract and validate one article; raises ArticleRejected with a readable report. The data
        graph validated is the article's graph with the descriptions of the entities it uses (which go
        to the entities graph), so that the shapes' sh:class constraints see the entities' types."""
        extraction, graph = self.extract_article(article)
        # the descriptions are the triples about the entities (no triple of the article's own has an
        # entity as its subject: what it says about one is a node of its own, such as a dip:RoleStatement)
        entities = {self.iris.entity(key) for key in extraction.entities}
        art = bind(Graph(identifier=graph.identifier))
        ents = bind(Graph(identifier=self.iris.entities_graph))
        for triple in graph:
            (ents if triple[0] in entities else art).add(triple)
        report = shacl.validate(graph, article_name(article))
        checked = Checked(path, str(graph.identifier), extraction, graph, report, art, ents)
        if not report.conforms:
            raise ArticleRejected(str(report))
        return checked

    def check(self, path: Path) -> Checked:
        try:
            article = readers.read_article(path)
        except ArticleError as exc:
            raise ArticleRejected(str(exc)) from None
        return self.check_article(path, article)

    def ingest(self, store: ox.Store, paths, progress=None) -> IngestResult:
        """Read, extract, check and store every article of `paths`. A rejected article (or row)
        changes nothing in the store; an article whose text is already stored under another id is
        recognised by its content hash and not stored twice."""
        items = [item for path in article_files(paths) for item in self.read(path)]
        result = IngestResult()
        started = time.perf_counter()
        progress = progress or Progress(len(items), quiet=True)
        progress.total = len(items)
        seen_ids: dict[str, str] = {}  # article id -> the file (and row) it came from in this ingest
        for path, item in items:
            if isinstance(item, ArticleError):
                result.rejected.append((path, f"{item}"))
                progress.step(path.name, f"REJECTED\n{item}")
                continue
            name = article_name(item)
            if item.id in seen_ids:
                message = (f"{name}: rejected: {seen_ids[item.id]} in this ingest has the same article id "
                           f"'{item.id}'; rename one file, or give one an 'id:' in its front matter")
                result.rejected.append((path, message))
                progress.step(name, f"REJECTED\n{message}")
                continue
            seen_ids[item.id] = name
            iri = str(self.iris.article(item.id))
            copy = store_mod.article_with_hash(store, item.content_hash, other_than=iri)
            if copy:
                result.duplicates.append((name, copy))
                progress.step(name, f"identical to {copy}; not stored again")
                continue
            try:
                checked = self.check_article(path, item)
            except ArticleRejected as exc:
                result.rejected.append((path, exc.message))
                progress.step(name, f"REJECTED\n{exc.message}")
                continue
            store_mod.store_article(store, checked.iri, checked.article_graph, checked.entities_graph)
            x = checked.extraction
            triples = len(checked.article_graph)
            result.stored.append(Stored(name, checked.iri, triples, len(x.meetings), len(x.positions)))
            progress.step(name, f"{plural(triples, 'triple')}, {plural(len(x.meetings), 'meeting')}, "
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
