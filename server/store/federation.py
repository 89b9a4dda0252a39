"""Which remote IRIs a SPARQL text would make the server fetch: SERVICE endpoints and LOAD sources.

Decided on a real parse, never on the text alone. pyoxigraph parses and runs
queries but shows Python no parse tree, so the text is parsed a second time,
for analysis only, with rdflib's SPARQL grammar (``parser.Query`` /
``parser.UpdateUnit``; rdflib's query engine is never used). A text is read
in every way a parser could read it:

* as pyoxigraph 0.5 reads it (``\\u`` escapes decoded only inside IRIs and
  strings) and as the standard says (escapes decoded everywhere first);
* with comments ending at a carriage return as well as at a line feed
  (SPARQL's rule; pyparsing's ``rest_of_line`` would read on to ``\\n``).

Every reading must parse, and every SERVICE or LOAD keyword that the
tokenizer of ``sparql_text`` sees must be one the parse found: otherwise the
text is refused as one that cannot be proven free of federation (what the
readings that did parse found is refused first, with its own message). The caller
only parses texts in which the word ``service`` or ``load`` occurs at all
(``sparql_text.mentions``); the others cannot hold either.

It imports neither Flask nor the store; it runs in the query workers, whose
timeout bounds the parse.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .sparql_text import keywords, scan, views

ABSOLUTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


@dataclass
class Remote:
    """The remote IRIs of a text: None stands for one that is not a fixed absolute IRI (a variable, a relative IRI)."""

    services: list[str | None] = field(default_factory=list)
    loads: list[str | None] = field(default_factory=list)
    unprovable: str | None = None  # why one reading of the text could not be checked


def analyse(text: str, update: bool) -> Remote:
    """The SERVICE endpoints and LOAD sources of a query (``update=False``) or an update.

    Every reading that parses contributes what it found; ``unprovable`` says
    why one did not, and ``check`` then refuses the text whatever was found.
    """
    import sys

    from rdflib.plugins.sparql import parser

    grammar = parser.UpdateUnit if update else parser.Query
    found = Remote()
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 100_000))  # the workers run this on a large stack
    # rdflib gives each SERVICE pattern its text by searching the whole input again from its postParse
    # (parserutils.Comp), which recurses without end on a nested SERVICE and is quadratic otherwise; the
    # analysis needs no such text, so the pattern has another name while it parses (restored after).
    service = parser.ServiceGraphPattern
    service.set_name(SERVICE_PATTERN)
    try:
        return _analyse_views(text, update, grammar, found)
    finally:
        service.set_name("ServiceGraphPattern")


SERVICE_PATTERN = "ServiceGraphPattern (analysis)"


def _analyse_views(text: str, update: bool, grammar, found: Remote) -> Remote:
    from pyparsing import ParseBaseException

    for view in views(text):
        counted = keywords(view)
        prepared, mark, names_changed = for_rdflib(view)
        try:
            tree = grammar.parse_string(prepared, parse_all=True)
        except (ParseBaseException, RecursionError, ValueError) as exc:
            found.unprovable = f"the checker could not parse it ({type(exc).__name__})"
            continue
        remote = _collect(tree, resolve_names=not names_changed)
        remote.services = [None if i is None else i.replace(mark, "#") for i in remote.services]
        remote.loads = [None if i is None else i.replace(mark, "#") for i in remote.loads]
        if len(remote.services) < counted["SERVICE"] or (update and len(remote.loads) < counted["LOAD"]):
            found.unprovable = "it holds the keyword SERVICE or LOAD where the checker's parse found none"
        for iri in remote.services:
            if iri not in found.services:
                found.services.append(iri)
        for iri in remote.loads:
            if iri not in found.loads:
                found.loads.append(iri)
    return found


def for_rdflib(text: str) -> tuple[str, str, bool]:
    """The text as rdflib's grammar should read it, the character that stands for '#' in its IRIs and
    strings, and whether a prefixed name had to be changed.

    pyparsing skips a comment (``#`` to the end of the line, rdflib's
    ``ignore``) wherever it tries a token, also at a ``#`` inside an IRI while
    it backtracks, and ends it only at ``\\n``. So the comments that SPARQL
    sees (ended by ``\\r`` or ``\\n``; ``sparql_text.scan``, which never
    reads a ``#`` inside an IRI or a string as one) are blanked here, and
    every other ``#`` (inside IRIs and strings) becomes a private-use
    character that the text does not hold: rdflib sees no ``#`` at all.
    """
    mark = next(chr(c) for c in range(0xE000, 0xF900) if chr(c) not in text)
    mark_names = False
    out = []
    for kind, start, end, value in scan(text, operators=False):
        if kind == "comment":
            out.append(" " * (end - start))
        elif kind in ("iri", "string"):
            out.append(value.replace("#", mark))
        elif kind == "pname" and "#" in value:
            # a local name may hold '\\#' but not the mark; '\\~' parses the same. The name is then no
            # longer the one written: the caller resolves no prefixed name of this text (_absolute)
            out.append(value.replace("\\#", "\\~"))
            mark_names = True
        else:
            out.append(value)
    return "".join(out).replace("\r", "\n"), mark, mark_names


def _collect(tree, resolve_names: bool = True) -> Remote:
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    services, loads, prefixes = [], [], {}
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue):
            if node.name in ("ServiceGraphPattern", SERVICE_PATTERN):
                services.append(node.get("term"))
            elif node.name == "Load":
                loads.append(node.get("iri"))
            elif node.name == "PrefixDecl":
                prefixes.setdefault(node.get("prefix") or "", set()).add(str(node.get("iri")))
            stack.extend(reversed(list(node.values())))  # reversed: popped in the order they are written
        elif isinstance(node, (ParseResults, list, tuple)):
            stack.extend(reversed(list(node)))
        elif isinstance(node, dict):
            stack.extend(reversed(list(node.values())))
    if not resolve_names:
        prefixes = {}
    return Remote([_absolute(t, prefixes) for t in services], [_absolute(t, prefixes) for t in loads])


def _absolute(term, prefixes: dict[str, set[str]]) -> str | None:
    """An IRI as written, if it is absolute: an IRIREF, or a prefixed name whose prefix is declared once."""
    from rdflib import URIRef
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(term, URIRef):
        iri = str(term)
    elif isinstance(term, CompValue) and term.name == "pname":
        declared = prefixes.get(term.get("prefix") or "", set())
        if len(declared) != 1:
            return None
        iri = next(iter(declared)) + (term.get("localname") or "")
    else:
        return None  # a variable
    return iri if ABSOLUTE.match(iri) and "\\" not in iri else None


def check(remote: Remote, services: tuple[str, ...], loads: tuple[str, ...], update: bool = False) -> bool:
    """Raise Refused unless every SERVICE and LOAD is allowed and the text could be checked in full;
    True when the text needs the network."""
    for endpoint in remote.services:
        if not services:
            raise Refused("SERVICE (federated query) is disabled on this endpoint; an administrator can allow "
                          "endpoints with the service_allowlist setting (COMMUNIQUE_SERVICE_ALLOWLIST)")
        if endpoint is None:
            raise Refused("SERVICE needs an absolute endpoint IRI here (not a variable or a relative IRI); "
                          "allowed: " + ", ".join(services))
        if endpoint not in services:
            raise Refused(f"SERVICE <{endpoint}> is not on this endpoint's allow-list; allowed: " + ", ".join(services))
    for source in remote.loads:
        if source is not None and not source.lower().startswith(("http://", "https://")):
            raise Refused(f"LOAD <{source}>: only http and https sources can be loaded")
        if not loads:
            raise Refused("LOAD is disabled on this endpoint; an administrator can allow sources with the "
                          "load_allowlist setting (COMMUNIQUE_LOAD_ALLOWLIST)")
        if source is None:
            raise Refused("LOAD needs an absolute http(s) IRI here; allowed: " + ", ".join(loads))
        if not allowed(source, loads):
            raise Refused(f"LOAD <{source}> is not on this endpoint's allow-list; allowed: " + ", ".join(loads))
    if remote.unprovable:
        what = "update" if update else "query"
        raise Refused(f"SERVICE and LOAD are checked on a parse of the {what}, and this {what} could not be "
                      f"checked: {remote.unprovable}. It is refused while the word 'service' or 'load' occurs in "
                      "it (in any case, escaped or not); without them no check is needed")
    return bool(remote.services or remote.loads)


def allowed(source: str, allowlist: tuple[str, ...]) -> bool:
    """An allow-list entry names one IRI, or, when it ends with '/', every IRI under it."""
    if DOT_SEGMENT.search(source):  # a client resolves them away, out of the folder the entry names
        return source in allowlist
    return any(source == entry or (entry.endswith("/") and source.startswith(entry)) for entry in allowlist)


DOT_SEGMENT = re.compile(r"/\.\.?(?:[/?#]|$)|%2[eE]")


class Refused(ValueError):
    """A SERVICE or LOAD that the settings do not allow."""
