"""The embedded Oxigraph store: one named graph per article.

Who may open the store, and how (the README's "Process model" says why):

* One process at a time owns a store directory. The owner holds an exclusive
  advisory lock on ``<store>/communique.lock`` for as long as it runs: the CLI
  for one command, ``communique serve`` for its lifetime. A second owner gets a
  clear error, never a corrupted store.
* Inside the server, writes open the read-write pyoxigraph handle only for the
  time of the write, while no query runs; queries run in worker processes on
  read-only handles that are reopened after each write (see ``queries.py``).
  pyoxigraph forbids a read-only handle while another handle writes, and a
  read-only handle is a snapshot, so the two are never open at once.
"""
from __future__ import annotations

import errno
import fcntl
import gc
import os
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from .errors import StoreBusy, StoreError

LOCK_NAME = "communique.lock"


class StoreLock:
    """The owner's exclusive lock on a store directory."""

    def __init__(self, path: str | Path):
        self.dir = Path(path)
        self._fd: int | None = None

    def acquire(self, purpose: str):
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the store directory {self.dir}: {exc.strerror}") from None
        lock = self.dir / LOCK_NAME
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            holder = os.pread(fd, 200, 0).decode(errors="replace").strip()
            os.close(fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise StoreBusy(
                    f"the store {self.dir} is in use by another communique process ({holder or 'unknown'}). "
                    "Stop it first, or use another --store."
                ) from None
            raise StoreError(f"cannot lock the store {self.dir}: {exc.strerror}") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()}: {purpose}".encode(), 0)
        self._fd = fd
        return self

    def release(self):
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def open_rw(path: str | Path) -> ox.Store:
    try:
        return ox.Store(str(path))
    except OSError as exc:
        raise StoreError(f"cannot open the store {path}: {exc}") from None


def named_graphs(store: ox.Store) -> list[str]:
    return sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))


def replace_graph(store: ox.Store, name: str, graph: Graph):
    """Replace the named graph `name` with `graph`, in one transaction."""
    data = graph.serialize(format="nt")
    update = f"DROP SILENT GRAPH <{name}> ;\nINSERT DATA {{ GRAPH <{name}> {{\n{data}\n}} }}"
    store.update(update)


def article_with_hash(store: ox.Store, content_hash: str, other_than: str) -> str | None:
    """The IRI of a stored article, other than `other_than`, whose text has this content hash."""
    if not content_hash:
        return None
    hash_term = ox.Literal(content_hash)
    prop = ox.NamedNode("https://w3id.org/communique/ontology#contentHash")
    for quad in store.quads_for_pattern(None, prop, hash_term, None):
        if quad.subject.value != other_than and quad.graph_name == quad.subject:
            return quad.subject.value
    return None


def remove_graph(store: ox.Store, name: str) -> bool:
    node = ox.NamedNode(name)
    if not store.contains_named_graph(node):
        return False
    store.remove_graph(node)
    return True


def minted_base(store: ox.Store) -> str | None:
    """The base IRI the store's articles were minted under (``{base}id/article/…``), or None."""
    for g in store.named_graphs():
        if isinstance(g, ox.NamedNode) and "/id/article/" in g.value:
            return g.value.split("id/article/", 1)[0]
    return None


def count_quads(store: ox.Store) -> int:
    result = store.query("SELECT (COUNT(*) AS ?n) { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }")
    return int(next(iter(result))["n"].value)


def is_empty(path: str | Path) -> bool:
    """True when the store directory holds no quad (or does not exist yet)."""
    p = Path(path)
    if not p.exists() or not any(x.name != LOCK_NAME for x in p.iterdir()):
        return True
    store = open_rw(p)
    empty = not any(True for _ in store.quads_for_pattern(None, None, None, None))
    del store
    gc.collect()  # release RocksDB's lock now, not whenever the handle is collected
    return empty


@contextmanager
def owned(path: str | Path, purpose: str):
    """Own the store for one CLI command: lock it, open it read-write, close and unlock after."""
    lock = StoreLock(path).acquire(purpose)
    try:
        holder = [open_rw(path)]
        try:
            yield holder[0]
            holder[0].flush()
        finally:
            holder.clear()
            gc.collect()  # release RocksDB's lock before ours
    finally:
        lock.release()
