"""The SHACL gate: an article's graph is checked before it is stored.

The data graph is the article's graph together with the ontology (whose
rdfs:subClassOf axioms sh:class follows). The article graph already holds the
gazetteer facts it uses (types, labels, Wikidata links). The report is written
for a person: which article, which node, what is wrong.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pyshacl
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH

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
    conforms, results, _ = pyshacl.validate(
        data_graph=graph, shacl_graph=shapes(), ont_graph=ontology(), inference="none",
        advanced=False, allow_warnings=True,
    )
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
    return Report(article, bool(conforms), problems)
