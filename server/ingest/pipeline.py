"""The ingest gate: article → rules → graph → SHACL → store.

An article is stored only if it is read, extracted and conforms to the shapes;
it then replaces its own named graph in one transaction. A rejected article
changes nothing in the store. Extraction and the shapes run in forked worker
processes (``jobs``); this process alone decides and stores, in input order
(``Pipeline.ingest``).
"""
from __future__ import annotations

import csv
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from contextlib import contextmanager
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
    unchanged: list[tuple[str, str]] = field(default_factory=list)  # (article, its IRI): stored with this text
    seconds: float = 0.0
    interrupted: bool = False  # Ctrl-C stopped it (IngestInterrupted)


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

    def warm(self) -> None:
        """Load what every extraction and check needs (the engine, the spaCy model, the shapes), so that
        worker processes forked afterwards share it instead of each loading its own."""
        self.engine.linguistics.nlp
        shacl.compiled(), shacl.subclasses()

    def outcome(self, path: Path, article: Article) -> tuple:
        """What a worker sends back for one article: ``("stored", iri, article graph, entities graph,
        meetings, positions)`` when it conforms, else ``("rejected", message)``. Runs in a worker process
        when ingest runs in parallel (``jobs``), else in this one."""
        try:
            c = self.check_article(path, article)
        except ArticleRejected as exc:
            return ("rejected", exc.message)
        return ("stored", c.iri, c.article_graph, c.entities_graph, len(c.extraction.meetings),
                len(c.extraction.positions))

    def ingest(self, store: ox.Store, paths, progress=None, jobs: int | None = None,
               force: bool = False) -> IngestResult:
        """Read, extract, check and store every article of `paths`. A rejected article (or row)
        changes nothing in the store; an article whose text is already stored under another id is
        recognised by its content hash and not stored twice; an article stored already with the same
        id and text is skipped as unchanged (``force``: extracted and stored again).

        Files are read one article at a time. With ``jobs`` > 1 (default: the ``jobs`` setting, 0 for
        one per core), extraction and the shapes run in that many worker processes (forked, so they run
        this very Pipeline object), while this process decides, in input order, what each article needs
        and stores the results in input order, with a bounded number of articles in flight: the outcome
        is the same as with ``jobs=1``, which does everything in this process.

        Ctrl-C (SIGINT) stops it between two stores: each article is stored in one transaction, the
        workers are terminated, and ``IngestInterrupted`` carries what was done."""
        files = article_files(paths)
        jobs = resolve_jobs(self.settings.jobs if jobs is None else jobs)
        result = IngestResult()
        started = time.perf_counter()
        progress = progress or Progress(quiet=True)
        progress.total = count_articles(files)
        jobs = min(jobs, progress.total)  # one article: no worker to fork
        run = _Run(self, store, result, progress, force)
        pool = None
        with _interruptible() as flag:
            try:
                if jobs > 1:
                    self.warm()
                    pool = _fork_pool(self, jobs)
                run.pool, run.window, run.flag = pool, (jobs * 4 if pool else 0), flag
                for path, item in self._items(files):
                    run.add(path, item)
                run.finish()
            except KeyboardInterrupt:
                result.interrupted = True
            finally:
                flag.storing = True  # a second Ctrl-C while the workers stop only sets the flag
                if pool is not None:
                    pool.terminate()
                    pool.join()
                    _release_pool()
        result.seconds = time.perf_counter() - started
        progress.done()
        if result.interrupted:
            raise IngestInterrupted(result)
        return result

    def _items(self, files):
        for path in files:
            yield from self.read(path)


def resolve_jobs(jobs: int) -> int:
    """The ``jobs`` setting as a number of processes: 0 is one per core."""
    return jobs if jobs > 0 else (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                                  else os.cpu_count() or 1)


def count_articles(files) -> int:
    """How many articles `files` hold, without reading them as articles: one per file of text or HTML;
    a JSON Lines file's non-blank lines; a CSV file's rows after the header. For the progress bar."""
    n = 0
    for f in files:
        suffix = f.suffix.lower()
        if suffix in (".jsonl", ".ndjson", ".csv"):
            try:
                with open(f, encoding="utf-8", errors="replace", newline="") as fh:
                    if suffix == ".csv":
                        n += max(0, sum(1 for row in csv.reader(fh) if row) - 1)
                    else:
                        n += sum(1 for line in fh if line.strip())
            except (OSError, csv.Error):
                n += 1
        else:
            n += 1
    return n


class IngestInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped an ingest; ``result`` holds what was stored before it (each article whole)."""

    def __init__(self, result: "IngestResult"):
        super().__init__("interrupted")
        self.result = result


FLUSH_EVERY = 100  # stored articles between two flushes of an embedded store (about 60,000 quads)
_WORKER: "Pipeline | None" = None  # the pipeline the forked workers run (set before the fork)


def _worker_init():
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it terminates us


def _work(path: Path, article: Article) -> tuple:
    return _WORKER.outcome(path, article)


def _fork_pool(pipeline: "Pipeline", jobs: int):
    global _WORKER
    _WORKER = pipeline
    return multiprocessing.get_context("fork").Pool(jobs, initializer=_worker_init)


def _release_pool():
    global _WORKER
    _WORKER = None


class _Flag:
    """Set by SIGINT. While ``storing``, the signal only sets it (the store finishes, then ingest stops);
    otherwise it raises KeyboardInterrupt at once."""

    def __init__(self):
        self.set = False
        self.storing = False

    def __call__(self, signum, frame):
        self.set = True
        if not self.storing:
            raise KeyboardInterrupt


@contextmanager
def _interruptible():
    flag = _Flag()
    if threading.current_thread() is not threading.main_thread():
        yield flag  # signals reach the main thread only: nothing to install
        return
    previous = signal.signal(signal.SIGINT, flag)
    try:
        yield flag
    finally:
        signal.signal(signal.SIGINT, previous)


@dataclass
class _Slot:
    """One article read, waiting for its turn to be stored (or reported)."""
    path: Path
    name: str
    kind: str  # error | rejected | unchanged | duplicate | work | deferred
    note: str = ""  # the message of an error, rejection or duplicate
    article: Article | None = None
    iri: str = ""
    pending: object = None  # the worker's AsyncResult (kind work, in parallel)


class _Run:
    """The bookkeeping of one ingest: decides at read time what each article needs, and resolves the
    articles strictly in input order, so that the store sees the same sequence of writes whether the
    work ran here or in workers.

    Whether an article is a copy of a stored one depends on what the articles before it stored. At read
    time that is final unless an article still in flight has the same content hash, or would replace the
    stored copy: then the article is deferred, and decided when its turn comes."""

    def __init__(self, pipeline: Pipeline, store, result: IngestResult, progress: "Progress", force: bool):
        self.p, self.store, self.result, self.progress, self.force = pipeline, store, result, progress, force
        self.pool, self.window, self.flag = None, 0, _Flag()
        self.slots: deque[_Slot] = deque()
        self.seen_ids: dict[str, str] = {}  # article id -> the file (and row) it came from in this ingest
        self.hashes_in_flight: dict[str, int] = {}
        self.iris_in_flight: set[str] = set()

    def add(self, path: Path, item):
        self.slots.append(self.decide(path, item))
        while len(self.slots) > self.window:
            self.resolve(self.slots.popleft())

    def finish(self):
        while self.slots:
            self.resolve(self.slots.popleft())

    def decide(self, path: Path, item) -> _Slot:
        if isinstance(item, ArticleError):
            return _Slot(path, path.name, "error", f"{item}")
        name = article_name(item)
        if item.id in self.seen_ids:
            return _Slot(path, name, "rejected",
                         f"{name}: rejected: {self.seen_ids[item.id]} in this ingest has the same article id "
                         f"'{item.id}'; rename one file, or give one an 'id:' in its front matter")
        self.seen_ids[item.id] = name
        iri = str(self.p.iris.article(item.id))
        if not self.force and item.content_hash and store_mod.stored_hash(self.store, iri) == item.content_hash:
            return _Slot(path, name, "unchanged", iri=iri)
        slot = _Slot(path, name, "work", article=item, iri=iri)
        copy = store_mod.article_with_hash(self.store, item.content_hash, other_than=iri)
        if (item.content_hash and item.content_hash in self.hashes_in_flight) or (copy and copy in self.iris_in_flight):
            slot.kind = "deferred"
        elif copy:
            return _Slot(path, name, "duplicate", copy)
        if slot.kind == "work" and self.pool is not None:
            slot.pending = self.pool.apply_async(_work, (path, item))
        self.hashes_in_flight[item.content_hash] = self.hashes_in_flight.get(item.content_hash, 0) + 1
        self.iris_in_flight.add(iri)
        return slot

    def resolve(self, slot: _Slot):
        if self.flag.set:
            raise KeyboardInterrupt
        result, progress = self.result, self.progress
        if slot.kind in ("error", "rejected"):
            result.rejected.append((slot.path, slot.note))
            progress.step(slot.name, f"REJECTED\n{slot.note}")
            return
        if slot.kind == "unchanged":
            result.unchanged.append((slot.name, slot.iri))
            progress.step(slot.name, "unchanged (the same text is stored under this id)")
            return
        if slot.kind == "duplicate":
            result.duplicates.append((slot.name, slot.note))
            progress.step(slot.name, f"identical to {slot.note}; not stored again")
            return
        article = slot.article
        try:
            if slot.kind == "deferred":
                copy = store_mod.article_with_hash(self.store, article.content_hash, other_than=slot.iri)
                if copy:
                    result.duplicates.append((slot.name, copy))
                    progress.step(slot.name, f"identical to {copy}; not stored again")
                    return
            outcome = self._wait(slot.pending) if slot.pending is not None else self.p.outcome(slot.path, article)
            if outcome[0] == "rejected":
                result.rejected.append((slot.path, outcome[1]))
                progress.step(slot.name, f"REJECTED\n{outcome[1]}")
                return
            _, iri, art, ents, meetings, positions = outcome
            self.flag.storing = True
            try:
                store_mod.store_article(self.store, iri, art, ents)
                triples = len(art)
                result.stored.append(Stored(slot.name, iri, triples, meetings, positions))
            finally:
                self.flag.storing = False
            if len(result.stored) % FLUSH_EVERY == 0 and hasattr(self.store, "flush"):
                self.store.flush()  # RocksDB keeps every write in memory until a flush: memory stays flat
            progress.step(slot.name, f"{plural(triples, 'triple')}, {plural(meetings, 'meeting')}, "
                                     f"{plural(positions, 'position')}")
        finally:
            n = self.hashes_in_flight[article.content_hash] - 1
            if n:
                self.hashes_in_flight[article.content_hash] = n
            else:
                del self.hashes_in_flight[article.content_hash]
            self.iris_in_flight.discard(slot.iri)
        if self.flag.set:
            raise KeyboardInterrupt

    @staticmethod
    def _wait(pending):
        return pending.get()


def dataset(checked_graphs: list[Graph]) -> Dataset:
    ds = Dataset()
    bind(ds)
    for g in checked_graphs:
        target = ds.graph(g.identifier)
        for triple in g:
            target.add(triple)
    return ds


class Progress:
    """Progress for people: a line per article; on a terminal, for more than 20, a bar with the rate and
    the time left (tqdm), with a line for each rejected article above it."""

    def __init__(self, total: int = 0, stream=None, quiet: bool = False):
        self.total, self.n = total, 0
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.bar = None

    def step(self, name: str, note: str):
        self.n += 1
        if self.quiet:
            return
        rejected = note.startswith("REJECTED")
        if self.tty and self.total > 20:
            if self.bar is None:
                from tqdm import tqdm

                self.bar = tqdm(total=self.total, file=self.stream, unit=" articles", dynamic_ncols=True,
                                smoothing=0.05, mininterval=0.25)
            if rejected:
                self.bar.write(f"[{self.n}/{self.total}] {name}: {note}", file=self.stream)
            self.bar.set_postfix_str(name[:30], refresh=False)
            self.bar.update()
            return
        if self.total > 20 and not rejected and self.n % max(1, self.total // 20):
            return
        self.stream.write(f"[{self.n}/{self.total}] {name}: {note}\n")
        self.stream.flush()

    def done(self):
        if self.bar is not None:
            self.bar.close()
            self.bar = None
