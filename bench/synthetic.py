"""Varied synthetic diplomacy articles for the ingest bench (issue 11, item 3).

    python bench/synthetic.py OUT_DIR [--count 10000] [--seed 11]

writes OUT_DIR/syn-00001.txt … : plain-text articles with YAML front matter (title, date, source), a
wire dateline in one of several styles, and 150–400 words of body made from varied sentence
templates: meetings (held, planned, cancelled; met / held talks / received / will travel to),
positions on treaties (urged, opposed, supported, ratify), citations, and connective filler. The
actors, places and treaties come from the gazetteer (people with a role active in the article's
year, with that title and state), so extraction finds facts in them. The same seed gives the same
files, byte for byte. None is a copy of a seed article.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from mappings.gazetteer import load  # noqa: E402

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
ABBR = {"January": "Jan.", "February": "Feb.", "March": "March", "April": "April", "May": "May", "June": "June",
        "July": "July", "August": "Aug.", "September": "Sept.", "October": "Oct.", "November": "Nov.",
        "December": "Dec."}
AGENCIES = ["Reuters", "AP", "AFP", "Interfax", "Xinhua", "ITAR-TASS"]
OUTLETS = ["The Alpine Courier", "Baltic Wire", "The Harbour Gazette", "Eastern Dispatch", "The Morning Ledger",
           "Continental Review"]
TOPICS = ["the situation in the region", "arms control", "energy cooperation", "the peace plan",
          "trade and investment", "border security", "the refugee question", "regional stability",
          "the upcoming summit", "missile defense"]
FILLER = [
    "Officials on both sides described the atmosphere as businesslike.",
    "No joint statement was issued after the session.",
    "Diplomats said the agenda had been agreed several weeks in advance.",
    "The talks lasted longer than had been planned.",
    "Analysts in the capital were cautious about the prospects for a breakthrough.",
    "Several questions remained open, according to people familiar with the discussions.",
    "Expert groups are expected to continue the work at a lower level.",
    "The press was not admitted to the main part of the session.",
    "Observers noted that the tone had softened since the spring.",
    "A spokesman declined to give details of the proposals that were discussed.",
    "Both delegations included military advisers and economists.",
    "The next round has not yet been scheduled.",
    "Opposition deputies criticised the government for its handling of the negotiations.",
    "Newspapers in the region gave the visit extensive coverage.",
]


@dataclass
class Person:
    id: str
    label: str
    surname: str
    title: str
    state: str  # gazetteer id
    demonym: str


class Gazetteer:
    def __init__(self, directory: Path):
        g = load(directory)
        entries = list(g.entries.values())
        self.by_id = {e.id: e for e in entries}
        self.people = [e for e in entries if e.type == "Person" and e.roles]
        self.cities = [e for e in entries if e.type == "Place" and e.kind == "city" and e.country
                       and e.country in self.by_id and " " not in e.label.split(",")[0]]
        self.treaties = [e for e in entries if e.type == "Treaty" and e.aliases]

    def people_in(self, year: int) -> list[Person]:
        out = []
        for e in self.people:
            for r in e.roles:
                if r.active(year) and r.of in self.by_id and self.by_id[r.of].demonyms and r.start:
                    out.append(Person(e.id, e.label, e.label.split()[-1], r.title, r.of,
                                      self.by_id[r.of].demonyms[0]))
                    break
        return out


class Writer:
    """One article from a random generator: every choice is drawn from `rng`, so a seed fixes the text."""

    def __init__(self, gaz: Gazetteer, rng: random.Random):
        self.g, self.rng = gaz, rng

    def pick(self, seq):
        return seq[self.rng.randrange(len(seq))]

    def full(self, p: Person) -> str:
        return self.pick([f"{p.demonym} {p.title} {p.label}", f"{p.title} {p.label}", p.label])

    def short(self, p: Person) -> str:
        return self.pick([p.surname, p.label])

    def date(self, month: int, day: int) -> str:
        return self.pick([f"{MONTHS[month - 1]} {day}", f"{ABBR[MONTHS[month - 1]]} {day}",
                          f"{day} {MONTHS[month - 1]}"])

    def place(self) -> str:
        return self.pick(self.g.cities).label.split(",")[0]

    def meeting(self, a: Person, b: Person, month: int, day: int) -> str:
        place, d = self.place(), self.date(month, day)
        topic = self.pick(TOPICS)
        shapes = [
            f"{self.full(a)} met {self.full(b)} in {place} on {d}.",
            f"{a.label}, the {a.demonym} {a.title.lower()}, met {self.full(b)} in {place} on {d}.",
            f"{self.full(a)} met with {self.full(b)} in {place} on {d} to discuss {topic}.",
            f"{self.full(a)} and {self.full(b)} held talks in {place} on {d}.",
            f"On {d}, {self.full(a)} held talks on {topic} with {self.full(b)} in {place}.",
            f"{self.full(a)} received {self.full(b)} in {place} on {d}.",
            f"{self.full(a)} is scheduled to meet {self.full(b)} in {place} next week.",
            f"{self.full(a)} will travel to {place} later this month for talks with {self.full(b)}.",
            f"{self.full(a)} and {self.full(b)} are expected to meet in {place} early next month.",
            f"{self.full(a)} cancelled his planned talks in {place} with {self.full(b)}.",
            f"{self.full(a)} arrived in {place} on {d} for talks with {self.full(b)}.",
        ]
        return self.pick(shapes)

    def position(self, a: Person, treaty) -> str:
        t = self.pick([treaty.label, *treaty.aliases[:3]])
        shapes = [
            f"{self.short(a)} urged all parties to ratify the {t}." if not t.startswith("the ") else
            f"{self.short(a)} urged all parties to ratify {t}.",
            f"{self.full(a)} reiterated his strong opposition to any changes to the {t}.",
            f"{self.short(a)} said that his government remained committed to the {t}.",
            f"{self.full(a)} denounced the {t} as a mistake.",
            f"{self.short(a)} said his country still supported the {t}.",
            f"{self.full(a)} spoke against ratification of the {t}.",
        ]
        return self.pick(shapes).replace("the the ", "the ")

    def citation(self, month: int, day: int) -> str:
        return f" ({self.pick(AGENCIES)}, {MONTHS[month - 1]} {day})"

    def dateline(self, place: str, year: int, month: int, day: int, agency: str) -> str:
        up = place.upper()
        return self.pick([
            f"{up}, {ABBR[MONTHS[month - 1]]} {day}, {year} ({agency}) - ",
            f"{up}, {MONTHS[month - 1]} {day} ({agency}) -- ",
            f"{up} ({agency}) — ",
            f"{up}, {day} {MONTHS[month - 1]} {year} – ",
            f"{up} — ",
        ])

    def article(self, n: int) -> str:
        rng = self.rng
        year = rng.randrange(1993, 2009)
        month, day = rng.randrange(1, 13), rng.randrange(1, 29)
        people = self.g.people_in(year)
        cast = rng.sample(people, min(len(people), rng.randrange(3, 7)))
        treaty = self.pick(self.g.treaties)
        target = rng.randrange(150, 371)  # stops at the first sentence past it: ≤ 400 words
        agency = self.pick(AGENCIES)
        place = self.place()
        a, b = cast[0], cast[1]
        title = self.pick([f"{a.surname} and {b.surname} confer in {place}", f"Talks in {place}",
                           f"{a.demonym} and {b.demonym} envoys meet", f"Diplomatic round in {place}",
                           f"Position on the {treaty.aliases[0]}"])
        paragraphs, words = [], 0
        first = True
        while words < target:
            sentences = []
            for _ in range(rng.randrange(2, 5)):
                if words >= target:
                    break
                kind = rng.random()
                x, y = rng.sample(cast, 2)
                d = max(1, day - rng.randrange(0, 3))
                if kind < 0.4:
                    s = self.meeting(x, y, month, d)
                elif kind < 0.6:
                    s = self.position(x, treaty)
                else:
                    s = self.pick(FILLER)
                sentences.append(s)
                words += len(s.split())
            text = " ".join(sentences)
            if rng.random() < 0.4:
                text = text[:-1] + self.citation(month, day) + "."
            if first:
                text = self.dateline(place, year, month, day, agency) + text
                first = False
            paragraphs.append(text)
        front = (f"---\ntitle: {json.dumps(title)}\ndate: {year}-{month:02d}-{day:02d}\n"
                 f"source: {self.pick(OUTLETS)}\n---\n")
        return front + "\n\n".join(paragraphs) + "\n"


def generate(out: Path, count: int, seed: int = 11, gazetteer: Path | None = None) -> list[Path]:
    """Write `count` articles into `out` (created if need be); the same seed writes the same files."""
    gaz = Gazetteer(gazetteer or ROOT / "mappings" / "gazetteer")
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(1, count + 1):
        writer = Writer(gaz, random.Random(f"{seed}-{n}"))
        path = out / f"syn-{n:05d}.txt"
        path.write_text(writer.article(n), encoding="utf-8")
        paths.append(path)
    return paths


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--count", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args(argv)
    generate(args.out, args.count, args.seed)
    print(f"wrote {args.count} articles to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
