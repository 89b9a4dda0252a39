"""Reading mentions: gazetteer names, titled persons, surnames, anaphora, metonyms, dates,
citations and clauses, merged into the units that rules match (as spaCy's merge_entities).

A mixin of the engine's run over one article (engine._Run), which holds the state it uses:
the entities, mentions, persons and treaties named so far, and the article's dates.
"""
from __future__ import annotations

import re

from . import dates as dates_mod
from . import gazetteer as gaz_mod
from .dates import DateValue
from .model import ACTOR_TYPES, DETERMINERS, Entity, Mention, Unit, slugify
from .text import Sentence, Token


class MentionReader:
    def entity_for(self, entry: gaz_mod.Entry) -> Entity:
        kind = entry.type.lower()
        key = f"{kind}/{entry.id}"
        if key not in self.entities:
            country = None
            if entry.country and self.gz.get(entry.country):
                country = self.entity_for(self.gz.get(entry.country)).key
            self.entities[key] = Entity(kind, entry.id, entry.type, entry.label, list(entry.aliases),
                                        entry.wikidata, country, kind_of=entry.kind,
                                        coordinates=entry.coordinates)
        return self.entities[key]

    def new_person(self, name: str) -> Entity:
        key = f"person/{slugify(name)}"
        if key not in self.entities and " " in name:
            # "Al Zayani" after "Abdullatif bin Rashid Al Zayani": the end of a full name named before
            fuller = [e for e in self.entities.values() if e.type == "Person" and e.label.endswith(" " + name)]
            if len(fuller) == 1:
                return fuller[0]
        if key not in self.entities:
            self.entities[key] = Entity("person", slugify(name), "Person", name)
            if " " in name:
                # "Foreign Minister Schallenberg" in the headline, "Alexander Schallenberg" in the body:
                # the surname minted first is this person, and the full name is the one to keep
                shorter = [e for e in self.entities.values() if e.type == "Person" and e.wikidata is None
                           and e.label == name.split()[-1] and not self.gz.get(e.slug)]
                if len(shorter) == 1:
                    self.replaced[shorter[0].key] = key
                    self.entities[key].roles = list(shorter[0].roles)
                    self.surnames[shorter[0].label] = key
        return self.entities[key]

    def merge_replaced(self):
        """Every reference to a surname minted before its full name now names the full name."""
        if not self.replaced:
            return
        new = lambda k: self.replaced.get(k, k)
        for fact in self.meetings:
            fact.participants = [new(k) for k in fact.participants]
        for fact in self.positions:
            fact.holder = new(fact.holder)
        for m in self.mentions:
            m.entity = new(m.entity)
        for old, key in self.replaced.items():
            for role in self.entities.pop(old).roles:
                if role not in self.entities[key].roles:
                    self.entities[key].roles.append(role)
        # the headline's meeting and the body's are now one (spans were merged when first read: here
        # only the same people at a compatible time and place merge, so "met separately" stays two)
        meetings, positions, self.meetings, self.positions = self.meetings, self.positions, [], []
        for fact in meetings:
            self.add_meeting(fact, one_reading=False)
        for fact in positions:
            self.add_position(fact)

    def new_entity(self, etype: str, name: str) -> Entity:
        kind = etype.lower()
        key = f"{kind}/{slugify(name)}"
        if key not in self.entities:
            self.entities[key] = Entity(kind, slugify(name), etype, name)
        return self.entities[key]

    def mention(self, start: int, end: int, key: str):
        self.mentions.append(Mention(start, end, self.article.text[start:end], key))

    def saw_person(self, key: str):
        self.persons.append(key)
        label = self.entities[key].label
        names = [label, *self.entities[key].aliases]
        entry = self.gz.get(self.entities[key].slug) if self.entities[key].type == "Person" else None
        for name in names:
            parts = name.split()
            if len(parts) > 1:
                self.surnames.setdefault(parts[-1], key)
                if PARTICLE_NAME.match(parts[-1]):  # "Omar al-Bashir" is "Bashir" later
                    self.surnames.setdefault(parts[-1].split("-", 1)[1], key)
                if entry is None:  # a name the gazetteer does not know: any part may come alone later
                    for part in parts[:-1]:
                        if len(part) > 2 and part[:1].isupper():
                            self.surnames.setdefault(part, key)
        for surname in entry.surnames if entry else []:
            self.surnames.setdefault(surname, key)

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
        """The article's date: the one its file states (front matter, page metadata, a row's date, the
        dateline: the reader's `date_basis` says which), else the latest date of its source citations,
        else the year of its volume."""
        if self.article.date is not None:
            return self.article.date, self.article.date_basis or "the article's stated date"
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

    def units(self, s: Sentence, hits, citation) -> list[Unit]:
        toks = s.tokens
        n = len(toks)
        spans: list[tuple[int, int, Unit] | None] = []
        taken = [False] * n
        index_of = {t.start: i for i, t in enumerate(toks)}
        end_of = {t.end: i for i, t in enumerate(toks)}
        cite_lo, cite_hi = citation if citation else (n, n)
        # a wire dateline ("GENEVA, Feb. 23 (Reuters) -") is read like a citation: its names are
        # mentions, its date is the article's, and neither takes part in a fact
        dateline = self.article.dateline
        # (the tokens inside it: a headline in the same paragraph before it is no part of it)
        in_dl = [dateline is not None and dateline.start <= t.start and t.end <= dateline.end for t in toks]
        dl_hi = max((k + 1 for k, inside in enumerate(in_dl) if inside), default=0)

        def in_cite(k: int) -> bool:
            return cite_lo <= k < cite_hi or in_dl[k]
        self._ner_at = self.named_entities(s)
        self._quoted = self.quoted_tokens(s)
        self._persons_before = len(self.persons)  # the persons named before this sentence

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
        label_end = self.speaker_label(s)  # "LAVROV: I am glad …": the speaker's label, up to its colon
        i = 0
        pending: list[tuple[int, int, Unit]] = []
        while i < n:
            unit, j = self.unit_at(toks, i, hit_at, in_cite(i))
            if unit is not None:
                unit.in_citation = in_cite(i)
                line = self.article.place_line
                if (in_dl[i] or line and line[0] <= unit.start < line[1]) and self.dateline_place is None \
                        and unit.etype in ("Place", "State") and unit.refs:
                    self.dateline_place = unit.refs[0]  # "GENEVA, Feb. 23 (Reuters) -", "Suva, 3 March 2014": "here"
                pending.append((i, j, unit))
                if label_end is not None and j <= label_end and unit.etype == "Person" and len(unit.refs) == 1:
                    self.speaker = unit.refs[0]
                if unit.etype == "Person" and len(unit.refs) == 1 and self.subject_position(toks, i, s, unit):
                    self.subject_persons.append(unit.refs[0])
                i = j
            else:
                i += 1
        if label_end is not None and self.speaker is None:
            self.speaker = self.label_person(toks[:label_end])  # "PRIME MINISTER SCOTT MORRISON:"
        if self.author is None and s.paragraph <= 6 and n >= 3 and toks[0].lower == "by" and len(pending) == 1 \
                and pending[0][:2] == (1, n) and pending[0][2].etype == "Person" and len(pending[0][2].refs) == 1:
            self.author = pending[0][2].refs[0]  # a byline, "By Margaret Ellison-Hale": who "I" is in an op-ed
        if self.issuer is None and s.paragraph <= 1 and len(pending) == 1 and pending[0][:2] == (0, n) \
                and pending[0][2].etype in ("Organization", "State") and pending[0][2].refs:
            self.issuer = pending[0][2].refs[0]  # a letterhead: the body on a line of its own, under the title
        covered = set()
        for i, j, _ in pending:
            covered.update(range(i, j))
        # 3. dates, where no entity is
        free = []
        for m in self.e.dates.find(toks):
            if any(k in covered for k in range(m.start, m.end)):
                continue
            value = dates_mod.resolve(m, self.year, self.reference, self.last_date, self.reference_exact)
            if value is not None and value.day is not None and not in_cite(m.start):
                self.last_date = value
            first, last = toks[m.start], toks[m.end - 1]
            u = Unit(s.text[first.start - s.start:last.end - s.start], first.start, last.end,
                     " ".join(t.lower for t in toks[m.start:m.end]), etype="Date", date=value,
                     no_date=value is None)
            u.in_citation = in_cite(m.start)
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
            u.in_citation = in_cite(i)
            units.append(u)
        parsed = self.parses.get(s.index)
        if parsed is not None:
            for u in units:
                tok = parsed.token_at(u.start)
                u.tag = tok.tag_ if tok is not None else None
        return self.attribute_quotes(s, units)

    def quoted_tokens(self, s: Sentence) -> set[int]:
        """Indices of the sentence's tokens that stand inside quotation marks, counting the marks
        from the start of the paragraph (a quotation may run over several sentences)."""
        p_start = self.article.paragraphs[s.paragraph][0]
        inside = _inside_quote(self.article.text[p_start:s.start])
        quoted = set()
        for k, t in enumerate(s.tokens):
            if t.text in QUOTE_OPEN or (t.text == '"' and not inside):
                inside = True
            elif t.text in QUOTE_CLOSE or t.text == '"':
                inside = False
            elif inside:
                quoted.add(k)
        return quoted

    def attribute_quotes(self, s: Sentence, units: list[Unit]) -> list[Unit]:
        """"We call on all states to ratify it," the Minister said: the first person inside a
        quotation is the person the sentence (or the paragraph, before it) says spoke it; a
        sentence ending "X said:" gives the speaker of the quotation that follows. Without one,
        in a transcript, the speaker of the turn; else the pronoun names nobody."""
        speaker = None
        for k, u in enumerate(units):
            if u.etype == "Person" and len(u.refs) == 1 and not u.quoted:
                near = [units[j].lower for j in (k - 1, k + 1) if 0 <= j < len(units)]
                if any(w in self.e.speech_verbs for w in near):
                    speaker = u.refs[0]
                    break
        held = self.quote_speaker
        if speaker is None and held and held[0] in (s.paragraph, s.paragraph - 1):
            speaker = held[1]
        speaker = speaker or self.speaker
        out = []
        for u in units:
            if u.quoted:
                if speaker is None:
                    u = Unit(u.text, u.start, u.end, u.lower)
                else:
                    u.refs, u.actor = [speaker], [speaker]
            out.append(u)
        if speaker is not None and speaker != self.speaker:
            self.quote_speaker = (s.paragraph, speaker)
        return out

    def subject_position(self, toks: list[Token], i: int, s: Sentence | None = None, unit: Unit | None = None) -> bool:
        """Is a mention at token i in subject position? By the parse where there is one (a subject,
        or a member of one), else not after a preposition, "and" or a control verb."""
        parsed = self.parses.get(s.index) if s is not None else None
        if parsed is not None and parsed.has_parse and unit is not None:
            for c in range(unit.start, unit.end):
                tok = parsed.token_at(c)
                while tok is not None and tok.dep_ in ("compound", "conj", "appos", "flat") and tok.head is not tok:
                    tok = tok.head
                if tok is not None and tok.dep_ in ("nsubj", "nsubjpass"):
                    return True
            return False
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
                    people = self.group_in_focus(count)
                    if len(people) == count:
                        end = start + 1 + len(words)
                        u = self._unit(toks, i, end, "Person", people[::-1], people[::-1])
                        self.last_group = (self.sentence_index, people[::-1])
                        return u, end
            # "Both came out in favor …", "the two agreed …": no noun, a verb follows
            nxt = toks[start + 1] if start + 1 < len(toks) else None
            if nxt is not None and nxt.text.islower() and nxt.text.isalpha() and nxt.lower not in ("of", "sides", "countries", "states") \
                    and self.verb_at(nxt) is not False:
                people = self.group_in_focus(count)
                if len(people) == count:
                    self.last_group = (self.sentence_index, people)
                    return self._unit(toks, i, start + 1, "Person", people, people), start + 1
        # "an agreement extending Russia's lease of Baikonur": a gazetteer treaty by its description
        described = self.described_treaty(toks, i, hit_at)
        if described:
            return described
        # "the amendment", "the protocol" after "the Kigali Amendment": the treaty in focus whose name ends so
        if t.lower == "the" and i + 1 < len(toks) and toks[i + 1].lower in NAMED_HEADS and self.treaties:
            head = toks[i + 1].lower
            key = next((k for k in reversed(self.treaties)
                        if self.entities[k].label.lower().split()[-1:] == [head]), None)
            if key is not None and not (i + 2 < len(toks) and toks[i + 2].lower in ("to", "of", "on")):
                self.mention(t.start, toks[i + 1].end, key)
                return self._unit(toks, i, i + 2, "Treaty", [key], []), i + 2
        # "the treaty", "the document", "the new treaty"
        anaphor_end = self.treaty_anaphor_end(toks, i)
        if anaphor_end and self.treaties:
            end = anaphor_end
            words = [t.lower for t in toks[i:end]]
            key = self.salient_treaty(toks[i + (toks[i].lower == "the")].text)
            last = self.mentions[-1] if self.mentions else None
            if i >= 2 and toks[i - 1].text == "," and last is not None and last.end == toks[i - 2].end \
                    and last.entity.startswith("treaty/"):
                key = last.entity  # "NAFTA, the 1994 pact it replaces": in apposition, the treaty just named
            if "new" in words:
                signed = [p.topic for p in self.positions if p.action == "Signature"]
                key = signed[-1] if signed else key
            self.mention(toks[i].start, toks[end - 1].end, key)
            return self._unit(toks, i, end, "Treaty", [key], []), end
        # "the Hellenic Parliament ratified it": the treaty in focus
        if t.lower == "it" and i and toks[i - 1].lower in self.e.action_verb_words and self.treaties \
                and (i < 2 or toks[i - 2].lower != "to"):  # not "any attempt to amend it": no act, an idea of one
            key = self.treaties[-1]
            self.mention(t.start, t.end, key)
            return self._unit(toks, i, i + 1, "Treaty", [key], []), i + 1
        # "amendments to its provisions": the parts of the treaty in focus stand for it
        if t.lower == "its" and i + 1 < len(toks) and toks[i + 1].lower in self.e.treaty_part_nouns and self.treaties:
            key = self.treaties[-1]
            self.mention(t.start, toks[i + 1].end, key)
            return self._unit(toks, i, i + 2, "Treaty", [key], []), i + 2
        # "I", "we", "I'll": the speaker of a transcript or readout, named by the label of the turn
        word = CONTRACTION.sub("", t.text)
        if word in self.e.speaker_pronouns and i in self._quoted:
            u = self._unit(toks, i, i + 1, "Person", [], [])  # whose words: settled by attribute_quotes
            u.quoted = True
            return u, i + 1
        if word in self.e.speaker_pronouns and self.speaker:
            return self._unit(toks, i, i + 1, "Person", [self.speaker], [self.speaker]), i + 1
        # "I met my Indian counterpart" outside quotations, in a text with a byline: its author
        if word.lower() in ("i", "me", "my") and self.author and not self.speaker:
            return self._unit(toks, i, i + 1, "Person", [self.author], [self.author]), i + 1
        # "We call on all states to ratify …" in a release's own voice: the body of its letterhead
        if word in self.e.speaker_pronouns and word.lower() in ("we", "us") and self.issuer:
            etype = self.entities[self.issuer].type
            return self._unit(toks, i, i + 1, etype, [self.issuer], [self.issuer]), i + 1
        # "They held talks": the group just named ("the two men"), or the people of the meeting just reported
        if word.lower() in self.e.plural_pronouns:
            group = self.group_for_they()
            if group:
                return self._unit(toks, i, i + 1, "Person", group, group), i + 1
        # "he", "she", "she'll": the person last named as a subject
        if word.lower() in self.e.pronouns and self.persons:
            key = (self.subject_persons or self.persons)[-1]
            return self._unit(toks, i, i + 1, "Person", [key], [key]), i + 1
        # "Isaias greeted him": the person last named as a subject, other than those of this sentence
        if word.lower() in self.e.object_pronouns:
            here = {k for k in self.persons[self._persons_before:]}
            key = next((k for k in reversed(self.subject_persons or self.persons) if k not in here), None)
            if key is not None:
                return self._unit(toks, i, i + 1, "Person", [key], [key]), i + 1
        # titled persons: [modifier] [title] Name
        titled = self.titled_person(toks, i, hit_at)
        if titled:
            return titled
        described = self.role_description(toks, i, hit_at)
        if described:
            return described
        if i in hit_at and hit_at[i][1].entry.type in ("Place", "State"):
            # "the Paris Agreement", "the Minsk Protocol": a treaty named after a place
            places = {k: v for k, v in hit_at.items() if v[1].entry.type not in ("Place", "State")}
            named = self.treaty_name(toks, i, places)
            if named and named[1] > hit_at[i][0]:
                return named
            end = hit_at[i][0]
            if i and toks[i - 1].lower == "the" and end < len(toks) and toks[end].lower in self.e.treaty_heads:
                # "the Minsk agreements", "the Paris accord": a treaty named after a place, in lower case
                return self.new_treaty(toks, i, end + 1)
        if i in hit_at:
            end, hit = hit_at[i]
            qualified = self.qualified_by_demonym(toks, i, hit_at)
            if qualified:
                return qualified
            return self.entity_unit(toks, i, end, hit, in_citation)
        named = self.treaty_name(toks, i, hit_at)
        if named:
            return named
        # "the Ivanov-Albright meeting": two surnames joined by a hyphen are both persons
        parts = t.text.split("-")
        if len(parts) == 2 and all(p[:1].isupper() and p.isalpha() for p in parts):
            keys = [self.surname(p) for p in parts]
            if all(keys) and keys[0] != keys[1]:
                offset = t.start
                for p, key in zip(parts, keys):
                    self.mention(offset, offset + len(p), key)
                    offset += len(p) + 1
                return self._unit(toks, i, i + 1, "Person", keys, keys), i + 1
        # surnames of persons named before, or unique in the gazetteer
        longer_name = i in self._ner_at and self._ner_at[i][0] > i + 1 and self._ner_at[i][1] == "PERSON"
        if t.is_title and t.text.isalpha() and t.lower not in self.e.months and not longer_name:
            # ("Wen Haoting" is not Wen Jiabao: a surname that begins a longer name is not that person's)
            key = self.surname(t.text) or (self.surname(t.text.title()) if t.text.isupper() and len(t.text) > 3 else None)
            if key:
                self.mention(t.start, t.end, key)
                self.saw_person(key)
                return self._unit(toks, i, i + 1, "Person", [key], [key]), i + 1
        if i in self._ner_at and not in_citation:
            return self.ner_unit(toks, i, *self._ner_at[i], hit_at)
        return None, i + 1

    def label_person(self, words: list[Token]) -> str | None:
        """The person a transcript's label in capitals names ("PRIME MINISTER SCOTT MORRISON",
        "FOREIGN MINISTER WANG YI"): the words after the title, in title case, as the gazetteer or
        the article knows them, else a new person."""
        k = 0
        while k < len(words):
            first = words[k].lower
            fits = [w for w in self.e.titles.get(first, ()) if tuple(x.lower for x in words[k:k + len(w)]) == w]
            if fits:
                k += len(max(fits, key=len))
            elif first in self.e.title_modifiers or first.rstrip(".") in self.e.honorifics:
                k += 1  # "SAYYID BADR ALBUSAIDI:", "DR. MACHAR:": the courtesy is not the name
            else:
                break
        rest = [w for w in words[k:] if w.text[:1].isalpha()]
        if not rest or not all(w.text.isupper() or w.text[:1].isupper() for w in rest):
            return None
        name = " ".join(w.text.title() if w.text.isupper() else w.text for w in rest)
        key = None
        hits = [h for h in self.gz.find(name) if h.entry.type == "Person" and h.start == 0 and h.end == len(name)]
        if hits:
            key = self.entity_for(hits[0].entry).key
        elif len(rest) == 1:
            key = self.surname(name)
            if key is None and k > 0:  # "HIGH REPRESENTATIVE MOGHERINI:": a titled surname is a person
                key = self.new_person(name).key
                self.surnames.setdefault(name, key)
        elif len(rest) <= 4:
            key = self.new_person(name).key
        if key:
            self.mention(rest[0].start, rest[-1].end, key)
            self.saw_person(key)
        return key

    def speaker_label(self, s: Sentence) -> int | None:
        """At the start of a paragraph, a speaker's label ("LAVROV:", "Foreign Minister Wang Yi:",
        "Q:"): the token index of its colon. A new label changes the speaker; a questioner's
        label ("Q", "QUESTION") leaves none. Paragraphs without a label keep the speaker."""
        if s.index and self.e.splitter is not None and getattr(self, "_label_para", None) == s.paragraph:
            return None
        self._label_para = s.paragraph
        toks = s.tokens
        for k, t in enumerate(toks[:8]):
            if t.text == ":":
                words = toks[:k]
                if not words or not all(w.text[:1].isupper() or w.text in ".-" for w in words):
                    return None
                self.speaker = None
                if " ".join(w.text for w in words).lower() in self.e.questioner_labels:
                    return None
                return k
            if not (t.text[:1].isupper() or t.text in ".-'"):
                return None
        return None

    def named_entities(self, s: Sentence) -> dict[int, tuple[int, str]]:
        """The recogniser's people, places and organisations in this sentence, as token ranges:
        start token → (end token, label). Names the gazetteer knows are read from the gazetteer."""
        parsed = self.parses.get(s.index)
        if parsed is None:
            return {}
        toks = s.tokens
        found = {}
        for ent in parsed.entities():
            if ent.label not in self.e.ner_types:
                continue
            inside = [k for k, t in enumerate(toks) if t.end > ent.start and t.start < ent.end]
            while inside and (toks[inside[0]].lower in DETERMINERS or not toks[inside[0]].text[:1].isalnum()):
                inside.pop(0)
            while inside and (toks[inside[-1]].lower in ("'s", "’s") or not toks[inside[-1]].text[:1].isalnum()):
                inside.pop()
            if not inside:
                continue
            label = ent.label
            # "Chrystia Freeland" read as the place "Chrystia": the span is the modifier of a proper
            # noun right after it, so the name is the whole compound, and a place does not modify a name
            last = parsed.token_at(toks[inside[-1]].start)
            nxt = inside[-1] + 1
            while last is not None and last.dep_ == "compound" and nxt < len(toks) \
                    and last.head.i == last.i + 1 and last.head.tag_ == "NNP" and _name_word(toks[nxt]) \
                    and toks[nxt].lower not in self.e.titles and toks[nxt].text not in self.e.treaty_name_heads:
                inside.append(nxt)
                if label in ("GPE", "LOC", "NORP"):
                    label = "PERSON"
                last = last.head
                nxt += 1
            if label in self.e.ner_types:
                found[inside[0]] = (inside[-1] + 1, label)
        return found

    def ner_unit(self, toks, i, end, label, hit_at):
        """A person, place or organisation the gazetteer does not know, as the recogniser typed it."""
        inner = ("of", "on", "the", "and", "for", "-") if self.e.ner_types[label] in ("Treaty", "Organization") else ()
        if any(k in hit_at for k in range(i, end)) or not all(
                _name_word(t) or t.text.isupper() or (t.lower in inner and i < k < end - 1)
                for k, t in enumerate(toks[i:end], i)):
            return None, i + 1
        while end - i > 2 and toks[i].lower in self.e.honorifics:
            i += 1  # "Sayyid Badr Albusaidi": the courtesy is not the name
        words = [t.text for t in toks[i:end]]
        if words[0].lower() in self.e.months or any(w.lower() in self.e.titles for w in words):
            return None, i + 1
        name = self.article.text[toks[i].start:toks[end - 1].end]
        etype = self.e.ner_types[label]
        if etype in ("Person", "Organization") and len(words) >= 2 and words[-1] in self.e.treaty_name_heads:
            etype = "Treaty"  # "the Al-Ula Declaration" read as a person: a name ending in Declaration is a treaty's
        if etype == "Organization" and len(words) == 1 and not name.isupper() and i and toks[i - 1].lower == "in":
            etype = "Place"  # "met in Durban": one word after "in" that the recogniser called an organisation
        if etype == "Organization" and (self.apposed_to_title(toks, i, end) or self.personal_name(words)):
            etype = "Person"  # "the Executive Director of the campaign, Beatrice Fihn,": an office's holder
        if name.isupper() and etype == "Person":
            name = name.title()  # a transcript's "JOHN HOWARD:" is John Howard
        if name.lower() in self.e.questioner_labels:
            return None, i + 1
        if etype == "Treaty" and words[0] in self.e.treaty_parts:
            return None, i + 1
        if etype == "Organization" and (len(words) < 2 and not name.isupper()
                                        or any(w in self.e.treaty_name_heads for w in words)):
            return None, i + 1
        if etype == "Person":
            key = self.surname(name) if len(words) == 1 else None
            entity = self.entities[key] if key else self.new_person(name)
        else:
            entity = self.new_entity(etype, name)
        self.mention(toks[i].start, toks[end - 1].end, entity.key)
        if etype == "Person":
            self.saw_person(entity.key)
        if etype == "Treaty":
            self.treaties.append(entity.key)
        actor = [entity.key] if etype in ACTOR_TYPES else []
        return self._unit(toks, i, end, etype, [entity.key], actor), end

    def owner_in_play(self, entry: gaz_mod.Entry, hit: gaz_mod.Hit) -> bool:
        """A state's body named without its state ("the Foreign Ministry", "the House of Commons") is
        that state's only in an article that has already named the state; in a story about Mexico,
        "the Foreign Ministry" is not Russia's. A name that says whose it is ("the Russian Foreign
        Ministry") always is."""
        owner = self.gz.get(entry.of) if entry.type == "Organization" and entry.of else None
        if owner is None or owner.type != "State":
            return True
        said = self.article.text[hit.start:hit.end].lower()
        if not all(w in self.e.generic_body_words for w in re.split(r"[\s.'’-]+", said) if w):
            return True  # "the State Duma", "the Knesset": a name no other state's body has
        if any(n.lower() in said for n in [owner.label, *owner.aliases, *owner.demonyms] if n):
            return True
        key = f"{owner.type.lower()}/{owner.id}"  # the state, or a place of it ("Washington would not submit …")
        return any(m.entity == key or self.entities[m.entity].country == key for m in self.mentions
                   if m.entity in self.entities)

    def personal_name(self, words: list[str]) -> bool:
        """Two to four capitalised words with no word an organisation's name holds: a person's name."""
        return 2 <= len(words) <= 4 and not any(w in self.e.organization_heads for w in words) \
            and all(w[:1].isupper() and w[1:].replace("-", "").isalpha() and not w.isupper() for w in words)

    def apposed_to_title(self, toks, i, end) -> bool:
        """Is the name at i..end set off by commas after an office ("the director of X, Name,")?
        An office is held by a person, so the name is one, whatever the recogniser said."""
        if not (2 <= end - i <= 3 and i >= 2 and toks[i - 1].text == ","
                and (end == len(toks) or toks[end].text in (",", ".", ";"))
                and all(t.text.isalpha() for t in toks[i:end])):
            return False
        for k in range(i - 2, max(-1, i - 14), -1):
            if toks[k].text in (",", ";", ":") or toks[k].lower in ("and", "or"):
                return False
            if toks[k].lower in self.e.titles and k > 0 and toks[k - 1].lower not in ("a", "an"):
                return True
        return False

    def described_treaty(self, toks, i, hit_at):
        """A treaty named by a description rather than its name: "an agreement extending Russia's lease
        of the Baikonur cosmodrome", "a peace treaty with Japan". The words of the noun phrase (its
        modifiers, and a prepositional or participle phrase after the head, up to a finite verb,
        another treaty or the clause's end) are compared with the distinctive words of every gazetteer
        treaty's names (``Gazetteer.treaty_by_words``). After a treaty has been named, "the treaty …"
        is an anaphor unless its description names a place or party by a proper noun. The unit is the
        head noun phrase only."""
        if toks[i].lower not in self.e.treaty_determiners:
            return None
        k = i + 1
        while k < len(toks) and k - i <= 3 and toks[k].lower not in self.e.treaty_heads:
            if not (toks[k].text.isalpha() or "-" in toks[k].text or _is_year(toks[k].text)) \
                    or k in hit_at and hit_at[k][1].entry.type == "Treaty" \
                    or toks[k].lower in DETERMINERS or toks[k].lower in TREATY_COMPLEMENTS:
                return None  # "the ratification of the agreement": the description starts at the second "the"
            k += 1
        if k >= len(toks) or toks[k].lower not in self.e.treaty_heads:
            return None
        if any(j in hit_at and hit_at[j][1].entry.type == "Treaty" for j in range(i + 1, k + 1)):
            return None  # "the Treaty on Open Skies": a name the gazetteer knows, read as a name
        parsed = self.parses.get(self.sentence_index)

        def tag(j):
            tok = parsed.token_at(toks[j].start) if parsed is not None else None
            return tok.tag_ if tok is not None else ""

        words: set[str] = set()
        proper: set[str] = set()

        def take(j):
            t = toks[j]
            words.add(t.lower)
            if t.text[:1].isupper():
                proper.add(t.lower)
            if j in hit_at:
                entry = hit_at[j][1].entry
                names = {w.lower() for w in entry.label.replace("-", " ").split()}
                words.update(names)
                proper.update(names)

        for j in range(i + 1, k):
            take(j)
        j = k + 1
        if j < len(toks) and (toks[j].lower in ("of", "on", "with", "between", "for", "over", "to")
                              or tag(j) in ("VBG", "VBN")):
            while j < len(toks) and j <= k + 9:
                t = toks[j]
                if t.text in (";", ".", "(", ",") or t.lower in ("but", "which", "who", "while", "that", "in") \
                        or (j > k + 1 and t.lower in ("on", "at", "after", "before", "during", "since", "until")) \
                        or t.lower in self.e.months or t.lower in self.e.dates.weekdays \
                        or (j in hit_at and hit_at[j][1].entry.type == "Treaty") \
                        or (j > k + 1 and tag(j) in ("VBD", "VBZ", "VBP", "MD")):
                    break
                take(j)
                j += 1
        if toks[k].text[:1].isupper() and any(t.text[:1].isupper() for t in toks[k + 1:j]):
            return None  # "the Asean Agreement on Transboundary Haze Pollution": a name, read as a name
        definite = toks[i].lower in ("the", "this", "that")
        key = self.gz.treaty_by_words(words, proper if definite and self.treaties else None, proper)
        if key is None:
            return self.described_new_treaty(toks, i, k, j)
        entity = self.entity_for(self.gz.get(key))
        self.treaties.append(entity.key)
        self.mention(toks[i].start, toks[k].end, entity.key)
        return self._unit(toks, i, k + 1, "Treaty", [entity.key], []), k + 1

    def described_new_treaty(self, toks, i, k, tail_end):
        """A treaty no gazetteer name fits, named by its description: "signed a comprehensive peace
        agreement", "a 1998 agreement on sharing the waters of the Syr Darya", "the agreement on the
        state border". An indefinite description introduces a treaty of its own, and so does a definite
        one before any treaty is named (with a complement, "on …", "between …", or words of its own); its
        label is the descriptive words and the head ("1998 agreement"), or the head and its complement
        ("agreement on the state border"), and the whole phrase is an alias. A later description that
        shares its year, or whose words it has, is the same treaty ("the 1998 accord"), as is one whose
        words are all in the name of a treaty already named ("the peace agreement" after the
        Comprehensive Peace Agreement). Praise ("a landmark accord") names nothing, nor does a plural,
        a predicate, a possessive ("its agreement"), or a description without a word of its own."""
        definite = toks[i].lower in ("the", "this", "that")
        if toks[k].lower.endswith("s") or not (definite or toks[i].lower in ("a", "an")):
            return None
        if i and (toks[i - 1].lower == "as" or toks[i - 1].lower in self.e.existential_verbs):
            return None  # "rewritten as a binding treaty", "it is a historic accord": a predicate, no referent
        kept = [t for t in toks[i + 1:k] if t.lower not in self.e.treaty_anaphor_modifiers or _is_year(t.text)]
        if any(not (t.text.replace("-", "").isalpha() or _is_year(t.text)) or t.text[:1].isupper() for t in kept):
            return None
        tail = toks[k + 1:tail_end] if tail_end > k + 2 and toks[k + 1].lower in TREATY_COMPLEMENTS else []
        while tail and (tail[-1].lower in DETERMINERS or tail[-1].lower in ("and", "of", "on", "-")):
            tail = tail[:-1]
        if not kept and not (tail and definite):
            return None
        years = {t.text for t in kept if _is_year(t.text)}
        content = {t.lower for t in kept + tail if t.lower not in DETERMINERS and t.lower not in TREATY_COMPLEMENTS}
        if definite:
            same = self._described_before(years, content)
            if same is None and self.treaties:
                return None  # "the 1972 accord" after the ABM Treaty: an anaphor, not a new treaty
            if same is not None:
                self.treaties.append(same)
                self.described[same] = self.described.get(same, set()) | content
                self.mention(toks[i].start, toks[k].end, same)
                return self._unit(toks, i, k + 1, "Treaty", [same], []), k + 1
        head = toks[k].text
        label = " ".join([t.text for t in kept] + [head]) if kept else self.article.text[toks[k].start:tail[-1].end]
        full = self.article.text[(kept[0] if kept else toks[k]).start:tail[-1].end] if tail else label
        key = f"treaty/{slugify(full)}"  # the whole description: "1998 agreement" alone would join unrelated treaties
        if key not in self.entities:
            self.entities[key] = Entity("treaty", slugify(full), "Treaty", label, [full] if full != label else [])
        self.treaties.append(key)
        self.described[key] = content | years
        first = kept[0] if kept else toks[k]
        self.mention(first.start, toks[k].end, key)
        return self._unit(toks, i, k + 1, "Treaty", [key], []), k + 1

    def _described_before(self, years: set[str], content: set[str]) -> str | None:
        """The treaty a definite description refers back to: one minted from a description with the
        same year, or (with no year to tell them apart) sharing a word; else a treaty already named
        whose names hold every word of the description."""
        for key in reversed(self.treaties):
            words = self.described.get(key)
            if words is None:
                continue
            theirs = {w for w in words if _is_year(w)}
            if years and theirs:
                if years & theirs:
                    return key
                continue
            if content & words:
                return key
        if years:
            return None
        for key in reversed(self.treaties):
            entity = self.entities[key]
            names = {w for n in [entity.label, *entity.aliases] for w in re.split(r"[\s-]+", n.lower())}
            if content and content <= names:
                return key
        return None

    def group_for_they(self) -> list[str]:
        """The people "they" stands for: a group anaphor of this sentence or the one before, else the
        persons of a meeting reported there; else nobody (a state's "they" is left alone)."""
        if self.last_group and self.last_group[0] >= self.sentence_index - 1:
            return list(self.last_group[1])
        if self.meetings:
            last = self.meetings[-1]
            people = [p for p in last.participants if self.entities[p].type == "Person"]
            if len(people) >= 2 and max(e.sentence.index for e in last.evidence) >= self.sentence_index - 1:
                return people
        return []

    def group_in_focus(self, count: int) -> list[str]:
        """"the two ministers", "both leaders": the people of the meeting in focus (reported in this
        sentence or the one before) when it has that many, else those who just signed a treaty
        together, else the last `count` people named."""
        if self.meetings:
            last = self.meetings[-1]
            recent = max(e.sentence.index for e in last.evidence) >= self.sentence_index - 1
            people = [p for p in last.participants if self.entities[p].type == "Person"]
            if recent and len(people) == count:
                return people
        # "The accord was signed by A and B. … The two negotiators embraced": the people who signed
        # it together, a sentence or two before, over people named in passing since
        signers = [p.holder for p in self.positions if p.action == "Signature"
                   and self.entities[p.holder].type == "Person"
                   and max(e.sentence.index for e in p.evidence) >= self.sentence_index - 2]
        signers = list(dict.fromkeys(signers))
        if len(signers) == count:
            return signers
        people = list(dict.fromkeys(reversed(self.persons)))[:count]
        return people[::-1]

    def salient_treaty(self, head: str) -> str:
        """The treaty "the treaty" (or "the Treaty", "the pact") refers to: the treaty named most often
        so far in this paragraph (or, if it names none, in the article), the later one of equals. A
        text refers back to its main treaty after naming others in passing ("…terminate NAFTA, the 1994 pact it replaces. … will not approve the pact")."""
        if self.sentence_index == 0:
            return self.treaties[-1]
        counts: dict[str, int] = {}
        # the treaties of this paragraph, if it named one: a new paragraph may turn to another treaty
        for k in self.treaties[self.paragraph_treaties:] or self.treaties:
            counts[k] = counts.get(k, 0) + 1
        best = max(counts.values())
        return next(k for k in reversed(self.treaties) if counts[k] == best)

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
        if end < len(toks) and toks[end].lower in ("on", "of") and end + 1 < len(toks) and (
                toks[end + 1].is_title or (toks[end + 1].lower == "the" and end + 2 < len(toks)
                                           and toks[end + 2].is_title)):
            return None  # "the treaty on the Creation…" is a name, not an anaphor
        return end

    def treaty_name(self, toks, i, hit_at):
        """A treaty the gazetteer does not know, by its name: "the Founding Act on Mutual Relations…"."""
        heads = self.e.treaty_name_heads
        k = i
        while k < len(toks) and toks[k].text not in heads and k not in hit_at \
                and toks[k].lower not in DETERMINERS and toks[k].lower not in self.e.months \
                and (_name_word(toks[k]) or (k > i and toks[k].lower in ("and", "&") and k + 1 < len(toks)
                                             and _name_word(toks[k + 1]))):
            k += 1  # "the Arusha Peace and Reconciliation Agreement": "and" between capitalised words
        if k >= len(toks) or toks[k].text not in heads or (k == i and not self._name_tail(toks, k + 1)):
            return None
        return self.new_treaty(toks, i, self._name_tail(toks, k + 1) or k + 1)

    def new_treaty(self, toks, i, end):
        """A treaty the gazetteer does not know, named by tokens i..end: its entity, mention and unit."""
        name = self.article.text[toks[i].start:toks[end - 1].end]
        key = f"treaty/{slugify(name)}"
        if key not in self.entities:
            self.entities[key] = Entity("treaty", slugify(name), "Treaty", name)
        self.treaties.append(key)
        self.mention(toks[i].start, toks[end - 1].end, key)
        return self._unit(toks, i, end, "Treaty", [key], []), end

    def _name_tail(self, toks, k) -> int | None:
        """The end of "on|of|for|between Capitalised Words[, and Words]" starting at k, if any; also
        "to Capitalised Verb …" ("the Agreement to Prevent Unregulated High Seas Fisheries")."""
        if k >= len(toks) or toks[k].lower not in ("on", "of", "for", "between", "to"):
            return None
        if toks[k].lower == "to" and not (k + 1 < len(toks) and _name_word(toks[k + 1])):
            return None
        end, j = None, k + 1
        if j < len(toks) and toks[j].lower == "the":  # "the Treaty on the Prohibition of Nuclear Weapons"
            j += 1
        while j < len(toks):
            t = toks[j]
            if _name_word(t) and t.lower not in self.e.months and t.lower not in self.e.weekdays:
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
        if not self.owner_in_play(entry, hit):
            return None, i + 1
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

    def qualified_by_demonym(self, toks, i, hit_at):
        """A state's demonym that qualifies the noun after it: "the Argentine capital" is Argentina's
        capital; "the Mexican Senate" (or "Mexico's Senate") is not the gazetteer's (United States)
        Senate but Mexico's own body, an organisation of the article's."""
        end, hit = hit_at[i]
        entry = hit.entry
        if entry.type == "State" and hit.kind != "demonym" and end + 1 < len(toks) \
                and toks[end].text in ("'s", "’s") and end + 1 in hit_at:
            end += 1  # "Indonesia's House of Representatives": a possessive qualifies the body as a demonym does
        elif hit.kind != "demonym" or entry.type != "State" or end >= len(toks):
            return None
        if toks[end].lower in self.e.capital_nouns and entry.capital and self.gz.get(entry.capital):
            capital = self.entity_for(self.gz.get(entry.capital))
            self.mention(toks[i].start, toks[end].end, capital.key)
            unit = self._unit(toks, i, end + 1, "Place", [capital.key], [])
            unit.stands_for = [self.entity_for(entry).key]
            return unit, end + 1
        if end in hit_at:
            o_end, other = hit_at[end]
            owner = other.entry.of or other.entry.country
            if other.entry.type == "Organization" and owner and owner != entry.id and other.kind != "demonym":
                name = self.article.text[toks[i].start:toks[o_end - 1].end]
                org = self.new_entity("Organization", name)
                self.mention(toks[i].start, toks[o_end - 1].end, org.key)
                self.mention(hit.start, hit.end, self.entity_for(entry).key)
                return self._unit(toks, i, o_end, "Organization", [org.key], [org.key]), o_end
        return None

    def role_description(self, toks, i, hit_at):
        """"the French foreign minister", "the U.S. secretary of state": whoever holds that office
        of that state — the person the article gave that role, else the one the gazetteer's dated
        roles name for the article's year (only when exactly one does)."""
        j = i + 1 if toks[i].lower == "the" else i
        if j > i and j < len(toks) and j not in hit_at:
            return self.bare_role(toks, i, j)
        if j not in hit_at or hit_at[j][1].entry.type != "State" or (j == i and i > 0):
            return None
        k, hit = hit_at[j]
        title = self.title_at(toks, k)
        if title is None or title in self.e.non_role_titles:
            return None
        end = k + len(title.split())
        if end < len(toks) and (_name_word(toks[end]) or toks[end].text == ","):
            return None  # a name follows: a titled person, read elsewhere
        state = hit.entry.id
        local = [key for key in dict.fromkeys(reversed(self.persons))
                 if any(aff == f"state/{state}" and r.lower().endswith(title) for r, aff in self.entities[key].roles)]
        # a person the article gave the office without a state ("President Emmanuel Macron"), when only
        # one did and nobody holds it for that state: "the French president" is that person, of France
        unplaced = [key for key in dict.fromkeys(reversed(self.persons)) if self.entities[key].wikidata is None
                    and any(aff is None and r.lower().endswith(title) for r, aff in self.entities[key].roles)]
        if local:
            key = local[0]
        elif len(unplaced) == 1:
            key = unplaced[0]
            self.entities[key].roles.append((title.title() if title.islower() else title, f"state/{state}"))
        else:
            holders = [p for p in self.gz.entries.values() if p.type == "Person" and any(
                r.of == state and r.title.lower() == title and r.active(self.year) for r in p.roles)]
            if len(holders) != 1 or self.year is None:
                return None
            key = self.entity_for(holders[0]).key
        self.mention(toks[i].start, toks[end - 1].end, key)
        self.saw_person(key)
        return self._unit(toks, i, end, "Person", [key], [key]), end

    def verb_at(self, tok: Token) -> bool | None:
        """Does the parse read this token as a verb? None where the sentence has no parse."""
        parsed = self.parses.get(self.sentence_index)
        node = parsed.token_at(tok.start) if parsed is not None else None
        return None if node is None else node.tag_.startswith(("VB", "MD"))

    def body_name_end(self, toks, b) -> int | None:
        """The index of the comma after a body's name in capitals that starts at b ("International
        Campaign to Abolish Nuclear Weapons (ICAN),"), or None. The name has two capitalised words
        or more, joined only by of, for, to, and, the, and may end in an acronym in brackets."""
        j, caps = b, 0
        while j < len(toks) and j - b < 12:
            t = toks[j]
            if _name_word(t) or t.text.isupper() and t.text.isalpha():
                caps += 1
            elif t.lower in ("of", "for", "to", "and", "the", "on") and caps:
                pass
            elif t.text == "(" and j + 2 < len(toks) and toks[j + 1].text.isupper() and toks[j + 2].text == ")":
                j += 2
            else:
                break
            j += 1
        return j if caps >= 2 and j < len(toks) and toks[j].text == "," else None

    def bare_role(self, toks, i, j):
        """"the Minister", "the foreign minister", "the Secretary-General": the person this article
        last named with that office (by the title it gave them, or their dated role in the
        gazetteer). Nothing when no one was, or when the office is qualified ("the President of …")."""
        title = self.title_at(toks, j)
        if title is None or title in self.e.non_role_titles:
            return None
        end = j + len(title.split())
        if end < len(toks) and (_name_word(toks[end]) or toks[end].lower in ("of", ",")):
            return None  # a name or a body follows: read as a titled person, or not at all
        if end + 1 < len(toks) and toks[end].text in ("'s", "’s") and _name_word(toks[end + 1]):
            return None  # "the Prime Minister's Office": an institution's name
        for key in dict.fromkeys(reversed(self.persons)):
            entity = self.entities[key]
            roles = [r for r, _ in entity.roles]
            entry = self.gz.get(entity.slug) if entity.slug else None
            if entry is not None and entry.type == "Person":
                roles += [r.title for r in entry.roles if r.active(self.year)]
            if any(r.lower() == title or r.lower().endswith(" " + title) for r in roles):
                self.mention(toks[i].start, toks[end - 1].end, key)
                self.saw_person(key)
                return self._unit(toks, i, end, "Person", [key], [key]), end
        return None

    def title_at(self, toks, k) -> str | None:
        """The longest title of the lexicon that starts at token k, in lower case."""
        for words in self.e.titles.get(toks[k].lower, ()) if k < len(toks) else ():
            if tuple(x.lower for x in toks[k:k + len(words)]) == words:
                return " ".join(words)
        return None

    def _title_length(self, toks, j) -> int:
        """How many tokens the longest title starting at j spans (0: none starts there)."""
        if j >= len(toks):
            return 0
        for words in self.e.titles.get(toks[j].lower, ()):
            if tuple(x.lower for x in toks[j:j + len(words)]) == words:
                return len(words)
        return 0

    def titled_person(self, toks, i, hit_at):
        """[modifier] [former] Title Name → a Person with role and affiliation."""
        j = i
        affiliation = None
        mod_hit = None
        possessive = False
        if i in hit_at and hit_at[i][1].entry.type in ("State", "Organization", "Place"):
            mod_end, mod_hit = hit_at[i]
            j = mod_end
            if j < len(toks) and toks[j].text in ("'s", "’s"):
                # "China's chief negotiator, Xie Zhenhua": the state's officer, named after the office
                if j + 1 >= len(toks) or not (toks[j + 1].lower in self.e.titles or toks[j + 1].lower in self.e.title_modifiers):
                    return None
                j, possessive = j + 1, True
        role_words = []
        while j < len(toks) and toks[j].lower in self.e.title_modifiers:
            role_words.append(toks[j].text)
            j += 1
        title = None
        first = toks[j].lower if j < len(toks) else ""
        glued = next((m for m in self.e.title_modifiers if m.endswith("-") and first.startswith(m)), None)
        if glued:  # "then-Secretary of State": the modifier and the title's first word are one token
            role_words.append(toks[j].text[:len(glued)].rstrip("-"))
            first = first[len(glued):]
        for words in self.e.titles.get(first, ()) if j < len(toks) else ():
            if (first, *(x.lower for x in toks[j + 1:j + len(words)])) == words:
                title = tuple([toks[j].text[len(glued or ""):]] + [x.text for x in toks[j + 1:j + len(words)]])
                break
        if title is None and j < len(toks):
            # "Water Resources Minister Bakhtiyor Nazarov": a portfolio in capitals before Minister or Secretary
            m = j
            while m < len(toks) and m - j < 3 and m not in hit_at and toks[m].text.isalpha() \
                    and toks[m].text[:1].isupper() and toks[m].lower not in self.e.titles:
                m += 1
            if j < m and m + 1 < len(toks) and toks[m].text in PORTFOLIO_HEADS \
                    and (m + 1 in hit_at or _name_word(toks[m + 1])):
                title = tuple(t.text for t in toks[j:m + 1])
        if title is None:
            return None
        k = j + len(title)
        for _ in range(2):  # "Deputy" + "Assistant Secretary of State": a title before a title is one office
            more = self._title_length(toks, k)
            if not more:
                break
            title, k = title + tuple(t.text for t in toks[k:k + more]), k + more
        if k < len(toks) and toks[k].lower == "for":
            # "… Secretary of State for Australia, New Zealand and the Pacific, Mr. Daniel Whitcombe": the
            # office's remit in capitals, then a comma and the name
            m = k + 1
            while m < len(toks) and m - k <= 14 and (_name_word(toks[m]) or toks[m].lower in ("and", "the", "of", ",")):
                if toks[m].text == "," and m + 1 < len(toks) and m + 1 not in hit_at and (
                        toks[m + 1].lower in self.e.honorifics or _name_word(toks[m + 1])) and m + 2 < len(toks) \
                        and (_name_word(toks[m + 2]) or toks[m + 2].text == "."):
                    k = m + 1
                    break
                m += 1
        of_org = None
        if k + 1 < len(toks) and toks[k].lower == "of":
            # "the director-general of the OPCW, Jose Bustani": the office's body, then the name
            b = k + 1 + (toks[k + 1].lower == "the")
            if b in hit_at and hit_at[b][1].entry.type == "Organization" and hit_at[b][0] < len(toks) \
                    and toks[hit_at[b][0]].text == ",":
                of_org = hit_at[b][1]
                k = hit_at[b][0]
            elif self.body_name_end(toks, b) is not None:
                # "the Executive Director of the International Campaign to Abolish Nuclear Weapons (ICAN),
                # Beatrice Fihn": a body the gazetteer does not know, named in capitals, then the name
                k = self.body_name_end(toks, b)
                k += self._title_length(toks, k + 1)  # "…, Ambassador Tesfaye Gebremariam": a second title
                if k + 1 < len(toks) and _name_word(toks[k + 1]):
                    name_end = k + 1
                    while name_end < len(toks) and name_end - k <= 3 and _name_word(toks[name_end]):
                        name_end += 1
                    body = self.new_entity("Organization", self.article.text[toks[b].start:toks[k - 1].end].rstrip(" )").split(" (")[0])
                    self.mention(toks[b].start, toks[k - 1].end, body.key)
                    person = self.new_person(" ".join(t.text for t in toks[k + 1:name_end]))
                    role = " ".join(title)
                    if (role, body.key) not in person.roles:
                        person.roles.append((role, body.key))
                    self.mention(toks[k + 1].start, toks[name_end - 1].end, person.key)
                    self.saw_person(person.key)
                    return self._unit(toks, i, name_end, "Person", [person.key], [person.key]), name_end
        if k + 1 < len(toks) and toks[k].text == "," \
                and (of_org or possessive or " ".join(title).lower() in self.e.non_role_titles) \
                and (k + 1 in hit_at or _name_word(toks[k + 1])):
            k += 1  # an apposition: "his Japanese counterpart, Keizo Obuchi"
            inner = self.titled_person(toks, k, hit_at) if not (k in hit_at) else None
            if inner:  # "her U.S. counterpart, Trade Representative Robert Lighthizer": the office is named
                unit, end = inner
                return self._unit(toks, i, end, "Person", unit.refs, unit.refs), end
        elif of_org:
            return None
        # "the Special Envoy of IGAD for South Sudan, Ambassador Tesfaye Gebremariam": a second title
        more = self._title_length(toks, k)
        if more and k + more < len(toks) and (k + more in hit_at or _name_word(toks[k + more])):
            k += more
        # "Foreign Minister Dr. Abdullatif …", "UAE Foreign Minister Sheikh Abdullah …": an honorific first;
        # "Senator the Hon. Claudette Greaves"
        if k + 2 < len(toks) and toks[k].lower == "the" and toks[k + 1].lower.rstrip(".") in self.e.honorifics:
            k += 1
        while k + 1 < len(toks) and toks[k].lower.rstrip(".") in self.e.honorifics:
            k += 1 + (toks[k + 1].text == "." and toks[k + 1].start == toks[k].end)
        # the name: a gazetteer person, or two or three capitalised words
        if k in hit_at and hit_at[k][1].entry.type == "Person":
            end, hit = hit_at[k]
            person = self.entity_for(hit.entry)
            name_start, name_end = hit.start, hit.end
        else:
            # the name's particles (bin, al, de, van) come between its capitalised words
            end = k
            while end < len(toks) and end - k < 6 and toks[end].lower not in self.e.months and end not in hit_at \
                    and (_name_word(toks[end]) and (end - k < 4 or toks[end - 1].lower in self.e.name_particles)
                         or toks[end].lower in self.e.name_particles and end > k and end + 1 < len(toks)
                         and _name_word(toks[end + 1])):
                end += 1
            if end - k < 2:
                # a surname after a title: "Foreign Minister Ivanov"
                if end - k == 1 and self.surname(toks[k].text):
                    person = self.entities[self.surname(toks[k].text)]
                elif end - k == 1 and toks[k].text[:1].isupper() and toks[k].text[1:].islower() \
                        and (k + 1 >= len(toks) or not _name_word(toks[k + 1])):
                    # "President Biden" whom neither the gazetteer nor the article named in full:
                    # a person known by the surname (later "Biden" is the same person)
                    person = self.new_person(toks[k].text)
                    self.surnames.setdefault(toks[k].text, person.key)
                else:
                    return None
            else:
                if any(t.text in PORTFOLIO_HEADS for t in toks[k:end]):
                    return None  # "the Deputy Assistant Secretary said": an office, no name
                person = self.new_person(" ".join(t.text for t in toks[k:end]))
            name_start, name_end = toks[k].start, toks[end - 1].end
        if of_org is not None and mod_hit is None:
            mod_hit = of_org  # the body the office belongs to, as a modifier would give it
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
        singular = self.e.plural_titles.get(tuple(w.lower() for w in title))
        if singular:  # "the foreign ministers X and Y": each is a foreign minister
            title = tuple(w if w.lower() == s_ else s_ for w, s_ in zip(title, singular))
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


