"""Pure helpers that turn page data into safe HTML fragments (no Flask, no store).

Everything that comes from an article is escaped here or by jinja2's
autoescape; functions that return ``Markup`` escape every piece of text they
put in it.
"""
from __future__ import annotations

import json
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
    """The text with each sentence wrapped in ``<span id=…>`` and each mention in a link.

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
        events.append((m.start, 3, Markup('<a class="mention {}" href="{}"{}{}>').format(m.css, m.href, title, ident)))
        events.append((m.end, 0, Markup("</a>")))
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


def local_name(iri: str) -> str:
    return iri.rstrip("/#").rsplit("#", 1)[-1].rsplit("/", 1)[-1]
