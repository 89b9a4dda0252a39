"""The gazetteer: known actors, places and treaties, read from YAML and compiled
into one Aho–Corasick automaton, so matching costs the same whatever its size.

Each YAML file under ``mappings/gazetteer/`` is a list of entries; the format
is documented in ``mappings/README.md``.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import ahocorasick

from . import yamlio

TYPES = ("Person", "State", "Organization", "Place", "Treaty")
QID = re.compile(r"^Q[1-9][0-9]*$")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
KNOWN_KEYS = {
    "id", "type", "label", "aliases", "descriptions", "wikidata", "source", "demonyms", "capital",
    "country", "metonym_for", "kind", "of", "roles", "year", "parties", "note", "surnames", "wikidata_alt",
    "iso2", "former_capitals", "medium", "multilateral", "coordinates", "coordinates_source",
}


class GazetteerError(ValueError):
    """A gazetteer file is malformed; the message names the file and entry."""


@dataclass
class Role:
    title: str
    of: str | None = None
    start: int | None = None
    end: int | None = None

    def active(self, year: int | None) -> bool:
        if year is None:
            return True
        return (self.start is None or self.start <= year) and (self.end is None or year <= self.end)


@dataclass
class Entry:
    id: str
    type: str
    label: str
    aliases: list[str] = field(default_factory=list)
    descriptions: list[str] = field(default_factory=list)
    wikidata: str | None = None
    source: str | None = None
    demonyms: list[str] = field(default_factory=list)
    capital: str | None = None
    country: str | None = None
    metonym_for: str | None = None
    kind: str | None = None
    of: str | None = None
    roles: list[Role] = field(default_factory=list)
    year: int | None = None
    parties: list[str] = field(default_factory=list)
    surnames: list[str] = field(default_factory=list)
    wikidata_alt: list[str] = field(default_factory=list)
    coordinates: tuple[float, float] | None = None  # (latitude, longitude), WGS 84, with its source
    coordinates_source: str | None = None
    file: str = ""

    @property
    def names(self) -> list[str]:
        return [self.label, *self.aliases]

    @property
    def is_actor(self) -> bool:
        return self.type in ("Person", "State", "Organization")


def fold(text: str) -> str:
    """Lower-case, strip accents and unify apostrophes and dashes, keeping the length."""
    out = []
    for ch in text:
        base = unicodedata.normalize("NFKD", ch)
        base = "".join(c for c in base if not unicodedata.combining(c)) or ch
        base = base[0] if len(base) >= 1 else ch
        if base in "’‘`":
            base = "'"
        elif base in "‐‑‒–—":
            base = "-"
        out.append(base.lower())
    return "".join(out)


@dataclass
class Hit:
    start: int
    end: int
    entry: Entry
    alias: str
    kind: str  # "name", "demonym" or "description"


class Gazetteer:
    def __init__(self, entries: list[Entry]):
        self.entries = {e.id: e for e in entries}
        self._automaton = ahocorasick.Automaton()
        self._surnames: dict[str, list[Entry]] = {}
        self.capital_of: dict[str, str] = {}
        keys: dict[str, list[tuple[Entry, str, str]]] = {}
        for e in entries:
            for name in e.names:
                keys.setdefault(fold(name), []).append((e, name, "name"))
            for name in e.demonyms:
                keys.setdefault(fold(name), []).append((e, name, "demonym"))
            for name in e.descriptions:
                keys.setdefault(fold(name), []).append((e, name, "description"))
            if e.type == "Person":
                for surname in {e.label.split()[-1], *e.surnames, *(a.split()[-1] for a in e.aliases if " " in a)}:
                    bucket = self._surnames.setdefault(surname, [])
                    if e not in bucket:
                        bucket.append(e)
            if e.type == "State" and e.capital:
                self.capital_of[e.capital] = e.id
        for key, values in keys.items():
            self._automaton.add_word(key, (len(key), values))
        if keys:
            self._automaton.make_automaton()
        self._empty = not keys

    GENERIC = {"treaty", "treaties", "agreement", "agreements", "accord", "accords", "convention", "pact",
               "protocol", "act", "charter", "declaration", "memorandum", "document", "deal", "the", "of", "on",
               "and", "for", "in", "between", "with", "to", "a", "an", "by", "its", "their", "new", "joint",
               "federation", "republic", "union", "state", "states", "united", "limitation", "reduction",
               "nuclear", "arms", "weapons", "strategic", "forces", "military", "cooperation", "partnership",
               "friendship", "relations", "mutual", "principles", "basic"}

    def _treaty_words(self):
        """Word → the treaties whose names hold it, for the words that tell few treaties apart."""
        if not hasattr(self, "_twords"):
            index: dict[str, set[str]] = {}
            for e in self.entries.values():
                if e.type != "Treaty":
                    continue
                for name in e.names:
                    for w in name.replace("-", " ").replace("–", " ").split():
                        w = w.strip(",.()'’").lower()
                        if w.isalpha() and len(w) > 2 and w not in self.GENERIC:
                            index.setdefault(w, set()).add(e.id)
            self._twords = {w: ids for w, ids in index.items() if len(ids) <= 2}  # in three or more: a topic word
            # a place's name ("Mexico", "Japan") tells a treaty apart only with a second word:
            # "an agreement with Mexico" is not, by itself, the one treaty whose name holds "Mexico"
            self._place_words = {w.lower() for e in self.entries.values() if e.type in ("State", "Place")
                                 for name in e.names for w in name.split()}
        return self._twords

    def treaty_by_words(self, words: set[str], required: set[str] | None = None,
                        proper: set[str] | None = None) -> str | None:
        """The one treaty whose names share two distinctive words with `words`, or one word that names
        no other treaty; None when no treaty, or more than one, fits. With `required`, one of the
        shared words must be among them. With `proper` (the words the text capitalises), one word
        alone fits only when it is a proper noun there: "a landmark treaty" names no treaty."""
        index = self._treaty_words()
        score: dict[str, list[str]] = {}
        for w in words:
            for tid in index.get(w, ()):
                score.setdefault(tid, []).append(w)
        fits = [tid for tid, ws in score.items()
                if (len(ws) >= 2 or any(len(index[w]) == 1 and w not in self._place_words
                                        and (proper is None or w in proper) for w in ws))
                and (required is None or any(w in required for w in ws))]
        if not fits:
            return None
        best = max(len(score[t]) for t in fits)
        top = [t for t in fits if len(score[t]) == best]
        return top[0] if len(top) == 1 else None

    def __len__(self):
        return len(self.entries)

    def get(self, entry_id: str) -> Entry | None:
        return self.entries.get(entry_id)

    def metonym_target(self, entry: Entry) -> Entry | None:
        """The state a place name stands for when used as an actor (Moscow → Russia)."""
        target = entry.metonym_for or self.capital_of.get(entry.id)
        return self.entries.get(target) if target else None

    def by_surname(self, surname: str) -> list[Entry]:
        return self._surnames.get(surname, [])

    def find(self, text: str) -> list[Hit]:
        """All matches in `text` at word boundaries, leftmost-longest, not overlapping."""
        if self._empty:
            return []
        folded = fold(text)
        candidates: list[Hit] = []
        for end_index, (length, values) in self._automaton.iter(folded):
            start, end = end_index - length + 1, end_index + 1
            if not _at_boundary(folded, start, end):
                continue
            surface = text[start:end]
            for entry, name, kind in values:
                if _case_ok(name, surface, kind):
                    candidates.append(Hit(start, end, entry, name, kind))
                    break
        candidates.sort(key=lambda h: (h.start, -(h.end - h.start)))
        hits, last_end = [], -1
        for hit in candidates:
            if hit.start >= last_end:
                hits.append(hit)
                last_end = hit.end
        return hits


def _at_boundary(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    if before.isalnum() or before in "-":
        return False
    if after.isalnum() or (after == "-" and end + 1 < len(text) and text[end + 1].isalnum()):
        return False
    # "U.S." inside "U.S.S.R." or a name followed by ".x"
    if after == "." and end + 1 < len(text) and text[end + 1].isalpha():
        return False
    return True


def _case_ok(name: str, surface: str, kind: str) -> bool:
    """Proper names must be capitalised as in the text; short acronyms must match exactly."""
    if kind == "description":
        return True
    letters = [c for c in name if c.isalpha()]
    if letters and all(c.isupper() for c in letters) and len(letters) <= 5:
        return surface.replace("’", "'") == name.replace("’", "'")
    return surface[:1].isupper() or not name[:1].isupper()


def load(directory: str | Path) -> Gazetteer:
    entries: list[Entry] = []
    errors: list[str] = []
    for path, data in yamlio.load_dir(directory, "gazetteer", GazetteerError):
        data = data or []
        if not isinstance(data, list):
            raise GazetteerError(f"{path.name}: must be a list of entries")
        for n, raw in enumerate(data, 1):
            try:
                entries.append(_entry(raw, path.name))
            except GazetteerError as exc:
                errors.append(f"{path.name}, entry {n}: {exc}")
    seen: dict[str, str] = {}
    for e in entries:
        if e.id in seen:
            errors.append(f"{e.file}: id {e.id!r} is already used in {seen[e.id]}")
        seen[e.id] = e.file
    for e in entries:
        for key in ("capital", "country", "metonym_for", "of"):
            ref = getattr(e, key)
            if ref and ref not in seen:
                errors.append(f"{e.file}: {e.id}: {key} {ref!r} is not a gazetteer id")
        for ref in e.parties + [r.of for r in e.roles if r.of]:
            if ref not in seen:
                errors.append(f"{e.file}: {e.id}: {ref!r} is not a gazetteer id")
    if errors:
        raise GazetteerError("the gazetteer has errors:\n  " + "\n  ".join(errors))
    return Gazetteer(entries)


def _entry(raw, file: str) -> Entry:
    if not isinstance(raw, dict):
        raise GazetteerError("must be a mapping")
    unknown = set(raw) - KNOWN_KEYS
    if unknown:
        raise GazetteerError(f"unknown key(s) {sorted(unknown)}")
    for key in ("id", "type", "label"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise GazetteerError(f"needs a non-empty {key!r}")
    if not SLUG.match(raw["id"]):
        raise GazetteerError(f"id {raw['id']!r} must be lower-case words joined by '-'")
    if raw["type"] not in TYPES:
        raise GazetteerError(f"{raw['id']}: type {raw['type']!r} is not one of {', '.join(TYPES)}")
    qid = raw.get("wikidata")
    if qid is not None:
        if not (isinstance(qid, str) and QID.match(qid)):
            raise GazetteerError(f"{raw['id']}: wikidata {qid!r} is not a QID like Q159")
        if not raw.get("source"):
            raise GazetteerError(f"{raw['id']}: wikidata {qid} needs a 'source' saying where it was verified")
    coordinates = _coordinates(raw)
    for key in ("aliases", "descriptions", "demonyms", "parties", "surnames", "wikidata_alt"):
        value = raw.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise GazetteerError(f"{raw['id']}: {key!r} must be a list of strings")
    roles = []
    for r in raw.get("roles") or []:
        if not isinstance(r, dict) or not isinstance(r.get("title"), str):
            raise GazetteerError(f"{raw['id']}: each role needs a 'title'")
        roles.append(Role(r["title"], r.get("of"), r.get("from"), r.get("to")))
    return Entry(
        id=raw["id"], type=raw["type"], label=raw["label"].strip(),
        aliases=[a.strip() for a in raw.get("aliases", [])],
        descriptions=[d.strip() for d in raw.get("descriptions", [])],
        wikidata=qid, source=raw.get("source"), demonyms=raw.get("demonyms", []),
        capital=raw.get("capital"), country=raw.get("country"), metonym_for=raw.get("metonym_for"),
        kind=raw.get("kind"), of=raw.get("of"), roles=roles, year=raw.get("year"),
        parties=raw.get("parties", []), surnames=raw.get("surnames", []),
        wikidata_alt=raw.get("wikidata_alt", []), coordinates=coordinates,
        coordinates_source=raw.get("coordinates_source") if coordinates else None, file=file,
    )


def _coordinates(raw: dict) -> tuple[float, float] | None:
    """``coordinates: [lat, lon]`` (WGS 84 degrees), only with the QID it was taken for and a source."""
    value = raw.get("coordinates")
    if value is None:
        if raw.get("coordinates_source"):
            raise GazetteerError(f"{raw['id']}: 'coordinates_source' without 'coordinates'")
        return None
    if not (isinstance(value, list) and len(value) == 2
            and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)):
        raise GazetteerError(f"{raw['id']}: coordinates must be [latitude, longitude], not {value!r}")
    lat, lon = float(value[0]), float(value[1])
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise GazetteerError(f"{raw['id']}: coordinates [{lat}, {lon}] are not a latitude (-90…90) "
                             "and a longitude (-180…180)")
    if not raw.get("coordinates_source"):
        raise GazetteerError(f"{raw['id']}: coordinates need a 'coordinates_source' saying where they were taken")
    if not raw.get("wikidata"):
        raise GazetteerError(f"{raw['id']}: coordinates are taken for a QID: the entry needs its 'wikidata'")
    return lat, lon
