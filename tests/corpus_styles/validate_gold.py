#!/usr/bin/env python3
"""Check the gold files of this corpus (adapted from ../corpus_styles_blind/validate_gold.py).

Checks, per gold file:
  - the schema keys and value shapes of /work/shared/corpus/GUIDELINES.md (status, stance, action vocabularies);
  - the article exists, is .txt or .html, and its body (front matter and markup removed) has 200-450 words;
  - every date is YYYY-MM or YYYY-MM-DD, a real calendar date, within 1990-2023;
  - every meeting has at least two distinct participants; no name is both a required and an optional entity;
  - no optional participant (a name whose pairs are skipped by the scorer) sits in a required meeting;
  - every name used anywhere is in names.tsv and is listed under entities or optional_entities;
  - every required entity is mentioned in the article: one of its labels (name or aliases, normalised as in
    /work/shared/eval/score.py) occurs in the text, or one of the metonyms listed in METONYMS below does.
And for names.tsv: three columns at most, QID column "-" or Q-numbers, no duplicate names, no alias shared by
two names, and every QID documented in SOURCES.md.

The guidelines ask for no character offsets or evidence quotes, so none are checked.
Run: python3 validate_gold.py   (stdlib only; it does not run the extractor or the scorer)
"""
import html
import json
import re
import sys
import unicodedata
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
KEYS = {"article", "entities", "optional_entities", "meetings", "optional_participants",
        "optional_meetings", "positions", "optional_positions"}
STATUS = {"held", "planned", "cancelled"}
STANCE = {"support", "oppose"}
ACTION = {"none", "ratification", "revision", "withdrawal", "signature", "implementation"}
DATE = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")
YEARS = range(1990, 2024)
WORDS = range(200, 451)
# Entities the guidelines count as referred to by a metonym ("Moscow insisted" refers to Russia).
METONYMS = {
    "Russia": ["Moscow", "Kremlin"],
    "United States": ["Washington"],
    "Germany": ["Berlin"],
    "Eritrea": ["Asmara"],
    "Greece": ["Athens"],
    "North Macedonia": ["Skopje"],
    "North Korea": ["Pyongyang"],
    "Jordan": ["Amman"],
}


def norm(label):
    """The normalisation of score.py: ASCII-fold, lower-case, punctuation to spaces, no leading "the"."""
    text = unicodedata.normalize("NFKD", str(label)).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"[^a-z0-9]+", " ", text).strip()
    return re.sub(r"^the ", "", text)


def names():
    table, owner, errors = {}, {}, []
    for line in (HERE / "names.tsv").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) not in (2, 3):
            errors.append(f"names.tsv: bad row {line!r}")
            continue
        name, qids = cols[0], cols[1].strip()
        if qids != "-" and not all(re.fullmatch(r"Q\d+", q) for q in qids.split("|")):
            errors.append(f"names.tsv: bad QID column in {line!r}")
        if name in table:
            errors.append(f"names.tsv: duplicate {name!r}")
        labels = {norm(a) for a in [name] + (cols[2].split("|") if len(cols) == 3 else []) if a.strip()}
        for label in labels:
            if label in owner and owner[label] != name:
                errors.append(f"names.tsv: alias {label!r} shared by {owner[label]!r} and {name!r}")
            owner[label] = name
        table[name] = (qids, labels)
    return table, errors


def body(path):
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".html":
        text = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", text)
        match = re.search(r"(?is)<article\b.*?</article>", text)
        article = html.unescape(re.sub(r"<[^>]+>", " ", match.group(0))) if match else ""
        return html.unescape(re.sub(r"<[^>]+>", " ", text)), article
    text = re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.S)
    return text, text


def contains(haystack, label):
    return bool(label) and f" {label} " in haystack


def main():
    table, errors = names()
    sources = (HERE / "SOURCES.md").read_text(encoding="utf-8")
    for name, (qids, _) in table.items():
        for q in qids.split("|"):
            if q != "-" and not re.search(rf"\b{q}\b", sources):
                errors.append(f"names.tsv: {name} {q} is not documented in SOURCES.md")
    for path in sorted((HERE / "gold").glob("*.json")):
        err = lambda m: errors.append(f"{path.name}: {m}")
        d = json.loads(path.read_text(encoding="utf-8"))
        if set(d) != KEYS:
            err(f"keys {sorted(set(d) ^ KEYS)}")
            continue
        article = HERE / d["article"]
        if article.suffix not in (".txt", ".html") or not article.exists():
            err(f"article {d['article']} missing or not .txt/.html")
            continue
        full, text = body(article)
        words = len(text.split())
        if words not in WORDS:
            err(f"article body has {words} words, outside 200-450")
        haystack = " " + norm(full) + " "
        used = list(d["entities"]) + d["optional_entities"] + d["optional_participants"]
        both = set(d["entities"]) & set(d["optional_entities"])
        if both:
            err(f"required and optional entity: {sorted(both)}")
        skip = set(d["optional_participants"])
        for kind, meetings in (("required", d["meetings"]), ("optional", d["optional_meetings"])):
            for m in meetings:
                if set(m) != {"participants", "location", "date", "status"} or m["status"] not in STATUS:
                    err(f"bad meeting {m}")
                    continue
                if len(set(m["participants"])) < 2 or len(set(m["participants"])) != len(m["participants"]):
                    err(f"meeting needs two or more distinct participants {m['participants']}")
                if kind == "required" and skip & set(m["participants"]):
                    err(f"optional participant in a required meeting: {sorted(skip & set(m['participants']))}")
                for x in m["date"]:
                    g = DATE.match(x)
                    try:
                        ok = bool(g) and int(g.group(1)) in YEARS and bool(
                            date(int(g.group(1)), int(g.group(2)), int(g.group(3) or 1)))
                    except ValueError:
                        ok = False
                    if not ok:
                        err(f"bad date {x!r}")
                used += m["participants"] + m["location"]
        for p in d["positions"] + d["optional_positions"]:
            if set(p) != {"holder", "stance", "treaty", "action"} or p["stance"] not in STANCE \
                    or p["action"] not in ACTION or not p["holder"]:
                err(f"bad position {p}")
                continue
            used += p["holder"] + [p["treaty"]]
        missing = sorted({n for n in used if n not in table})
        if missing:
            err(f"not in names.tsv: {missing}")
            continue
        listed = set(d["entities"]) | set(d["optional_entities"])
        unlisted = sorted({n for n in used if n not in listed})
        if unlisted:
            err(f"used but not listed as entity: {unlisted}")
        for n in d["entities"]:
            labels = table[n][1] | {norm(x) for x in METONYMS.get(n, [])}
            if not any(contains(haystack, label) for label in labels):
                err(f"required entity {n!r} has no label or metonym in the text")
        print(f"{path.name}: {words} words, {len(d['entities'])} entities (+{len(d['optional_entities'])} optional), "
              f"{len(d['meetings'])} meetings (+{len(d['optional_meetings'])}), "
              f"{len(d['positions'])} positions (+{len(d['optional_positions'])})")
    if errors:
        print("\n".join(errors))
        sys.exit(1)
    print("all gold files valid")


if __name__ == "__main__":
    main()
