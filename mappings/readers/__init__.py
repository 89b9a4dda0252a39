"""Readers: files and rows as users have them, turned into Articles.

One reader per input format. Each knows the format and nothing else: no spaCy, no RDF, no store.

| format | files | reader |
|---|---|---|
| plain text: a Monitor item, a wire story with a dateline, a text with YAML front matter | `*.txt`, `*.text`, `*.md` | `plain.py` |
| an HTML page (its main text by trafilatura) | `*.html`, `*.htm` | `html.py` |
| JSON Lines and CSV exports, one article per row | `*.jsonl`, `*.ndjson`, `*.csv` | `rows.py` |

`read(path)` yields the file's articles; a file of rows may also yield `ArticleError`s, one per bad
row, so that one bad row does not cost the good ones. Every error names the file, and the row.

The article's date comes from the first of: front matter (or the page's metadata, or the row's date
column), the wire dateline, and, later in the engine, the source citations and the Monitor volume.
`Article.date_basis` says which.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

from ..text import Article, ArticleError
from . import html, plain, rows
from .plain import parse_article

READERS = {".txt": plain.read, ".text": plain.read, ".md": plain.read,
           ".html": html.read, ".htm": html.read, ".xhtml": html.read,
           ".jsonl": rows.read_jsonl, ".ndjson": rows.read_jsonl, ".csv": rows.read_csv}
SUPPORTED = tuple(READERS)


def supported(path: Path) -> bool:
    return path.suffix.lower() in READERS


def read(path: str | Path) -> Iterator[Article | ArticleError]:
    """The articles of one file (and, for rows, an ArticleError per unreadable row).
    A file that cannot be read at all raises ArticleError."""
    path = Path(path)
    reader = READERS.get(path.suffix.lower(), plain.read)  # an unknown suffix is tried as plain text
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ArticleError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if not raw.strip():
        raise ArticleError(f"{path.name}: is empty")
    yield from reader(raw, path)


def read_article(path: str | Path) -> Article:
    """The one article of a file; a file of several rows is an error here (use `read`)."""
    items = list(read(path))
    if len(items) != 1:
        raise ArticleError(f"{Path(path).name}: holds {len(items)} articles; read it with readers.read")
    if isinstance(items[0], ArticleError):
        raise items[0]
    return items[0]


__all__ = ["read", "read_article", "parse_article", "supported", "SUPPORTED", "Article", "ArticleError"]
