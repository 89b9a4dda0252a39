"""Full-text search over the articles' text: SQLite FTS5 from the standard library (no Flask, no store).

The index lives in memory, in the server process: one row per article (its IRI, label, date and
``schema:text``), built from one SELECT (``TextIndex.from_pool``) and rebuilt by ``TextSearcher``
when the store's generation changes (after a write). Case and accents are folded by FTS5's
``unicode61`` tokenizer (``remove_diacritics 2``); results are ranked by BM25, the label weighing
twice the text. A query's words are all required and the last one may be a prefix
(``primak`` finds "Primakov"); the words come from ``search.tokens``, so nothing the user types
reaches FTS5's query syntax.
"""
from __future__ import annotations

import sqlite3
import threading
import time
from dataclasses import dataclass

from markupsafe import Markup, escape

from .search import tokens

OPEN, CLOSE = "\x02", "\x03"  # snippet() marks, never in stored text


@dataclass
class TextHit:
    iri: str
    label: str
    date: str | None
    snippet: str  # the matched passage, with OPEN/CLOSE around each matched word

    @property
    def snippet_text(self) -> str:
        return self.snippet.replace(OPEN, "").replace(CLOSE, "")

    @property
    def snippet_html(self) -> Markup:
        """The passage escaped, each matched word in ``<mark>``."""
        return Markup(str(escape(self.snippet)).replace(OPEN, "<mark>").replace(CLOSE, "</mark>"))

    def as_dict(self) -> dict:
        return {"iri": self.iri, "label": self.label, "date": self.date, "snippet": self.snippet_text,
                "snippet_html": str(self.snippet_html)}


def match_expression(query: str) -> str | None:
    """The FTS5 MATCH text for a user's query: every word required, the last one as a prefix."""
    words = tokens(query)
    if not words:
        return None
    return " ".join(f'"{w}"' for w in words[:-1]) + (" " if len(words) > 1 else "") + f'"{words[-1]}"*'


class TextIndex:
    QUERY = """PREFIX dip: <https://w3id.org/communique/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX schema: <https://schema.org/>
SELECT ?a ?label ?text ?date WHERE {
  { SELECT DISTINCT ?a ?text WHERE { ?a a dip:Article ; schema:text ?text } }
  OPTIONAL { ?a rdfs:label ?label } OPTIONAL { ?a dip:date ?date } }"""

    def __init__(self, rows=()):
        """rows: (iri, label, text, date or None)."""
        started = time.perf_counter()
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._lock = threading.Lock()
        self._db.execute("CREATE VIRTUAL TABLE articles USING fts5(iri UNINDEXED, date UNINDEXED, label, body, "
                         "tokenize = 'unicode61 remove_diacritics 2')")
        seen = set()
        batch = []
        for iri, label, text, date in rows:
            if iri in seen:  # an article with two labels or dates: its first row
                continue
            seen.add(iri)
            clean = (text or "").replace(OPEN, " ").replace(CLOSE, " ")
            batch.append((iri, date, (label or "").replace(OPEN, " ").replace(CLOSE, " "), clean))
        self._db.executemany("INSERT INTO articles (iri, date, label, body) VALUES (?, ?, ?, ?)", batch)
        self._db.commit()
        self.size = len(batch)
        self.build_seconds = time.perf_counter() - started

    @classmethod
    def from_pool(cls, pool) -> "TextIndex":
        def rows():
            for b in pool.select(cls.QUERY):
                yield (b["a"]["value"], b.get("label", {}).get("value"), b["text"]["value"],
                       b.get("date", {}).get("value"))

        return cls(rows())

    def __len__(self) -> int:
        return self.size

    def search(self, query: str, limit: int = 10, offset: int = 0) -> tuple[int, list[TextHit]]:
        """(how many articles match, the ``limit`` best from ``offset``), best first."""
        expression = match_expression(query)
        if expression is None:
            return 0, []
        with self._lock:
            total = self._db.execute("SELECT count(*) FROM articles WHERE articles MATCH ?", (expression,)).fetchone()[0]
            found = self._db.execute(
                "SELECT iri, label, date, snippet(articles, 3, ?, ?, '…', 16) FROM articles "
                "WHERE articles MATCH ? ORDER BY bm25(articles, 0, 0, 2.0, 1.0) LIMIT ? OFFSET ?",
                (OPEN, CLOSE, expression, limit, offset)).fetchall()
        return total, [TextHit(iri, label or iri, date, snippet) for iri, label, date, snippet in found]


class TextSearcher:
    """The text index for a QueryPool, rebuilt when the pool's generation changes."""

    def __init__(self, pool):
        self.pool = pool
        self._index: TextIndex | None = None
        self._generation = None
        self._lock = threading.Lock()

    def index(self) -> TextIndex:
        generation = self.pool.generation
        if self._index is not None and self._generation == generation:
            return self._index
        with self._lock:
            if self._index is None or self._generation != generation:
                self._index = TextIndex.from_pool(self.pool)
                self._generation = generation
        return self._index

    def search(self, query: str, limit: int = 10, offset: int = 0) -> tuple[int, list[TextHit]]:
        return self.index().search(query, limit, offset)
