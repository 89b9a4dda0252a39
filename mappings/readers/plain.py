"""Plain-text articles: a Monitor item, a wire story, a text with YAML front matter.

    ---                                  front matter (optional): title, date, source (or outlet,
    title: Leaders meet in Nairobi       publication), url, id; other keys are kept out of the text
    date: 2005-01-09
    source: The Daily Meridian
    ---
    NAIROBI, Jan. 9 (Reuters) - …        a wire dateline (optional), see datelines.py

A Monitor item starts with its header line, `Publication: Monitor Volume: 5 Issue: 39`.
The front matter is not part of the article's text, but its title is: it becomes the first
paragraph, as a page's headline is. A Monitor header stays in the text (its offsets stay as the
file has them), and the body starts after it.
"""
from __future__ import annotations

import re
from pathlib import Path

import yaml

from .. import yamlio
from ..dates import DateValue, valid_day
from ..text import Article, ArticleError, paragraphs
from . import datelines
from .common import text_or_none, check_id, content_hash, decode, parse_date

HEADER = re.compile(
    r"^\s*Publication:\s*(?P<publication>.+?)\s+Volume:\s*(?P<volume>\d+)\s+Issue:\s*(?P<issue>\d+)\s*$",
    re.MULTILINE,
)
FRONT_MATTER = re.compile(r"\A\s*---[ \t]*\n(?P<yaml>.*?\n)?---[ \t]*(?:\n|\Z)", re.DOTALL)
DATE_LINE = re.compile(r"^(?:(?:Published|Updated|Posted|Last updated)(?: on)?:?\s+"  # "Published 4:12 PM GMT, …"
                       r"(?:\d{1,2}[:.]\d{2}\s*(?:[AaPp]\.?[Mm]\.?)?\s*(?:[A-Z]{2,4}\s*)?,?\s+)?)?"
                       r"(?:(?P<place>[A-Z][\w'’.\-]*(?: [A-Z][\w'’.\-]*){0,3}),\s+)?"  # "Suva, 3 March 2014": a place first
                       r"(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s+)?(?P<date>[A-Z][a-z]+\.? \d{1,2},? \d{4}"
                       r"|\d{1,2} [A-Z][a-z]+ \d{4}|\d{4}-\d{2}-\d{2})$")
YEAR_IN_TEXT = re.compile(r"(?<!\bby )(?<!\buntil )(?<!\bbefore )(?<!\bthrough )\b(19[4-9]\d|20[0-4]\d)\b(?![-–]\d)")
SOURCE_KEYS = ("source", "outlet", "publication", "publisher", "agency")


def read(raw: bytes, path: Path):
    text = decode(raw, path.name)
    yield parse_text(text, path.stem, path.name)


def parse_text(text: str, article_id: str, source_file: str) -> Article:
    """A plain-text article, with its front matter, if any, read and taken out of the text."""
    meta = {}
    fm = FRONT_MATTER.match(text)
    if fm:
        try:
            meta = yamlio.loads_text(fm["yaml"] or "") or {}
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = f" (line {mark.line + 2})" if mark else ""
            raise ArticleError(f"{source_file}: the front matter is not valid YAML{line}: "
                               f"{getattr(exc, 'problem', None) or exc}") from None
        if not isinstance(meta, dict):
            raise ArticleError(f"{source_file}: the front matter must be 'key: value' lines "
                               "(title, date, source, url)")
        text = text[fm.end():]
        if text_or_none(meta.get("title")):
            text = headed(text_or_none(meta["title"]), text)
    date = parse_date(meta.get("date"), f"{source_file}: front matter")
    source = next((str(meta[k]) for k in SOURCE_KEYS if meta.get(k)), None)
    if meta.get("id") is not None:
        article_id = check_id(str(meta["id"]), f"{source_file}: front matter id")
    return build(text, article_id, source_file, title=text_or_none(meta.get("title")), date=date,
                 date_basis="the front matter's date" if date else None,
                 outlet=source, url=text_or_none(meta.get("url")))


