"""The embedded Oxigraph store: one named graph per article, and one entities graph.

Each article's graph (named by the article's IRI) holds the article, its mentions, its facts, their
evidence and the roles it gives people (``dip:RoleStatement`` nodes of its own). The description of
every entity the articles use (type, label, aliases, Wikidata link, country) is kept once, in the
entities graph ``{base}graph/entities`` (ontology/MODEL.md, "Graphs"), so that no triple is in two
graphs and the union default graph gives each triple once. The meetings merged from the articles'
meeting reports (one ``dip:Meeting`` per real-world meeting, however many articles report it) are in
the events graph ``{base}graph/events`` (``events.py``). ``store_article`` and ``remove_article`` keep
the three in step, each in one transaction: an entity that no stored article uses any more (and that
no entity still used links to) loses its description, and the meetings the article's reports join or
joined are merged again.

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
from rdflib import Graph, URIRef

from ..errors import StoreBusy, StoreError
from . import events

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


def entities_graph(article_iri: str) -> ox.NamedNode:
    """The entities graph of the store an article IRI (``{base}id/article/…``) belongs to."""
    return ox.NamedNode(article_iri.split("id/article/", 1)[0] + "graph/entities")


def events_graph(article_iri: str) -> ox.NamedNode:
    """The events graph (the merged meetings, ``events.py``) of the store an article IRI belongs to."""
    return ox.NamedNode(article_iri.split("id/article/", 1)[0] + "graph/events")


def referenced(store: ox.Store, graph: ox.NamedNode) -> set:
    """The IRIs a graph names as objects (the entities, among others, that an article uses)."""
    return {q.object for q in store.quads_for_pattern(None, None, None, graph) if isinstance(q.object, ox.NamedNode)}


def _described(store: ox.Store, node, ent: ox.NamedNode) -> bool:
    return next(iter(store.quads_for_pattern(node, None, None, ent)), None) is not None


def orphans(store: ox.Store, ent: ox.NamedNode, candidates, leaving=(), keep=()) -> set:
    """The entities among ``candidates`` (and those their descriptions link to: a place's country) whose
    description nothing will use once the graphs ``leaving`` are gone: no other graph names them, and no
    entity description that stays links to them. ``keep``: entities used in any case (by what is being
    written)."""
    # the events graph is derived from the article graphs (every entity a meeting names, one of its reports
    # names): it keeps nothing alive
    leaving, keep = set(leaving) | {ox.NamedNode(ent.value[:-len("entities")] + "events")}, set(keep)
    seen = {c for c in candidates if isinstance(c, ox.NamedNode) and _described(store, c, ent)}
    todo = list(seen)
    while todo:
        for q in store.quads_for_pattern(todo.pop(), None, None, ent):
            o = q.object
            if isinstance(o, ox.NamedNode) and o not in seen and _described(store, o, ent):
                seen.add(o)
                todo.append(o)

    def used_elsewhere(node) -> bool:
        for q in store.quads_for_pattern(None, None, node, None):
            if q.graph_name != ent and q.graph_name not in leaving:
                return True
        return False

    dead = {c for c in seen if c not in keep and not used_elsewhere(c)}
    changed = True
    while changed:  # an entity that a surviving description links to survives
        changed = False
        for c in list(dead):
            if any(q.subject not in dead for q in store.quads_for_pattern(None, None, c, ent)):
                dead.discard(c)
                changed = True
    return dead


def _values(nodes) -> str:
    return " ".join(str(n) for n in sorted(nodes, key=str))


def _drop_descriptions(ent: ox.NamedNode, nodes) -> str | None:
    if not nodes:
        return None
    return (f"DELETE {{ GRAPH {ent} {{ ?s ?p ?o }} }} WHERE {{ GRAPH {ent} {{ VALUES ?s {{ {_values(nodes)} }} "
            f"?s ?p ?o }} }}")


def store_article(store: ox.Store, name: str, graph: Graph, entities: Graph) -> None:
    """Store an article: its graph replaces the old one, and the descriptions of the entities it uses
    replace theirs in the entities graph (the latest article's description of a minted entity wins; a
    gazetteer entity's is always the gazetteer's). Entities only the article's old version used lose
    theirs. One transaction."""
    art = ox.NamedNode(name)
    ent = ox.NamedNode(str(entities.identifier))
    described = {ox.NamedNode(str(s)) for s in set(entities.subjects())}
    new_refs = {ox.NamedNode(str(o)) for o in graph.objects() if isinstance(o, URIRef)}
    old_refs = referenced(store, art) if store.contains_named_graph(art) else set()
    dead = orphans(store, ent, old_refs - new_refs, leaving={art}, keep=new_refs | described)
    ops = [f"DROP SILENT GRAPH {art}"]
    drop = _drop_descriptions(ent, described | dead)
    if drop:
        ops.append(drop)
    article_nt, entities_nt = graph.serialize(format='nt'), entities.serialize(format='nt')
    overlay = ox.Store()  # the article as it is to be, for the meetings its reports join
    overlay.load(article_nt.encode(), ox.RdfFormat.N_TRIPLES, to_graph=art)
    overlay.load(entities_nt.encode(), ox.RdfFormat.N_TRIPLES, to_graph=ent)
    meetings = events.changes(store, events_graph(name).value, [name], overlay)
    ops += meetings.deletes
    data = f"GRAPH {art} {{\n{article_nt}\n}}"
    if described:
        data += f"\nGRAPH {ent} {{\n{entities_nt}\n}}"
    if meetings.triples:
        data += "\n" + meetings.data()
    ops.append(f"INSERT DATA {{ {data} }}")  # one INSERT DATA, last: as the remote store takes it
    store.update(" ;\n".join(ops))


def remove_article(store: ox.Store, name: str) -> dict | None:
    """Remove an article's graph, and the description of every entity that nothing else uses any more,
    in one transaction. None if there is no such article graph; else what was removed."""
    art = ox.NamedNode(name)
    if not store.contains_named_graph(art):
        return None
    ent = entities_graph(name)
    quads = sum(1 for _ in store.quads_for_pattern(None, None, None, art))
    dead = orphans(store, ent, referenced(store, art), leaving={art})
    ops = [f"DROP SILENT GRAPH {art}"]  # SILENT: Virtuoso refuses DROP of a graph never CREATEd (it exists)
    drop = _drop_descriptions(ent, dead)
    if drop:
        ops.append(drop)
    ops.append(events.changes(store, events_graph(name).value, [name], ox.Store()).update())
    store.update(" ;\n".join(op for op in ops if op))
    return {"article": name, "triples": quads, "entities": sorted(n.value for n in dead)}


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


def stored_hash(store: ox.Store, name: str) -> str | None:
    """The content hash of the article stored as the graph `name` (``dip:contentHash`` in its own graph),
    or None when there is no such article."""
    node = ox.NamedNode(name)
    prop = ox.NamedNode("https://w3id.org/communique/ontology#contentHash")
    quad = next(iter(store.quads_for_pattern(node, prop, None, node)), None)
    return quad.object.value if quad is not None else None


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
    if getattr(store, "default_graph_is_union", False):  # a remote store: its default graph is its graphs' union
        result = store.query("SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }")
    else:
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
