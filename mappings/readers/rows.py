"""Exports with one article per row: JSON Lines and CSV.

Columns (names are matched without regard to case; the first present wins):

| field | columns |
|---|---|
| text (required) | `text`, `body`, `content`, `article`, `full_text` |
| date | `date`, `published`, `published_at`, `pubdate`, `publication_date` |
| title | `title`, `headline` |
| url | `url`, `link` |
| source | `source`, `outlet`, `publication`, `publisher`, `agency` |
| id | `id`, `article_id` (else `<file stem>-<row number>`) |

A bad row (not JSON, not an object, no text, a date that is not a date) yields an ArticleError
that names the file and the row; the other rows are read as usual.
"""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from ..text import ArticleError
from .common import text_or_none, decode, parse_date
from .plain import build, headed

COLUMNS = {
    "text": ("text", "body", "content", "article", "full_text"),
    "date": ("date", "published", "published_at", "pubdate", "publication_date"),
    "title": ("title", "headline"),
    "url": ("url", "link"),
    "source": ("source", "outlet", "publication", "publisher", "agency"),
    "id": ("id", "article_id"),
}


def read_jsonl(raw: bytes, path: Path):
    text = decode(raw, path.name)
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield ArticleError(f"{path.name} row {number}: is not JSON ({exc.msg}, column {exc.colno})")
            continue
        if not isinstance(record, dict):
            yield ArticleError(f"{path.name} row {number}: must be a JSON object with a \"text\" field")
            continue
        yield _article(record, path, number)


def read_csv(raw: bytes, path: Path):
    text = decode(raw, path.name)
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
        fields = {(f or "").strip().lower() for f in reader.fieldnames or []}
    except csv.Error as exc:
        raise ArticleError(f"{path.name}: is not CSV ({exc})") from None
    if not fields & set(COLUMNS["text"]):
        raise ArticleError(f"{path.name}: has no text column; the first row must name one of "
                           f"{', '.join(COLUMNS['text'])}")
    number = 1
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield ArticleError(f"{path.name} row {reader.line_num}: is not CSV ({exc})")
            return  # the reader cannot resync after a broken quote
        number += 1
        if None in record:  # more cells than columns
            yield ArticleError(f"{path.name} row {number}: has {len(record) - 1 + len(record[None])} cells "
                               f"for {len(reader.fieldnames)} columns")
            continue
        yield _article(record, path, number)


def _article(record: dict, path: Path, number: int):
    where = f"{path.name} row {number}"
    fields = {str(k).strip().lower(): v for k, v in record.items()}

    def get(name):
        for column in COLUMNS[name]:
            value = fields.get(column)
            if value not in (None, ""):
                return value
        return None

    text = get("text")
    if not isinstance(text, str) or not text.strip():
        return ArticleError(f"{where}: has no text (a column named {' or '.join(COLUMNS['text'][:3])})")
    try:
        date = parse_date(get("date"), where)
        article_id = str(get("id")) if get("id") is not None else f"{path.stem}-{number}"
        text = text.replace("\r\n", "\n")
        title = text_or_none(get("title"))
        if title:
            text = headed(title, text)
        return build(text, article_id, path.name, title=title, date=date,
                     date_basis=f"the {'row' if path.suffix != '.csv' else 'CSV row'}'s date" if date else None,
                     outlet=text_or_none(get("source")), url=text_or_none(get("url")), row=number,
                     fmt="csv" if path.suffix.lower() == ".csv" else "jsonl")
    except ArticleError as exc:
        return exc if str(exc).startswith(where) else ArticleError(f"{where}: {exc}")

