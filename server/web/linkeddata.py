"""The URI scheme: which IRI is served where, in which formats (no Flask, no store).

Every IRI minted under ``{base}id/`` follows the W3C "Cool URIs" 303 pattern
(as DBpedia and Pubby do):

* ``/id/{kind}/{slug}`` names the thing itself and answers 303 See Other;
* ``/page/{kind}/{slug}`` is the HTML page about it;
* ``/data/{kind}/{slug}.{ttl,nt,jsonld,rdf}`` is its RDF description.

Fragments (``…/article/x#mention-120-135``) never reach the server; they are
anchors on the page of the IRI before the ``#``.
"""
from __future__ import annotations

from .negotiation import HTML, Format

DIP = "https://w3id.org/communique/ontology#"
ONTOLOGY = "https://w3id.org/communique/ontology"

DATA = [  # the RDF descriptions of one resource, by file extension
    Format("ttl", "text/turtle", ("application/x-turtle",)),
    Format("nt", "application/n-triples", ("text/plain",)),
    Format("jsonld", "application/ld+json", ("application/json",)),
    Format("rdf", "application/rdf+xml", ("application/xml", "text/xml")),
]
BY_EXT = {f.name: f for f in DATA}
REPRESENTATIONS = [HTML, *DATA]  # what /id/… negotiates between; HTML is the default


def split_data_path(rest: str) -> tuple[str, Format] | None:
    """``person/x.ttl`` → (``person/x``, Turtle); None when the extension is not offered."""
    path, dot, ext = rest.rpartition(".")
    if not dot or not path or ext not in BY_EXT:
        return None
    return path, BY_EXT[ext]


def page_path(path: str) -> str:
    return f"/page/{path}"


def data_path(path: str, fmt: Format) -> str:
    return f"/data/{path}.{fmt.name}"


def alternates(path: str) -> list[tuple[str, str]]:
    """(href, media type) of every representation of the resource at ``/id/{path}``."""
    return [(page_path(path), HTML.media_type)] + [(data_path(path, f), f.media_type) for f in DATA]


def link_header(path: str, current: str | None = None) -> str:
    """``Link`` header value listing the other representations (and the thing's IRI)."""
    links = [f'<{href}>; rel="alternate"; type="{media}"' for href, media in alternates(path) if href != current]
    return ", ".join(links)


def local_href(iri: str, base: str) -> str:
    """Where a reader of this site should go for an IRI.

    IRIs under ``{base}id/`` become local ``/page/…`` paths (so pages work when
    the base IRI is not the host serving them); ontology terms go to their
    anchor on ``/ontology``; anything else is left as it is.
    """
    prefix = base + "id/"
    if iri.startswith(prefix):
        return page_path(iri[len(prefix):])
    if iri.startswith(DIP):
        return "/ontology#" + iri[len(DIP):]
    if iri == ONTOLOGY:
        return "/ontology"
    return iri


def path_of(iri: str, base: str) -> str | None:
    """``{base}id/person/x`` → ``person/x``; None for IRIs not minted here."""
    prefix = base + "id/"
    if not iri.startswith(prefix):
        return None
    return iri[len(prefix):].split("#", 1)[0]


def kind_of(iri: str, base: str) -> str | None:
    path = path_of(iri, base)
    return path.split("/", 1)[0] if path else None
