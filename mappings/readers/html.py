"""HTML pages: the article's main text, title, date and site, by trafilatura.

trafilatura drops the page furniture (navigation, scripts, styles, headers, footers, comment
threads) and keeps the paragraphs of the article; its metadata reader takes the title, the
publication date (from `<meta property="article:published_time">`, `<time>`, JSON-LD and the
like, via htmldate) and the site name. The article's text is the headline and the extracted text, paragraphs
separated by blank lines: evidence offsets index into it, not into the HTML.
"""
from __future__ import annotations

from pathlib import Path

import trafilatura

from ..text import ArticleError
from .common import decode, parse_date
from .plain import build


MIN_WORDS = 8


def read(raw: bytes, path: Path):
    decode(raw, path.name)  # a binary or undecodable file is refused with the same words as text
    try:
        doc = trafilatura.bare_extraction(raw, with_metadata=True, include_comments=False,
                                          include_tables=False, include_images=False, deduplicate=False)
    except Exception as exc:  # lxml refuses some broken documents outright
        raise ArticleError(f"{path.name}: is not an HTML page that can be read ({exc})") from None
    text = doc.text if doc is not None else None
    if not text or len(text.split()) < MIN_WORDS:  # a menu or a cookie notice is no article
        raise ArticleError(f"{path.name}: no article text found in the page (is it an article page?)")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    title = (doc.title or "").strip() or None
    if title and (not lines or lines[0] != title):  # the headline is the first paragraph
        lines.insert(0, title)
    try:
        date = parse_date(doc.date, f"{path.name}: the page's date")
    except ArticleError:
        date = None  # a date the page's metadata garbles is no date
    yield build("\n\n".join(lines), path.stem, path.name, title=title, date=date,
                date_basis="the page's metadata" if date else None,
                outlet=(doc.sitename or None), url=(doc.url or None), fmt="html")
