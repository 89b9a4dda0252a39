"""Facts to RDF, as ontology/MODEL.md describes: an article's graph (the article, its mentions, its facts,
their evidence and the roles it gives people) and the descriptions of the entities it uses (type, label,
aliases, Wikidata link, country), which the store keeps once, in the entities graph."""
from __future__ import annotations

import re

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS, XSD

from .model import Evidence, Extraction

DIP = Namespace("https://w3id.org/communique/ontology#")
SCHEMA = Namespace("https://schema.org/")
OA = Namespace("http://www.w3.org/ns/oa#")
PROV = Namespace("http://www.w3.org/ns/prov#")
WD = Namespace("http://www.wikidata.org/entity/")
GEO = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")  # W3C Basic Geo: wgs84:lat, wgs84:long
DEFAULT_BASE = "http://localhost:5000/"

PREFIXES = {"dip": DIP, "schema": SCHEMA, "oa": OA, "prov": PROV, "wd": WD, "owl": OWL, "rdfs": RDFS,
            "skos": SKOS, "xsd": XSD, "wgs84": GEO}


def normalise_base(base: str) -> str:
    return base if base.endswith("/") else base + "/"


class IRIs:
    """Mints the IRIs of MODEL.md under one base."""

    def __init__(self, base: str = DEFAULT_BASE):
        self.base = normalise_base(base)

    def entity(self, key: str) -> URIRef:
        return URIRef(f"{self.base}id/{key}")

    def article(self, article_id: str) -> URIRef:
        return URIRef(f"{self.base}id/article/{article_id}")

    def fact(self, kind: str, article_id: str, n: int) -> URIRef:
        return URIRef(f"{self.base}id/{kind}/{article_id}-{n}")

    def report(self, article_id: str, n: int) -> URIRef:
        """An article's n-th meeting report: a node of its own graph (MODEL.md, "Meeting")."""
        return URIRef(f"{self.base}id/article/{article_id}#meeting-{n}")

    @property
    def events_graph(self) -> URIRef:
        """The named graph of the meetings (events) merged from the articles' reports (MODEL.md, "Graphs")."""
        return URIRef(f"{self.base}graph/events")

    @property
    def entities_graph(self) -> URIRef:
        """The one named graph that holds every entity's description (MODEL.md, "Graphs")."""
        return URIRef(f"{self.base}graph/entities")


def entities_graph_name(base: str) -> str:
    return f"{normalise_base(base)}graph/entities"


def bind(graph: Graph) -> Graph:
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True)
    return graph


def date_literal(value) -> Literal:
    return Literal(str(value), datatype=XSD[value.datatype])


