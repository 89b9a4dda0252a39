"""Issue 3's linguistic coverage, one table per phenomenon: sentence in, facts out."""
import pytest

from mappings import parse_article

HEAD = "Publication: Monitor Volume: 5 Issue: 40\n\n"


def run(engine, body):
    x = engine.extract(parse_article(HEAD + body, "case"))
    label = lambda k: x.entities[k].label  # noqa: E731
    meetings = [(frozenset(label(p) for p in m.participants), m.status, label(m.location) if m.location else None,
                 str(m.date) if m.date else None) for m in x.meetings]
    positions = {(label(p.holder), p.stance, label(p.topic), p.action) for p in x.positions}
    return x, meetings, positions


def people(*names):
    return frozenset(names)


# --- entities: citations, titles, surnames, anaphora, metonyms -------------------------------------------


def test_source_citations_give_the_facts_sources(engine):
    x, _, _ = run(engine, "Foreign Minister Igor Ivanov and Secretary of State Madeleine Albright held talks in Oslo "
                          "on April 13. The talks were tense (Reuters, Russian agencies, April 13).")
    ev = x.meetings[0].evidence[0]
    assert [x.entities[c].label for c in ev.cited] == ["Reuters"]
    assert str(x.date) == "1999-04-13"


@pytest.mark.parametrize("text, name, role, affiliation", [
    ("U.S. Deputy Secretary of State Strobe Talbott arrived.", "Strobe Talbott", "Deputy Secretary of State", "United States"),
    ("Moscow Mayor Yuri Luzhkov spoke.", "Yuri Luzhkov", "Mayor of Moscow", "Russia"),  # the gazetteer's dated role
    ("Ukrainian Defense Minister Oleksandr Kuzmuk spoke.", "Oleksandr Kuzmuk", "Defense Minister", "Ukraine"),
    ("Yabloko leader Grigory Yavlinsky spoke.", "Grigory Yavlinsky", "leader", "Yabloko"),
])
def test_titled_names_become_persons(engine, text, name, role, affiliation):
    x, _, _ = run(engine, text)
    person = next(e for e in x.entities.values() if e.label == name)
    roles = [(r, x.entities[a].label if a else None) for r, a in person.roles]
    assert (role, affiliation) in roles


def test_surname_resolves_to_the_person_named_earlier(engine):
    x, meetings, _ = run(engine, "Kazakh Foreign Minister Kasymzhomart Tokaev arrived in Moscow. "
                                 "Tokaev met with Foreign Minister Igor Ivanov on May 5.")
    # the gazetteer knows him as Kassym-Jomart Tokayev, with this spelling as an alias
    assert meetings and people("Kassym-Jomart Tokayev", "Igor Ivanov") in [m[0] for m in meetings]


@pytest.mark.parametrize("anaphor", ["the treaty", "the document", "the accord"])
def test_the_treaty_resolves_to_the_treaty_in_context(engine, anaphor):
    _, _, positions = run(engine, f"The Duma debated START II on Friday. Communist leader Gennady Zyuganov "
                                  f"denounced {anaphor} as a capitulation.")
    assert ("Gennady Zyuganov", "Opposition", "START II", None) in positions


@pytest.mark.parametrize("actor, state", [
    ("Moscow", "Russia"), ("The Kremlin", "Russia"), ("Washington", "United States"), ("Belgrade", "Federal Republic of Yugoslavia"),
    ("Beijing", "China"), ("Kyiv", "Ukraine"), ("Minsk", "Belarus"), ("The Russian side", "Russia"),
    ("The U.S. delegation", "United States"), ("Russian officials", "Russia"),
])
def test_metonyms_stand_for_their_state(engine, actor, state):
    _, _, positions = run(engine, f"{actor} reiterated its opposition to any changes to the ABM treaty.")
    assert (state, "Opposition", "Anti-Ballistic Missile Treaty", "Revision") in positions


def test_the_alliance_is_nato(engine):
    x, _, _ = run(engine, "Russia warned the alliance against expansion.")
    assert "organization/nato" in {m.entity for m in x.mentions}


def test_possessive_metonym_is_the_holder(engine):
    _, _, positions = run(engine, "Primakov restated Moscow's opposition to any revision of the ABM treaty.")
    assert ("Russia", "Opposition", "Anti-Ballistic Missile Treaty", "Revision") in positions


# --- dates ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("phrase, expected", [
    ("on February 23", "1999-02-23"), ("on Feb. 23", "1999-02-23"), ("in March", "1999-03"),
    ("early next month", "1999-03"), ("on February 23, 1998", "1998-02-23"), ("earlier this week", None),
])
def test_dates(engine, phrase, expected):
    body = f"Igor Ivanov and Madeleine Albright held talks in Oslo {phrase} (Reuters, February 24)."
    _, meetings, _ = run(engine, body)
    assert meetings[0][3] == expected


def test_a_date_attaches_to_its_own_clause(engine):
    _, meetings, _ = run(engine, "While in Moscow, Strobe Talbott met with Moscow Mayor Yuri Luzhkov and, on "
                                 "February 23, held consultations with Deputy Foreign Minister Georgy Mamedov.")
    dates = {m[0]: m[3] for m in meetings}
    assert dates[people("Strobe Talbott", "Yuri Luzhkov")] is None
    assert dates[people("Strobe Talbott", "Georgy Mamedov")] == "1999-02-23"


