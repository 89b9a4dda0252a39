"""What the endpoint needs to know about a SPARQL text before pyoxigraph runs it.

pyoxigraph parses and runs queries but exposes no parsed algebra to Python,
and its ``Store.update`` takes no protocol dataset. So this module reads the
text with small tokenizers that know SPARQL's strings, IRIs and comments
(a keyword inside ``"…"`` or ``<…>`` or after ``#`` is not a keyword; a
comment ends at ``\r`` or ``\n``):

* ``check_limits`` measures nesting and chain length before any parser sees
  the text, and refuses what is deeper than ``MAX_NESTING`` or ``MAX_DEPTH``;
* ``mentions`` says whether ``service`` or ``load`` can occur at all (if not,
  no SERVICE or LOAD can); whether they do is read from a real parse, in
  ``federation.py``, which uses ``scan`` and ``keywords`` to cross-check it;
* ``apply_using`` turns ``using-graph-uri`` / ``using-named-graph-uri`` into
  ``USING`` / ``USING NAMED`` clauses of each update operation that has a
  ``WHERE``, and refuses an update that already names its dataset.

Syntax errors are left to pyoxigraph, which reports them with line and column.
It imports neither Flask nor the store.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import BadRequest

_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\r\n]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
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


# --- escapes and keywords --------------------------------------------------------------


def decode_escapes(text: str) -> str:
    """The text with its \\uXXXX and \\UXXXXXXXX escapes decoded, once, as SPARQL 1.1 §19.2 says.

    The same single pass as Oxigraph's own (optional) decoder: ``\\u`` takes
    exactly four hex digits and ``\\U`` eight; an escape that is not one is
    left as it is. pyoxigraph 0.5 decodes escapes only inside IRIs and
    strings, a standard parser everywhere: the checks below read both views.
    """
    return _ESCAPE.sub(_decode_one, text)


_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def _decode_one(m: re.Match) -> str:
    code = int(m.group(1) or m.group(2), 16)
    if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return m.group(0)
    return chr(code)


def views(text: str) -> list[str]:
    """The text as pyoxigraph reads it and, when it has escapes, as a standard parser reads it."""
    decoded = decode_escapes(text)
    return [text] if decoded == text else [text, decoded]


def mentions(text: str, *keywords: str) -> bool:
    """Whether any keyword can occur in the text, in any case, escaped or not.

    A plain substring test of both views, lower-cased: it cannot miss a
    keyword (pyoxigraph matches keywords by ASCII case folding, so a keyword
    it reads is in the lower-cased text), and when it answers False no parse
    of the text can hold a SERVICE clause or a LOAD operation.
    """
    return any(k.lower() in view.lower() for view in views(text) for k in keywords)


# --- limits, checked before anything parses the text -------------------------------------

MAX_NESTING = 100
"""Most levels of brackets ``{``, ``(`` and ``[`` inside one another."""

MAX_DEPTH = 4000
"""Most levels of the depth estimate: each bracket, and each operator of a chain inside it, is one."""

# What makes a parse tree deeper: operators of an expression or a property path, the joins of a
# group (triple patterns and the keywords that wrap what came before them), and alternatives.
_CHAIN_WORDS = {"UNION", "MINUS", "OPTIONAL", "BIND", "FILTER", "GRAPH", "SERVICE", "VALUES", "EXISTS", "LATERAL"}
_CHAIN_OPS = {"||", "&&", "=", "!=", "<", ">", "<=", ">=", "+", "-", "*", "/", "|", "^", "!"}
_TRIPLE_OPS = {".", ";", ","}  # joins of triple patterns: counted in { } and [ ], not in ( ) argument lists
_OPERAND_END = {"var", "string", "number", "iri", "pname", "word"}

_SCAN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\r\n]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
  | (?P<lt><)
  | (?P<var>[?$][A-Za-z0-9_\u00B7\u00C0-\uFFFF]+)
  | (?P<number>[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?)
  | (?P<pname>(?:[A-Za-z\u00C0-\uFFFF][\w\u00B7\u00C0-\uFFFF.-]*)?:(?:[\w\u00B7\u00C0-\uFFFF.:%-]|%[0-9A-Fa-f]{2}|\\[_~.!$&'()*+,;=/?\#@%-])*)
  | (?P<word>[A-Za-z_][A-Za-z0-9_-]*)
  | (?P<op>\|\||&&|!=|>=|\^\^|[=>+*/|^!.,;?-])
  | (?P<open>[{(\[])
  | (?P<close>[})\]])
  | (?P<other>.)
""", re.VERBOSE | re.DOTALL)
_IRI_AT = re.compile(r"<(?:[^<>\"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>")


@dataclass
class Shape:
    """How deep and how long a SPARQL text is, by a scan that needs no parse."""

    nesting: int = 0  # deepest level of brackets
    depth: int = 0  # the depth estimate (see MAX_DEPTH)
    keywords: dict = None  # SERVICE, LOAD: how many times each occurs as a keyword token


def scan(text: str, operators: bool = True):
    """The tokens of a SPARQL text as (kind, start, end, text), comments and spaces included.

    Kinds: ws, comment, string, iri, var, number, pname, word, op, open,
    close, other. Whether a ``<`` starts an IRI or is the less-than operator
    depends on the grammar; the two readings err on opposite sides, so the
    caller picks: with ``operators`` a ``<`` after an operand inside ``( )``
    is the operator (an expression cannot hide operators inside something
    that looks like an IRI: right for counting them); without, a ``<`` starts
    an IRI wherever one can be read (a ``#`` in it is never a comment: right
    for finding comments and keywords, which are never inside an expression).
    """
    brackets: list[str] = []
    prev = None
    pos, n = 0, len(text)
    while pos < n:
        m = _SCAN.match(text, pos)
        kind, start = m.lastgroup, m.start()
        pos = m.end()
        if kind == "lt":
            after_operand = operators and brackets and brackets[-1] == "(" and prev in _OPERAND_END | {"close"}
            iri = None if after_operand else _IRI_AT.match(text, start)
            if iri is not None:
                kind, pos = "iri", iri.end()
            else:
                kind, pos = "op", start + (2 if text.startswith("<=", start) else 1)
        elif kind == "open":
            brackets.append(m.group())
        elif kind == "close" and brackets:
            brackets.pop()
        if kind not in ("ws", "comment"):
            prev = kind
        yield kind, start, pos, text[start:pos]


def keywords(text: str) -> dict[str, int]:
    """How many times SERVICE and LOAD occur as keywords (not in a string, an IRI, a name or a comment)."""
    found = {"SERVICE": 0, "LOAD": 0}
    for kind, _, _, value in scan(text, operators=False):
        if kind == "word" and value.upper() in found:
            found[value.upper()] += 1
    return found


def shape(text: str) -> Shape:
    """Scan the text once: bracket nesting, the depth estimate, and the SERVICE/LOAD keyword tokens.

    The depth estimate of a bracket is 1 + the chain operators directly in it
    + the largest estimate of the brackets inside it: an upper bound of how
    deep the parse tree of a chain of operators (``a || b || c``, ``?s
    <p>/<q>/<r> ?o``, ``{ } UNION { } UNION { }``) grows, whichever operand
    holds the nested part. A ``<`` after an operand inside ``( )`` is the
    less-than operator (``scan``), so an expression cannot hide its operators
    inside something that looks like an IRI. What follows ``DATA`` is ground
    data (a flat list): its triples do not count.
    """
    # frames: [kind, chain operators, deepest child, in DATA]
    stack: list[list] = [["top", 0, 0, False]]
    out = Shape(keywords=keywords(text))
    prev_word = ""
    for kind, _, _, value in scan(text, operators=True):
        if kind in ("ws", "comment"):
            continue
        frame = stack[-1]
        if kind == "open":
            if len(stack) > MAX_NESTING:
                out.nesting = len(stack)
                return out  # too deep already: no need to read on
            stack.append([value, 0, 0, frame[3] or (value == "{" and prev_word == "DATA")])
            out.nesting = max(out.nesting, len(stack) - 1)
        elif kind == "close":
            if len(stack) > 1:
                closed = stack.pop()
                stack[-1][2] = max(stack[-1][2], 1 + closed[1] + closed[2])
        elif kind == "op":
            if value in _CHAIN_OPS or (value in _TRIPLE_OPS and frame[0] in "{[" and not frame[3]):
                frame[1] += 1
        elif kind == "word" and value.upper() in _CHAIN_WORDS:
            frame[1] += 1
        prev_word = value.upper() if kind == "word" else ""
    while len(stack) > 1:  # unclosed brackets: pyoxigraph reports them; the estimate still counts them
        closed = stack.pop()
        stack[-1][2] = max(stack[-1][2], 1 + closed[1] + closed[2])
    out.depth = stack[0][2]
    return out


def check_limits(text: str, what: str = "query") -> Shape:
    """Refuse (400) a text nested deeper or chained longer than the limits, before any parser sees it."""
    found = Shape(keywords={"SERVICE": 0, "LOAD": 0})
    for view in views(text):
        s = shape(view)
        if s.nesting > MAX_NESTING:
            raise BadRequest(f"the {what} nests brackets ({{ ( [) more than {MAX_NESTING} levels deep; "
                             f"this endpoint allows at most {MAX_NESTING}")
        if s.depth > MAX_DEPTH:
            raise BadRequest(f"the {what} is too deep: its chains of operators and patterns inside each other "
                             f"reach a depth of {s.depth}, and this endpoint allows at most {MAX_DEPTH} "
                             "(a long list of alternatives is better written with VALUES or IN (…))")
        found.nesting, found.depth = max(found.nesting, s.nesting), max(found.depth, s.depth)
        for k, v in s.keywords.items():
            found.keywords[k] = max(found.keywords[k], v)
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


def query_form(text: str) -> str | None:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the form of a query, read after its prologue; None if it has none.

    A remote store is asked for the one format of that form's results that communique reads back
    (a Virtuoso answers 406 to an Accept header that offers both a results and a graph format)."""
    toks = tokens(text)
    i = _skip_prologue(toks)
    if i < len(toks) and toks[i].is_word("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
        return toks[i].text.upper()
    return None
