"""Articles as text: paragraphs, sentences and tokens (the readers in readers/ make the Article).

Everything here is plain string processing with character offsets into the
article's full text, so every later fact can point back at its evidence.
Nothing here knows about RDF, stores or HTTP.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .dates import DateValue
    from .readers.datelines import Dateline

# A word (with inner hyphens or dots, e.g. Co-operation, Prime-News), an
# initialism with dots (U.S., D.C., U.N.), a possessive 's, a number, or one
# punctuation mark.
TOKEN = re.compile(
    r"(?:[A-Za-z]\.){2,}"            # U.S.  D.C.  U.K.
    r"|['’]s\b"                      # possessive
    r"|\d+(?:[.,]\d+)*"              # numbers
    r"|\w+(?:-\w+)*(?:['’](?!s\b)\w+)*"  # words, hyphenated words, O'Brien (not a possessive 's)
    r"|[^\w\s]"                      # punctuation
)


@dataclass
class Token:
    text: str
    start: int
    end: int
    index: int = 0

    @property
    def lower(self) -> str:
        return self.text.lower()

    @property
    def is_title(self) -> bool:
        return self.text[:1].isupper()


@dataclass
class Sentence:
    text: str
    start: int
    end: int
    tokens: list[Token]
    paragraph: int
    index: int = 0
    citation: "Citation | None" = None


@dataclass
class Citation:
    """A source citation such as "(Reuters, Russian agencies, February 23)"."""

    start: int
    end: int
    sources: list[str]
    date_text: str | None


@dataclass
class Article:
    """An article as a reader found it (mappings/readers): its text, where it came from, and what the
    reader knows of it. All offsets index into `text`; the body (what facts are read from) starts at
    `body_start`, after a Monitor header."""

    id: str
    text: str
    source_file: str
    publication: str | None  # the Monitor's name, an outlet, or a wire agency
    volume: int | None
    issue: int | None
    body_start: int
    paragraphs: list[tuple[int, int]] = field(default_factory=list)
    title: str | None = None
    url: str | None = None
    date: "DateValue | None" = None  # the article's own date, where the file states one
    date_basis: str | None = None  # where that date was read: front matter, page metadata, a row, the dateline
    dateline: "Dateline | None" = None  # a wire dateline at the head of the story (readers/datelines.py)
    place_line: tuple[int, int] | None = None  # the place of a date line ("Suva, 3 March 2014"), as offsets
    content_hash: str = ""  # the same words give the same hash (readers/common.py: content_hash)
    format: str = "text"  # text, html, jsonl or csv
    row: int | None = None  # the row of an export that held it


class ArticleError(ValueError):
    """The text is not an article the engine can read."""


def paragraphs(text: str, start: int):
    """(start, end) of each paragraph of `text` from `start`: blank lines part paragraphs."""
    for match in re.finditer(r"\S(?:.*?\S)?(?=\s*\n\s*\n|\s*$)", text[start:], re.DOTALL):
        yield start + match.start(), start + match.end()


def tokenize(text: str, offset: int = 0) -> list[Token]:
    return [Token(m.group(), offset + m.start(), offset + m.end()) for m in TOKEN.finditer(text)]


class SentenceSplitter:
    """Splits paragraphs into sentences, keeping abbreviations (Gen., Jan., U.S.) intact.

    `abbreviations` are words that take a period and do not end a sentence
    (``Gen``, ``Jan``); `starters` are words that, after an initialism such as
    ``U.S.``, show that a new sentence has begun.
    """

    # A line this short that breaks before a capital is a line of its own (a heading, a byline, a
    # "Vienna, 22 January 2021" line), not a hard-wrapped piece of a sentence: wrapped lines are longer.
    SHORT_LINE = 8

    def __init__(self, abbreviations, starters):
        self.abbreviations = {a.rstrip(".").lower() for a in abbreviations}
        self.starters = set(starters)

    def split(self, article: Article) -> list[Sentence]:
        sentences: list[Sentence] = []
        for number, (p_start, p_end) in enumerate(article.paragraphs):
            tokens = tokenize(article.text[p_start:p_end], p_start)
            begin = 0
            line_start = 0  # the first token of the current line
            for i, tok in enumerate(tokens):
                broken = i + 1 < len(tokens) and "\n" in article.text[tok.end:tokens[i + 1].start]
                short_line = broken and i + 1 - line_start <= self.SHORT_LINE and tokens[i + 1].text[:1].isupper()
                if broken:
                    line_start = i + 1
                if short_line or self._ends_sentence(tokens, i):
                    end = i + 1
                    # keep a closing quote or bracket with its sentence
                    while end < len(tokens) and tokens[end].text in "\"”’')":
                        end += 1
                    if end > begin:
                        sentences.append(self._sentence(article, tokens[begin:end], number))
                    begin = end
            if begin < len(tokens):
                sentences.append(self._sentence(article, tokens[begin:], number))
        merged = [s for s in sentences if s.tokens]
        for i, s in enumerate(merged):
            s.index = i
        return merged

    def _ends_sentence(self, tokens: list[Token], i: int) -> bool:
        tok = tokens[i]
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if tok.text in ("?", "!"):
            return True
        if tok.text == ".":
            prev = tokens[i - 1] if i else None
            if prev is not None and prev.end == tok.start:
                word = prev.text.lower()
                if word in self.abbreviations:
                    return False
                if len(prev.text) == 1 and prev.text.isupper():  # an initial: "John F. Kennedy"
                    return False
            return nxt is None or not nxt.text[:1].islower()
        if tok.text.endswith(".") and len(tok.text) > 1:  # an initialism such as U.S.
            return nxt is not None and nxt.text in self.starters
        return False

    @staticmethod
    def _sentence(article: Article, tokens: list[Token], paragraph: int) -> Sentence:
        start, end = tokens[0].start, tokens[-1].end
        return Sentence(article.text[start:end], start, end, tokens, paragraph)
