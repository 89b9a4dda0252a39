"""From the seed and the dev corpus to facts, with evidence that points at the text."""
import json
import subprocess
import sys

import pytest
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

from mappings import DIP, OA, SCHEMA, IRIs, parse_article, read_article, to_graph

from conftest import BIN, CORPUS, SEED

# Issue 3's floors, for the dev corpus and our own articles (both scored 1.000 when set).
FLOORS = {"overall": 0.90, "positions": 0.85, "dates": 0.85, "positions_strict": 0.95}  # strict: our guard
# tests/corpus_heldout was written by a colleague who never saw the rules. It scored 0.781 overall
# on first contact and 0.913 (positions 0.850, dates 0.750) after general fixes; these floors
# guard that figure. Its gold dates "this week" to a month, which the issue's policy refuses.
HELDOUT_FLOORS = {"overall": 0.88, "positions": 0.80, "dates": 0.70, "positions_strict": 0.78}
# tests/corpus_blind: a second batch by another colleague, written after the fixes above. The final rules
# scored 0.778 overall on first contact; general fixes (appositions, venues, votes, "where" clauses)
# brought it to 0.939 (positions 0.609: treaties named only by common nouns, "a peace treaty"); later fixes
# (treaties introduced by an indefinite description) to 0.962 (positions 0.857).
BLIND_FLOORS = {"overall": 0.93, "positions": 0.83, "dates": 0.95, "positions_strict": 0.83}
# tests/corpus_styles_blind: eight articles in other outlets' styles (wire datelines, front matter, a
# readout, a transcript, an analysis, an HTML page), written blind to the rules. First contact, before
# the readers of issue 9: 0.604 (dates 0.118); with the readers 0.655; after general fixes 0.768
# (positions 0.590); day-first dates, "the Minister", lines of their own: 0.800 (dates 0.833); quotations'
# speakers, plural counterparts, coordination unit by unit, passive signatures and more: 0.881.
STYLES_FLOORS = {"overall": 0.86, "pairs": 0.86, "dates": 0.90, "positions": 0.71}
# tests/corpus_styles: twelve more in other styles by a writer who never saw the rules. First contact
# (after everything above): 0.599 (dates 0.209); a date line at the head and joint signings: 0.629;
# day-first dates and the rest of the batch above: 0.658 (dates 0.457); everything after: 0.790; a sea in a
# treaty's description no longer the place of its signing: 0.797 (places 0.739); a ", which" clause on a
# nominal meeting gives its place and date: 0.799 (places 0.750).
OWN_STYLES_FLOORS = {"overall": 0.80, "pairs": 0.86, "dates": 0.75, "positions": 0.73}
# tests/corpus_styles2: eight more (wire, readout, transcript, analysis, briefing; 2011-2021; Nordic, South and
# Southeast Asia, Latin America, Pacific), kept as a held-out check: no rule was tuned on its sentences. First
# contact 0.839 (pairs 0.688, places 0.844, dates 0.824, positions 0.647, strict 0.500); unchanged since.
STYLES2_FLOORS = {"overall": 0.88, "pairs": 0.74, "dates": 0.88, "positions": 0.77}
# Held out until 2026-12-03; then, with rules that pass over adverbs, passives of any action, stance nouns,
# portfolio titles and "see X" (rules fitted to it: none): 0.884 (pairs 0.727, positions 0.821); 0.879
# (positions 0.789) once a stance needs an actor as its subject ("ratified by more than 150 countries" no
# longer credits the minister named before, which the gold happened to hold from another sentence).
# tests/corpus_styles3: ten more by a writer who saw neither rules nor extractor (wire datelines of four
# agencies, readouts, a transcript, an analysis, an HTML page, an op-ed; Central Asia, the Arctic, the
# Caribbean, the Horn of Africa, the Pacific, the Balkans, the Gulf, the Andes, Southeast Asia; people and
# treaties the gazetteer does not know). First contact 0.456 (pairs 0.375, places 0.339, dates 0.204,
# positions 0.263); treaties given by description, composed titles, datelines and date lines, bylines,
# "Indonesia's House", "the Hon.", "Published …" lines, "Wen Haoting" is not Wen Jiabao, fronted dates and
# month datelines, a release's place, "the Sultanate of Oman", "the amendment", a speaker's welcome, "led by",
# a headline no longer read as the dateline: 0.749 (pairs 0.714, places 0.658, dates 0.743, positions 0.659).
STYLES3_FLOORS = {"overall": 0.73, "pairs": 0.69, "dates": 0.72, "positions": 0.63}


def meetings(x):
    label = lambda k: x.entities[k].label  # noqa: E731
    return {frozenset(label(p) for p in m.participants): m for m in x.meetings}


def test_seed_meetings(seed_extraction):
    found = meetings(seed_extraction)
    talks = found[frozenset({"Strobe Talbott", "Georgy Mamedov", "Yevgeny Primakov"})]
    assert (talks.status, str(talks.date), talks.location) == ("Held", "1999-02-23", "place/moscow")
    luzhkov = found[frozenset({"Strobe Talbott", "Yuri Luzhkov"})]
    assert luzhkov.status == "Held" and luzhkov.date is None
    gore = found[frozenset({"Al Gore", "Yevgeny Primakov"})]
    assert (gore.status, str(gore.date), gore.date.datatype) == ("Planned", "1999-03", "gYearMonth")
    assert gore.location.startswith("place/washington")


