"""SHACL: valid graphs pass, broken ones are rejected with messages a person can read."""
import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import OWL, RDF, XSD

from mappings import DIP, IRIs, to_graph
from server.ingest import shacl


@pytest.fixture()
def graph(seed_extraction):
    return to_graph(seed_extraction, IRIs())


def test_every_dev_article_conforms(engine):
    from mappings import read_article
    from conftest import SEEDS

    for path in sorted(SEEDS.glob("*.txt")):
        report = shacl.validate(to_graph(engine.extract(read_article(path)), IRIs()), path.name)
        assert report.conforms, str(report)


def first(graph, cls):
    return next(iter(sorted(graph.subjects(RDF.type, cls))))


def break_meeting(g):
    m = first(g, DIP.MeetingReport)
    for p in list(g.objects(m, DIP.participant))[1:]:
        g.remove((m, DIP.participant, p))
    return "meeting needs at least two participants"


def break_stance(g):
    p = first(g, DIP.Position)
    g.set((p, DIP.stance, DIP.Maybe))
    return "stance"


def break_sameas(g):
    s = URIRef("http://localhost:5000/id/state/russia")
    g.set((s, OWL.sameAs, URIRef("https://www.wikidata.org/wiki/Q159")))
    return "Wikidata entity IRI"


def break_date(g):
    m = first(g, DIP.MeetingReport)
    g.set((m, DIP.date, Literal("March", datatype=XSD.string)))
    return "xsd:date"


def break_rule(g):
    ev = g.value(first(g, DIP.Position), DIP.evidence)
    g.remove((ev, DIP.rule, None))
    return "dip:rule"


GEO = "http://www.w3.org/2003/01/geo/wgs84_pos#"


def break_latitude(g):
    place = next(s for s in sorted(g.subjects(URIRef(GEO + "lat"), None)))
    g.set((place, URIRef(GEO + "lat"), Literal("91.5", datatype=XSD.decimal)))
    return "wgs84:lat"


def break_coordinate_pair(g):
    place = next(s for s in sorted(g.subjects(URIRef(GEO + "long"), None)))
    g.remove((place, URIRef(GEO + "lat"), None))
    return "needs its wgs84:lat"


@pytest.mark.parametrize("breaker", [break_meeting, break_stance, break_sameas, break_date, break_rule,
                                     break_latitude, break_coordinate_pair])
def test_broken_graphs_are_rejected_readably(graph, breaker):
    expected = breaker(graph)
    report = shacl.validate(graph, "seed.txt")
    assert not report.conforms
    text = str(report)
    assert text.startswith("seed.txt: rejected")
    assert expected in text
    assert "<http://localhost:5000/id/" in text  # names the node


def test_ontology_terms_all_have_label_and_definition():
    from rdflib.namespace import RDFS, SKOS

    onto = shacl.ontology()
    terms = {s for s in onto.subjects() if isinstance(s, URIRef) and str(s).startswith(str(DIP))}
    assert len(terms) > 30
    for t in terms:
        assert onto.value(t, RDFS.label), t
        assert onto.value(t, SKOS.definition), t
