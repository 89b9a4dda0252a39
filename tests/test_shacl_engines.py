"""The gate's SHACL engine (pyshacl-turbo, compiled shapes, the ontology's subclass axioms only) gives the
very report pySHACL gives with the whole ontology (``shacl.reference``): on every corpus article's graph,
and on graphs broken on purpose, one constraint at a time."""
from collections import Counter
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD

from mappings import DIP, IRIs, read_article, readers, to_graph
from server.ingest import shacl

from conftest import ROOT, SEED

CORPORA = ["seeds", "tests/corpus", "tests/corpus_own", "tests/corpus_heldout", "tests/corpus_blind",
           "tests/corpus_styles", "tests/corpus_styles2", "tests/corpus_styles_blind"]
ARTICLES = sorted(f for d in CORPORA for f in (ROOT / d).glob("*.txt"))
SCHEMA, OA = "https://schema.org/", "http://www.w3.org/ns/oa#"


def results(report: Graph) -> Counter:
    """Each result as (focus node, path, constraint component, severity, value, messages), counted."""
    out = Counter()
    for r in report.subjects(RDF.type, SH.ValidationResult):
        out[(report.value(r, SH.focusNode), report.value(r, SH.resultPath),
             report.value(r, SH.sourceConstraintComponent), report.value(r, SH.resultSeverity),
             report.value(r, SH.value), frozenset(map(str, report.objects(r, SH.resultMessage))))] += 1
    return out


def same_report(graph: Graph):
    conforms, report = shacl.check(graph)
    ref_conforms, ref_report = shacl.reference(graph)
    assert conforms == ref_conforms
    assert results(report) == results(ref_report)
    return ref_conforms, results(ref_report)


@pytest.fixture(scope="module")
def graphs(engine):
    out = {}
    for path in ARTICLES:
        for article in readers.read(path):
            out[path.name] = to_graph(engine.extract(article), IRIs())
    return out


def test_the_corpus_is_all_there():
    assert len(ARTICLES) >= 45  # 7 seeds + every corpus's articles


def test_every_corpus_article_gets_the_same_report(graphs):
    assert set(graphs) == {p.name for p in ARTICLES}
    for name, graph in graphs.items():
        conforms, _ = same_report(graph)
        assert conforms, name


def first(g, cls):
    return sorted(g.subjects(RDF.type, cls))[0]


def drop(g, s, p):
    for o in list(g.objects(s, p)):
        g.remove((s, p, o))


def put(g, s, p, o):
    drop(g, s, p)
    g.add((s, p, o))


def person(g):
    return first(g, DIP.Person)


def meeting(g):
    return first(g, DIP.MeetingReport)


def dated_meeting(g):
    return sorted(m for m in g.subjects(RDF.type, DIP.MeetingReport) if g.value(m, DIP.date) is not None)[0]


def article(g):
    return first(g, DIP.Article)


def evidence(g):
    return first(g, DIP.Evidence)


def selector(g):
    return first(g, URIRef(OA + "TextPositionSelector"))


def place(g):
    return sorted(set(g.subjects(RDF.type, DIP.Place)) - set(g.subjects(RDF.type, DIP.State)))[0]


def retype(g, node, cls):
    drop(g, node, RDF.type)
    g.add((node, RDF.type, cls))


