"""Reading facts: rule matches become meetings and positions, with their subject, place, date,
status, negation, condition and evidence; facts read twice are merged.

A mixin of the engine's run over one article (engine._Run).
"""
from __future__ import annotations

from . import rules as rules_mod
from .linguistics import is_nominal, is_verb
from .model import ACTOR_TYPES, DETERMINERS, Evidence, MeetingFact, PositionFact, Unit
from .text import Sentence

THIRD_PERSON: list[str] = []  # the parse's subject is a third-person pronoun that no unit resolves
NO_ACTOR: list[str] = []  # the parse's subject is a common noun that names no actor ("the parties")


class FactReader:
    def group_at(self, units: list[Unit], i: int, types) -> int | None:
        if not units[i].has_type(types):
            i = self._described_apposition(units, i, types)
            if i is None:
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

    def _described_apposition(self, units, i, types) -> int | None:
        """"with his predecessor and fiercest critic, former president X": a description in lower-case
        words (the parse's nouns and adjectives), a comma, then the person it describes. The index of
        the person, or None."""
        k = i
        while k < len(units) and k - i < 7 and not units[k].is_entity and units[k].lower != "," \
                and (units[k].lower in ("and", "most", "more") or (units[k].tag or "").startswith(("NN", "JJ"))) \
                and units[k].text.islower():
            k += 1
        if k == i or k + 1 >= len(units) or units[k].lower != "," or not units[k + 1].has_type(types):
            return None
        if not (units[k - 1].tag or "").startswith("NN"):
            return None  # the description ends in its noun
        return k + 1

    def apply_rules(self, s: Sentence, units: list[Unit]):
        if s.text.rstrip("\"”’') ").endswith("?"):  # a question asserts no meeting and no stance
            self.note_venue(units)
            self.remember_scene(units)
            return
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
        self.note_venue(units)
        self.remember_scene(units)
        located = [u for u in units if u.etype in ("Place", "State") and u.refs and not u.actor and not u.in_citation]
        if located:
            self.last_place = located[-1].refs[0]

    def evidence(self, s: Sentence, units, m: rules_mod.Match) -> Evidence:
        return Evidence(m.rule.id, s, units[m.start].start, units[m.end - 1].end, clause=units[m.start].clause)

    def refs(self, units, cap: rules_mod.Capture) -> list[str]:
        out = []
        for u in units[cap.start:cap.end]:
            for k in (u.actor or u.refs):
                if u.etype and k not in out:
                    out.append(k)
        return out

    def subject_of(self, s: Sentence, units: list[Unit], at: int, bodies: bool = False) -> list[str]:
        """The subject of the cue at unit `at`: from the dependency parse where it names actors,
        else the nearest actor before the cue (``subject``). With `bodies`, a body named by its
        state's possessive ("Kenya's parliament") stands for the state: a stance is the state's,
        while a meeting is between people."""
        parsed = self.parses.get(s.index)
        if parsed is not None and parsed.has_parse:
            found = self.parse_subject(parsed, units, at, bodies)
            if found is NO_ACTOR:
                return [] if bodies else self.subject(units, at)  # a stance is the subject's; a meeting may be guessed
            if found is THIRD_PERSON and self.speaker and self._expletive_it(parsed, units, at):
                return [self.speaker]  # "JULIE BISHOP: It is a great pleasure to welcome …": the speaker does
            if found is THIRD_PERSON:
                # "we take note that our partners have said they will not join": "they" is not "we"
                guess = self.subject(units, at)
                first = {k for u in units[:at] if u.lower in self.e.speaker_pronouns_lower for k in u.actor}
                return [] if guess and set(guess) <= first else guess
            if found:
                return found
        return self.subject(units, at)

    def parse_subject(self, parsed, units: list[Unit], at: int, bodies: bool = False) -> list[str]:
        """Subject by syntax: the nsubj of the cue's verb (through xcomp, conj, relative and
        adverbial clauses), the agent of a passive ("signed by A and B"), the subject of a control
        verb ("urged the Rada to ratify"), each with its coordinated and apposed members."""
        tok = parsed.token_at(units[at].start)
        if tok is None:
            return []
        verb = tok
        for _ in range(4):  # "held talks": the noun's verb; "its opposition to": the verb it is the object of
            if is_verb(verb) or verb.dep_ == "ROOT":
                break
            owners = [c for c in verb.children if c.dep_ == "poss"]
            found = [k for o in owners for k in self._actors_at(parsed, units, o)]
            if found:  # "Moscow's opposition to …": the possessor holds it
                return found
            if verb.dep_ == "nsubj":  # the cue is a subject ("the talks between A and B"): no subject here
                return []
            verb = verb.head
        for _ in range(4):
            if verb.dep_ in ("xcomp", "ccomp") and verb.head.lower_ in self.e.control_forms:
                verb = verb.head  # "expected the parliament to ratify": the one who expects
                continue
            kids = list(verb.children)
            subj = [c for c in kids if c.dep_ in ("nsubj", "csubj")]
            passive = [c for c in kids if c.dep_ == "nsubjpass"]
            agent = [g for c in kids if c.dep_ == "agent" for g in c.children if g.dep_ == "pobj"]
            if passive and agent:  # "signed by A and B"; "X was received by Y": both take part
                subj = passive + agent
            elif passive:
                subj = []
            if subj:
                found = [k for head in subj for k in self._actors_at(parsed, units, head, bodies)]
                if not found and all(head.tag_ == "PRP" and head.lower_ not in self.e.speaker_pronouns_lower
                                     for head in subj):
                    return THIRD_PERSON  # "it", "they" that no unit resolves: the nearest actor, if it agrees
                if not found and all(head.tag_ in ("NN", "NNS") and head.lower_ not in self.e.group_nouns
                                     and not self._in_unit(parsed, units, head) for head in subj):
                    return NO_ACTOR  # "once all ten parties have ratified it": a subject, and no actor
                return found
            if verb.dep_ in ("relcl", "acl") and is_nominal(verb.head):
                return self._actors_at(parsed, units, verb.head)
            if verb.dep_ not in ("xcomp", "conj", "advcl", "ccomp", "pcomp", "acomp") or verb.head is verb:
                return []
            verb = verb.head
        return []

    def _spoken_now(self, units, m) -> bool:
        """Is the meeting told by the speaker of a dated transcript in the present ("I am pleased to
        welcome", "it is a pleasure to receive"): a present or infinitive trigger, no past or modal verb
        and no date word in its clause?"""
        if not (self.reference_exact and self.speaker and (units[m.start].tag or "") in ("VB", "VBP", "VBZ")):
            return False
        lo, hi = self.clause_span(units, units[m.start].clause)
        words = [u.lower for u in units[lo:hi]]
        future = any(tuple(words[k:k + len(c)]) == c for c in self.e.future_cues for k in range(len(words)))
        return not future and not any((u.tag or "").startswith(("VBD", "MD")) or u.etype == "Date"
                                      or u.lower.endswith(("'ll", "’ll")) for u in units[lo:hi])

    @staticmethod
    def _expletive_it(parsed, units: list[Unit], at: int) -> bool:
        """Does the cue's clause open with an expletive "it is/was" ("It is a pleasure to welcome …")?"""
        tok = parsed.token_at(units[at].start)
        if tok is None:
            return False
        sent = list(tok.sent) if tok.has_head() else []
        words = [t.lower_ for t in sent if t.i < tok.i]
        return any(a == "it" and b in ("is", "was", "'s", "’s") for a, b in zip(words, words[1:]))

    @staticmethod
    def _in_unit(parsed, units: list[Unit], head) -> bool:
        """Is the token, or a modifier of it, inside a unit that names something (a mention, a pronoun)?"""
        mods = [c for c in head.children if c.dep_ in ("compound", "amod", "poss", "nmod")]
        mods += [g for c in head.children if c.dep_ == "prep" for g in c.children if g.dep_ == "pobj"]
        for t in [head, *mods]:  # … or "deputies from Zhirinovsky's party": the body they belong to
            start = t.idx + parsed.offset  # "a State Department spokesman": the modifier names the actor
            if any(u.start <= start < u.end and u.etype for u in units):
                return True
        return False

    def _actors_at(self, parsed, units: list[Unit], head, bodies: bool = False) -> list[str]:
        """The actors of the units covering `head` and its coordinated (conj) and apposed members."""
        members, stack = [], [head]
        while stack:
            t = stack.pop(0)
            members.append(t)
            stack.extend(c for c in t.children if c.dep_ in ("conj", "appos"))
        out: list[str] = []
        first = None
        for t in sorted(members, key=lambda t: t.i):
            before = len(out)
            owners = []
            if bodies and (t.lower_ in self.e.group_nouns or t.lower_ in self.e.state_nouns):
                # "Kenya's parliament", "the Sultanate of Oman", "the Government of Kosovo": the state's
                owners = [c for c in t.children if c.dep_ == "poss"]
                owners += [g for c in t.children if c.dep_ == "prep" and c.lower_ == "of"
                           for g in c.children if g.dep_ == "pobj"]
            for at in [t] + owners:
                # "Kenya's parliament voted …": a body named by its state's possessive acts for the state
                if len(out) > before:
                    break
                start = at.idx + parsed.offset
                for idx, u in enumerate(units):
                    if u.start <= start < u.end and u.has_type(("Actor",)) and not u.in_citation:
                        out.extend(k for k in u.actor if k not in out)
                        first = idx if first is None else min(first, idx)
        # "Pompeo and Defense Secretary Mark Esper will …": a member the parser hung elsewhere (as a
        # modifier of the title) is still coordinated with the subject, unit by unit
        k = first
        while k is not None and k >= 2 and units[k - 1].lower in ("and", ",") \
                and units[k - 2].has_type((units[first].etype,)) and not units[k - 2].in_citation:
            out[:0] = [r for r in units[k - 2].actor if r not in out]
            k -= 2
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
        words = ["will" if u.lower.endswith(("'ll", "’ll")) else u.lower for u in window]  # "I'll sit down"
        # "… expected to hold a meeting with Wen, but it was called off": the next clause, about "it", cancels it
        if hi + 3 < len(units) and units[hi].lower in (",", "but") and self._cancelled_after(units, hi):
            return "Cancelled"
        for status in ("Cancelled", "Planned"):
            for cue in self.e.status_cues.get(status, []):
                n = len(cue)
                for k in range(len(words) - n + 1):
                    if tuple(words[k:k + n]) == cue:
                        return status
        return "Held"

    def _cancelled_after(self, units, at: int) -> bool:
        """Does the clause at unit `at` say of "it" (or "the meeting", "the talks") that it was cancelled?"""
        k = at
        while k < len(units) and units[k].lower in (",", "but", "and", "however"):
            k += 1
        if k >= len(units) or units[k].lower not in ("it", "the", "this", "that"):
            return False
        words = [u.lower for u in units[k:k + 7]]
        return any(tuple(words[j:j + len(c)]) == c for c in self.e.status_cues.get("Cancelled", [])
                   for j in range(len(words)))

    def place_and_date(self, units, m: rules_mod.Match):
        """Where and when, from the trigger's own clause; else the clause a ", where …" clause hangs on,
        the sentence's fronted place ("While in Moscow, …"), or the venue just reported."""
        lo, hi = self.clause_span(units, units[m.start].clause)
        place, date, no_date = self._clause_place_date(units, lo, hi, trigger=m.start)
        if place is None or (date is None and not no_date):
            # "flew to New Delhi on 12 June and met Singh": the place and date of the verb it is coordinated with
            p2, d2 = self._coordinated_place_date(units, m.start)
            place, date = place or p2, date if (date or no_date) else d2
        if place is None or (date is None and not no_date):
            # "In January, Bolivia's vice minister, X, and her Chilean counterpart, Y, met in Santiago": a
            # date or place outside the trigger's clause that the parse hangs on the trigger's verb
            p3, d3 = self._attached_place_date(units, m.start)
            place, date = place or p3, date if (date or no_date) else d3
        if (place is None or (date is None and not no_date)) and self._relative_on_the_noun(units, m):
            # "a meeting between A and B, which had been planned for today in Vienna,": "which" is
            # no person, so its clause is about the meeting noun, and so are its place and date
            plo, phi = self.clause_span(units, units[m.end + 1].clause)
            p2, d2, nd2 = self._clause_place_date(units, plo, phi)
            place, no_date = place or p2, no_date or (date is None and nd2)
            date = date or d2
        if date is None and not no_date and self.reference_exact and any(
                units[k].lower == "just" and units[k - 1].lower in ("have", "has", "'ve", "’ve") for k in range(lo + 1, hi)):
            date = self.reference  # "we have just finished a meeting": today, the article's stated date
        if place is None:  # "met there": the place last named before
            there = next((k for k in range(lo + 1, hi) if units[k].lower == "there"
                          and (k + 1 >= len(units) or units[k + 1].lower not in self.e.existential_verbs)), None)
            if there is not None:
                before = [u for u in units[:there] if u.etype in ("Place", "State") and u.refs and not u.in_citation
                          and not u.actor]
                place = before[-1].refs[0] if before else self.last_place
        if place is None and self.dateline_place is not None and any(
                units[k].lower == "here" or (units[k].lower in self.e.dateline_venues and k >= 2
                                             and self.entities[self.dateline_place].type == "Place"
                                             and units[k - 1].lower == "the" and units[k - 2].lower in self.e.location_markers | {"of"})
                for k in range(lo, hi)):
            # "signed here today", under a NAIROBI dateline; "received X at the Ministry", "talks on the edge of
            # the capital" under the place of a dateline or date line
            place = self.dateline_place
        if lo >= 1 and lo + 1 < hi and units[lo].lower == "," and units[lo + 1].lower == "where":
            # "a visit to Astana on Friday, where he held talks with …": that clause's place and date
            plo, phi = self.clause_span(units, units[lo - 1].clause)
            p2, d2, _ = self._clause_place_date(units, plo, phi, markers=self.e.location_markers | {"to"})
            place, date = place or p2, date if (date or no_date) else d2
        if place is None and len(units) > 3:
            k = 1 if units[0].lower == "while" else 0
            if units[k].lower in self.e.location_markers and units[k + 1].has_type(("Place",)) \
                    and units[k + 2].lower == ",":
                place = units[k + 1].refs[0]
        venue = self.venue
        nouns = {u.lower for u in units[lo:hi] if u.lower in self.e.venue_nouns and not u.is_entity}
        if venue is not None and nouns and venue[3] not in nouns:
            named = [self.venues[n] for n in nouns if n in self.venues]  # the summit, not the meeting since
            venue = max(named, key=lambda v: v[2]) if named else venue
        if venue is not None:
            v_place, v_date, v_sentence, v_noun = venue
            # "on the sidelines of the summit": the summit last reported, not a meeting named since
            names_venue = bool(nouns) and (v_noun in nouns or not nouns - {"meeting"})
            # the sentence before set the scene, unless this clause names another venue
            just_set = v_sentence == self.sentence_index - 1 and (not nouns or names_venue)
            if place is None and (names_venue or just_set):
                place = v_place
            if date is None and not no_date and (names_venue or (just_set and place == v_place)):
                date = v_date
        return place, date

    def _relative_on_the_noun(self, units, m) -> bool:
        """Does a ", which …" clause follow a nominal meeting that ends with its persons ("talks between
        A and B, which …")? The relative pronoun cannot stand for the persons, so it is the meeting's."""
        if m.end + 1 >= len(units) or units[m.end].lower != "," \
                or units[m.end + 1].lower not in self.e.nonperson_relatives or units[m.end - 1].etype != "Person":
            return False
        verb = self._trigger_verb(units, m.start)
        tok = self.parses[self.sentence_index].token_at(units[m.start].start) if verb is not None else None
        return tok is not None and is_nominal(tok)

    def _clause_place_date(self, units, lo, hi, markers=None, trigger=None):
        """The place (after a location marker) and the date of a clause. Where the clause holds
        several, the ones the parse attaches to the trigger's verb win ("met on Friday, days after
        Tehran protested on Monday": Friday)."""
        markers = markers or self.e.location_markers
        places, dates = [], []
        for k in range(lo, hi):
            u = units[k]
            if u.in_citation:
                continue
            p = k - 1
            while p > lo and units[p].lower == "the":
                p -= 1
            prev = units[p].lower if k else ""
            if u.has_type(("Place",)) and prev in markers and not self._describes_treaty(u):
                places.append(u)
            if u.etype == "Date":
                dates.append(u)
        if trigger is not None and (len(places) > 1 or len(dates) > 1):
            verb = self._trigger_verb(units, trigger)
            if verb is not None:
                places = sorted(places, key=lambda u: not self._attached(u, verb))
                dates = sorted(dates, key=lambda u: not self._attached(u, verb))
        place = places[0].refs[0] if places else None
        date = dates[0].date if dates else None
        return place, date, bool(dates) and dates[0].date is None

    def _coordinated_place_date(self, units, at):
        """The place ("to", "in", "at" …) and date that the parse hangs on the verb the trigger's verb is
        coordinated with, where they share a subject: "A flew to P on D and met B"."""
        verb = self._trigger_verb(units, at)
        if verb is None or verb.dep_ != "conj" or not is_verb(verb.head) or verb.head.i > verb.i:
            return None, None
        head, markers = verb.head, self.e.location_markers | {"to"}
        place = date = None
        for k, u in enumerate(units):
            if u.in_citation or not (u.has_type(("Place",)) or u.etype == "Date") or not self._attached(u, head):
                continue
            if place is None and u.has_type(("Place",)) and k and units[k - 1].lower in markers:
                place = u.refs[0]
            if date is None and u.etype == "Date" and u.date is not None:
                date = u.date
        return place, date

    def _attached_place_date(self, units, at):
        """The place (after a location marker) and the date, fronted before the trigger in another
        clause, that the parse attaches to the trigger's verb (not the date of a verb coordinated after it:
        "met with Luzhkov and, on February 23, held consultations")."""
        verb = self._trigger_verb(units, at)
        if verb is None or not is_verb(verb):
            return None, None
        place = date = None
        for k, u in enumerate(units[:at]):
            if u.in_citation or not (u.has_type(("Place",)) or u.etype == "Date") or not self._attached(u, verb):
                continue
            if place is None and u.has_type(("Place",)) and k and units[k - 1].lower in self.e.location_markers \
                    and not self._describes_treaty(u):
                place = u.refs[0]
            if date is None and u.etype == "Date" and u.date is not None:
                date = u.date
        return place, date

    def _trigger_verb(self, units, at):
        parsed = self.parses.get(self.sentence_index)
        tok = parsed.token_at(units[at].start) if parsed is not None and parsed.has_parse else None
        for _ in range(4):
            if tok is None or is_verb(tok) or tok.dep_ == "ROOT":
                return tok
            tok = tok.head
        return tok

    def _describes_treaty(self, unit) -> bool:
        """Is the place part of a treaty's description ("a treaty on cooperation in the Barents Sea"):
        does its phrase hang, through another noun, on a treaty noun before it reaches a verb? A place
        hung on the treaty noun itself ("signed the treaty in Oslo") may be the parser's attachment
        of the verb's place, and stays."""
        parsed = self.parses.get(self.sentence_index)
        tok = parsed.token_at(unit.start) if parsed is not None and parsed.has_parse else None
        nouns = 0
        for _ in range(8):
            if tok is None or tok.head is tok:
                return False
            if tok.dep_ == "prep" and tok.i and tok.doc[tok.i - 1].lower_ in self.e.treaty_heads and nouns:
                # "a treaty on delimitation in the Barents Sea", whose "on" the parser gave the verb: a sea
                # or a region is what the treaty is about; a city ("an agreement on fisheries in Oslo")
                # may still be where it was signed
                return all(self.entities[r].kind_of in self.e.described_place_kinds for r in unit.refs)
            if is_verb(tok.head):
                return False
            tok = tok.head
            if tok.lower_ in self.e.treaty_heads:
                return nouns > 0
            if is_nominal(tok):
                nouns += 1
        return False

    def _attached(self, unit, verb) -> bool:
        """Does the unit's phrase hang on `verb` (through prepositions and nouns, not another verb)?"""
        tok = self.parses[self.sentence_index].token_at(unit.start)
        for _ in range(6):
            if tok is None:
                return False
            if tok == verb:
                return True
            if is_verb(tok) or tok.head is tok:
                return False
            tok = tok.head
        return False

    def note_venue(self, units):
        """Remember the venue this sentence names: the last one, and the last of each kind (summit, talks)."""
        found = self.find_venue(units)
        if found:
            self.venue = found
            self.venues[found[3]] = found

    def find_venue(self, units):
        """"at the OSCE summit in Istanbul on November 19", "gathered in Bishkek … for their summit":
        the place and date of the clause that names a venue."""
        for u in units:
            if u.lower in self.e.venue_nouns and not u.is_entity and not u.in_citation:
                lo, hi = self.clause_span(units, u.clause)
                place, date, _ = self._clause_place_date(units, lo, hi)
                if place:
                    return place, date, self.sentence_index, u.lower
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
        if self.negated(units, m.start):  # "did not meet", "never met": no meeting
            return
        emit = m.rule.emit
        groups: list[list[str]] = []
        base: list[str] = []
        each = emit.get("each")
        for name in emit.get("participants", []):
            if name == "subject" and "subject" not in m.captures:
                refs = self.subject_of(s, units, m.start)
            elif name in m.captures:
                refs = self.refs(units, m.captures[name])
            else:
                continue  # an optional spec that matched nothing captured nothing
            if name == each:
                groups = [[r] for r in refs]
            else:
                base.extend(r for r in refs if r not in base)
        combos = [base + [r for r in g if r not in base] for g in groups] if groups else [base]
        if emit.get("people") == "only":  # "Abiy and Isaias signed …": the people; "two states signed" is no meeting
            combos = [[r for r in c if self.entities[r].type == "Person"] for c in combos]
        place, date = self.place_and_date(units, m)
        if emit.get("location") and emit["location"] in m.captures:
            place = units[m.captures[emit["location"]].start].refs[0]
        status = self.status(units, m, emit.get("status", "auto"))
        if date is None and status == "Held" and self._spoken_now(units, m):
            date = self.reference  # "SPEAKER: It is a great pleasure to welcome X": in a transcript, today
        for participants in combos:
            if len(participants) < 2 or not any(self.entities[p].type == "Person" for p in participants):
                continue  # a meeting is between people (GUIDELINES): "Manila seeks talks with Beijing" is none
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
                and self.places_agree(other.location, fact.location)
            if set(fact.participants) == set(other.participants) and (same_span or compatible):
                # one meeting read twice (two rules, or two sentences): merge what each knows
                other.date = other.date or fact.date
                if other.location is None or self.entities[other.location].type == "State":
                    other.location = fact.location or other.location  # the city over its country
                other.evidence.extend(e for e in fact.evidence if e.rule not in {x.rule for x in other.evidence})
                return
            if same_span:
                # two rules read one trigger: keep the reading with more participants
                if set(other.participants) <= set(fact.participants):
                    other.participants = fact.participants
                    other.evidence = fact.evidence + other.evidence
                return
        self.meetings.append(fact)

    def places_agree(self, a: str | None, b: str | None) -> bool:
        """No conflict of place: the same, one unknown, or one inside the other (a city in its state)."""
        if a is None or b is None or a == b:
            return True
        return self.entities[a].country == b or self.entities[b].country == a

    def join(self, s, units, m):
        """"A participated in those discussions": the meeting just reported, in this paragraph or
        the sentence before; a meeting further back is not "those discussions"."""
        if not self.meetings:
            return
        target = self.meetings[-1]
        last = max(target.evidence, key=lambda e: e.sentence.index).sentence
        if last.paragraph != s.paragraph and last.index != s.index - 1:
            return
        for r in self.subject_of(s, units, m.start):
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
            holders = self.subject_of(s, units, m.start, bodies=True)  # the subject of the whole match
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
        if any(units[k].lower == "yet" and units[k - 1].lower in ("not", "n't") for k in range(max(1, cue_at - 3), cue_at)):
            return  # "have not yet ratified it": not done so far, which states no stance
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
            if same and overlap and (other.action is None or fact.action is None):
                # one cue read twice: keep the reading that names the action ("to sign and ratify"
                # names two, and they are two positions)
                if other.action is None and fact.action is not None:
                    other.action = fact.action
                    other.evidence.insert(0, ev)
                return
        self.positions.append(fact)

    def finish(self):
        """Entities that facts need are described, and mentioned, in the graph."""
        self.merge_replaced()
        for fact in self.meetings:
            fact.participants = list(dict.fromkeys(fact.participants))