def _label_list(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


ACTION_WORDS = {"Ratification": "ratification", "Revision": "revision", "Withdrawal": "withdrawal",
                "Signature": "signature", "Implementation": "implementation"}


def safe_url(url: str) -> bool:
    """An article's URL is kept when it is an http(s) URL an IRI can hold (no spaces, quotes or brackets)."""
    return bool(re.match(r"^https?://[^\s<>\"{}|\\^`]+$", url))


def to_graph(x: Extraction, iris: IRIs) -> Graph:
    """The article's graph and the descriptions of the entities it uses, together: what `extract` prints
    and what the SHACL gate validates."""
    article, entities = to_graphs(x, iris)
    for triple in entities:
        article.add(triple)
    return article


def to_graphs(x: Extraction, iris: IRIs) -> tuple[Graph, Graph]:
    """(the article's graph, the descriptions of the entities it uses). No triple is in both: the
    article's statements about an entity (the role it gives a person) are dip:RoleStatement nodes of
    the article's own."""
    art = iris.article(x.article.id)
    g = bind(Graph(identifier=art))
    ents = bind(Graph(identifier=iris.entities_graph))
    a = x.article
    first = a.title or (x.sentences[0].text if x.sentences else "")
    title = first if len(first) <= 90 else first[:87].rsplit(" ", 1)[0] + "…"
    if a.volume is not None:
        head = f"{a.publication} {a.volume}:{a.issue}"
    else:
        head = " ".join(str(v) for v in (a.publication, x.date) if v) or a.source_file
    g.add((art, RDF.type, DIP.Article))
    g.add((art, RDFS.label, Literal(f"{head} — {title}")))
    g.add((art, DIP.sourceFile, Literal(a.source_file)))
    if a.row is not None:
        g.add((art, DIP.sourceRow, Literal(a.row)))
    if a.content_hash:
        g.add((art, DIP.contentHash, Literal(a.content_hash)))
    if a.title:
        g.add((art, SCHEMA.headline, Literal(a.title)))
    if a.url and safe_url(a.url):
        g.add((art, SCHEMA.url, URIRef(a.url)))
    if a.publication:
        g.add((art, DIP.publication, Literal(a.publication)))
    if a.volume is not None:
        g.add((art, DIP.volume, Literal(a.volume)))
    if a.issue is not None:
        g.add((art, DIP.issue, Literal(a.issue)))
    if x.date is not None:
        g.add((art, DIP.date, date_literal(x.date)))
    g.add((art, DIP.dateInferred, Literal(x.date_inferred)))
    g.add((art, DIP.dateBasis, Literal(x.date_basis)))
    g.add((art, SCHEMA.text, Literal(a.text)))

    used = {m.entity for m in x.mentions}
    for fact in x.meetings:
        used.update(fact.participants)
        if fact.location:
            used.add(fact.location)
    for fact in x.positions:
        used.update((fact.holder, fact.topic))
    for fact in [*x.meetings, *x.positions]:
        for ev in fact.evidence:
            used.update(ev.cited)
    mentioned = set(used)  # what the text refers to; a place's country is described, not mentioned
    changed = True
    while changed:  # places name their country, persons their affiliation
        changed = False
        for key in list(used):
            e = x.entities[key]
            extra = {e.country} if e.country else set()
            extra |= {aff for _, aff in e.roles if aff}
            if extra - used:
                used |= extra
                changed = True

    n_role = 0
    for key in sorted(used):
        e = x.entities[key]
        node = iris.entity(key)
        ents.add((node, RDF.type, DIP[e.type]))
        ents.add((node, RDFS.label, Literal(e.label)))
        for alias in e.aliases:
            ents.add((node, SKOS.altLabel, Literal(alias)))
        if e.wikidata:
            ents.add((node, OWL.sameAs, WD[e.wikidata]))
        if e.country:
            ents.add((node, DIP.country, iris.entity(e.country)))
        if e.coordinates:
            ents.add((node, GEO.lat, Literal(_degrees(e.coordinates[0]), datatype=XSD.decimal)))
            ents.add((node, GEO.long, Literal(_degrees(e.coordinates[1]), datatype=XSD.decimal)))
        for role, aff in e.roles:  # what this article says the person is: its own statement
            n_role += 1
            st = URIRef(f"{art}#role-{n_role}")
            g.add((st, RDF.type, DIP.RoleStatement))
            g.add((st, DIP.person, node))
            if role:
                g.add((st, DIP.role, Literal(role)))
            if aff:
                g.add((st, DIP.affiliation, iris.entity(aff)))
            g.add((st, DIP.reportedIn, art))
        if key in mentioned:
            g.add((art, SCHEMA.mentions, node))

    for m in x.mentions:
        node = URIRef(f"{art}#mention-{m.start}-{m.end}")
        g.add((node, RDF.type, DIP.Mention))
        g.add((node, DIP.denotes, iris.entity(m.entity)))
        g.add((node, OA.hasSource, art))
        g.add((node, OA.start, Literal(m.start, datatype=XSD.nonNegativeInteger)))
        g.add((node, OA.end, Literal(m.end, datatype=XSD.nonNegativeInteger)))
        g.add((node, OA.exact, Literal(m.text)))

    label = lambda key: x.entities[key].label  # noqa: E731
    for n, fact in enumerate(x.meetings, 1):
        # what this article says of a meeting: its report; the dip:Meeting it reports (one per real-world
        # event, merged across articles) is the store's, in the events graph (server/store/events.py)
        node = iris.report(a.id, n)
        g.add((node, RDF.type, DIP.MeetingReport))
        text = _label_list([label(p) for p in fact.participants])
        if fact.date:
            text += f", {fact.date}"
        if fact.status != "Held":
            text += f" ({fact.status.lower()})"
        g.add((node, RDFS.label, Literal(f"Meeting of {text}")))
        for p in fact.participants:
            g.add((node, DIP.participant, iris.entity(p)))
        if fact.location:
            g.add((node, DIP.location, iris.entity(fact.location)))
        if fact.date:
            g.add((node, DIP.date, date_literal(fact.date)))
        g.add((node, DIP.status, DIP[fact.status]))
        g.add((node, DIP.reportedIn, art))
        _evidence(g, node, fact.evidence, art, iris, iris.fact("meeting", a.id, n))

    for n, fact in enumerate(x.positions, 1):
        node = iris.fact("position", a.id, n)
        g.add((node, RDF.type, DIP.Position))
        verb = "supports" if fact.stance == "Support" else "opposes"
        what = label(fact.topic)
        if fact.action:
            what = f"{ACTION_WORDS[fact.action]} of the {what}" if "treaty" in what.lower() else f"{ACTION_WORDS[fact.action]} of {what}"
        g.add((node, RDFS.label, Literal(f"{label(fact.holder)} {verb} {what}")))
        g.add((node, DIP.holder, iris.entity(fact.holder)))
        g.add((node, DIP.stance, DIP[fact.stance]))
        g.add((node, DIP.topic, iris.entity(fact.topic)))
        if fact.action:
            g.add((node, DIP.action, DIP[fact.action]))
        if fact.conditional:
            g.add((node, DIP.conditional, Literal(True)))
        g.add((node, DIP.reportedIn, art))
        _evidence(g, node, fact.evidence, art, iris)
    return g, ents


def _evidence(g: Graph, fact: URIRef, evidence: list[Evidence], art: URIRef, iris: IRIs, under: URIRef | None = None):
    """The evidence of a fact; its IRIs are hash IRIs under the fact's (a meeting report's: under the
    meeting IRI ``…/id/meeting/{article}-{n}`` it was minted with, so they stay what they were)."""
    under = under or fact
    for n, ev in enumerate(evidence, 1):
        node = URIRef(f"{under}#evidence-{n}")
        span = URIRef(f"{under}#evidence-{n}-span")
        sent = URIRef(f"{under}#evidence-{n}-sentence")
        g.add((fact, DIP.evidence, node))
        g.add((node, RDF.type, DIP.Evidence))
        g.add((node, OA.hasSource, art))
        g.add((node, DIP.rule, Literal(ev.rule)))
        g.add((node, DIP.sentence, Literal(ev.sentence.text)))
        g.add((node, OA.hasSelector, span))
        g.add((node, DIP.sentenceSelector, sent))
        for src in ev.cited:
            g.add((node, DIP.citedSource, iris.entity(src)))
        text = ev.sentence.text
        for sel, start, end in ((span, ev.start, ev.end), (sent, ev.sentence.start, ev.sentence.end)):
            g.add((sel, RDF.type, OA.TextPositionSelector))
            g.add((sel, OA.start, Literal(start, datatype=XSD.nonNegativeInteger)))
            g.add((sel, OA.end, Literal(end, datatype=XSD.nonNegativeInteger)))
            exact = text[start - ev.sentence.start:end - ev.sentence.start]
            g.add((sel, OA.exact, Literal(exact)))


def _degrees(value: float) -> str:
    """A coordinate as an xsd:decimal lexical form: at most 9 decimals (the gazetteer's), no exponent."""
    return f"{value:.9f}".rstrip("0").rstrip(".")