def parse_article(text: str, article_id: str, source_file: str | None = None) -> Article:
    """A plain-text article from a string (front matter, header and dateline as in a file)."""
    return parse_text(text, check_id(article_id, source_file or article_id), source_file or f"{article_id}.txt")


def build(text: str, article_id: str, source_file: str, *, title: str | None = None,
          date: DateValue | None = None, date_basis: str | None = None, outlet: str | None = None,
          url: str | None = None, row: int | None = None, fmt: str = "text") -> Article:
    """The Article for a text whatever it was read from: its Monitor header, dateline and paragraphs."""
    where = f"{source_file} row {row}" if row is not None else source_file
    check_id(article_id, where)
    if "\x00" in text:
        raise ArticleError(f"{where}: contains NUL bytes; is it a binary file?")
    if not text.strip():
        raise ArticleError(f"{where}: is empty")
    header = HEADER.search(text[:500])
    publication = volume = issue = None
    body_start = 0
    if header:
        publication = header["publication"].strip()
        volume, issue = int(header["volume"]), int(header["issue"])
        body_start = header.end()
    article = Article(article_id, text, source_file, publication or outlet, volume, issue, body_start)
    article.paragraphs = list(paragraphs(text, body_start))
    if not article.paragraphs:
        raise ArticleError(f"{where}: has a header but no text")
    article.title, article.url, article.row, article.format = title, url, row, fmt
    article.content_hash = content_hash(text[body_start:])
    for p_start, _ in article.paragraphs[:3]:  # a byline or a "Published …" line may come first
        article.dateline = datelines.find(text, p_start)
        if article.dateline:
            break
    if date is None:  # a date line at the head: "Monday, July 11, 1994", "Suva, 3 March 2014" as a line of its own
        head_lines = [ln.strip() for p_start, p_end in article.paragraphs[:6] for ln in text[p_start:p_end].split("\n")]
        for ln in head_lines[:8]:  # a release's letterhead, its kind and its headline may come first
            line = DATE_LINE.match(ln)
            if line:
                try:
                    date = parse_date(line["date"], where)
                except ArticleError:
                    date = None
                if date is not None and date.day is not None:
                    date_basis = f"the date line ({ln})"
                    if line["place"] and article.dateline is None:  # where the release was issued: what "here" is
                        at = text.find(ln, body_start) + line.start("place")
                        article.place_line = (at, at + len(line["place"]))
                    break
                date = None
    dl = article.dateline
    if date is None and dl is not None and dl.date() is not None:
        date, date_basis = dl.date(), f"the dateline ({dl.date_text})"
    elif date is None and dl is not None and dl.month and dl.day and dl.year is None:
        # "MURMANSK, September 15. /ITAR-TASS/." and nothing else dated: the latest year the story names
        # ("the 2010 treaty"), not one it looks ahead to ("by 2030")
        years = [int(m.group(1)) for m in YEAR_IN_TEXT.finditer(text, dl.end)]
        if years and valid_day(max(years), dl.month, dl.day):
            date = DateValue(max(years), dl.month, dl.day)
            date_basis = f"the dateline ({dl.date_text}), with the latest year the text names ({max(years)})"
    if dl is not None and dl.agency and not article.publication:
        article.publication = dl.agency
    article.date, article.date_basis = date, date_basis
    if dl is not None and dl.date_text and dl.year is None and date is not None:
        # "NAIROBI, July 7 (Xinhua) --" with the year from the front matter
        article.dateline.year = date.year
    return article


def headed(title: str, text: str) -> str:
    """The text with its headline as its first paragraph: the headline is part of what the article
    says (its names are mentions), unless the text already opens with it."""
    body = text.lstrip("\n")
    return body if body.startswith(title) else f"{title}\n\n{body}"

