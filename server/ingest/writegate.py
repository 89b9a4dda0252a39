"""The write gate: a write that changes an article graph commits only if that graph conforms to the shapes.

SPARQL Update and Graph Store writes both come here, in the update process
(``queries._updater``), on the store's read-write handle:

1. the store is copied into an in-memory pyoxigraph store and the update runs
   there (LOAD fetches its source once, here);
2. the quads of the copy and of the store are compared: the graphs that differ
   are the ones the update changed;
3. every changed *article graph* (a named graph under ``{base}id/article/``,
   or any graph that holds a ``dip:Article`` before or after the write) that
   is not empty afterwards is read into rdflib and validated with the ingest
   gate's SHACL check (``shacl.validate``: the graph and the ontology), and
   one under ``{base}id/article/`` must still describe its article. The data
   graph is the article graph with the descriptions, in the entities graph
   ``{base}graph/entities``, of the entities it names (and those they link
   to), so that the shapes' sh:class constraints see the entities' types.
   A write that changes the entities graph itself has it validated too;
3b. an entity whose description only the changed article graphs used (an
   article graph dropped by DELETE in the Graph Store or by DROP GRAPH) loses
   it, as ``communique remove`` does (``store.orphans``), and the meetings of
   the events graph that the changed graphs' reports join or joined are merged
   again (``store/events.py``); a write that changes the events graph other
   than that merge would is refused;
4. if one fails, ``Rejected`` carries every report and the store is untouched;
   otherwise each changed graph is replaced by its new content in one update,
   one transaction.

So the graph committed is the graph validated, even when the update is not
deterministic (``RAND()``, ``NOW()``, ``UUID()``, blank nodes). Other graphs
stay free: they are compared, never validated. The cost grows with the size
of the store (it is copied and compared on each write); the update reports
it (``ms``) and the server logs it.
"""
from __future__ import annotations

import time

import pyoxigraph as ox

from ..store import embedded as store_mod
from ..store import events

DIP = "https://w3id.org/communique/ontology#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
ARTICLE = ox.NamedNode(DIP + "Article")


class Rejected(ValueError):
    """The write would leave an article graph that does not conform; the text is the readable report."""


def _graph(name):
    return ox.DefaultGraph() if name is None else ox.NamedNode(name)


def _exists(store: ox.Store, graph) -> bool:
    if isinstance(graph, ox.DefaultGraph):
        return next(iter(store.quads_for_pattern(None, None, None, graph)), None) is not None
    return store.contains_named_graph(graph)


def apply(store: ox.Store, update: str, base_iri: str | None = None, articles: str | None = None,
          probe=()) -> dict:
    """Run ``update`` against ``store`` through the gate; returns what changed and what it cost (ms)."""
    ms = {}
    started = time.perf_counter()
    existed = {name: _exists(store, _graph(name)) for name in probe}
    mem = ox.Store()
    mem.extend(store)  # one pass over the store (the slow part): for the copy and the diff
    before = list(mem)  # as pyoxigraph holds them (a remote store's xsd:nonNegativeInteger reads back as xsd:integer)
    ms["copy"] = _since(started)
    t = time.perf_counter()
    mem.update(update, **({"base_iri": base_iri} if base_iri else {}))
    ms["update"] = _since(t)
    t = time.perf_counter()
    changed = changed_graphs(store, mem, before)
    ents = entities_graph(articles)
    article_graphs = [g for g in changed if g != ents and is_article_graph(g, store, mem, articles)]
    entities_written = ents is not None and ents in changed
    if article_graphs and ents is not None:
        dead = store_mod.orphans(mem, ents, {q.object for q in before if q.graph_name in set(article_graphs)
                                             and isinstance(q.object, ox.NamedNode)})
        for node in dead:
            for q in list(mem.quads_for_pattern(node, None, None, ents)):
                mem.remove(q)
        if dead:
            changed = changed_graphs(store, mem, before)
    evs = events_graph(articles)
    if evs is not None:
        refused = _merge_events(mem, evs, before, [g for g in article_graphs if isinstance(g, ox.NamedNode)])
        if refused:
            raise Rejected(refused)
        changed = changed_graphs(store, mem, before)
    ms["diff"] = _since(t)
    t = time.perf_counter()
    validated, reports = [], []
    for graph in article_graphs:
        validated.append(graph)
        report = check(mem, graph, articles)
        if report is not None:
            reports.append(report)
    if entities_written:
        validated.append(ents)
        report = check(mem, ents, None)
        if report is not None:
            reports.append(report)
    ms["shapes"] = _since(t)
    if reports:
        raise Rejected("the write was refused and nothing was changed: it would leave "
                       + ("an article graph" if len(reports) == 1 else f"{len(reports)} article graphs")
                       + " that does not conform to the shapes (/shapes).\n" + "\n".join(reports))
    t = time.perf_counter()
    commit(store, mem, changed)
    ms["commit"] = _since(t)
    ms["total"] = _since(started)
    return {"existed": existed, "changed": [_name(g) for g in changed], "validated": [_name(g) for g in validated],
            "ms": ms}


def _since(t: float) -> float:
    return round((time.perf_counter() - t) * 1000, 2)


def _name(graph) -> str | None:
    return None if isinstance(graph, ox.DefaultGraph) else graph.value