QUOTE_OPEN, QUOTE_CLOSE = ("“", "‘"), ("”",)


def _inside_quote(text: str) -> bool:
    """After `text`, is a quotation open? Curly marks say which way they go; straight ones alternate."""
    inside = False
    for ch in text:
        if ch == "“":
            inside = True
        elif ch == "”":
            inside = False
        elif ch == '"':
            inside = not inside
    return inside


CONTRACTION = re.compile(r"['’](?:ll|m|ve|d|re)$", re.IGNORECASE)  # "I'll", "we've", "she'd": the pronoun


NAMED_HEADS = ("amendment", "protocol")  # "the amendment" is the Kigali Amendment once it is named
PORTFOLIO_HEADS = ("Minister", "Secretary")  # "Agriculture Minister", "Cabinet Secretary"
TREATY_COMPLEMENTS = ("on", "between", "of", "over", "with", "for")


def _is_year(text: str) -> bool:
    return len(text) == 4 and text.isdigit() and 1900 <= int(text) <= 2100


def _name_word(tok: Token) -> bool:
    text = tok.text
    if PARTICLE_NAME.match(text):
        return True  # "al-Bashir", "el-Sisi": a particle joined to the name
    return text[:1].isupper() and text.replace("-", "").replace("'", "").replace("’", "").isalpha() \
        and not text.isupper()


PARTICLE_NAME = re.compile(r"^[a-z]{2,3}-[A-Z][a-z]+$")
