"""The engine: applies the rules and the gazetteer to an article.

    text ─► sentences ─► mentions (gazetteer, titles, anaphora, dates) ─► units
         ─► clauses ─► rule matches ─► facts (meetings, positions) with evidence

The work is split by stage: ``mentions.py`` reads mentions into units,
``facts.py`` turns rule matches into facts, ``model.py`` holds the data.
The engine names no entity and holds no word list: those are in the gazetteer
(``gazetteer/*.yaml``), the lexicon (``lexicon.yaml``) and the rules
(``rules/*.yaml``). It does no I/O beyond reading those files, and knows
nothing of RDF (see ``graph.py``), stores or HTTP.
"""
from __future__ import annotations

from pathlib import Path

from . import dates as dates_mod
from . import gazetteer as gaz_mod
from . import rules as rules_mod
from . import yamlio
from .dates import DateFinder, DateValue
from .facts import FactReader
from .linguistics import Linguistics
from .mentions import MentionReader
from .model import Entity, Extraction, MeetingFact, Mention, PositionFact
from .morphology import inflections, invert
from .text import Article, SentenceSplitter

HERE = Path(__file__).resolve().parent
DEFAULT_GAZETTEER = HERE / "gazetteer"
DEFAULT_RULES = HERE / "rules"
DEFAULT_LEXICON = HERE / "lexicon.yaml"


class Engine:
    def __init__(self, gazetteer_dir=DEFAULT_GAZETTEER, rules_dir=DEFAULT_RULES, lexicon=DEFAULT_LEXICON):
        lex = yamlio.load(lexicon)
        self.lex = lex
        self.irregular = invert(lex["irregular_lemmas"])
        self.gazetteer = gaz_mod.load(gazetteer_dir)
        self.ruleset = rules_mod.load(rules_dir, self.irregular)
        self.matcher = rules_mod.Matcher(self.ruleset, frozenset(w.lower() for w in lex.get("honorifics", [])))
        self.splitter = SentenceSplitter(lex["abbreviations"], lex["sentence_starters"])
        self.dates = DateFinder(lex["months"], lex["relative_months"], lex["no_date"], lex.get("weekdays", []),
                                lex.get("previous_date_phrases", {}), lex.get("day_offsets", {}),
                                lex.get("future_cues", []))
        self.relative_pronouns = {w.lower() for w in lex.get("relative_pronouns", [])}
        self.treaty_name_heads = set(lex.get("treaty_name_heads", []))
        self.titles: dict[str, list[tuple[str, ...]]] = {}  # first word -> titles, longest first
        singular = [tuple(t.lower().split()) for t in lex["titles"]]
        # "the foreign ministers Nikos Kotzias and Nikola Dimitrov": a title in the plural names each of them
        self.plural_titles = {t[:-1] + (t[-1] + "s",): t for t in singular if not t[-1].endswith("s")}
        for t in sorted(singular + list(self.plural_titles), key=len, reverse=True):
            self.titles.setdefault(t[0], []).append(t)
        self.title_modifiers = {m.lower() for m in lex["title_modifiers"]}
        self.group_nouns = {n.lower() for n in lex["state_group_nouns"]}
        self.group_numbers = {k.lower(): v for k, v in lex["group_anaphors"]["numbers"].items()}
        self.group_anaphor_nouns = sorted((tuple(n.lower().split()) for n in lex["group_anaphors"]["nouns"]),
                                          key=len, reverse=True)
        self.treaty_anaphors = sorted((tuple(p.lower().split()) for p in lex["treaty_anaphors"]),
                                      key=len, reverse=True)
        self.pronouns = {p.lower() for p in lex["person_pronouns"]}
        self.treaty_part_nouns = {w.lower() for w in lex.get("treaty_part_nouns", [])}
        self.described_place_kinds = set(lex.get("described_place_kinds", []))
        self.nonperson_relatives = {w.lower() for w in lex.get("nonperson_relatives", [])}
        self.plural_pronouns = {w.lower() for w in lex.get("plural_pronouns", [])}
        self.object_pronouns = {p.lower() for p in lex.get("object_pronouns", [])}
        self.speaker_pronouns = set(lex.get("speaker_pronouns", []))
        self.speaker_pronouns_lower = {p.lower() for p in self.speaker_pronouns}
        self.speech_verbs = {w.lower() for w in lex.get("speech_verbs", [])}
        self.existential_verbs = {w.lower() for w in lex.get("existential_verbs", [])}
        self.questioner_labels = {q.lower() for q in lex.get("questioner_labels", [])}
        self.treaty_heads = {h.lower() for h in lex["treaty_heads"]}
        self.treaty_determiners = {d.lower() for d in lex.get("treaty_determiners", [])}
        self.capital_nouns = {w.lower() for w in lex.get("capital_nouns", [])}
        self.honorifics = {w.lower() for w in lex.get("honorifics", [])}
        self.dateline_venues = {w.lower() for w in lex.get("dateline_venues", [])}
        self.state_nouns = {w.lower() for w in lex.get("state_nouns", [])}
        self.future_cues = [tuple(c.lower().split()) for c in lex.get("future_cues", [])]
        self.generic_body_words = {w.lower() for w in lex.get("generic_body_words", [])}
        self.name_particles = {w.lower() for w in lex.get("name_particles", [])}
        self.prepositions = {p.lower() for p in lex["prepositions"]}
        self.control_verbs = set()
        for phrase in lex["control_verbs"]:
            first, *rest = phrase.lower().split()
            self.control_verbs |= {tuple([form, *rest]) for form in inflections(first, self.irregular)}
        self.control_forms = {f for phrase in lex["control_verbs"] for f in inflections(phrase.lower().split()[0], self.irregular)}
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
        self.weekdays = {w.lower() for w in lex.get("weekdays", [])}
        self.ner_types = dict(lex.get("ner_types", {}))
        self.treaty_parts = set(lex.get("treaty_parts", []))
        self.organization_heads = set(lex.get("organization_heads", []))
        # "the parliament ratified it": "it" right after one of these is the treaty in focus
        self.action_verb_words = {form for values in self.ruleset.phrases.get("action_verb", {}).values()
                                  for words in values if len(words) == 1 for form in words[0]}
        self.linguistics = Linguistics(lex.get("spacy_model") or Linguistics().model)

    # -- public ------------------------------------------------------------

    def extract(self, article: Article) -> Extraction:
        return _Run(self, article).run()

    def rule_matches(self, rule_id: str, sentence: str) -> bool:
        """Does the rule match this sentence? (Used to test each rule's examples.)"""
        from .readers import parse_article

        rule = self.ruleset.by_id(rule_id)
        run = _Run(self, parse_article(sentence, "example"))
        hits = self.gazetteer.find(sentence)
        sentences = self.splitter.split(run.article)
        run.parses = self.linguistics.parse(sentences)
        for s in sentences:
            units = run.units(s, [h for h in hits if s.start <= h.start and h.end <= s.end], run.citation(s))
            run.clauses(units)
            if self.matcher.matches(rule, units, lambda i, t: run.group_at(units, i, t)):
                return True
        return False


