"""What the endpoint needs to know about a SPARQL text before pyoxigraph runs it.

pyoxigraph parses and runs queries but exposes no parsed algebra to Python,
and its ``Store.update`` takes no protocol dataset. So this module reads the
text with a small tokenizer that knows SPARQL's strings, IRIs and comments
(a keyword inside ``"…"`` or ``<…>`` or after ``#`` is not a keyword):

* ``service_endpoints`` finds every ``SERVICE`` clause and its endpoint, so
  that federation can be refused or checked against an allow-list;
* ``apply_using`` turns ``using-graph-uri`` / ``using-named-graph-uri`` into
  ``USING`` / ``USING NAMED`` clauses of each update operation that has a
  ``WHERE``, and refuses an update that already names its dataset.

Syntax errors are left to pyoxigraph, which reports them with line and column.
It imports neither Flask nor the store.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import BadRequest

_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\r\n]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
  | (?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)
  | (?P<var>[?$][A-Za-z0-9_\u00B7\u00C0-\uFFFF]+)
  | (?P<pname>(?:[A-Za-z\u00C0-\uFFFF][\w\u00B7\u00C0-\uFFFF.-]*)?:(?:[\w\u00B7\u00C0-\uFFFF.:%-]|%[0-9A-Fa-f]{2}|\\[_~.!$&'()*+,;=/?\#@%-])*)
  | (?P<word>[A-Za-z_][A-Za-z0-9_-]*)
  | (?P<other>.)
""", re.VERBOSE | re.DOTALL)


@dataclass(frozen=True)
class Token:
    kind: str  # iri, var, pname, word, string, other
    text: str
    start: int
    end: int

    def is_word(self, *words: str) -> bool:
        return self.kind == "word" and self.text.upper() in words


def tokens(text: str) -> list[Token]:
    """The significant tokens of a SPARQL text (no spaces, no comments)."""
    out = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind in ("ws", "comment"):
            continue
        out.append(Token(kind, m.group(), m.start(), m.end()))
    return out


def _unescape(iri: str) -> str:
    """An IRI's \\uXXXX and \\UXXXXXXXX escapes, decoded (pyoxigraph decodes them too)."""
    return re.sub(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})", lambda m: chr(int(m.group(1) or m.group(2), 16)), iri)


def _prefixes(toks: list[Token]) -> dict[str, str]:
    found = {}
    for i, t in enumerate(toks[:-2]):
        if t.is_word("PREFIX") and toks[i + 1].kind == "pname" and toks[i + 2].kind == "iri":
            found[toks[i + 1].text[:-1] if toks[i + 1].text.endswith(":") else toks[i + 1].text] = toks[i + 2].text[1:-1]
    return found


def service_endpoints(query: str) -> list[str | None]:
    """The endpoint of every SERVICE clause: an IRI, or None when it is a variable or cannot be resolved."""
    toks = tokens(query)
    prefixes = None
    found: list[str | None] = []
    for i, t in enumerate(toks):
        if not t.is_word("SERVICE"):
            continue
        j = i + 1
        if j < len(toks) and toks[j].is_word("SILENT"):
            j += 1
        target = toks[j] if j < len(toks) else None
        if target is None:
            found.append(None)
        elif target.kind == "iri":
            found.append(_unescape(target.text[1:-1]))
        elif target.kind == "pname":
            prefixes = _prefixes(toks) if prefixes is None else prefixes
            prefix, _, local = target.text.partition(":")
            found.append(prefixes[prefix] + local if prefix in prefixes else None)
        else:
            found.append(None)
    return found


def check_service(query: str, allowlist: tuple[str, ...]) -> None:
    """Refuse SERVICE clauses (and LOAD) unless every endpoint is on the allow-list (400 otherwise).

    The text is read as SPARQL reads it: codepoint escapes (\\u0045) are decoded first, comments end
    at a line feed or a carriage return. While nothing is allowed, the word SERVICE or LOAD anywhere
    outside a string or an IRI, a comment included, is refused: what cannot be shown to be free of
    federation is not run. (The query workers also have no network: queries.py, no_network.)"""
    text = _unescape(query)
    endpoints = service_endpoints(text)
    loads = load_sources(text)
    if not allowlist:
        suspicious = [m for m in _TOKEN.finditer(text) if m.lastgroup in ("word", "comment", "other")
                      and re.search(r"(?i)service|\bload\b", m.group())]
        if endpoints or suspicious:
            word = "LOAD" if loads or (suspicious and not endpoints and
                                      all(re.search(r"(?i)\bload\b", m.group()) for m in suspicious)) else "SERVICE"
            raise BadRequest(f"{word} is disabled on this endpoint (federated queries and LOAD are refused, and so "
                             f"is the word {word} outside strings and IRIs, comments included); an administrator "
                             "can allow endpoints with the service_allowlist setting (COMMUNIQUE_SERVICE_ALLOWLIST)")
        return
    for endpoint in [*endpoints, *loads]:
        if endpoint is None:
            raise BadRequest("SERVICE needs an absolute endpoint IRI here (not a variable); allowed: "
                             + ", ".join(allowlist))
        if not endpoint.lower().startswith(("http://", "https://")):
            raise BadRequest(f"<{endpoint}> is not an http(s) IRI; SERVICE and LOAD reach only allowed "
                             "http(s) endpoints")
        if endpoint not in allowlist:
            raise BadRequest(f"SERVICE <{endpoint}> is not on this endpoint's allow-list; allowed: "
                             + ", ".join(allowlist))


