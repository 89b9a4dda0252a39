"""Reading articles: header, sentences, tokens and their offsets."""
import pytest

from mappings import ArticleError, parse_article
from mappings.text import tokenize

HEADER = "Publication: Monitor Volume: 5 Issue: 39\n\n"


def sentences(engine, body):
    article = parse_article(HEADER + body, "t")
    return [s.text for s in engine.splitter.split(article)]


def test_header_is_read():
    a = parse_article(HEADER + "Some text.", "x")
    assert (a.publication, a.volume, a.issue) == ("Monitor", 5, 39)
    assert a.text[a.body_start:].strip() == "Some text."


def test_article_without_header_is_still_read():
    a = parse_article("Talbott met Primakov.", "x")
    assert a.volume is None and a.body_start == 0


@pytest.mark.parametrize("text, problem", [("", "empty"), ("   \n", "empty"), ("a\x00b", "NUL")])
def test_bad_articles_are_refused_with_a_reason(text, problem):
    with pytest.raises(ArticleError, match=problem):
        parse_article(text, "x")


def test_bad_article_id_is_refused():
    with pytest.raises(ArticleError, match="cannot name an article"):
        parse_article("text", "../etc/passwd")


@pytest.mark.parametrize("body, expected", [
    ("Gen. Leonid Ivashov spoke on Jan. 5 in Moscow. He left.", 2),
    ("The U.S. delegation arrived. The talks began.", 2),
    ("Talks with the U.S. The Russian side disagreed.", 2),
    ("Relations with the U.S. improved in March.", 1),
    ("He met John F. Kennedy. Then he left.", 2),
    ("It ended (Reuters, February 23). Next, a vote.", 2),
])
def test_sentence_splitting_survives_abbreviations(engine, body, expected):
    assert len(sentences(engine, body)) == expected, sentences(engine, body)


def test_paragraphs_never_share_a_sentence(engine):
    assert len(sentences(engine, "First line without a stop\n\nSecond paragraph.")) == 2


def test_tokens_keep_offsets_and_split_possessives():
    text = "Moscow’s view of the U.S. Senate's vote"
    toks = tokenize(text)
    assert [t.text for t in toks] == ["Moscow", "’s", "view", "of", "the", "U.S.", "Senate", "'s", "vote"]
    assert all(text[t.start:t.end] == t.text for t in toks)
