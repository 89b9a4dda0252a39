"""What extraction produces: entities, mentions, facts with evidence, and the units rules match.

Plain data, no logic beyond small helpers; shared by the engine, the graph builder and the explainer.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from .dates import DateValue
from .text import Article, Sentence

ACTOR_TYPES = ("Person", "State", "Organization")
DETERMINERS = {"the", "a", "an", "his", "her", "their", "its", "this", "that", "these", "those"}


def slugify(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "unnamed"


# --- what the engine produces ---------------------------------------------


@dataclass
class Entity:
    """An entity as the article's graph describes it."""

    kind: str  # person, state, organization, place, treaty
    slug: str
    type: str  # Person, State, Organization, Place, Treaty
    label: str
    aliases: list[str] = field(default_factory=list)
    wikidata: str | None = None
    country: str | None = None  # key of a State entity, for places
    roles: list[tuple[str, str | None]] = field(default_factory=list)  # (title, affiliation key)
    kind_of: str | None = None  # the gazetteer's kind (legislature, news agency, ...)
    coordinates: tuple[float, float] | None = None  # (latitude, longitude): the gazetteer's, for places

    @property
    def key(self) -> str:
        return f"{self.kind}/{self.slug}"


@dataclass
class Mention:
    start: int
    end: int
    text: str
    entity: str  # entity key


@dataclass
class Evidence:
    rule: str
    sentence: Sentence
    start: int  # char offsets of the matched span
    end: int
    cited: list[str] = field(default_factory=list)  # entity keys of cited sources
    clause: int = 0  # the clause of the sentence the rule matched in


@dataclass
class MeetingFact:
    participants: list[str]
    status: str  # Held, Planned, Cancelled
    location: str | None
    date: DateValue | None
    evidence: list[Evidence]


@dataclass
class PositionFact:
    holder: str
    stance: str  # Support, Opposition
    topic: str
    action: str | None
    evidence: list[Evidence]
    conditional: bool = False


@dataclass
class Extraction:
    article: Article
    year: int | None
    date: DateValue | None
    date_inferred: bool
    date_basis: str
    sentences: list[Sentence]
    entities: dict[str, Entity]
    mentions: list[Mention]
    meetings: list[MeetingFact]
    positions: list[PositionFact]


# --- units: tokens with entity mentions merged ----------------------------


@dataclass
class Unit:
    text: str
    start: int
    end: int
    lower: str
    etype: str | None = None  # Person, State, Organization, Place, Treaty, Date
    refs: list[str] = field(default_factory=list)  # entity keys (several for "the two ministers")
    actor: list[str] = field(default_factory=list)  # what it stands for as an actor (Moscow → Russia)
    stands_for: list[str] = field(default_factory=list)  # the state a place names, even after "in"/"to"
    date: DateValue | None = None
    no_date: bool = False
    is_break: bool = False
    tag: str | None = None  # the tagger's fine tag of the unit's first word (None: not tagged)
    quoted: bool = False  # a first-person pronoun inside a quotation, whose speaker is still to be found
    in_citation: bool = False
    clause: int = 0

    @property
    def is_entity(self) -> bool:
        return self.etype is not None

    def has_type(self, types) -> bool:
        if self.etype is None or self.in_citation:
            return False
        for t in types:
            if t == self.etype:
                return True
            if t == "Actor" and self.actor:
                return True
            if t == "Place" and self.etype == "State":
                return True
        return False
