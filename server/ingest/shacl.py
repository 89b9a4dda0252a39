"""The SHACL gate: an article's graph is checked before it is stored.

The data graph is the article's graph together with the ontology's rdfs:subClassOf axioms (which
sh:class and sh:targetClass follow; nothing else of the ontology changes a result). The article
graph already holds the gazetteer facts it uses (types, labels, Wikidata links). The report is
written for a person: which article, which node, what is wrong.

The engine is pyshacl-turbo (a Rust SHACL engine with pySHACL's interface) on shapes compiled once;
``reference`` is pySHACL with the whole ontology, as the gate ran before. tests/test_shacl_engines.py
shows that the two give the same report (conformance, and each result's focus node, path, constraint
component, severity, value and message) on every corpus article and on deliberately broken graphs.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pyshacl
import pyshacl_turbo
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, SH

# An ill-typed literal ("1999-13-45"^^xsd:date) is what the shapes report, with its node; rdflib also logs a
# warning with a traceback for each one it reads, which says nothing more.
logging.getLogger("rdflib.term").setLevel(logging.ERROR)

ONTOLOGY_DIR = Path(__file__).resolve().parents[2] / "ontology"
ONTOLOGY = ONTOLOGY_DIR / "diplomacy.ttl"
SHAPES = ONTOLOGY_DIR / "shapes.ttl"


@lru_cache(maxsize=1)
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY, format="turtle")


@lru_cache(maxsize=1)
def shapes() -> Graph:
    return Graph().parse(SHAPES, format="turtle")


@lru_cache(maxsize=1)
def subclasses() -> Graph:
    """The ontology's rdfs:subClassOf axioms: what the shapes need of it (a dip:State is a dip:Actor)."""
    g = Graph()
    for triple in ontology().triples((None, RDFS.subClassOf, None)):
        g.add(triple)
    return g


@lru_cache(maxsize=1)
def compiled():
    """The shapes compiled once for pyshacl-turbo."""
    return pyshacl_turbo.compile_shapes(shapes())


def check(graph: Graph) -> tuple[bool, Graph]:
    """(conforms, the report graph) of `graph` with the ontology's subclass axioms: the gate's engine.
    The axioms `graph` lacks are added to it for the check and taken out after, so it ends as it began
    (copying an article's graph costs a third of the check)."""
    added = [t for t in subclasses() if t not in graph]
    for t in added:
        graph.add(t)
    try:
        conforms, results, _ = compiled().validate(graph, allow_warnings=True)
    finally:
        for t in added:
            graph.remove(t)
    return bool(conforms), results


def reference(graph: Graph) -> tuple[bool, Graph]:
    """(conforms, the report graph) by pySHACL with the whole ontology: what ``check`` must equal."""
    conforms, results, _ = pyshacl.validate(
        data_graph=graph, shacl_graph=shapes(), ont_graph=ontology(), inference="none",
        advanced=False, allow_warnings=True,
    )
    return bool(conforms), results


@dataclass
class Problem:
    node: str
    path: str | None
    message: str
    value: str | None

    def __str__(self):
        where = f" ({self.path})" if self.path else ""
        value = f" [value: {self.value}]" if self.value else ""
        return f"{self.node}{where}: {self.message}{value}"


@dataclass
class Report:
    article: str
    conforms: bool
    problems: list[Problem]

    def __str__(self):
        if self.conforms:
            return f"{self.article}: conforms to the shapes"
        lines = [f"{self.article}: rejected, {len(self.problems)} problem(s) with the shapes:"]
        lines += [f"  - {p}" for p in self.problems]
        return "\n".join(lines)


def _short(graph: Graph, term) -> str:
    if term is None:
        return None
    if isinstance(term, URIRef):
        try:
            prefix, _, name = graph.compute_qname(term, generate=False)
            return f"{prefix}:{name}"
        except (ValueError, KeyError):
            return f"<{term}>"
    return str(term)


def validate(graph: Graph, article: str) -> Report:
    conforms, results = check(graph)
    problems = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        focus = results.value(result, SH.focusNode)
        path = results.value(result, SH.resultPath)
        value = results.value(result, SH.value)
        messages = [str(m) for m in results.objects(result, SH.resultMessage)]
        problems.append(Problem(
            node=f"<{focus}>" if isinstance(focus, URIRef) else str(focus),
            path=_short(graph, path) if path is not None else None,
            message="; ".join(messages) or "does not conform",
            value=_short(graph, value) if value is not None else None,
        ))
    problems.sort(key=lambda p: (p.node, p.path or ""))
    return Report(article, conforms, problems)