# --- one run over one article -----------------------------------------------


class _Run(MentionReader, FactReader):
    """One run of the engine over one article: the state that mentions and facts share."""

    def __init__(self, engine: Engine, article: Article):
        self.e = engine
        self.gz = engine.gazetteer
        self.article = article
        stated = article.date  # the article's own date, where a reader found one
        self.year = dates_mod.year_from_volume(article.volume) or (stated.year if stated else None)
        self.entities: dict[str, Entity] = {}
        self.mentions: list[Mention] = []
        self.surnames: dict[str, str] = {}  # surname -> person key, as the article introduced them
        self.replaced: dict[str, str] = {}  # a surname minted before its full name → the full name's key
        self.persons: list[str] = []  # person keys in order of mention
        self.treaties: list[str] = []  # treaty keys in order of mention
        self.described: dict[str, set[str]] = {}  # treaty key -> the words of its descriptions (minted here)
        self.meetings: list[MeetingFact] = []
        self.positions: list[PositionFact] = []
        self.venue: tuple | None = None  # (place, date, sentence, noun) of the summit last reported
        self.venues: dict[str, tuple] = {}  # the venue last reported of each kind: "summit" → (place, date, sentence, noun)
        self.sentence_index = 0
        self.paragraph = None  # the current sentence's paragraph
        self.paragraph_treaties = 0  # how many treaties had been named before it
        self.parses = {}  # sentence index -> linguistics.Parsed
        self.reference: DateValue | None = None
        self.reference_exact = False  # the article's date is stated, not inferred from citations
        self.author: str | None = None  # the person of the byline ("By …"), who "I" is outside quotations
        self.speaker: str | None = None  # the person speaking in a transcript's current turn
        self.quote_speaker: tuple[int, str] | None = None  # (paragraph, person) whose quotation runs on
        self.last_group: tuple[int, list[str]] | None = None  # (sentence, persons) of the last "the two men"
        self.issuer: str | None = None  # a release's letterhead ("Ministry of …" on a line of its own): its "we"
        self.last_place: str | None = None  # the place last named, for "there"
        self.dateline_place: str | None = None  # the place of a wire dateline, for "here"
        self.last_date: DateValue | None = None  # the last full date in the text, for "shortly afterwards"
        self.subject_persons: list[str] = []  # persons named as subjects, for "he" and "she"
        self.prev_scene: list[tuple[set[str], str | None, DateValue | None]] = []
        self._sentence_facts: list[tuple[set[str], str | None, DateValue | None]] = []

    # -- entities ----------------------------------------------------------

    def run(self) -> Extraction:
        art = self.article
        sentences = self.e.splitter.split(art)
        hits = self.gz.find(art.text[art.body_start:]) if art.body_start < len(art.text) else []
        for h in hits:
            h.start += art.body_start
            h.end += art.body_start
        full = {s.index for s in sentences if self.e.ruleset.could_match({t.lower for t in s.tokens})}
        dateline = art.dateline
        self.parses = self.e.linguistics.parse(sentences, full, start=dateline.end if dateline else 0)
        citations = {s.index: self.citation(s) for s in sentences}
        self.reference, basis = self.article_date(sentences, citations)
        self.reference_exact = art.date is not None and self.reference == art.date
        inferred = art.date is None
        per_sentence = [[h for h in hits if s.start <= h.start and h.end <= s.end] for s in sentences]
        cited_for: dict[int, list[str]] = {}
        for s in sentences:
            self.sentence_index = s.index
            if s.paragraph != self.paragraph:
                self.paragraph, self.paragraph_treaties = s.paragraph, len(self.treaties)
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