def test_seed_positions(seed_extraction):
    x = seed_extraction
    got = {(x.entities[p.holder].label, p.stance, x.entities[p.topic].label, p.action) for p in x.positions}
    abm, start2 = "Anti-Ballistic Missile Treaty", "START II"
    assert ("Russia", "Opposition", abm, "Revision") in got
    assert ("Russia", "Support", abm, None) in got
    assert ("United States", "Support", abm, "Revision") in got
    assert ("Russia", "Support", start2, "Ratification") in got


def test_evidence_offsets_point_at_the_text(seed_extraction):
    x = seed_extraction
    for fact in [*x.meetings, *x.positions]:
        for ev in fact.evidence:
            assert x.article.text[ev.sentence.start:ev.sentence.end] == ev.sentence.text
            assert ev.sentence.start <= ev.start < ev.end <= ev.sentence.end
            assert ev.rule
    for m in x.mentions:
        assert x.article.text[m.start:m.end] == m.text


def test_titled_names_become_people_with_role_and_affiliation(seed_extraction):
    talbott = seed_extraction.entities["person/strobe-talbott"]
    assert ("Deputy Secretary of State", "state/united-states") in talbott.roles
    mamedov = seed_extraction.entities["person/georgy-mamedov"]
    assert ("Deputy Foreign Minister", "state/russia") in mamedov.roles


def test_dates_come_from_the_volume_when_the_text_has_no_year(engine):
    text = "Publication: Monitor Volume: 2 Issue: 10\n\nIgor Ivanov and Madeleine Albright held talks in Oslo on April 13."
    x = engine.extract(parse_article(text, "v2"))
    assert str(x.meetings[0].date) == "1996-04-13"


def test_relative_week_gives_no_date(engine):
    text = ("Publication: Monitor Volume: 5 Issue: 10\n\nIgor Ivanov and Madeleine Albright held talks in Oslo earlier this week "
            "(Reuters, April 13).")
    x = engine.extract(parse_article(text, "w"))
    assert x.meetings and x.meetings[0].date is None


def test_telephone_is_not_a_meeting(engine):
    text = "Publication: Monitor Volume: 5 Issue: 10\n\nIgor Ivanov and Madeleine Albright held talks by telephone on October 14. Igor Ivanov and Madeleine Albright held talks on October 15."
    x = engine.extract(parse_article(text, "t"))
    assert [str(m.date) for m in x.meetings] == ["1999-10-15"]  # the second sentence only


def test_negation_flips_a_stance(engine):
    text = "Publication: Monitor Volume: 5 Issue: 10\n\nThe Russian military would not support ratification of START II."
    x = engine.extract(parse_article(text, "n"))
    assert [(p.stance, p.action) for p in x.positions] == [("Opposition", "Ratification")]


def test_graph_iris_are_stable_and_configurable(engine):
    a = to_graph(engine.extract(read_article(SEED)), IRIs("http://example.org/kg"))
    b = to_graph(engine.extract(read_article(SEED)), IRIs("http://example.org/kg/"))
    assert set(a) == set(b)
    person = URIRef("http://example.org/kg/id/person/yevgeny-primakov")
    assert (person, RDF.type, DIP.Person) in a
    assert (person, OWL.sameAs, URIRef("http://www.wikidata.org/entity/Q270529")) in a


def test_graph_has_article_metadata_and_evidence(seed_extraction):
    g = to_graph(seed_extraction, IRIs())
    art = URIRef("http://localhost:5000/id/article/000_684714e08cb29c29")
    assert g.identifier == art
    assert (art, DIP.volume, Literal(5)) in g and (art, DIP.issue, Literal(39)) in g
    assert (art, DIP.dateInferred, Literal(True)) in g
    assert g.value(art, DIP.date).datatype == XSD.date
    assert (art, SCHEMA.mentions, URIRef("http://localhost:5000/id/state/russia")) in g
    for fact in list(g.subjects(RDF.type, DIP.Meeting)) + list(g.subjects(RDF.type, DIP.Position)):
        ev = g.value(fact, DIP.evidence)
        span = g.value(ev, OA.hasSelector)
        start, end = int(g.value(span, OA.start)), int(g.value(span, OA.end))
        assert seed_extraction.article.text[start:end] == str(g.value(span, OA.exact))
        assert g.value(ev, DIP.rule) and g.value(ev, DIP.sentence)


@pytest.mark.parametrize("corpus, floors", [("corpus", FLOORS), ("corpus_own", FLOORS),
                                            ("corpus_heldout", HELDOUT_FLOORS), ("corpus_blind", BLIND_FLOORS),
                                            ("corpus_styles_blind", STYLES_FLOORS),
                                            ("corpus_styles", OWN_STYLES_FLOORS),
                                            ("corpus_styles2", STYLES2_FLOORS),
                                            ("corpus_styles3", STYLES3_FLOORS)])
def test_scorer_floors(tmp_path, corpus, floors):
    """The scorer of ../shared/eval (copied into tests/corpus) runs the real CLI on the dev
    corpus and on our own articles; the issue's floors hold on both."""
    directory = CORPUS.parent / corpus
    env = {"PATH": f"{BIN}:/usr/bin:/bin", "PYTHONPATH": str(CORPUS.parent.parent)}  # this checkout's code
    out = tmp_path / "score.json"
    run = subprocess.run([sys.executable, str(CORPUS / "score.py"), "--corpus", str(directory),
                          "--names", str(directory / "names.tsv"), "--json", str(out)],
                         capture_output=True, text=True, env=env, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "extraction failed" not in run.stderr
    figures = json.loads(out.read_text())
    for family in floors:
        assert figures[family]["f1"] >= floors[family], run.stdout
