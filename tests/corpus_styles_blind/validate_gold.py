#!/usr/bin/env python3
"""Check the gold files of this corpus: schema keys, value shapes, and that every name is in names.tsv."""
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
KEYS = {"article", "entities", "optional_entities", "meetings", "optional_participants",
        "optional_meetings", "positions", "optional_positions"}
STATUS = {"held", "planned", "cancelled"}
STANCE = {"support", "oppose"}
ACTION = {"none", "ratification", "revision", "withdrawal", "signature", "implementation"}
DATE = re.compile(r"^\d{4}-\d{2}(-\d{2})?$")


def names():
    table = {}
    for line in (HERE / "names.tsv").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) < 2:
            raise SystemExit(f"names.tsv: bad row {line!r}")
        qids = cols[1].strip()
        if qids != "-" and not all(re.fullmatch(r"Q\d+", q) for q in qids.split("|")):
            raise SystemExit(f"names.tsv: bad QID column in {line!r}")
        if cols[0] in table:
            raise SystemExit(f"names.tsv: duplicate {cols[0]!r}")
        table[cols[0]] = qids
    return table


def main():
    table, errors = names(), []
    for path in sorted((HERE / "gold").glob("*.json")):
        d = json.loads(path.read_text(encoding="utf-8"))
        err = lambda m: errors.append(f"{path.name}: {m}")
        if set(d) != KEYS:
            err(f"keys {sorted(set(d) ^ KEYS)}")
            continue
        if not (HERE / d["article"]).exists():
            err(f"article {d['article']} missing")
        used = list(d["entities"]) + d["optional_entities"] + d["optional_participants"]
        if set(d["entities"]) & set(d["optional_entities"]):
            err(f"required and optional entity: {set(d['entities']) & set(d['optional_entities'])}")
        for m in d["meetings"] + d["optional_meetings"]:
            if set(m) != {"participants", "location", "date", "status"} or m["status"] not in STATUS:
                err(f"bad meeting {m}")
            if len(m["participants"]) < 2:
                err(f"meeting with fewer than two participants {m}")
            if not all(DATE.match(x) for x in m["date"]):
                err(f"bad date {m['date']}")
            used += m["participants"] + m["location"]
        for p in d["positions"] + d["optional_positions"]:
            if set(p) != {"holder", "stance", "treaty", "action"} or p["stance"] not in STANCE or p["action"] not in ACTION:
                err(f"bad position {p}")
            used += p["holder"] + [p["treaty"]]
        missing = sorted({n for n in used if n not in table})
        if missing:
            err(f"not in names.tsv: {missing}")
        # every name used in relations should also be listed as an entity
        listed = set(d["entities"]) | set(d["optional_entities"])
        unlisted = sorted({n for n in used if n not in listed})
        if unlisted:
            err(f"used but not listed as entity: {unlisted}")
        print(f"{path.name}: {len(d['entities'])} entities (+{len(d['optional_entities'])} optional), "
              f"{len(d['meetings'])} meetings (+{len(d['optional_meetings'])}), "
              f"{len(d['positions'])} positions (+{len(d['optional_positions'])})")
    if errors:
        print("\n".join(errors))
        sys.exit(1)
    print("all gold files valid")


if __name__ == "__main__":
    main()