def load_sources(update: str) -> list[str | None]:
    """The source of every LOAD operation: an IRI, or None when it cannot be resolved."""
    toks = tokens(update)
    found: list[str | None] = []
    for i, t in enumerate(toks):
        if t.is_word("LOAD"):
            j = i + 1 + (i + 1 < len(toks) and toks[i + 1].is_word("SILENT"))
            target = toks[j] if j < len(toks) else None
            found.append(target.text[1:-1] if target is not None and target.kind == "iri" else None)
    return found


def _operations(toks: list[Token]) -> list[list[Token]]:
    """Split an update request into its operations, at ';' outside braces."""
    ops, current, depth = [], [], 0
    for t in toks:
        if t.kind == "other" and t.text == "{":
            depth += 1
        elif t.kind == "other" and t.text == "}":
            depth -= 1
        if depth == 0 and t.kind == "other" and t.text == ";":
            ops.append(current)
            current = []
            continue
        current.append(t)
    if current:
        ops.append(current)
    return ops


def _skip_prologue(op: list[Token]) -> int:
    i = 0
    while i < len(op):
        if op[i].is_word("PREFIX"):
            i += 3
        elif op[i].is_word("BASE"):
            i += 2
        else:
            break
    return i


def _depth0(op: list[Token], start: int):
    depth = 0
    for i in range(start, len(op)):
        t = op[i]
        if t.kind == "other" and t.text in "{(":
            depth += 1
        elif t.kind == "other" and t.text in "})":
            depth -= 1
        elif depth == 0:
            yield i, t


def apply_using(update: str, using: list[str], using_named: list[str]) -> str:
    """The update with the protocol's dataset written into each operation that has a WHERE clause.

    The SPARQL 1.1 Protocol says a request that names a dataset both in its
    parameters and in the update (USING, USING NAMED or WITH) is an error.
    ``DELETE WHERE { P }`` becomes ``DELETE { P } USING … WHERE { P }``, which
    means the same.
    """
    if not using and not using_named:
        return update
    for iri in (*using, *using_named):
        if not re.fullmatch(r"[^<>\"{}|^`\\\x00-\x20]+", iri) or ":" not in iri:
            raise BadRequest(f"not an absolute IRI: {iri!r}")
    clause = " ".join([*(f"USING <{g}>" for g in using), *(f"USING NAMED <{g}>" for g in using_named)])
    toks = tokens(update)
    edits: list[tuple[int, int, str]] = []  # (start, end, replacement) in the text
    for op in _operations(toks):
        i = _skip_prologue(op)
        if i >= len(op):
            continue
        head = op[i]
        if not head.is_word("WITH", "DELETE", "INSERT"):
            continue
        if i + 1 < len(op) and op[i + 1].is_word("DATA"):
            continue
        if head.is_word("WITH"):
            raise BadRequest("the update names its dataset with WITH and the request with using-graph-uri or "
                             "using-named-graph-uri; use one or the other")
        top = list(_depth0(op, i))
        if any(t.is_word("USING") for _, t in top):
            raise BadRequest("the update names its dataset with USING and the request with using-graph-uri or "
                             "using-named-graph-uri; use one or the other")
        if head.is_word("DELETE") and i + 1 < len(op) and op[i + 1].is_word("WHERE"):
            # DELETE WHERE { P }  ->  DELETE { P } USING … WHERE { P }
            open_i = i + 2
            body_end = _matching_close(op, open_i)
            if body_end is None:
                continue  # malformed: pyoxigraph reports it
            body_start = op[open_i].start
            pattern = update[body_start:body_end]
            edits.append((op[i + 1].start, body_end, f"{pattern} {clause} WHERE {pattern}"))
            continue
        where = next((t for _, t in top if t.is_word("WHERE")), None)
        if where is not None:
            edits.append((where.start, where.start, clause + " "))
    for start, end, text in sorted(edits, reverse=True):
        update = update[:start] + text + update[end:]
    return update


def _matching_close(op: list[Token], open_i: int) -> int | None:
    """The text offset just after the '}' that closes the brace at op[open_i]."""
    if open_i >= len(op) or op[open_i].text != "{":
        return None
    depth = 0
    for t in op[open_i:]:
        if t.kind == "other" and t.text == "{":
            depth += 1
        elif t.kind == "other" and t.text == "}":
            depth -= 1
            if depth == 0:
                return t.end
    return None
