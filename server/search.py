"""Label and alias search: an in-memory index of normalised tokens (no Flask, no store).

The index is built from three SELECTs (types, labels, aliases; ``LabelIndex.from_pool``)
and kept in the server process. A search never touches the store: the last
query token is matched as a prefix by bisecting a sorted list of
``(token, entry)`` pairs, the others must be prefixes of some token of the same
name. ``Searcher`` rebuilds the index when the store's generation changes (after
a write), so results never lag behind an ingest.
"""
from __future__ import annotations

import bisect
import re
import threading
import unicodedata
from dataclasses import dataclass

DIP = "https://w3id.org/communique/ontology#"
# Classes searched, in the order results of equal quality are shown.
CLASSES = ["Person", "State", "Organization", "Place", "Treaty", "Article"]
_RANK = {c: i for i, c in enumerate(CLASSES)}
_WORD = re.compile(r"[^\W_]+")


def normalise(text: str) -> str:
    """Case-folded, accents removed: ``Évguéni`` → ``evgueni``."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def tokens(text: str) -> list[str]:
    return _WORD.findall(normalise(text))


@dataclass
class Entry:
    iri: str
    label: str  # the preferred label (rdfs:label)
    type: str  # the local name of its dip: class
    names: list[str]  # label and aliases as written
    name_tokens: list[list[str]]  # tokens of each name
    name_norm: list[str]  # each name normalised, tokens joined by spaces


@dataclass
class Hit:
    iri: str
    label: str
    type: str
    matched: str  # the name (label or alias) that matched

    def as_dict(self) -> dict:
        return {"iri": self.iri, "label": self.label, "type": self.type, "matched": self.matched}


class LabelIndex:
    # Three single-pattern scans, joined here: an entity's description is repeated in every
    # article graph that mentions it, so joining them in SPARQL multiplies the rows.
    _PREFIXES = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
    TYPES = _PREFIXES + f"""SELECT DISTINCT ?s ?type WHERE {{
  VALUES ?type {{ {" ".join(f"<{DIP}{c}>" for c in CLASSES)} }} ?s a ?type }}"""
    LABELS = _PREFIXES + "SELECT DISTINCT ?s ?label WHERE { ?s rdfs:label ?label }"
    ALIASES = _PREFIXES + "SELECT DISTINCT ?s ?alt WHERE { ?s skos:altLabel ?alt }"

    def __init__(self, rows=()):
        """rows: (iri, type IRI or local name, label, alias or None)."""
        entries: dict[str, Entry] = {}
        for iri, type_, label, alt in rows:
            type_ = type_.rsplit("#", 1)[-1]
            e = entries.get(iri)
            if e is None:
                e = entries[iri] = Entry(iri, label, type_, [], [], [])
                self._add_name(e, label)
            elif _RANK.get(type_, 99) < _RANK.get(e.type, 99):
                e.type = type_  # a State is also a Place: show it as a State
            if alt:
                self._add_name(e, alt)
        self.entries = list(entries.values())
        self.label_of = {e.iri: e.label for e in self.entries}  # spares the pages a label query
        pairs = set()
        for i, e in enumerate(self.entries):
            for toks in e.name_tokens:
                for t in toks:
                    pairs.add((t, i))
        self._pairs = sorted(pairs)
        self._keys = [t for t, _ in self._pairs]

    @staticmethod
    def _add_name(e: Entry, name: str):
        if name in e.names:
            return
        toks = tokens(name)
        if not toks:
            return
        e.names.append(name)
        e.name_tokens.append(toks)
        e.name_norm.append(" ".join(toks))

    @classmethod
    def from_pool(cls, pool) -> "LabelIndex":
        types: dict[str, list[str]] = {}
        for b in pool.select(cls.TYPES):
            types.setdefault(b["s"]["value"], []).append(b["type"]["value"])
        labels = {b["s"]["value"]: b["label"]["value"] for b in pool.select(cls.LABELS) if b["s"]["value"] in types}
        aliases: dict[str, list[str]] = {}
        for b in pool.select(cls.ALIASES):
            if b["s"]["value"] in labels:
                aliases.setdefault(b["s"]["value"], []).append(b["alt"]["value"])

        def rows():
            for iri, label in labels.items():
                for t in types[iri]:
                    yield iri, t, label, None
                for alt in sorted(aliases.get(iri, ())):
                    yield iri, types[iri][0], label, alt

        return cls(rows())

    def __len__(self) -> int:
        return len(self.entries)

    def _prefixed(self, prefix: str) -> set[int]:
        lo = bisect.bisect_left(self._keys, prefix)
        hi = bisect.bisect_left(self._keys, prefix + "\U0010ffff")
        return {i for _, i in self._pairs[lo:hi]}

    def search(self, query: str, limit: int = 20) -> list[Hit]:
        """Entries whose label or one alias has, for every query token, a token starting with it."""
        q = tokens(query)
        if not q:
            return []
        # candidates from the longest query token (the most selective), checked against the rest
        pivot = max(q, key=len)
        scored = []
        for i in self._prefixed(pivot):
            e = self.entries[i]
            best = None
            for n, toks in enumerate(e.name_tokens):
                if all(any(t.startswith(w) for t in toks) for w in q):
                    score = _score(q, toks, e.name_norm[n], n == 0)
                    if best is None or score < best[0]:
                        best = (score, n)
            if best is not None:
                # entities before articles (every article's name starts with its publication)
                scored.append((e.type == "Article", best[0], _RANK.get(e.type, 99), len(e.label), e.label, i, best[1]))
        scored.sort()
        return [Hit(self.entries[i].iri, self.entries[i].label, self.entries[i].type, self.entries[i].names[n])
                for *_, i, n in scored[:limit]]


def _score(q: list[str], toks: list[str], norm: str, preferred: bool) -> int:
    """Lower is better: whole name, then name starting with the query, then whole words, then prefixes."""
    phrase = " ".join(q)
    if norm == phrase:
        s = 0
    elif norm.startswith(phrase):
        s = 1
    elif all(w in toks for w in q):
        s = 2
    else:
        s = 3
    return s * 2 + (0 if preferred else 1)


class Searcher:
    """The index for a QueryPool, rebuilt when the pool's generation changes."""

    def __init__(self, pool):
        self.pool = pool
        self._index: LabelIndex | None = None
        self._generation = None
        self._lock = threading.Lock()

    def index(self) -> LabelIndex:
        generation = self.pool.generation
        if self._index is not None and self._generation == generation:
            return self._index
        with self._lock:
            if self._index is None or self._generation != generation:
                self._index = LabelIndex.from_pool(self.pool)
                self._generation = generation
        return self._index

    def search(self, query: str, limit: int = 20) -> list[Hit]:
        return self.index().search(query, limit)
