"""Content negotiation: one table of formats and one pure function.

werkzeug parses the Accept header (q-values, wildcards); this module decides.
It imports neither Flask nor the store, so it is tested as plain functions.
"""
from __future__ import annotations

from dataclasses import dataclass

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from ..errors import NotAcceptable


@dataclass(frozen=True)
class Format:
    name: str  # the `format` parameter and the file extension
    media_type: str
    aliases: tuple[str, ...] = ()


RESULTS = [  # SELECT and ASK
    Format("json", "application/sparql-results+json", ("application/json",)),
    Format("xml", "application/sparql-results+xml", ("application/xml", "text/xml")),
    Format("csv", "text/csv"),
    Format("tsv", "text/tab-separated-values"),
]
GRAPHS = [  # CONSTRUCT, DESCRIBE and entity data
    Format("ttl", "text/turtle", ("application/x-turtle",)),
    Format("nt", "application/n-triples", ("text/plain",)),
    Format("jsonld", "application/ld+json", ("application/json",)),
    Format("rdf", "application/rdf+xml", ("application/xml", "text/xml")),
    Format("trig", "application/trig"),
    Format("nq", "application/n-quads"),
]
HTML = Format("html", "text/html", ("application/xhtml+xml",))
# Names clients send in `format=` / `output=` for the formats above: Fuseki's, SPARQLWrapper's
# (`rdf+xml`, `json-ld`), file extensions and bare media-type subtypes.
FORMAT_NAMES = {"turtle": "ttl", "text/n3": "ttl", "ntriples": "nt", "n-triples": "nt", "json-ld": "jsonld",
                "ld+json": "jsonld", "rdfxml": "rdf", "rdf-xml": "rdf", "rdf+xml": "rdf", "rdf/xml": "rdf",
                "nquads": "nq", "n-quads": "nq", "sparql-json": "json", "sparql-results+json": "json",
                "srj": "json", "sparql-xml": "xml", "sparql-results+xml": "xml", "srx": "xml",
                "tab-separated-values": "tsv"}
# A name that means one thing for results and another for graphs, as clients send it
# (SPARQLWrapper sends format=xml for RDF/XML, format=n3 for Turtle).
FALLBACK_NAMES = {"xml": "rdf", "n3": "ttl", "json": "jsonld", "text/n3": "ttl", "text/rdf+n3": "ttl"}
# Every name and media type some table here offers: a `format=` outside it is unknown, and then Accept decides.
KNOWN_NAMES = frozenset({n for f in (*RESULTS, *GRAPHS, HTML) for n in (f.name, f.media_type, *f.aliases)}
                        | set(FORMAT_NAMES) | set(FALLBACK_NAMES))


def offered(formats: list[Format]) -> str:
    return ", ".join(f.media_type for f in formats)


def choose(accept: str | None, formats: list[Format], format_param: str | None = None,
           default: Format | None = None) -> Format:
    """The format to answer with.

    A `format` parameter (a name such as ``json`` or ``rdf+xml``, or a media
    type) wins over Accept. A `format` no table here knows does not: a
    specific Accept that fits answers, else it is refused. With no Accept
    header, or ``*/*`` alone, the default (the first format unless given) is
    used. Nothing acceptable raises NotAcceptable with the list of what is
    offered.
    """
    default = default or formats[0]
    if format_param:
        wanted = format_param.strip().lower()
        wanted = FORMAT_NAMES.get(wanted, wanted)
        for name in (wanted, FALLBACK_NAMES.get(wanted)):
            for f in formats:
                if name in (f.name, f.media_type, *f.aliases):
                    return f
        refused = NotAcceptable(f"format {format_param!r} is not offered here; use one of "
                                + ", ".join(f.name for f in formats))
        if wanted in KNOWN_NAMES:
            raise refused
        try:  # an unknown name: the Accept header, when it names a type offered here, decides
            chosen = _by_accept(accept, formats, default) if accept and accept.strip() else None
        except NotAcceptable:
            chosen = None
        if chosen is None or not _names_a_type(accept, chosen):
            raise refused
        return chosen
    return _by_accept(accept, formats, default)


def _names_a_type(accept: str, chosen: Format) -> bool:
    """True when the Accept header names the chosen type (or an alias), not only a wildcard."""
    parsed = parse_accept_header(accept, MIMEAccept)
    return any(v in (chosen.media_type, *chosen.aliases) and q > 0 for v, q in parsed)


def _by_accept(accept: str | None, formats: list[Format], default: Format) -> Format:
    if not accept or not accept.strip():
        return default
    parsed = parse_accept_header(accept, MIMEAccept)
    if not parsed:
        return default
    by_type: dict[str, Format] = {}
    for f in [default, *formats]:  # the default first: it wins ties, such as */*
        by_type.setdefault(f.media_type, f)
    for f in [default, *formats]:  # then aliases, so that a tie (text/*) goes to a format's own type
        for media_type in f.aliases:
            by_type.setdefault(media_type, f)
    best = parsed.best_match(list(by_type))
    if best is None:
        raise NotAcceptable(f"none of the requested types ({accept}) is offered here; offered: {offered(formats)}")
    return by_type[best]


def wants_html(accept: str | None) -> bool:
    """True when a browser asks: text/html is acceptable and preferred over RDF."""
    if not accept:
        return False
    parsed = parse_accept_header(accept, MIMEAccept)
    html = max(parsed["text/html"], parsed["application/xhtml+xml"])
    if html <= 0 or not any(v in ("text/html", "application/xhtml+xml") for v, _ in parsed):
        return False
    rdf = max((parsed[m] for f in GRAPHS for m in (f.media_type,) if any(v == m for v, _ in parsed)), default=0)
    return html >= rdf
