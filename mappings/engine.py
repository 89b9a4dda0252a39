"""The engine: applies the rules and the gazetteer to an article.

    text ─► sentences ─► mentions (gazetteer, titles, anaphora, dates) ─► units
         ─► clauses ─► rule matches ─► facts (meetings, positions) with evidence

The engine names no entity and holds no word list: those are in the gazetteer
(``gazetteer/*.yaml``), the lexicon (``lexicon.yaml``) and the rules
(``rules/*.yaml``). It does no I/O beyond reading those files, and knows
nothing of RDF (see ``graph.py``), stores or HTTP.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from . import yamlio

from . import dates as dates_mod
from . import gazetteer as gaz_mod
from . import rules as rules_mod
from .dates import DateFinder, DateValue
from .morphology import inflections, invert
from .text import Article, Sentence, SentenceSplitter, Token

HERE = Path(__file__).resolve().parent
DEFAULT_GAZETTEER = HERE / "gazetteer"
DEFAULT_RULES = HERE / "rules"
DEFAULT_LEXICON = HERE / "lexicon.yaml"
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


class Engine:
    def __init__(self, gazetteer_dir=DEFAULT_GAZETTEER, rules_dir=DEFAULT_RULES, lexicon=DEFAULT_LEXICON):
        lex = yamlio.load(lexicon)
        self.lex = lex
        self.irregular = invert(lex["irregular_lemmas"])
        self.gazetteer = gaz_mod.load(gazetteer_dir)
        self.ruleset = rules_mod.load(rules_dir, self.irregular)
        self.matcher = rules_mod.Matcher(self.ruleset)
        self.splitter = SentenceSplitter(lex["abbreviations"], lex["sentence_starters"])
        self.dates = DateFinder(lex["months"], lex["relative_months"], lex["no_date"], lex.get("weekdays", []),
                                lex.get("previous_date_phrases", []))
        self.relative_pronouns = {w.lower() for w in lex.get("relative_pronouns", [])}
        self.treaty_name_heads = set(lex.get("treaty_name_heads", []))
        self.titles: dict[str, list[tuple[str, ...]]] = {}  # first word -> titles, longest first
        for t in sorted((tuple(t.lower().split()) for t in lex["titles"]), key=len, reverse=True):
            self.titles.setdefault(t[0], []).append(t)
        self.title_modifiers = {m.lower() for m in lex["title_modifiers"]}
        self.group_nouns = {n.lower() for n in lex["state_group_nouns"]}
        self.group_numbers = {k.lower(): v for k, v in lex["group_anaphors"]["numbers"].items()}
        self.group_anaphor_nouns = sorted((tuple(n.lower().split()) for n in lex["group_anaphors"]["nouns"]),
                                          key=len, reverse=True)
        self.treaty_anaphors = sorted((tuple(p.lower().split()) for p in lex["treaty_anaphors"]),
                                      key=len, reverse=True)
        self.pronouns = {p.lower() for p in lex["person_pronouns"]}
        self.treaty_heads = {h.lower() for h in lex["treaty_heads"]}
        self.prepositions = {p.lower() for p in lex["prepositions"]}
        self.control_verbs = set()
        for phrase in lex["control_verbs"]:
            first, *rest = phrase.lower().split()
            self.control_verbs |= {tuple([form, *rest]) for form in inflections(first, self.irregular)}
        self.location_markers = {m.lower() for m in lex["location_markers"]}
        self.venue_nouns = {v.lower() for v in lex["venue_nouns"]}
        self.treaty_anaphor_modifiers = {str(m).lower() for m in lex["treaty_anaphor_modifiers"]}
        self.non_role_titles = {t.lower() for t in lex["non_role_titles"]}
        self.location_preps = {p.lower() for p in lex["location_prepositions"]}
        self.breaks = {b.lower() for b in lex["clause_breaks"]}
        self.break_pairs = [tuple(p) for p in lex["clause_break_pairs"]]
        self.negations = sorted((tuple(n.lower().split()) for n in lex["negations"]), key=len, reverse=True)
        self.negation_window = lex["negation_window"]
        self.conditionals = sorted((tuple(c.lower().split()) for c in lex.get("conditionals", [])), key=len, reverse=True)
        self.status_cues = {s: sorted((tuple(c.lower().split()) for c in cues), key=len, reverse=True)
                            for s, cues in lex["status_cues"].items()}
        self.status_window = lex["status_window"]
        self.legislature_action = lex.get("legislature_default_action")
        self.months = {k.lower() for k in lex["months"]}

    # -- public ------------------------------------------------------------

    def extract(self, article: Article) -> Extraction:
        return _Run(self, article).run()

    def rule_matches(self, rule_id: str, sentence: str) -> bool:
        """Does the rule match this sentence? (Used to test each rule's examples.)"""
        from .text import parse_article

        rule = self.ruleset.by_id(rule_id)
        run = _Run(self, parse_article(sentence, "example"))
        hits = self.gazetteer.find(sentence)
        for s in self.splitter.split(run.article):
            units = run.units(s, [h for h in hits if s.start <= h.start and h.end <= s.end], run.citation(s))
            run.clauses(units)
            if self.matcher.matches(rule, units, lambda i, t: run.group_at(units, i, t)):
                return True
        return False


# --- one run over one article -----------------------------------------------


class _Run:
    def __init__(self, engine: Engine, article: Article):
        self.e = engine
        self.gz = engine.gazetteer
        self.article = article
        self.year = dates_mod.year_from_volume(article.volume)
        self.entities: dict[str, Entity] = {}
        self.mentions: list[Mention] = []
        self.surnames: dict[str, str] = {}  # surname -> person key, as the article introduced them
        self.persons: list[str] = []  # person keys in order of mention
        self.treaties: list[str] = []  # treaty keys in order of mention
        self.meetings: list[MeetingFact] = []
        self.positions: list[PositionFact] = []
        self.venue: str | None = None  # place of the summit last reported
        self.reference: DateValue | None = None
        self.last_date: DateValue | None = None  # the last full date in the text, for "shortly afterwards"
        self.subject_persons: list[str] = []  # persons named as subjects, for "he" and "she"
        self.prev_scene: list[tuple[set[str], str | None, DateValue | None]] = []
        self._sentence_facts: list[tuple[set[str], str | None, DateValue | None]] = []

    # -- entities ----------------------------------------------------------

    def entity_for(self, entry: gaz_mod.Entry) -> Entity:
        kind = entry.type.lower()
        key = f"{kind}/{entry.id}"
        if key not in self.entities:
            country = None
            if entry.country and self.gz.get(entry.country):
                country = self.entity_for(self.gz.get(entry.country)).key
            self.entities[key] = Entity(kind, entry.id, entry.type, entry.label, list(entry.aliases),
                                        entry.wikidata, country, kind_of=entry.kind)
        return self.entities[key]

    def new_person(self, name: str) -> Entity:
        key = f"person/{slugify(name)}"
        if key not in self.entities:
            self.entities[key] = Entity("person", slugify(name), "Person", name)
        return self.entities[key]

    def mention(self, start: int, end: int, key: str):
        self.mentions.append(Mention(start, end, self.article.text[start:end], key))

    def saw_person(self, key: str):
        self.persons.append(key)
        label = self.entities[key].label
        names = [label, *self.entities[key].aliases]
        for name in names:
            parts = name.split()
            if len(parts) > 1:
                self.surnames.setdefault(parts[-1], key)
        entry = self.gz.get(self.entities[key].slug) if self.entities[key].type == "Person" else None
        for surname in entry.surnames if entry else []:
            self.surnames.setdefault(surname, key)

    # -- the run -------------------------------------------------------------

    def run(self) -> Extraction:
        art = self.article
        sentences = self.e.splitter.split(art)
        hits = self.gz.find(art.text[art.body_start:]) if art.body_start < len(art.text) else []
        for h in hits:
            h.start += art.body_start
            h.end += art.body_start
        citations = {s.index: self.citation(s) for s in sentences}
        self.reference, basis = self.article_date(sentences, citations)
        inferred = True
        per_sentence = [[h for h in hits if s.start <= h.start and h.end <= s.end] for s in sentences]
        cited_for: dict[int, list[str]] = {}
        for s in sentences:
            units = self.units(s, per_sentence[s.index], citations[s.index])
            self.clauses(units)
            cited_for[s.index] = self.cited_sources(units)
            self.apply_rules(s, units)
        # a citation covers the sentences of its paragraph before it
        for fact in [*self.meetings, *self.positions]:
            for ev in fact.evidence:
                ev.cited = self.citation_for(ev.sentence, sentences, cited_for)
        self.finish()
        return Extraction(art, self.year, self.reference, inferred, basis, sentences, self.entities,
                          self.mentions, self.meetings, self.positions)

    def citation(self, s: Sentence):
        """The token range of a closing citation "(Reuters, February 23)", if any."""
        toks = s.tokens
        end = len(toks)
        while end and toks[end - 1].text in ".":
            end -= 1
        if not end or toks[end - 1].text != ")":
            return None
        depth = 0
        for i in range(end - 1, -1, -1):
            if toks[i].text == ")":
                depth += 1
            elif toks[i].text == "(":
                depth -= 1
                if depth == 0:
                    inner = toks[i + 1:end - 1]
                    if inner and (any(t.text == "," for t in inner) or len(inner) <= 4):
                        return (i, end)
                    return None
        return None

    def article_date(self, sentences, citations) -> tuple[DateValue | None, str]:
        """The article's date: the latest date of its source citations, else the year of its volume."""
        latest: DateValue | None = None
        for s in sentences:
            rng = citations[s.index]
            if not rng:
                continue
            for m in self.e.dates.find(s.tokens[rng[0]:rng[1]]):
                value = dates_mod.resolve(m, self.year, None)
                if value and value.day and (latest is None or value.sort_key() > latest.sort_key()):
                    latest = value
        vol = f"volume {self.article.volume}" if self.article.volume else "no volume"
        if latest:
            return latest, f"the latest source citation ({latest}); the year from {vol}"
        if self.year:
            return DateValue(self.year), f"the year from {vol} (volume 1 is {dates_mod.MONITOR_FIRST_YEAR})"
        return None, "no date in the text"

    def citation_for(self, sentence: Sentence, sentences, cited_for) -> list[str]:
        for s in sentences[sentence.index:]:
            if s.paragraph != sentence.paragraph:
                break
            if cited_for.get(s.index):
                return cited_for[s.index]
        return []

    def cited_sources(self, units: list[Unit]) -> list[str]:
        return [k for u in units if u.in_citation and u.etype == "Organization" for k in u.refs]

    # -- building units --------------------------------------------------------

    def units(self, s: Sentence, hits, citation) -> list[Unit]:
        toks = s.tokens
        n = len(toks)
        spans: list[tuple[int, int, Unit] | None] = []
        taken = [False] * n
        index_of = {t.start: i for i, t in enumerate(toks)}
        end_of = {t.end: i for i, t in enumerate(toks)}
        cite_lo, cite_hi = citation if citation else (n, n)

        def claim(i, j, unit):
            for k in range(i, j):
                taken[k] = True
            spans.append((i, j, unit))

        # 1. gazetteer hits
        hit_at: dict[int, tuple[int, gaz_mod.Hit]] = {}
        for h in hits:
            i, j = index_of.get(h.start), end_of.get(h.end)
            if i is None or j is None:
                continue
            hit_at[i] = (j + 1, h)
        # 2. walk the tokens left to right, building units
        i = 0
        pending: list[tuple[int, int, Unit]] = []
        while i < n:
            unit, j = self.unit_at(toks, i, hit_at, cite_lo <= i < cite_hi)
            if unit is not None:
                unit.in_citation = cite_lo <= i < cite_hi
                pending.append((i, j, unit))
                if unit.etype == "Person" and len(unit.refs) == 1 and self.subject_position(toks, i):
                    self.subject_persons.append(unit.refs[0])
                i = j
            else:
                i += 1
        covered = set()
        for i, j, _ in pending:
            covered.update(range(i, j))
        # 3. dates, where no entity is
        free = []
        for m in self.e.dates.find(toks):
            if any(k in covered for k in range(m.start, m.end)):
                continue
            value = dates_mod.resolve(m, self.year, self.reference, self.last_date)
            if value is not None and value.day is not None and not (cite_lo <= m.start < cite_hi):
                self.last_date = value
            first, last = toks[m.start], toks[m.end - 1]
            u = Unit(s.text[first.start - s.start:last.end - s.start], first.start, last.end,
                     " ".join(t.lower for t in toks[m.start:m.end]), etype="Date", date=value,
                     no_date=value is None)
            u.in_citation = cite_lo <= m.start < cite_hi
            free.append((m.start, m.end, u))
            covered.update(range(m.start, m.end))
        merged = sorted(pending + free, key=lambda x: x[0])
        units: list[Unit] = []
        k = 0
        for i in range(n):
            while k < len(merged) and merged[k][0] < i:
                k += 1
            if k < len(merged) and merged[k][0] == i:
                units.append(merged[k][2])
                continue
            if any(a <= i < b for a, b, _ in merged):
                continue
            t = toks[i]
            u = Unit(t.text, t.start, t.end, t.lower)
            u.in_citation = cite_lo <= i < cite_hi
            units.append(u)
        return units

    def subject_position(self, toks: list[Token], i: int) -> bool:
        """Is a mention at token i in subject position (not after a preposition, "and" or a control verb)?"""
        j = i
        while j > 0 and toks[j - 1].lower in DETERMINERS:
            j -= 1
        prev = toks[j - 1].lower if j else ""
        before = tuple(t.lower for t in toks[max(0, j - 2):j])
        return prev not in self.e.prepositions and prev not in ("and", "or") \
            and (prev,) not in self.e.control_verbs and before not in self.e.control_verbs

    def unit_at(self, toks: list[Token], i: int, hit_at, in_citation: bool):
        """The entity unit that starts at token i, if any, and the token index after it."""
        t = toks[i]
        lowers = [x.lower for x in toks[i:i + 8]]
        # "the two ministers", "both leaders"
        start = i + 1 if lowers[0] == "the" else i
        if start < len(toks) and toks[start].lower in self.e.group_numbers:
            count = self.e.group_numbers[toks[start].lower]
            for words in self.e.group_anaphor_nouns:
                seg = tuple(x.lower for x in toks[start + 1:start + 1 + len(words)])
                if seg == words:
                    people = []
                    for key in reversed(self.persons):
                        if key not in people:
                            people.append(key)
                        if len(people) == count:
                            break
                    if len(people) == count:
                        end = start + 1 + len(words)
                        u = self._unit(toks, i, end, "Person", people[::-1], people[::-1])
                        return u, end
            # "Both came out in favor …", "the two agreed …": no noun, a verb follows
            nxt = toks[start + 1] if start + 1 < len(toks) else None
            if nxt is not None and nxt.text.islower() and nxt.text.isalpha() and nxt.lower not in ("of", "sides", "countries", "states"):
                people = list(dict.fromkeys(reversed(self.persons)))[:count]
                if len(people) == count:
                    return self._unit(toks, i, start + 1, "Person", people[::-1], people[::-1]), start + 1
        # "the treaty", "the document", "the new treaty"
        anaphor_end = self.treaty_anaphor_end(toks, i)
        if anaphor_end and self.treaties:
            end = anaphor_end
            words = [t.lower for t in toks[i:end]]
            key = self.treaties[-1]
            if "new" in words:
                signed = [p.topic for p in self.positions if p.action == "Signature"]
                key = signed[-1] if signed else key
            self.mention(toks[i].start, toks[end - 1].end, key)
            return self._unit(toks, i, end, "Treaty", [key], []), end
        # "he", "she": the person last named as a subject
        if t.lower in self.e.pronouns and self.persons:
            key = (self.subject_persons or self.persons)[-1]
            return self._unit(toks, i, i + 1, "Person", [key], [key]), i + 1
        # titled persons: [modifier] [title] Name
        titled = self.titled_person(toks, i, hit_at)
        if titled:
            return titled
        if i in hit_at:
            end, hit = hit_at[i]
            return self.entity_unit(toks, i, end, hit, in_citation)
        named = self.treaty_name(toks, i, hit_at)
        if named:
            return named
        # surnames of persons named before, or unique in the gazetteer
        if t.is_title and t.text.isalpha() and t.lower not in self.e.months:
            key = self.surname(t.text)
            if key:
                self.mention(t.start, t.end, key)
                self.saw_person(key)
                return self._unit(toks, i, i + 1, "Person", [key], [key]), i + 1
        return None, i + 1

    def treaty_anaphor_end(self, toks, i) -> int | None:
        """The end of "the [new|arms …] treaty|document|pact" starting at i, if one starts there."""
        lowers = [x.lower for x in toks[i:i + 8]]
        for words in self.e.treaty_anaphors:
            if tuple(lowers[:len(words)]) == words:
                end = i + len(words)
                break
        else:
            if not lowers or lowers[0] not in ("the", "this", "that"):
                return None
            k = i + 1
            while k < len(toks) and k - i <= 2 and (toks[k].lower in self.e.treaty_anaphor_modifiers
                                                    or _is_year(toks[k].text)):
                k += 1
            if k == i + 1 or k >= len(toks) or toks[k].lower not in self.e.treaty_heads - {"agreement"}:
                return None
            end = k + 1
        if end < len(toks) and toks[end].lower in ("on", "of") and end + 1 < len(toks) and toks[end + 1].is_title:
            return None  # "the treaty on the Creation…" is a name, not an anaphor
        return end

    def treaty_name(self, toks, i, hit_at):
        """A treaty the gazetteer does not know, by its name: "the Founding Act on Mutual Relations…"."""
        heads = self.e.treaty_name_heads
        k = i
        while k < len(toks) and _name_word(toks[k]) and toks[k].text not in heads and k not in hit_at \
                and toks[k].lower not in DETERMINERS and toks[k].lower not in self.e.months:
            k += 1
        if k >= len(toks) or toks[k].text not in heads or (k == i and not self._name_tail(toks, k + 1)):
            return None
        end = self._name_tail(toks, k + 1) or k + 1
        name = self.article.text[toks[i].start:toks[end - 1].end]
        key = f"treaty/{slugify(name)}"
        if key not in self.entities:
            self.entities[key] = Entity("treaty", slugify(name), "Treaty", name)
        self.treaties.append(key)
        self.mention(toks[i].start, toks[end - 1].end, key)
        return self._unit(toks, i, end, "Treaty", [key], []), end

    def _name_tail(self, toks, k) -> int | None:
        """The end of "on|of|for|between Capitalised Words[, and Words]" starting at k, if any."""
        if k >= len(toks) or toks[k].lower not in ("on", "of", "for", "between"):
            return None
        end, j = None, k + 1
        while j < len(toks):
            t = toks[j]
            if _name_word(t) and t.lower not in self.e.months:
                end = j + 1
            elif t.lower in ("and", "of", "the", "in", ",", "-", "on") and end is not None:
                pass
            else:
                break
            j += 1
        return end

    def _unit(self, toks, i, j, etype, refs, actor) -> Unit:
        first, last = toks[i], toks[j - 1]
        text = self.article.text[first.start:last.end]
        return Unit(text, first.start, last.end, text.lower(), etype=etype, refs=list(refs), actor=list(actor))

    def surname(self, word: str) -> str | None:
        if word in self.surnames:
            return self.surnames[word]
        people = self.gz.by_surname(word)
        active = [p for p in people if not p.roles or any(r.active(self.year) for r in p.roles)]
        if len(active) == 1:
            entity = self.entity_for(active[0])
            return entity.key
        return None

    def entity_unit(self, toks, i, end, hit: gaz_mod.Hit, in_citation: bool):
        entry = hit.entry
        entity = self.entity_for(entry)
        prev = toks[i - 1].lower if i else ""
        if entry.type == "Treaty":
            end = self._name_tail(toks, end) or end  # "…Act on Mutual Relations, Cooperation and Security"
            # "START II strategic arms treaty": the descriptive head belongs to the name
            k = end
            while k < len(toks) and k - end < 3 and toks[k].text.islower() and toks[k].text.isalpha():
                if toks[k].lower in self.e.treaty_heads:
                    end = k + 1
                    break
                k += 1
            self.treaties.append(entity.key)
            self.mention(hit.start, hit.end, entity.key)
            return self._unit(toks, i, end, "Treaty", [entity.key], []), end
        if hit.kind == "demonym" and entry.type == "State":
            # "the Russian side", "U.S. officials": the state itself
            j = end
            if j < len(toks) and toks[j].lower in self.e.group_nouns:
                begin = i - 1 if prev == "the" else i
                self.mention(hit.start, hit.end, entity.key)
                return self._unit(toks, begin, j + 1, "State", [entity.key], [entity.key]), j + 1
            self.mention(hit.start, hit.end, entity.key)
            return self._unit(toks, i, end, "State", [entity.key], [entity.key]), end
        self.mention(hit.start, hit.end, entity.key)
        if entry.type == "Person":
            self.saw_person(entity.key)
            return self._unit(toks, i, end, "Person", [entity.key], [entity.key]), end
        if entry.type == "Place":
            actor = []
            target = self.gz.metonym_target(entry)
            after = toks[end].lower if end < len(toks) else ""
            possessive = after in ("'s", "’s")
            if target and (possessive or prev not in self.e.location_preps) and not in_citation \
                    and after not in self.e.venue_nouns:
                actor = [self.entity_for(target).key]
            unit = self._unit(toks, i, end, "Place", [entity.key], actor)
            if target:
                unit.stands_for = [self.entity_for(target).key]
            return unit, end
        return self._unit(toks, i, end, entry.type, [entity.key], [entity.key]), end

    def titled_person(self, toks, i, hit_at):
        """[modifier] [former] Title Name → a Person with role and affiliation."""
        j = i
        affiliation = None
        mod_hit = None
        if i in hit_at and hit_at[i][1].entry.type in ("State", "Organization", "Place"):
            mod_end, mod_hit = hit_at[i]
            j = mod_end
            if j < len(toks) and toks[j].text in ("'s", "’s"):
                return None
        role_words = []
        while j < len(toks) and toks[j].lower in self.e.title_modifiers:
            role_words.append(toks[j].text)
            j += 1
        title = None
        for words in self.e.titles.get(toks[j].lower, ()) if j < len(toks) else ():
            if tuple(x.lower for x in toks[j:j + len(words)]) == words:
                title = tuple(x.text for x in toks[j:j + len(words)])
                break
        if title is None:
            return None
        k = j + len(title)
        # the name: a gazetteer person, or two or three capitalised words
        if k in hit_at and hit_at[k][1].entry.type == "Person":
            end, hit = hit_at[k]
            person = self.entity_for(hit.entry)
            name_start, name_end = hit.start, hit.end
        else:
            end = k
            while end < len(toks) and end - k < 3 and _name_word(toks[end]) and toks[end].lower not in self.e.months \
                    and end not in hit_at:
                end += 1
            if end - k < 2:
                # a surname after a title: "Foreign Minister Ivanov"
                if end - k == 1 and self.surname(toks[k].text):
                    person = self.entities[self.surname(toks[k].text)]
                else:
                    return None
            else:
                person = self.new_person(" ".join(t.text for t in toks[k:end]))
            name_start, name_end = toks[k].start, toks[end - 1].end
        if mod_hit is not None:
            mod = self.entity_for(mod_hit.entry)
            self.mention(mod_hit.start, mod_hit.end, mod.key)
            if mod.type in ACTOR_TYPES:
                affiliation = mod.key
            elif mod_hit.entry.type == "Place":
                role_words = role_words + [" ".join(title), "of", mod.label]
                title = ()
        if " ".join(title).lower() in self.e.non_role_titles:
            title, role_words = (), []  # "his Ukrainian counterpart X": no office named
        role = " ".join(role_words + list(title)).strip()
        if affiliation is None and person.slug and self.gz.get(person.slug):
            # the gazetteer's dated roles: "Foreign Minister Igor Ivanov" in 1999 → Russia
            for r in self.gz.get(person.slug).roles:
                if r.active(self.year) and r.of and r.title.lower() in role.lower():
                    affiliation = self.entity_for(self.gz.get(r.of)).key
                    break
        if (role or affiliation) and (role, affiliation) not in person.roles:
            person.roles.append((role, affiliation))
        self.mention(name_start, name_end, person.key)
        self.saw_person(person.key)
        return self._unit(toks, i, end, "Person", [person.key], [person.key]), end

    # -- clauses -------------------------------------------------------------------

    def clauses(self, units: list[Unit]):
        clause = 0
        relative = False
        for idx, u in enumerate(units):
            nxt = units[idx + 1].lower if idx + 1 < len(units) else ""
            is_break = u.lower in self.e.breaks or any(u.lower == a and nxt == b for a, b in self.e.break_pairs)
            if relative and u.lower == "," and not u.is_entity:
                is_break = True  # the comma that closes ", who …,"
                relative = False
            if is_break and not u.is_entity:
                u.is_break = True
                clause += 1
                relative = u.lower == "," and nxt in self.e.relative_pronouns
            u.clause = clause

    # -- rules -------------------------------------------------------------------------

    def group_at(self, units: list[Unit], i: int, types) -> int | None:
        if not units[i].has_type(types):
            return None
        end = i + 1
        while end < len(units):
            k = end
            if units[k].lower == "," and k + 1 < len(units):
                k += 1
            if units[k].lower in ("and", "as well as") and k + 1 < len(units):
                k += 1
                if units[k].lower == "with" and k + 1 < len(units):
                    k += 1
            if k == end or not units[k].has_type(types):
                break
            end = k + 1
        return end

    def apply_rules(self, s: Sentence, units: list[Unit]):
        vetoed_clauses = set()
        for rule in self.e.ruleset.rules:
            if rule.kind == "veto":
                for m in self.e.matcher.matches(rule, units, lambda i, t: self.group_at(units, i, t)):
                    vetoed_clauses.add(units[m.start].clause)
        for rule in self.e.ruleset.rules:
            if rule.kind == "veto":
                continue
            for m in self.e.matcher.matches(rule, units, lambda i, t: self.group_at(units, i, t)):
                if units[m.start].in_citation:
                    continue
                if rule.kind == "meeting" and units[m.start].clause not in vetoed_clauses:
                    self.meeting(s, units, m)
                elif rule.kind == "position":
                    self.position(s, units, m)
                elif rule.kind == "join":
                    self.join(s, units, m)
        self.venue = self.find_venue(units) or self.venue
        self.remember_scene(units)

    def evidence(self, s: Sentence, units, m: rules_mod.Match) -> Evidence:
        return Evidence(m.rule.id, s, units[m.start].start, units[m.end - 1].end, clause=units[m.start].clause)

    def refs(self, units, cap: rules_mod.Capture) -> list[str]:
        out = []
        for u in units[cap.start:cap.end]:
            for k in (u.actor or u.refs):
                if u.etype and k not in out:
                    out.append(k)
        return out

    def subject(self, units: list[Unit], before: int) -> list[str]:
        """The actor (or coordinated actors) that is the subject for a cue at unit `before`."""
        i = before - 1
        while i >= 0:
            u = units[i]
            if u.lower in self.e.relative_pronouns and i >= 2 and units[i - 1].lower == ",":
                antecedent = units[i - 2]  # "Washington, which has made no secret of its intention …"
                refs = antecedent.actor or antecedent.stands_for
                if refs and not antecedent.in_citation:
                    return list(refs)
            if u.has_type(("Actor",)) and not u.in_citation and self._subject_ok(units, i, before):
                group = [i]
                k = i - 1
                while k >= 1 and units[k].lower in ("and", ",") and units[k - 1].has_type(("Actor",)):
                    group.insert(0, k - 1)
                    k -= 2
                out = []
                for g in group:
                    for key in units[g].actor:
                        if key not in out:
                            out.append(key)
                return out
            i -= 1
        return []

    def _subject_ok(self, units, i, cue) -> bool:
        j = i
        while j > 0 and units[j - 1].lower in DETERMINERS:
            j -= 1
        prev = units[j - 1].lower if j else ""
        if prev in self.e.prepositions:
            return False
        before = tuple(u.lower for u in units[max(0, j - 2):j])
        if (prev,) in self.e.control_verbs or before in self.e.control_verbs:
            return False  # "urged the Rada to ratify": the Rada is an object
        if i + 1 < len(units) and units[i + 1].lower in ("'s", "’s") and i + 2 != cue:
            # "the Senate's decision" is not a subject; "the Senate's rejection" (the cue) is
            return False
        return True

    def clause_span(self, units, clause: int) -> tuple[int, int]:
        idx = [k for k, u in enumerate(units) if u.clause == clause]
        return idx[0], idx[-1] + 1

    def status(self, units, m: rules_mod.Match, fixed: str) -> str:
        if fixed != "auto":
            return fixed
        lo, hi = self.clause_span(units, units[m.start].clause)
        window = units[max(lo, m.start - self.e.status_window):min(hi, m.end + 2)]
        words = [u.lower for u in window]
        for status in ("Cancelled", "Planned"):
            for cue in self.e.status_cues.get(status, []):
                n = len(cue)
                for k in range(len(words) - n + 1):
                    if tuple(words[k:k + n]) == cue:
                        return status
        return "Held"

    def place_and_date(self, units, m: rules_mod.Match):
        lo, hi = self.clause_span(units, units[m.start].clause)
        place = date = None
        no_date = False
        for k in range(lo, hi):
            u = units[k]
            if u.in_citation:
                continue
            p = k - 1
            while p > lo and units[p].lower == "the":
                p -= 1
            prev = units[p].lower if k else ""
            if place is None and u.has_type(("Place",)) and prev in self.e.location_markers:
                place = u.refs[0]
            if u.etype == "Date" and date is None and not no_date:
                if u.date is None:
                    no_date = True
                date = u.date
        if place is None and lo >= 1 and lo + 1 < hi and units[lo].lower == "," and units[lo + 1].lower == "where" \
                and units[lo - 1].has_type(("Place",)):
            place = units[lo - 1].refs[0]  # "a visit to Kyiv, where he and Kuchma signed …"
        if place is None and len(units) > 3:
            # fronted: "While in Moscow, …", "In Helsinki, …"
            k = 0
            if units[0].lower == "while":
                k = 1
            if units[k].lower in self.e.location_markers and units[k + 1].has_type(("Place",)) \
                    and units[k + 2].lower == ",":
                place = units[k + 1].refs[0]
        if place is None and any(u.lower in self.e.venue_nouns for u in units[lo:hi]) and self.venue:
            place = self.venue
        return place, date

    def find_venue(self, units) -> str | None:
        for k, u in enumerate(units):
            if u.lower in self.e.venue_nouns and not u.is_entity:
                for j in range(k + 1, min(k + 4, len(units))):
                    if units[j].has_type(("Place",)) and units[j - 1].lower == "in":
                        return units[j].refs[0]
        return None

    def remember_scene(self, units):
        """Actors, place and date of this sentence's facts, for the next sentence to inherit."""
        if self._sentence_facts:
            # the actors of all the sentence's facts together ("A and B signed …": {A, B})
            actors = set().union(*(a for a, _, _ in self._sentence_facts))
            place = next((p for _, p, _ in self._sentence_facts if p), None)
            date = next((d for _, _, d in self._sentence_facts if d), None)
            self.prev_scene = self._sentence_facts + [(actors, place, date)]
        else:
            self.prev_scene = []
        self._sentence_facts = []

    def meeting(self, s, units, m: rules_mod.Match):
        emit = m.rule.emit
        groups: list[list[str]] = []
        base: list[str] = []
        each = emit.get("each")
        for name in emit.get("participants", []):
            if name == "subject" and "subject" not in m.captures:
                refs = self.subject(units, m.start)
            else:
                refs = self.refs(units, m.captures[name])
            if name == each:
                groups = [[r] for r in refs]
            else:
                base.extend(r for r in refs if r not in base)
        combos = [base + [r for r in g if r not in base] for g in groups] if groups else [base]
        place, date = self.place_and_date(units, m)
        if emit.get("location") and emit["location"] in m.captures:
            place = units[m.captures[emit["location"]].start].refs[0]
        status = self.status(units, m, emit.get("status", "auto"))
        for participants in combos:
            if len(participants) < 2:
                continue
            if place is None and date is None:
                for actors, p, d in self.prev_scene:
                    if actors == set(participants):
                        place, date = p, d
                        break
            fact = MeetingFact(participants, status, place, date, [self.evidence(s, units, m)])
            self.add_meeting(fact, one_reading=len(combos) == 1)
            self._sentence_facts.append((set(participants), place, date))

    def add_meeting(self, fact: MeetingFact, one_reading: bool = True):
        """Add a meeting, or merge it into one already read. `one_reading` is False for the meetings
        of "met separately with A and with B", which share their evidence span but are distinct."""
        for other in self.meetings:
            ev, oev = fact.evidence[0], other.evidence[0]
            same_span = one_reading and ev.sentence.index == oev.sentence.index \
                and ev.start < oev.end and oev.start < ev.end
            compatible = other.status == fact.status \
                and (other.date == fact.date or other.date is None or fact.date is None) \
                and (other.location == fact.location or other.location is None or fact.location is None)
            if set(fact.participants) == set(other.participants) and (same_span or compatible):
                # one meeting read twice (two rules, or two sentences): merge what each knows
                other.date = other.date or fact.date
                other.location = other.location or fact.location
                other.evidence.extend(e for e in fact.evidence if e.rule not in {x.rule for x in other.evidence})
                return
            if same_span:
                # two rules read one trigger: keep the reading with more participants
                if set(other.participants) <= set(fact.participants):
                    other.participants = fact.participants
                    other.evidence = fact.evidence + other.evidence
                return
        self.meetings.append(fact)

    def join(self, s, units, m):
        if not self.meetings:
            return
        target = self.meetings[-1]
        for r in self.subject(units, m.start):
            if r not in target.participants:
                target.participants.append(r)
        target.evidence.append(self.evidence(s, units, m))

    def negated(self, units, at: int) -> bool:
        lo, _ = self.clause_span(units, units[at].clause)
        window = units[max(lo, at - self.e.negation_window):at]
        words = [u.lower for u in window]
        for cue in self.e.negations:
            n = len(cue)
            for k in range(len(words) - n + 1):
                if tuple(words[k:k + n]) == cue:
                    return True
        return False

    def conditional(self, units, at: int) -> bool:
        """Does a condition follow the cue in its clause ("only after", "until", "as long as")?"""
        _, hi = self.clause_span(units, units[at].clause)
        words = [u.lower for u in units[at:hi]]
        return any(tuple(words[k:k + len(c)]) == c for c in self.e.conditionals for k in range(len(words)))

    def position(self, s, units, m: rules_mod.Match):
        emit = m.rule.emit
        holder_name = emit.get("holder", "subject")
        if holder_name == "subject" and "subject" not in m.captures:
            holders = self.subject(units, m.start)  # the subject before the whole match
        else:
            holders = self.refs(units, m.captures[holder_name])
        holders = [h for h in holders if self.entities[h].type in ACTOR_TYPES]
        if not holders:
            return
        stance = emit.get("stance")
        if isinstance(stance, str) and stance.startswith("$"):
            stance = m.captures[stance[1:]].value
        action = emit.get("action", "none")
        context_fact = None
        if action == "context":
            context_fact = self.context_event(units, m)
            if context_fact is None:
                return
            action = context_fact.action
            if context_fact.stance == "Opposition":
                stance = "Opposition" if stance == "Support" else "Support"
        elif isinstance(action, str) and action.startswith("$"):
            action = m.captures[action[1:]].value
        if action == "none":
            action = None
        cue_at = (m.captures.get("stance") or m.captures.get("action") or rules_mod.Capture(m.start, m.end)).start
        if self.negated(units, cue_at):
            stance = "Opposition" if stance == "Support" else "Support"
        topic_name = emit.get("topic", "context")
        if topic_name != "context":
            topics = self.refs(units, m.captures[topic_name])
        elif context_fact is not None:
            topics = [context_fact.topic]
        else:
            topics = self.context_treaty(units, m)
        if not topics:
            return
        conditional = self.conditional(units, cue_at)
        for holder in holders:
            act = action
            if act is None and self.e.legislature_action and self.entities[holder].kind_of == "legislature":
                act = self.e.legislature_action
            fact = PositionFact(holder, stance, topics[0], act, [self.evidence(s, units, m)], conditional)
            self.add_position(fact)
            place, date = self.place_and_date(units, m)
            self._sentence_facts.append(({holder}, place, date))

    def context_event(self, units, m) -> "PositionFact | None":
        """The vote or decision that "the vote", "the decision", "the American move" refer to."""
        kind = m.captures["event"].value if "event" in m.captures else "vote"
        facts = [p for p in self.positions if p.action]
        if "whose" in m.captures:  # "the American move": a decision of that state or its people
            state = set(self.refs(units, m.captures["whose"]))
            facts = [p for p in facts if p.holder in state] \
                or [p for p in facts if any(aff in state for _, aff in self.entities[p.holder].roles)] or facts
        if kind == "vote":
            votes = [p for p in facts if self.entities[p.holder].kind_of == "legislature"]
            facts = votes or facts
        return facts[-1] if facts else None

    def context_treaty(self, units, m) -> list[str]:
        clause = units[m.start].clause
        for u in units[m.end:]:
            if u.clause != clause:
                break
            if u.etype == "Treaty":
                return u.refs[:1]
        for u in reversed(units[:m.start]):
            if u.etype == "Treaty":
                return u.refs[:1]
        return self.treaties[-1:] if self.treaties else []

    def add_position(self, fact: PositionFact):
        ev = fact.evidence[0]
        for other in list(self.positions):
            oev = other.evidence[0]
            # one cue read twice, or two cues of one clause ("hailed the agreement as a step toward
            # the implementation of the treaty"): one position, the reading that names the action
            overlap = ev.sentence.index == oev.sentence.index and (
                (ev.start < oev.end and oev.start < ev.end) or ev.clause == oev.clause)
            same = (other.holder, other.stance, other.topic) == (fact.holder, fact.stance, fact.topic)
            if same and other.action == fact.action:
                if not any(e.rule == ev.rule and e.start == ev.start for e in other.evidence):
                    other.evidence.append(ev)
                return
            if same and overlap:
                # one cue read twice: keep the reading that names the action
                if other.action is None and fact.action is not None:
                    other.action = fact.action
                    other.evidence.insert(0, ev)
                return
        self.positions.append(fact)

    def finish(self):
        """Entities that facts need are described, and mentioned, in the graph."""
        for fact in self.meetings:
            fact.participants = list(dict.fromkeys(fact.participants))


def _is_year(text: str) -> bool:
    return len(text) == 4 and text.isdigit() and 1900 <= int(text) <= 2100


def _name_word(tok: Token) -> bool:
    text = tok.text
    return text[:1].isupper() and text.replace("-", "").replace("'", "").replace("’", "").isalpha() \
        and not text.isupper()