def entities_graph(articles: str | None):
    """The entities graph of the store whose article graphs are under ``articles`` (``{base}id/article/``)."""
    if not articles or not articles.endswith("id/article/"):
        return None
    return ox.NamedNode(articles[:-len("id/article/")] + "graph/entities")


def events_graph(articles: str | None):
    """The events graph (the merged meetings) of the store whose article graphs are under ``articles``."""
    ents = entities_graph(articles)
    return None if ents is None else ox.NamedNode(ents.value[:-len("entities")] + "events")


def _merge_events(mem: ox.Store, evs, before: list, article_graphs: list) -> str | None:
    """Merge again the meetings of the changed article graphs' reports (store/events.py), in ``mem``.
    The events graph is derived from the article graphs: a write may change it only as that merge does
    (``DROP ALL`` does); any other change to it is refused: the message, else None."""
    was = {q for q in before if q.graph_name == evs}
    written = set(mem.quads_for_pattern(None, None, None, evs))
    if written != was:  # back to what it was, before the merge
        for q in written - was:
            mem.remove(q)
        mem.extend(was - written)
    if article_graphs:
        update = events.changes(mem, evs.value, [g.value for g in article_graphs]).update()
        if update:
            mem.update(update)
    if written != was and written != set(mem.quads_for_pattern(None, None, None, evs)):
        return (f"the write was refused and nothing was changed: the events graph <{evs.value}> holds the meetings "
                "merged from the articles' meeting reports, and is kept by communique (ontology/MODEL.md, "
                "\"Graphs\"); write the article graphs' dip:MeetingReport nodes instead")
    return None


def descriptions(store: ox.Store, graph, ents) -> list:
    """The entities graph's triples about the entities ``graph`` names, and those their descriptions
    link to (a place's country)."""
    if ents is None or graph == ents:
        return []
    out, seen = [], set()
    todo = [q.object for q in store.quads_for_pattern(None, None, None, graph) if isinstance(q.object, ox.NamedNode)]
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for q in store.quads_for_pattern(node, None, None, ents):
            out.append(q.triple)
            if isinstance(q.object, ox.NamedNode) and q.object not in seen:
                todo.append(q.object)
    return out


def changed_graphs(before: ox.Store, after: ox.Store, quads: list | None = None) -> list:
    """The graphs whose quads differ, or that exist in one store only (named graphs may be empty).

    ``quads``: the quads of ``before``, when the caller has read them already."""
    a, b = set(before if quads is None else quads), set(after)
    changed = {q.graph_name for q in a ^ b}
    changed |= set(before.named_graphs()) ^ set(after.named_graphs())
    return sorted(changed, key=lambda g: (not isinstance(g, ox.DefaultGraph), str(g)))


def is_article_graph(graph, before: ox.Store, after: ox.Store, articles: str | None) -> bool:
    if isinstance(graph, ox.NamedNode) and articles and graph.value.startswith(articles):
        return True
    return any(next(iter(s.quads_for_pattern(None, RDF_TYPE, ARTICLE, graph)), None) is not None
               for s in (before, after))


def check(store: ox.Store, graph, articles: str | None) -> str | None:
    """None if the graph (as ``store`` holds it) conforms or is empty; else a readable report."""
    from rdflib import Graph, URIRef
    from rdflib.namespace import RDF

    from . import shacl

    triples = [q.triple for q in store.quads_for_pattern(None, None, None, graph)]
    if not triples:
        return None  # the graph is gone: removing an article is allowed
    name = "the default graph" if isinstance(graph, ox.DefaultGraph) else f"<{graph.value}>"
    data = Graph()
    data.parse(data=ox.serialize(triples + descriptions(store, graph, entities_graph(articles)),
                                 format=ox.RdfFormat.N_TRIPLES), format="nt")
    for prefix, ns in shacl.shapes().namespaces():
        data.bind(prefix, ns)
    report = shacl.validate(data, name)
    lines = [] if report.conforms else [str(report)]
    if isinstance(graph, ox.NamedNode) and articles and graph.value.startswith(articles) \
            and (URIRef(graph.value), RDF.type, URIRef(DIP + "Article")) not in data:
        lines.append(f"{name}: an article graph must describe its article: <{graph.value}> a dip:Article "
                     "is missing")
    return "\n".join(lines) or None


def commit(store: ox.Store, new: ox.Store, changed: list) -> None:
    """Give every changed graph of ``store`` its content in ``new``, in one update (one transaction)."""
    if not changed:
        return
    ops, data = [], []
    named = set(new.named_graphs())
    for graph in changed:
        triples = [q.triple for q in new.quads_for_pattern(None, None, None, graph)]
        nt = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8") if triples else ""
        if isinstance(graph, ox.DefaultGraph):
            ops.append("CLEAR SILENT DEFAULT")
            if nt:
                data.append(nt)
        else:
            ops.append(f"DROP SILENT GRAPH {graph}")
            if graph in named:
                ops.append(f"CREATE SILENT GRAPH {graph}")
            if nt:
                data.append(f"GRAPH {graph} {{\n{nt}}}")
    if data:
        ops.append("INSERT DATA {\n" + "\n".join(data) + "\n}")
    store.update(" ;\n".join(ops))