# --- meetings -------------------------------------------------------------------------------------


@pytest.mark.parametrize("body, status, place", [
    ("Igor Ivanov met with Madeleine Albright in Oslo.", "Held", "Oslo"),
    ("Igor Ivanov held talks with Madeleine Albright in Oslo.", "Held", "Oslo"),
    ("Igor Ivanov held consultations with Madeleine Albright in Oslo.", "Held", "Oslo"),
    ("Boris Yeltsin received Madeleine Albright in the Kremlin.", "Held", "Moscow Kremlin"),
    ("Boris Yeltsin hosted Madeleine Albright in the Kremlin.", "Held", "Moscow Kremlin"),
    ("Madeleine Albright visited Moscow, where she met with Igor Ivanov.", "Held", "Moscow"),
    ("Igor Ivanov and Madeleine Albright are expected to meet in Oslo.", "Planned", "Oslo"),
    ("Igor Ivanov and Madeleine Albright are scheduled to meet at the OSCE summit in Istanbul.", "Planned", "Istanbul"),
    ("Igor Ivanov cancelled his planned talks with Madeleine Albright in Oslo.", "Cancelled", "Oslo"),
    ("Boris Yeltsin and Bill Clinton held a summit in Helsinki.", "Held", "Helsinki"),
])
def test_meeting_triggers_status_and_place(engine, body, status, place):
    _, meetings, _ = run(engine, body)
    assert len(meetings) == 1, meetings
    assert meetings[0][1:3] == (status, place)


def test_met_separately_is_two_meetings(engine):
    _, meetings, _ = run(engine, "Eduard Shevardnadze met separately with Igor Ivanov and with Madeleine Albright.")
    assert sorted(m[0] for m in meetings) == sorted([people("Eduard Shevardnadze", "Igor Ivanov"),
                                                      people("Eduard Shevardnadze", "Madeleine Albright")])


def test_a_telephone_conversation_is_not_a_meeting(engine):
    _, meetings, _ = run(engine, "Igor Ivanov and Madeleine Albright held talks by telephone on October 14.")
    assert meetings == []


# --- positions -----------------------------------------------------------------------------------------

ABM, START2, CTBT = "Anti-Ballistic Missile Treaty", "START II", "Comprehensive Nuclear-Test-Ban Treaty"


@pytest.mark.parametrize("body, expected", [
    ("Madeleine Albright urged ratification of START II.", ("Madeleine Albright", "Support", START2, "Ratification")),
    ("The Russian side reiterated its opposition to any changes to the ABM treaty.", ("Russia", "Opposition", ABM, "Revision")),
    ("The State Duma voted to ratify START II. Leonid Kuchma welcomed the vote.", ("Leonid Kuchma", "Support", START2, "Ratification")),
    ("The State Duma voted to ratify START II. Leonid Kuchma criticized the vote.", ("Leonid Kuchma", "Opposition", START2, "Ratification")),
    ("The State Duma voted to ratify START II.", ("State Duma", "Support", START2, "Ratification")),
    ("Igor Sergeyev said the military would not support ratification of START II.", ("Igor Sergeyev", "Opposition", START2, "Ratification")),
    ("Grigory Yavlinsky denounced START II.", ("Grigory Yavlinsky", "Opposition", START2, None)),
    ("The U.S. Senate rejected the Comprehensive Nuclear-Test-Ban Treaty.", ("United States Senate", "Opposition", CTBT, "Ratification")),
    ("Bill Clinton hailed the Comprehensive Nuclear-Test-Ban Treaty.", ("Bill Clinton", "Support", CTBT, None)),
    ("Igor Ivanov insisted that the ABM treaty must be preserved.", ("Igor Ivanov", "Support", ABM, None)),
    ("Russia reiterated its intention to seek ratification of START II.", ("Russia", "Support", START2, "Ratification")),
    ("Boris Yeltsin signed START II.", ("Boris Yeltsin", "Support", START2, "Signature")),
    ("Yuri Luzhkov, long an opponent of START II, spoke in Moscow.", ("Yuri Luzhkov", "Opposition", START2, None)),
    ("Washington plans to seek revision of the ABM treaty.", ("United States", "Support", ABM, "Revision")),
    ("Washington announced its withdrawal from the ABM treaty.", ("United States", "Support", ABM, "Withdrawal")),
    ("Moscow called for full implementation of the ABM treaty.", ("Russia", "Support", ABM, "Implementation")),
    ("Russia refused to ratify START II.", ("Russia", "Opposition", START2, "Ratification")),
    ("Russia never supported START II.", ("Russia", "Opposition", START2, None)),
])
def test_position_cues(engine, body, expected):
    _, _, positions = run(engine, body)
    assert expected in positions, positions


def test_conditions_weaken_a_stance(engine):
    x, _, positions = run(engine, "Colin Powell said that Washington would ratify the adapted CFE treaty only after "
                                  "Russia had fulfilled its commitments.")
    fact = next(p for p in x.positions if x.entities[p.holder].label == "United States")
    assert (fact.stance, fact.action, fact.conditional) == ("Support", "Ratification", True)
    x, _, _ = run(engine, "Washington would ratify the adapted CFE treaty.")
    assert not x.positions[0].conditional
