"""Label and alias search: an in-memory index of normalised tokens (no Flask, no store).

The index is built from three SELECTs (types, labels, aliases; ``LabelIndex.from_pool``)
and kept in the server process. A search never touches the store: the last
query token is matched as a prefix by bisecting a sorted list of
``(token, entry)`` pairs, the others must be prefixes of some token of the same
name. When that finds fewer than asked, typos are forgiven: each query token of
four letters or more may match a name token by edit distance (rapidfuzz's
normalised Indel similarity, ``FUZZY_CUTOFF``), so ``primakof`` finds Primakov.
``Searcher`` rebuilds the index when the store's generation changes (after
a write), so results never lag behind an ingest.
"""
from __future__ import annotations

import bisect
import re
import threading
import unicodedata
from dataclasses import dataclass

from rapidfuzz import fuzz, process

DIP = "https://w3id.org/communique/ontology#"
# Classes searched, in the order results of equal quality are shown.
CLASSES = ["Person", "State", "Organization", "Place", "Treaty", "Article"]
_RANK = {c: i for i, c in enumerate(CLASSES)}
_WORD = re.compile(r"[^\W_]+")
FUZZY_CUTOFF = 75  # least similarity (0-100) of a misspelt token to a name token
FUZZY_MIN_LENGTH = 4  # shorter query tokens must be prefixes: "ivan" should not find "iran"


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
    fuzzy: bool = False  # matched only with a typo forgiven
    score: float = 100.0  # how close the matched name's tokens are to the query's (100: every one a prefix)

    def as_dict(self) -> dict:
        return {"iri": self.iri, "label": self.label, "type": self.type, "matched": self.matched,
                "fuzzy": self.fuzzy}


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
        self._vocab = sorted(set(self._keys))  # each distinct name token once, for the fuzzy match

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

    def search(self, query: str, limit: int = 20, fuzzy: bool = True) -> list[Hit]:
        """Entries whose label or one alias has, for every query token, a token starting with it;
        then, if fewer than ``limit``, those that match with typos forgiven (``fuzzy``)."""
        q = tokens(query)
        if not q:
            return []
        hits = self._prefix_search(q, limit)
        if fuzzy and len(hits) < limit and any(len(w) >= FUZZY_MIN_LENGTH for w in q):
            seen = {h.iri for h in hits}
            hits += [h for h in self._fuzzy_search(q, limit) if h.iri not in seen][:limit - len(hits)]
        return hits

    def _prefix_search(self, q: list[str], limit: int) -> list[Hit]:
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

    def _token_matches(self, w: str) -> dict[str, float]:
        """Name tokens a query token may stand for, with their similarity: prefixes 100, typos less."""
        lo = bisect.bisect_left(self._vocab, w)
        hi = bisect.bisect_left(self._vocab, w + "\U0010ffff")
        found = {t: 100.0 for t in self._vocab[lo:hi]}
        if len(w) >= FUZZY_MIN_LENGTH:
            for t, score, _ in process.extract(w, self._vocab, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF,
                                               limit=200):
                found.setdefault(t, score)
        return found

    def _fuzzy_search(self, q: list[str], limit: int) -> list[Hit]:
        """Entries one of whose names has, for every query token, a token close to it."""
        matches = [self._token_matches(w) for w in q]
        if not all(matches):
            return []
        candidates: set[int] | None = None
        for m in matches:  # entries holding a close token for every query token
            found = set()
            for t in m:
                lo = bisect.bisect_left(self._keys, t)
                hi = bisect.bisect_right(self._keys, t)
                found.update(i for _, i in self._pairs[lo:hi])
            candidates = found if candidates is None else candidates & found
            if not candidates:
                return []
        scored = []
        for i in candidates:
            e = self.entries[i]
            best = None
            for n, toks in enumerate(e.name_tokens):
                per_token = [max((m[t] for t in toks if t in m), default=None) for m in matches]
                if None in per_token:
                    continue
                score = sum(per_token) / len(per_token)
                if best is None or score > best[0]:
                    best = (score, n)
            if best is not None:
                scored.append((-best[0], e.type == "Article", _RANK.get(e.type, 99), len(e.label), e.label, i, best[1]))
        scored.sort()
        return [Hit(self.entries[i].iri, self.entries[i].label, self.entries[i].type, self.entries[i].names[n],
                    fuzzy=True, score=round(-neg, 1))
                for neg, *_, i, n in scored[:limit]]


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

    def search(self, query: str, limit: int = 20, fuzzy: bool = True) -> list[Hit]:
        return self.index().search(query, limit, fuzzy)