BROKEN = {
    "missing label": lambda g: drop(g, person(g), RDFS.label),
    "two labels": lambda g: g.add((person(g), RDFS.label, Literal("Another name"))),
    "label not a string": lambda g: put(g, person(g), RDFS.label, Literal(42)),
    "label too long": lambda g: put(g, person(g), RDFS.label, Literal("x" * 1001)),
    "participant of the wrong class": lambda g: retype(g, sorted(g.objects(meeting(g), DIP.participant))[0], DIP.Treaty),
    "participant untyped": lambda g: g.add((meeting(g), DIP.participant, URIRef("http://example.org/nobody"))),
    "participant a blank node": lambda g: g.add((meeting(g), DIP.participant, BNode("b1"))),
    "one participant": lambda g: [g.remove((meeting(g), DIP.participant, o))
                                  for o in sorted(g.objects(meeting(g), DIP.participant))[1:]],
    "date not a date": lambda g: put(g, meeting(g), DIP.date, Literal("yesterday")),
    "ill-typed date": lambda g: put(g, meeting(g), DIP.date, Literal("1999-13-45", datatype=XSD.date)),
    "two dates": lambda g: g.add((dated_meeting(g), DIP.date, Literal("1898-01", datatype=XSD.gYearMonth))),
    "missing evidence": lambda g: drop(g, meeting(g), DIP.evidence),
    "evidence not a dip:Evidence": lambda g: g.add((meeting(g), DIP.evidence, article(g))),
    "status not one of the three": lambda g: put(g, meeting(g), DIP.status, DIP.Maybe),
    "no status": lambda g: drop(g, meeting(g), DIP.status),
    "location a person": lambda g: put(g, meeting(g), DIP.location, person(g)),
    "no reportedIn": lambda g: drop(g, meeting(g), DIP.reportedIn),
    "rdf:type a literal": lambda g: g.add((meeting(g), RDF.type, Literal("Meeting"))),
    "bad content hash": lambda g: put(g, article(g), DIP.contentHash, Literal("md5:abc")),
    "no source file": lambda g: drop(g, article(g), DIP.sourceFile),
    "source row 0": lambda g: put(g, article(g), DIP.sourceRow, Literal(0)),
    "headline too long": lambda g: put(g, article(g), URIRef(SCHEMA + "headline"), Literal("h" * 1001)),
    "url not http": lambda g: put(g, article(g), URIRef(SCHEMA + "url"), URIRef("ftp://example.org/x")),
    "no text": lambda g: drop(g, article(g), URIRef(SCHEMA + "text")),
    "dateInferred not a boolean": lambda g: put(g, article(g), DIP.dateInferred, Literal("yes")),
    "empty rule id": lambda g: put(g, evidence(g), DIP.rule, Literal("")),
    "evidence without a selector": lambda g: drop(g, evidence(g), URIRef(OA + "hasSelector")),
    "selector without a start": lambda g: drop(g, selector(g), URIRef(OA + "start")),
    "negative offset": lambda g: put(g, selector(g), URIRef(OA + "end"), Literal(-3)),
    "offset a string": lambda g: put(g, selector(g), URIRef(OA + "start"), Literal("12")),
    "cited source a person": lambda g: g.add((evidence(g), DIP.citedSource, person(g))),
    "role statement with neither role nor affiliation": lambda g: [
        drop(g, first(g, DIP.RoleStatement), DIP.role), drop(g, first(g, DIP.RoleStatement), DIP.affiliation)],
    "role statement without a person": lambda g: drop(g, first(g, DIP.RoleStatement), DIP.person),
    "sameAs a wiki page": lambda g: put(g, person(g), OWL.sameAs, URIRef("https://en.wikipedia.org/wiki/X")),
    "country not a state": lambda g: put(g, place(g), DIP.country, person(g)),
    "a state that is not a place": lambda g: g.remove((first(g, DIP.State), RDF.type, DIP.State))
                                             or g.add((first(g, DIP.State), RDF.type, DIP.Organization))
                                             or g.add((meeting(g), DIP.location, first(g, DIP.Organization))),
    "position without a holder": lambda g: drop(g, first(g, DIP.Position), DIP.holder),
    "position with a treaty as holder and a person as topic": lambda g: [
        put(g, first(g, DIP.Position), DIP.topic, person(g))],
    "mention that denotes nothing": lambda g: drop(g, first(g, DIP.Mention), DIP.denotes),
}


@pytest.fixture(scope="module")
def seed_graph(engine):
    return to_graph(engine.extract(read_article(SEED)), IRIs())


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_a_broken_graph_gets_the_same_report(seed_graph, name):
    g = Graph()
    g += seed_graph
    BROKEN[name](g)
    conforms, found = same_report(g)
    assert not conforms and found, f"{name}: the break was not caught, so it shows nothing"


def test_the_report_for_a_person_reads_the_same(seed_graph):
    g = Graph()
    g += seed_graph
    BROKEN["one participant"](g)
    assert "at least two participants" in str(shacl.validate(g, "seed.txt"))


def test_the_check_leaves_the_graph_as_it_was(seed_graph):
    g = Graph()
    g += seed_graph
    before = set(g)
    shacl.check(g)
    assert set(g) == before
