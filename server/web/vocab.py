"""The ontology and the shapes as documentation pages (read from ontology/, no store).

Parsed once with rdflib (parsing only; no rdflib SPARQL) into plain dicts:
every term gets an anchor named by its local name, so
``https://w3id.org/communique/ontology#Meeting`` is documented at ``/ontology#Meeting``.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from rdflib import RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, SKOS

from ..settings import ROOT

ONTOLOGY_FILE = ROOT / "ontology" / "diplomacy.ttl"
SHAPES_FILE = ROOT / "ontology" / "shapes.ttl"
DIP = Namespace("https://w3id.org/communique/ontology#")
SH = Namespace("http://www.w3.org/ns/shacl#")


def _text(g: Graph, s, p) -> str | None:
    values = list(g.objects(s, p))
    en = [v for v in values if isinstance(v, Literal) and v.language in (None, "en")]
    return str((en or values)[0]) if values else None


def qname(g: Graph, term) -> str:
    if isinstance(term, BNode):
        return "(anonymous)"
    try:
        return g.namespace_manager.normalizeUri(term)
    except Exception:  # noqa: BLE001 - rdflib raises various errors for IRIs without a prefix
        return str(term)


def _terms(g: Graph, term) -> list[dict]:
    out = []
    for t in sorted(g.objects(None, None) if term is None else term, key=str):
        if isinstance(t, BNode):
            members = list(Collection(g, next(g.objects(t, OWL.unionOf), t))) if (t, OWL.unionOf, None) in g else []
            out.extend({"iri": str(m), "qname": qname(g, m)} for m in members)
        else:
            out.append({"iri": str(t), "qname": qname(g, t)})
    return out


@lru_cache(maxsize=1)
def ontology(path: str = str(ONTOLOGY_FILE)) -> dict:
    g = Graph().parse(path, format="turtle")
    head = URIRef(str(DIP)[:-1])
    sections = []
    for title, kinds in (("Classes", [OWL.Class]), ("Object properties", [OWL.ObjectProperty]),
                         ("Data properties", [OWL.DatatypeProperty]),
                         ("Annotation properties", [OWL.AnnotationProperty]),
                         ("Individuals", [OWL.NamedIndividual])):
        subjects = sorted({s for k in kinds for s in g.subjects(RDF.type, k)
                           if isinstance(s, URIRef) and str(s).startswith(str(DIP))}, key=str)
        terms = []
        for s in subjects:
            terms.append({
                "iri": str(s), "name": str(s)[len(str(DIP)):], "label": _text(g, s, RDFS.label),
                "definition": _text(g, s, SKOS.definition) or _text(g, s, RDFS.comment),
                "types": _terms(g, [t for t in g.objects(s, RDF.type) if t not in kinds]),
                "superclasses": _terms(g, list(g.objects(s, RDFS.subClassOf))),
                "superproperties": _terms(g, list(g.objects(s, RDFS.subPropertyOf))),
                "domain": _terms(g, list(g.objects(s, RDFS.domain))),
                "range": _terms(g, list(g.objects(s, RDFS.range))),
                "close": _terms(g, list(g.objects(s, SKOS.closeMatch)) + list(g.objects(s, SKOS.narrowMatch))),
                "subclasses": _terms(g, [x for x in g.subjects(RDFS.subClassOf, s)]),
            })
        if terms:
            sections.append({"title": title, "terms": terms})
    return {"title": _text(g, head, DCTERMS.title) or "Ontology", "iri": str(head),
            "description": _text(g, head, DCTERMS.description), "version": _text(g, head, OWL.versionInfo),
            "sections": sections, "triples": len(g)}


@lru_cache(maxsize=1)
def shapes(path: str = str(SHAPES_FILE)) -> dict:
    g = Graph().parse(path, format="turtle")
    head = URIRef("https://w3id.org/communique/shapes")
    node_shapes = []
    for s in sorted(set(g.subjects(RDF.type, SH.NodeShape)), key=str):
        props = []
        for ps in list(g.objects(s, SH.property)):
            path_ = next(g.objects(ps, SH.path), None)
            constraint = []
            for p in (SH.minCount, SH.maxCount, SH.datatype, SH["class"], SH.nodeKind, SH["in"], SH.hasValue,
                      SH.pattern, SH.minInclusive):
                for o in g.objects(ps, p):
                    if isinstance(o, BNode) and p == SH["in"]:
                        o = ", ".join(qname(g, m) for m in Collection(g, o))
                    elif isinstance(o, URIRef):
                        o = qname(g, o)
                    constraint.append(f"{qname(g, p).split(':')[-1]} {o}")
            if (ps, SH["or"], None) in g:
                constraint.append("one of: " + " | ".join(
                    ", ".join(f"{qname(g, p).split(':')[-1]} {qname(g, o) if isinstance(o, URIRef) else o}"
                              for p, o in g.predicate_objects(alt))
                    for alt in Collection(g, next(g.objects(ps, SH["or"])))))
            props.append({"path": qname(g, path_) if path_ is not None else "?",
                          "path_iri": str(path_) if isinstance(path_, URIRef) else None,
                          "name": _text(g, ps, SH.name), "constraints": constraint,
                          "message": _text(g, ps, SH.message)})
        targets = [qname(g, t) for t in g.objects(s, SH.targetClass)]
        node_shapes.append({"iri": str(s), "name": qname(g, s).split(":")[-1], "targets": targets,
                            "target_iris": [str(t) for t in g.objects(s, SH.targetClass)],
                            "message": _text(g, s, SH.message), "properties": sorted(props, key=lambda p: p["path"])})
    return {"title": _text(g, head, DCTERMS.title) or "Shapes", "iri": str(head),
            "description": _text(g, head, DCTERMS.description), "shapes": node_shapes, "triples": len(g)}


def turtle(path: Path) -> bytes:
    return Path(path).read_bytes()
