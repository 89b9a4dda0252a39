"""The rule language: loading, validating and matching token patterns.

A rule is data (``mappings/rules/*.yaml``). Its pattern is a list of token
specs, matched against a sentence whose entity mentions have been merged into
single units (as spaCy's ``merge_entities`` does). The language is documented
in ``mappings/README.md``; this module enforces it and reports every error with
its location before anything runs.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from . import yamlio
from .morphology import inflections

SPEC_KEYS = {"lower", "lemma", "phrase", "ent", "group", "skip", "aside", "op", "as", "not_phrase", "not_lower", "tag"}
ENT_TYPES = {"Actor", "Person", "State", "Organization", "Place", "Treaty", "Date"}
KINDS = {"meeting", "position", "join", "veto"}
OPS = {"?", "!"}
STATUSES = {"auto", "Held", "Planned", "Cancelled"}
STANCES = {"Support", "Opposition"}
ACTIONS = {"Ratification", "Revision", "Withdrawal", "Signature", "Implementation"}


class RuleError(ValueError):
    """A rule file is malformed; the message lists every problem with its location."""


@dataclass
class Spec:
    lower: frozenset[str] | None = None
    lemma: frozenset[str] | None = None
    phrase: str | None = None
    ent: frozenset[str] | None = None
    group: frozenset[str] | None = None
    skip: int | None = None
    aside: bool = False  # a comma-delimited interjection: ", at the Prime Minister's Office in Jerusalem,"
    op: str | None = None
    name: str | None = None
    not_phrase: frozenset[str] = frozenset()
    not_lower: frozenset[str] = frozenset()
    tag: tuple[str, ...] = ()  # fine part-of-speech tag prefixes the first unit must have (VB: a verb)


@dataclass
class Rule:
    id: str
    kind: str
    pattern: list[Spec]
    emit: dict[str, Any]
    description: str = ""
    examples: dict[str, list[str]] = field(default_factory=dict)
    file: str = ""


@dataclass(frozen=True)
class Capture:
    start: int  # unit index, inclusive
    end: int  # unit index, exclusive
    value: str | None = None  # the phrase value ("Support") for phrase specs


@dataclass
class Match:
    rule: Rule
    start: int  # unit index, inclusive
    end: int  # unit index, exclusive
    captures: dict[str, Capture]


@dataclass
class RuleSet:
    rules: list[Rule]
    phrases: dict[str, dict[str, list[tuple[frozenset[str], ...]]]]  # class -> value -> phrases, a set of forms per word
    # class -> first word form -> [(phrase, value)], longest first: a phrase is looked up, not scanned for
    index: dict[str, dict[str, list[tuple[tuple[frozenset[str], ...], str]]]] = field(default_factory=dict)

    def __post_init__(self):
        for cls, values in self.phrases.items():
            table: dict[str, list] = {}
            for value, items in values.items():
                for words in items:
                    for form in words[0]:
                        table.setdefault(form, []).append((words, value))
            for entries in table.values():
                entries.sort(key=lambda e: len(e[0]), reverse=True)
            self.index[cls] = table

    def __len__(self):
        return len(self.rules)

    def required_words(self, rule: Rule) -> list[frozenset[str]]:
        """For each word spec a match cannot skip (no `?`, `!` or skip), the word forms it accepts."""
        out = []
        for spec in rule.pattern:
            if spec.op is not None:
                continue
            if spec.lower is not None:
                out.append(spec.lower)
            elif spec.lemma is not None:
                out.append(spec.lemma)
            elif spec.phrase is not None:
                out.append(frozenset(self.index[spec.phrase]))
        return out

    def could_match(self, words: set[str]) -> bool:
        """Could some fact rule match a sentence with these lower-case words? A sentence for which
        none could is not worth parsing."""
        if not hasattr(self, "_required"):
            self._required = [self.required_words(r) for r in self.rules if r.kind != "veto"]
        return any(all(forms & words for forms in req) for req in self._required)

    def by_id(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)


def _as_set(value) -> frozenset[str]:
    if isinstance(value, str):
        return frozenset({value.lower()})
    return frozenset(str(v).lower() for v in value)


def load(directory: str | Path, irregular: dict[str, set[str]] | None = None) -> RuleSet:
    """Load every rule file in `directory`; `irregular` maps a base form to its irregular forms."""
    errors: list[str] = []
    rules: list[Rule] = []
    phrases: dict[str, dict[str, list[tuple[str, ...]]]] = {}
    raw_rules: list[tuple[str, int, Any]] = []
    for path, doc in yamlio.load_dir(directory, "rule", RuleError):
        doc = doc or {}
        if not isinstance(doc, dict) or set(doc) - {"phrases", "rules"}:
            errors.append(f"{path.name}: must be a mapping with 'phrases' and/or 'rules'")
            continue
        for cls, values in (doc.get("phrases") or {}).items():
            if not isinstance(values, dict):
                errors.append(f"{path.name}: phrases.{cls}: must map a value to a list of phrases")
                continue
            target = phrases.setdefault(cls, {})
            for value, items in values.items():
                if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
                    errors.append(f"{path.name}: phrases.{cls}.{value}: must be a list of strings")
                    continue
                target.setdefault(str(value), []).extend(
                    tuple(frozenset(inflections(w, irregular)) for w in i.lower().split()) for i in items)
        for n, raw in enumerate(doc.get("rules") or [], 1):
            raw_rules.append((path.name, n, raw))
    seen: set[str] = set()
    for file, n, raw in raw_rules:
        where = f"{file}, rule {n}"
        if isinstance(raw, dict) and isinstance(raw.get("id"), str):
            where = f"{file}, rule {raw['id']}"
        try:
            rule = _rule(raw, where, phrases, irregular)
        except RuleError as exc:
            errors.extend(str(exc).split("\n"))
            continue
        if rule.id in seen:
            errors.append(f"{where}: the id is used twice")
        seen.add(rule.id)
        rule.file = file
        rules.append(rule)
    if errors:
        raise RuleError("the rules have errors:\n  " + "\n  ".join(errors))
    # longer phrases first, so "opposition to" wins over "opposition"
    for values in phrases.values():
        for items in values.values():
            items.sort(key=len, reverse=True)
    return RuleSet(rules, phrases)


def _rule(raw, where: str, phrases, irregular) -> Rule:
    problems: list[str] = []
    if not isinstance(raw, dict):
        raise RuleError(f"{where}: must be a mapping")
    unknown = set(raw) - {"id", "kind", "description", "pattern", "emit", "examples"}
    if unknown:
        problems.append(f"{where}: unknown key(s) {sorted(unknown)}")
    if not isinstance(raw.get("id"), str) or not raw["id"]:
        problems.append(f"{where}: needs an 'id'")
    kind = raw.get("kind")
    if kind not in KINDS:
        problems.append(f"{where}: kind {kind!r} is not one of {sorted(KINDS)}")
    pattern = raw.get("pattern")
    specs: list[Spec] = []
    names: set[str] = set()
    if not isinstance(pattern, list) or not pattern:
        problems.append(f"{where}: needs a non-empty 'pattern' list")
    else:
        for i, item in enumerate(pattern, 1):
            loc = f"{where}, pattern {i}"
            if not isinstance(item, dict):
                problems.append(f"{loc}: must be a mapping such as {{lower: met}}")
                continue
            bad = set(item) - SPEC_KEYS
            if bad:
                problems.append(f"{loc}: unknown key(s) {sorted(bad)}")
                continue
            tests = [k for k in ("lower", "lemma", "phrase", "ent", "group", "skip", "aside") if k in item]
            if len(tests) != 1:
                problems.append(f"{loc}: needs exactly one of lower, lemma, phrase, ent, group, skip, aside")
                continue
            spec = Spec(op=item.get("op"), name=item.get("as"))
            if spec.op is not None and spec.op not in OPS:
                problems.append(f"{loc}: op {spec.op!r} is not one of {sorted(OPS)}")
            if "lower" in item:
                spec.lower = _as_set(item["lower"])
            if "lemma" in item:
                spec.lemma = frozenset(f for w in _as_set(item["lemma"]) for f in inflections(w, irregular))
            if "phrase" in item:
                if item["phrase"] not in phrases:
                    problems.append(f"{loc}: phrase class {item['phrase']!r} is not defined")
                spec.phrase = item["phrase"]
            for key in ("ent", "group"):
                if key in item:
                    types = {item[key]} if isinstance(item[key], str) else set(item[key])
                    if types - ENT_TYPES:
                        problems.append(f"{loc}: {key} {sorted(types - ENT_TYPES)} not in {sorted(ENT_TYPES)}")
                    setattr(spec, key, frozenset(types))
            if "aside" in item:
                if item["aside"] not in (True, "true"):
                    problems.append(f"{loc}: aside takes true")
                spec.aside = True
            if "skip" in item:
                if not isinstance(item["skip"], int) or not 1 <= item["skip"] <= 20:
                    problems.append(f"{loc}: skip must be a whole number from 1 to 20")
                spec.skip = item["skip"]
            if "not_phrase" in item:
                np_ = _as_set(item["not_phrase"])
                missing = {p for p in np_ if p not in {k.lower() for k in phrases}}
                if missing:
                    problems.append(f"{loc}: not_phrase class(es) {sorted(missing)} not defined")
                spec.not_phrase = frozenset(k for k in phrases if k.lower() in np_)
            if "not_lower" in item:
                spec.not_lower = _as_set(item["not_lower"])
            if "tag" in item:
                tags = [item["tag"]] if isinstance(item["tag"], str) else item["tag"]
                if not tags or not all(isinstance(t, str) and t.isupper() for t in tags):
                    problems.append(f"{loc}: tag must be a Penn Treebank tag prefix or a list of them (VB, NN)")
                spec.tag = tuple(tags)
            if spec.name:
                names.add(spec.name)
            specs.append(spec)
    emit = raw.get("emit")
    if not isinstance(emit, dict):
        problems.append(f"{where}: needs an 'emit' mapping")
        emit = {}
    else:
        problems.extend(_check_emit(where, kind, emit, names))
    examples = raw.get("examples") or {}
    if kind in ("meeting", "position", "join") and not (examples.get("match") and examples.get("no_match")):
        problems.append(f"{where}: needs examples with at least one 'match' and one 'no_match' sentence")
    if problems:
        raise RuleError("\n".join(problems))
    return Rule(raw["id"], kind, specs, emit, raw.get("description", ""), examples)


def _check_emit(where, kind, emit, names) -> list[str]:
    problems = []
    special = {"subject"}

    def ref(key, value):
        if isinstance(value, str) and value.startswith("$"):
            if value[1:] not in names:
                problems.append(f"{where}: emit.{key} refers to ${value[1:]}, which the pattern does not capture")
            return True
        return False

    if kind == "meeting":
        for p in emit.get("participants", []):
            if p not in names | special:
                problems.append(f"{where}: emit.participants names {p!r}, which the pattern does not capture")
        if emit.get("status", "auto") not in STATUSES:
            problems.append(f"{where}: emit.status must be one of {sorted(STATUSES)}")
        if emit.get("people", "any") not in ("any", "only"):
            problems.append(f"{where}: emit.people must be any or only")
        for key in ("location", "each"):
            if key in emit and emit[key] not in names:
                problems.append(f"{where}: emit.{key} names {emit[key]!r}, which the pattern does not capture")
    elif kind == "position":
        holder = emit.get("holder", "subject")
        if holder not in names | special:
            problems.append(f"{where}: emit.holder names {holder!r}, which the pattern does not capture")
        stance = emit.get("stance")
        if not ref("stance", stance) and stance not in STANCES:
            problems.append(f"{where}: emit.stance must be Support, Opposition or a $capture")
        action = emit.get("action", "none")
        if not ref("action", action) and action not in ACTIONS | {"none", "context"}:
            problems.append(f"{where}: emit.action must be one of {sorted(ACTIONS)}, none, context or a $capture")
        topic = emit.get("topic", "context")
        if topic != "context" and topic not in names:
            problems.append(f"{where}: emit.topic names {topic!r}, which the pattern does not capture")
    elif kind == "join":
        for p in emit.get("participants", []):
            if p not in names | special:
                problems.append(f"{where}: emit.participants names {p!r}, which the pattern does not capture")
    return problems


# --- matching -------------------------------------------------------------


class Matcher:
    """Matches rules against a sequence of units.

    `units` must offer ``.lower``, ``.is_entity``, ``.is_break`` and
    ``.has_type(types)``; `group_at(i, types)` returns the end of a coordinated
    group ("A, B and C") starting at i, or None.
    """

    def __init__(self, ruleset: RuleSet, courtesies: frozenset[str] = frozenset()):
        self.ruleset = ruleset
        self.courtesies = courtesies  # "the Hon. Whitlock", "Mr Kambuaya": words passed over before a name

    def passable(self, units, i: int) -> bool:
        """May unit i stand between two specs unnamed? An adverb (``transparent``), or a courtesy before a
        name ("met separately with the Hon. Whitlock"), with the full stop of its abbreviation."""
        unit = units[i]
        if transparent(unit):
            return True
        if unit.is_entity or unit.is_break:
            return False
        if unit.lower.rstrip(".") in self.courtesies:
            return True
        return unit.lower == "." and i > 0 and units[i - 1].lower in self.courtesies

    def phrase_at(self, units, i: int, cls: str) -> tuple[int, str] | None:
        """The longest phrase of class `cls` starting at unit i: (end, value). An adverb between
        its words is passed over ("comply fully with" is "comply with")."""
        unit = units[i]
        if unit.is_entity:
            return None
        for words, value in self.ruleset.index[cls].get(unit.lower, ()):
            j = i + 1
            for forms in words[1:]:
                skipped = 0
                while j < len(units) and not _word_ok(units[j], forms) and skipped < TRANSPARENT_MAX \
                        and transparent(units[j]):
                    j, skipped = j + 1, skipped + 1
                if j >= len(units) or not _word_ok(units[j], forms):
                    break
                j += 1
            else:
                return j, value
        return None

    def matches(self, rule: Rule, units, group_at: Callable) -> list[Match]:
        found = []
        i = 0
        while i < len(units):
            result = self._match(rule.pattern, 0, units, i, {}, group_at)
            if result is not None:
                end, caps = result
                found.append(Match(rule, i, end, caps))
                i = max(end, i + 1)
            else:
                i += 1
        return found

    def _match(self, specs, k, units, i, caps, group_at, adverbs=0):
        """Match specs[k:] from unit i; `adverbs` says that units before i were passed over as
        adverbs for this spec (so they are not passed over twice)."""
        if k == len(specs):
            return i, caps
        spec = specs[k]
        if spec.op == "!":
            if i < len(units) and self._one(spec, units, i, group_at) is not None:
                return None
            return self._match(specs, k + 1, units, i, caps, group_at)
        if spec.skip is not None:
            for n in range(0, spec.skip + 1):
                if n and (i + n - 1 >= len(units) or not self._skippable(spec, units, i + n - 1)):
                    break
                result = self._match(specs, k + 1, units, i + n, caps, group_at)
                if result is not None:
                    return result
            return None
        if i < len(units):
            one = self._one(spec, units, i, group_at)
            if one is not None:
                end, value = one
                new = dict(caps)
                if spec.name:
                    new[spec.name] = Capture(i, end, value)
                result = self._match(specs, k + 1, units, end, new, group_at)
                if result is not None:
                    return result
            if k and not adverbs:  # an adverb between two specs is passed over: "withdrew formally from"
                n = 0
                while n < TRANSPARENT_MAX and i + n < len(units) and self.passable(units, i + n):
                    n += 1
                    result = self._match(specs, k, units, i + n, caps, group_at, adverbs=n)
                    if result is not None:
                        return result
        if spec.op == "?":
            return self._match(specs, k + 1, units, i, caps, group_at)
        return None

    def _skippable(self, spec: Spec, units, i) -> bool:
        unit = units[i]
        if unit.is_break:
            return False
        if spec.not_lower and unit.lower in spec.not_lower:
            return False
        return not any(self.phrase_at(units, i, cls) for cls in spec.not_phrase)

    def _one(self, spec: Spec, units, i, group_at):
        """(end, phrase value or None) when spec matches at unit i."""
        unit = units[i]
        if spec.tag and unit.tag is not None and not unit.tag.startswith(spec.tag):
            return None  # the tagger read this word otherwise ("a sign of" is no signing)
        if spec.lower is not None:
            return (i + 1, None) if unit.lower in spec.lower else None
        if spec.lemma is not None:
            return (i + 1, None) if unit.lower in spec.lemma else None
        if spec.ent is not None:
            return (i + 1, None) if unit.has_type(spec.ent) else None
        if spec.group is not None:
            end = group_at(i, spec.group)
            return (end, None) if end else None
        if spec.phrase is not None:
            hit = self.phrase_at(units, i, spec.phrase)
            return hit
        if spec.aside:
            return self._aside(units, i)
        return None

    ASIDE_MAX = 12
    FINITE = ("VBD", "VBZ", "VBP", "MD")

    def _aside(self, units, i):
        """", at the Prime Minister's Office in Jerusalem," : from a comma to the next, at most
        ASIDE_MAX units, holding no person and no finite verb (a clause is no aside)."""
        if units[i].lower != ",":
            return None
        for j in range(i + 1, min(len(units), i + 1 + self.ASIDE_MAX)):
            u = units[j]
            if u.lower == ",":
                return (j + 1, None) if j > i + 1 else None
            if u.is_break or u.has_type(("Person",)) or (u.tag or "").startswith(self.FINITE):
                return None
        return None


TRANSPARENT_MAX = 2  # adverbs passed over in a row
# Adverbs that are never passed over: they negate or they are words that rules name.
NOT_TRANSPARENT = frozenset({"not", "n't", "never", "no", "nor", "neither", "hardly", "barely", "out", "back",
                             "up", "down", "off", "away", "together", "separately", "there", "then", "so"})


def transparent(unit) -> bool:
    """An adverb the patterns pass over between two of their words or specs ("fully", "formally",
    "again"): a single word the tagger reads as an adverb (RB, RBR, RBS), not a negation."""
    return (not unit.is_entity and not unit.is_break and unit.tag is not None and unit.tag.startswith("RB")
            and unit.lower not in NOT_TRANSPARENT)


def _word_ok(unit, forms: frozenset[str]) -> bool:
    return not unit.is_entity and unit.lower in forms
