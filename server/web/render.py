"""Pure helpers that turn page data into safe HTML fragments (no Flask, no store).

Everything that comes from an article is escaped here or by jinja2's
autoescape; functions that return ``Markup`` escape every piece of text they
put in it.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass

from markupsafe import Markup, escape


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    href: str = ""
    title: str = ""
    css: str = ""
    id: str = ""


def _clean(spans: list[Span], length: int) -> list[Span]:
    """Spans inside the text, sorted, without overlaps (the first one wins)."""
    kept: list[Span] = []
    for s in sorted(spans, key=lambda s: (s.start, -s.end)):
        if not (0 <= s.start < s.end <= length):
            continue
        if kept and s.start < kept[-1].end:
            continue
        kept.append(s)
    return kept


def annotate(text: str, mentions: list[Span], sentences: list[Span] = ()) -> Markup:
    """The text with each sentence wrapped in ``<span id=…>`` and each mention in a link (``safe_href``).

    Offsets are character offsets into ``text`` (end exclusive), as
    ``oa:start``/``oa:end``. Overlapping spans are dropped, and so is a mention
    that crosses a sentence boundary, so the markup always nests.
    """
    sents = _clean(list(sentences), len(text))
    ments = _clean([m for m in mentions
                    if not any(s.start < m.end and m.start < s.end and not (s.start <= m.start and m.end <= s.end)
                               for s in sents)], len(text))
    events = []  # (position, order, html): closes before opens; sentences outside mentions
    for s in sents:
        events.append((s.start, 2, Markup('<span class="sentence{}" id="{}">').format(
            " " + s.css if s.css else "", s.id)))
        events.append((s.end, 1, Markup("</span>")))
    for m in ments:
        title = Markup(' title="{}"').format(m.title) if m.title else ""
        ident = Markup(' id="{}"').format(m.id) if m.id else ""
        href = safe_href(m.href)
        if href:
            events.append((m.start, 3, Markup('<a class="mention {}" href="{}"{}{}>').format(m.css, href, title, ident)))
            events.append((m.end, 0, Markup("</a>")))
        else:  # an entity IRI that may not be a link: the mention is marked, not linked
            events.append((m.start, 3, Markup('<span class="mention {}"{}{}>').format(m.css, title, ident)))
            events.append((m.end, 0, Markup("</span>")))
    events.sort(key=lambda e: (e[0], e[1]))
    out, pos = [], 0
    for at, _, tag in events:
        out.append(escape(text[pos:at]))
        out.append(tag)
        pos = at
    out.append(escape(text[pos:]))
    return Markup("").join(out)


def quote(sentence: str, sentence_start: int | None, start: int | None, end: int | None) -> Markup:
    """An evidence sentence with the matched words in ``<mark>``."""
    if sentence_start is None or start is None or end is None:
        return escape(sentence)
    a, b = start - sentence_start, end - sentence_start
    if not (0 <= a < b <= len(sentence)):
        return escape(sentence)
    return Markup("{}<mark>{}</mark>{}").format(sentence[:a], sentence[a:b], sentence[b:])


def json_for_script(data) -> Markup:
    """JSON safe inside ``<script type="application/ld+json">``.

    ``<``, ``>`` and ``&`` can only occur inside JSON strings, where ``\\u003c``
    and friends mean the same; so ``</script>`` in a value cannot end the element.
    """
    text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return Markup(text)


SAFE_SCHEMES = ("http", "https", "mailto")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")


def safe_href(href: str) -> str:
    """``href`` if it may be a link's target, else "": only http, https and mailto IRIs, and this site's paths.

    Anything else (``javascript:``, ``data:``, ``vbscript:``, in any case, and
    any text with spaces or control characters, which browsers strip from a
    scheme) is shown as text, never as a link. Schemes are compared
    case-insensitively, as browsers do.
    """
    if not href or any(c <= " " or c == "\x7f" for c in href):
        return ""
    m = _SCHEME.match(href)
    if m:
        return href if m.group(1).lower() in SAFE_SCHEMES else ""
    # no scheme: a path of this site ("/page/…", "/ontology#Term") or a fragment; "//host" is http(s)
    return href if href.startswith(("/", "#")) and not href.startswith("/\\") else ""


def local_name(iri: str) -> str:
    return iri.rstrip("/#").rsplit("#", 1)[-1].rsplit("/", 1)[-1]
