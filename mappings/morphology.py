"""English inflection, generated rather than stripped.

Rules and the lexicon name base forms ("support", "meet"); a pattern matches
any inflection of them. Generating forms from a base is simple and exact where
stripping suffixes off a token is not ("welcomed" → "welcom"). Irregular forms
come from the lexicon (``irregular_lemmas``: form → base).
"""
from __future__ import annotations

VOWELS = set("aeiou")


def inflections(word: str, irregular: dict[str, set[str]] | None = None) -> set[str]:
    """The word and its regular -s, -ed and -ing forms, plus any irregular forms."""
    w = word.lower()
    forms = {w}
    if irregular and w in irregular:
        forms |= irregular[w]
    if len(w) < 3 or not w.isalpha():
        return forms
    if w.endswith("e"):
        forms |= {w + "s", w + "d", w[:-1] + "ing"}
    elif w.endswith("y") and w[-2] not in VOWELS:
        forms |= {w[:-1] + "ies", w[:-1] + "ied", w + "ing"}
    elif w.endswith(("s", "x", "z", "ch", "sh")):
        forms |= {w + "es", w + "ed", w + "ing"}
    else:
        forms |= {w + "s", w + "ed", w + "ing"}
        if w[-1] not in VOWELS | {"w", "x", "y"} and w[-2] in VOWELS and w[-3] not in VOWELS:
            forms |= {w + w[-1] + "ed", w + w[-1] + "ing"}  # plan → planned, commit → committed
    return forms


def invert(form_to_base: dict[str, str]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for form, base in form_to_base.items():
        out.setdefault(str(base).lower(), set()).add(str(form).lower())
    return out
