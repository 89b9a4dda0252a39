"""The rule language: every rule's own examples, and the schema's error reports."""
from pathlib import Path

import pytest

from mappings import rules as rules_mod

RULES = Path(__file__).resolve().parent.parent / "mappings" / "rules"
RULESET = rules_mod.load(RULES)
CASES = [(r.id, s, True) for r in RULESET.rules for s in r.examples.get("match", [])] + \
        [(r.id, s, False) for r in RULESET.rules for s in r.examples.get("no_match", [])]


def test_every_fact_rule_has_examples_both_ways():
    for rule in RULESET.rules:
        if rule.kind != "veto":
            assert rule.examples.get("match") and rule.examples.get("no_match"), rule.id


@pytest.mark.parametrize("rule_id, sentence, expected", CASES, ids=[f"{c[0]}:{'match' if c[2] else 'no'}:{i}"
                                                                    for i, c in enumerate(CASES)])
def test_rule_examples(engine, rule_id, sentence, expected):
    assert engine.rule_matches(rule_id, sentence) is expected


def write(tmp_path, text):
    (tmp_path / "r.yaml").write_text(text)
    return tmp_path


def test_schema_errors_name_rule_and_pattern(tmp_path):
    d = write(tmp_path, """
phrases:
  stance: {Support: [support]}
rules:
  - id: meeting-07
    kind: meeting
    pattern:
      - {lower: met}
      - {lemma_: meet}
    emit: {participants: [subject, nobody]}
    examples: {match: [a], no_match: [b]}
  - id: p-1
    kind: position
    pattern: [{phrase: nonsense}, {skip: 99}, {lower: sign, tag: verb}]
    emit: {stance: Maybe, action: Fly}
  - id: p-1
    kind: mystery
    pattern: []
    emit: {}
""")
    with pytest.raises(rules_mod.RuleError) as err:
        rules_mod.load(d)
    text = str(err.value)
    assert "rule meeting-07, pattern 2: unknown key(s) ['lemma_']" in text
    assert "participants names 'nobody'" in text
    assert "rule p-1, pattern 1: phrase class 'nonsense' is not defined" in text
    assert "skip must be a whole number" in text
    assert "rule p-1, pattern 3: tag must be a Penn Treebank tag prefix" in text
    assert "emit.stance must be" in text and "emit.action must be" in text
    assert "needs examples" in text
    assert "kind 'mystery'" in text


def test_words_like_on_and_no_stay_words(tmp_path):
    d = write(tmp_path, """
rules:
  - id: t
    kind: veto
    pattern: [{lower: [on, no, off, yes]}]
    emit: {}
""")
    assert RULESET and rules_mod.load(d).rules[0].pattern[0].lower == {"on", "no", "off", "yes"}


def test_patterns_match_inflections():
    from mappings.morphology import inflections

    assert {"supported", "supports", "supporting"} <= inflections("support")
    assert {"welcomed", "ratified", "ratifies"} <= inflections("welcome") | inflections("ratify")
    assert "planned" in inflections("plan") and "met" in inflections("meet", {"meet": {"met"}})
