"""``communique link``: propose Wikidata QIDs for the entities that have none, for a person to review.

1. **Subjects.** Every person, state, organization, place and treaty of the graph (the store, or the
   articles given) without ``owl:sameAs``, with what the articles say of it: aliases, roles, the
   countries it is affiliated with or lies in (as QIDs, from the gazetteer's links), the years of the
   articles that mention it, and a treaty's year from the gazetteer.
2. **Candidates.** ``wbsearchentities`` with its label (language en, type item), then ``wbgetentities``
   for the candidates (labels, descriptions, aliases, claims), and the labels of the positions they held
   (P39) in one more batch.
3. **Scoring** (``score``), conservative: a wrong link is worse than none. A candidate is *rejected* when
   its name is not within 90% of one of ours, when its class (P31) is not one we expect for the type, when
   its country (P27, P17) is known and is none of ours, or when its dates rule it out (born less than 16
   years before the first article, died before it; an organisation or state founded after it or dissolved
   before). Otherwise it scores name 40 × similarity, class 20, country 20, dates 10, a matching position
   held at the article's date 10 (5 without dates). It is *plausible* only if it also has corroboration
   beyond its name and class: an agreeing country, a matching position held at the date, or a treaty's
   year. One plausible candidate is *proposed*; two or more are *ambiguous*, and none is picked.
4. **Review.** The proposals go to a YAML file with each candidate's label, description, score and
   evidence. Nothing is accepted until a person sets ``accept: true`` (the proposed QID) or ``accept: Q…``
   (one of the listed candidates) and runs ``communique link --accept FILE``, which writes ``wikidata`` and
   its ``source`` into the gazetteer, checked by loading it, all files or none.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from rapidfuzz import fuzz

from . import wikidata as wd
from ..errors import CommuniqueError

DIP = "https://w3id.org/communique/ontology#"
PREFIXES = f"""PREFIX dip: <{DIP}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <https://schema.org/>
"""
WD_ENTITY = "http://www.wikidata.org/entity/"
TYPES = ("Person", "State", "Organization", "Place", "Treaty")

# The classes (P31) a candidate of each type must have. Short and explicit: a candidate of another class
# is rejected ("instance of Q…, not expected for a Person"), never guessed into one; subclasses are not
# followed.
CLASSES = {
    "Person": {"Q5": "human"},
    "State": {"Q6256": "country", "Q3624078": "sovereign state", "Q3024240": "historical country",
              "Q7275": "state", "Q15634554": "state with limited recognition"},
    "Organization": {"Q43229": "organization", "Q484652": "international organization",
                     "Q245065": "intergovernmental organization", "Q192283": "news agency",
                     "Q7278": "political party", "Q327333": "government agency", "Q11204": "legislature",
                     "Q7210356": "political organization", "Q783794": "company", "Q4830453": "business",
                     "Q1331793": "media company", "Q2085381": "publisher", "Q163740": "nonprofit organization",
                     "Q1391145": "peacekeeping mission", "Q176799": "military unit", "Q1752346": "armed forces"},
    "Place": {"Q515": "city", "Q5119": "capital city", "Q1549591": "big city", "Q1637706": "city with millions",
              "Q200250": "metropolis", "Q486972": "human settlement", "Q3957": "town", "Q532": "village",
              "Q82794": "region", "Q1620908": "historical region", "Q34763": "peninsula", "Q165": "sea",
              "Q23442": "island", "Q10864048": "first-level administrative division", "Q35657": "U.S. state"},
    "Treaty": {"Q131569": "treaty", "Q625298": "peace treaty", "Q93288": "contract"},
}
NAME_MIN = 0.9     # a candidate's name must be this similar to one of ours (rapidfuzz, folded, word order aside)
ROLE_MIN = 90      # a position's label must hold the words of a role (token_set_ratio)
ADULT = 16         # a person born fewer years than this before the first article is not the one meant


@dataclass
class Subject:
    iri: str
    type: str
    label: str
    aliases: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    countries: dict[str, str] = field(default_factory=dict)  # QID → label
    country_ids: list[str] = field(default_factory=list)     # their gazetteer ids (a place's `country`)
    dates: list[str] = field(default_factory=list)
    year: int | None = None                                  # a treaty's, from the gazetteer

    @property
    def id(self) -> str:
        return self.iri.rstrip("/").rsplit("/", 1)[-1]

    @property
    def path(self) -> str:
        return "/".join(self.iri.rstrip("/").rsplit("/", 2)[-2:])

    @property
    def years(self) -> list[int]:
        return sorted({int(d[:4]) for d in self.dates if re.match(r"^\d{4}", d)})

    @property
    def names(self) -> list[str]:
        return [self.label, *self.aliases]


# --- 1. the subjects ------------------------------------------------------------------------------------------
def subjects(store, gazetteer=None, types=TYPES) -> list[Subject]:
    """The entities of a pyoxigraph store (default graph = the union) that have no owl:sameAs."""
    def select(query):
        return list(store.query(PREFIXES + query, use_default_graph_as_union=True))

    found: dict[str, Subject] = {}
    values = " ".join(f"dip:{t}" for t in types)
    for row in select(f"""SELECT ?e ?type (SAMPLE(?l) AS ?label) WHERE {{
            VALUES ?type {{ {values} }} ?e a ?type ; rdfs:label ?l . FILTER NOT EXISTS {{ ?e owl:sameAs ?any }}
            FILTER(isIRI(?e)) }} GROUP BY ?e ?type ORDER BY ?e"""):
        iri, type_ = row["e"].value, row["type"].value[len(DIP):]
        if iri in found and found[iri].type == "State":  # a State is also a Place: keep the narrower
            continue
        found[iri] = Subject(iri, type_, row["label"].value)
    if not found:
        return []
    for row in select("SELECT DISTINCT ?e ?a WHERE { ?e skos:altLabel ?a FILTER NOT EXISTS { ?e owl:sameAs ?x } }"):
        s = found.get(row["e"].value)
        if s and row["a"].value not in s.names:
            s.aliases.append(row["a"].value)
    # a person's roles and affiliations: the articles' dip:RoleStatements about them (and any on the person)
    for row in select("""SELECT DISTINCT ?e ?r WHERE { { ?st dip:person ?e ; dip:role ?r } UNION { ?e dip:role ?r }
            FILTER NOT EXISTS { ?e owl:sameAs ?x } }"""):
        s = found.get(row["e"].value)
        if s and row["r"].value not in s.roles:
            s.roles.append(row["r"].value)
    for row in select("""SELECT DISTINCT ?e ?c ?q ?cl WHERE {
            { ?st dip:person ?e ; dip:affiliation ?c . ?c a dip:State } UNION { ?e dip:affiliation ?c . ?c a dip:State }
            UNION { ?e dip:country ?c }
            ?c owl:sameAs ?q OPTIONAL { ?c rdfs:label ?cl } FILTER NOT EXISTS { ?e owl:sameAs ?x } }"""):
        s = found.get(row["e"].value)
        q = row["q"].value
        if s and q.startswith(WD_ENTITY):
            s.countries.setdefault(q[len(WD_ENTITY):], row["cl"].value if row["cl"] else "")
            cid = row["c"].value.rstrip("/").rsplit("/", 1)[-1]
            if cid not in s.country_ids:
                s.country_ids.append(cid)
    for row in select("""SELECT DISTINCT ?e ?d WHERE { ?a schema:mentions ?e ; dip:date ?d
            FILTER NOT EXISTS { ?e owl:sameAs ?x } }"""):
        s = found.get(row["e"].value)
        if s and row["d"].value not in s.dates:
            s.dates.append(row["d"].value)
    for s in found.values():
        s.dates.sort()
        entry = gazetteer.get(s.id) if gazetteer is not None else None
        if entry is not None and entry.type == s.type:
            s.year = entry.year if isinstance(entry.year, int) else None
    return list(found.values())


# --- 2 and 3. candidates and their scores -----------------------------------------------------------------------
def _fold(text: str) -> str:
    from mappings.gazetteer import fold

    return " ".join(re.sub(r"[^\w' -]", " ", fold(text)).replace("-", " ").split())


def name_similarity(ours: list[str], theirs: list[str]) -> tuple[float, str, str]:
    best = (0.0, "", "")
    for a in ours:
        for b in theirs:
            if not a or not b:
                continue
            sim = 1.0 if _fold(a) == _fold(b) else fuzz.token_sort_ratio(_fold(a), _fold(b)) / 100
            if sim > best[0]:
                best = (sim, a, b)
    return best


@dataclass
class Candidate:
    qid: str
    label: str
    description: str
    fetched: str
    score: int = 0
    verdict: str = "plausible"  # plausible | weak | rejected: …
    evidence: list[str] = field(default_factory=list)

    @property
    def plausible(self) -> bool:
        return self.verdict == "plausible"


def score(subject: Subject, entity: dict, position_labels: dict[str, str]) -> Candidate:
    """Check one candidate (wbgetentities JSON) against what the articles say of the subject."""
    c = Candidate(entity.get("id", ""), wd.label(entity), wd.description(entity), "")
    ev = c.evidence
    points = 0.0
    corroborated = []

    def reject(reason: str) -> Candidate:
        c.verdict = f"rejected: {reason}"
        c.score = 0
        return c

    sim, ours, theirs = name_similarity(subject.names, [c.label, *wd.aliases(entity)])
    if sim < NAME_MIN:
        return reject(f"no name of its is within {NAME_MIN:.0%} of ours (best: {theirs or c.label!r} "
                      f"{sim:.2f})" if theirs else "it has no English label")
    points += 40 * sim
    ev.append(f"name {theirs!r} = {ours!r}" if sim == 1 else f"name {theirs!r} ~ {ours!r} ({sim:.2f})")

    classes = wd.item_values(entity, "P31")
    expected = CLASSES[subject.type]
    fitting = [q for q in classes if q in expected]
    if not fitting:
        shown = ", ".join(classes) if classes else "no class (P31)"
        return reject(f"instance of {shown}, not a class expected for a {subject.type}")
    points += 20
    ev.append(f"instance of {expected[fitting[0]]} ({fitting[0]})")

    prop = "P27" if subject.type == "Person" else "P17"
    countries = wd.item_values(entity, prop)
    if subject.type != "State" and subject.countries and countries:
        shared = [q for q in countries if q in subject.countries]
        if not shared:
            return reject(f"{'citizen of' if prop == 'P27' else 'country'} {', '.join(countries)} ({prop}); the "
                          f"articles say {_countries(subject)}")
        points += 20
        ev.append(f"{'citizen of' if prop == 'P27' else 'country'} {subject.countries[shared[0]] or shared[0]} "
                  f"({shared[0]}, {prop}) as the articles say")
        corroborated.append("country")
    elif subject.countries:
        ev.append(f"no {prop} to compare with {_countries(subject)}")

    years = subject.years
    if years:
        first = years[0]
        if subject.type == "Person":
            born, died = wd.years(entity, "P569"), wd.years(entity, "P570")
            if born and min(born) > first - ADULT:
                return reject(f"born {min(born)}: {first - min(born)} years old at the article of {first}")
            if died and max(died) < first:
                return reject(f"died {max(died)}, before the article of {first}")
            if born:
                points += 10
                ev.append(f"born {min(born)}" + (f", died {max(died)}" if died else "") + f": fits {first}")
        elif subject.type in ("Organization", "State"):
            start, end = wd.years(entity, "P571"), wd.years(entity, "P576")
            if start and min(start) > first:
                return reject(f"founded {min(start)}, after the article of {first}")
            if end and max(end) < first:
                return reject(f"dissolved {max(end)}, before the article of {first}")
            if start:
                points += 10
                ev.append(f"founded {min(start)}" + (f", dissolved {max(end)}" if end else "") + f": fits {first}")

    if subject.type == "Treaty" and subject.year:
        for p, what in (("P585", "point in time"), ("P577", "publication date"), ("P571", "inception"),
                        ("P580", "start time")):
            if subject.year in wd.years(entity, p):
                points += 10
                ev.append(f"{what} {subject.year} ({p}) = the gazetteer's year")
                corroborated.append("year")
                break

    if subject.type == "Person" and subject.roles:
        best = None
        for st in wd.statements(entity, "P39"):
            pos = wd.snak_value(st.get("mainsnak"))
            pid = pos.get("id") if isinstance(pos, dict) else None
            name = position_labels.get(pid or "", "")
            if not name:
                continue
            for role in subject.roles:
                if fuzz.token_set_ratio(_fold(role), _fold(name)) < ROLE_MIN:
                    continue
                start, end = wd.qualifier_year(st, "P580"), wd.qualifier_year(st, "P582")
                span = f"{start or '?'}–{end or ''}" if (start or end) else "undated"
                at = [y for y in years if (start is None or start <= y) and (end is None or y <= end)]
                if (start or end) and years and at:
                    best = (10, f"position held {name!r} ({pid}, {span}) fits the role {role!r} in {at[0]}")
                elif not (start or end) and (best is None or best[0] < 5):
                    best = (5, f"position held {name!r} ({pid}, undated) fits the role {role!r}")
                elif best is None:
                    ev.append(f"position held {name!r} ({pid}, {span}), not at the articles' dates")
        if best:
            points += best[0]
            ev.append(best[1])
            if best[0] == 10:
                corroborated.append("position")

    c.score = round(points)
    if not corroborated:
        c.verdict = "weak"
        ev.append("nothing but its name and class agrees with the articles: not proposed")
    return c


def _countries(subject: Subject) -> str:
    return ", ".join(f"{label or q} ({q})" for q, label in subject.countries.items())


@dataclass
class Proposal:
    subject: Subject
    status: str                      # proposed | ambiguous | none
    proposed: str | None
    candidates: list[Candidate]


def link(client: wd.Client, subjects_: list[Subject], limit: int = 10, progress=None) -> list[Proposal]:
    out = []
    for n, s in enumerate(subjects_, 1):
        results, _ = client.search(s.label, limit)
        qids = [r["id"] for r in results if re.match(r"^Q[1-9][0-9]*$", r.get("id", ""))]
        fetched = client.entities(qids) if qids else {}
        positions = []
        for entity, _ in fetched.values():
            for st in wd.statements(entity, "P39"):
                v = wd.snak_value(st.get("mainsnak"))
                if isinstance(v, dict) and isinstance(v.get("id"), str):
                    positions.append(v["id"])
        labels = {}
        if s.type == "Person" and s.roles and positions:
            labels = {q: wd.label(e) for q, (e, _) in client.entities(positions, props="labels").items()}
        cands = []
        for qid in qids:
            entity, when = fetched[qid]
            if "missing" in entity:
                continue
            c = score(s, entity, labels)
            c.fetched = when
            cands.append(c)
        cands.sort(key=lambda c: (not c.plausible, c.verdict != "weak", -c.score))
        plausible = [c for c in cands if c.plausible]
        if len(plausible) == 1:
            out.append(Proposal(s, "proposed", plausible[0].qid, cands))
        elif plausible:
            out.append(Proposal(s, "ambiguous", None, cands))
        else:
            out.append(Proposal(s, "none", None, cands))
        if progress:
            progress(n, s, out[-1])
    return out


# --- 4. the review file ---------------------------------------------------------------------------------------------
HEADER = """\
# communique link: Wikidata QIDs proposed for entities without one ({when}, from {api}).
# Nothing here is accepted yet. For each entity you agree with, set
#   accept: true    to accept the proposed QID, or
#   accept: Q123    to pick one of its candidates (an ambiguous one, say),
# then run:  communique link --accept {file}
# A wrong link is worse than none: leave `accept: false` when in doubt.
# status: proposed (one plausible candidate), ambiguous (two or more: none picked), none (no plausible one).
# A candidate is plausible when its name and class fit and a country, a position held at the date or a
# treaty's year agrees; `evidence` says what agreed, `verdict` why one is weak or rejected. score (0-100):
# name 40 x similarity, class 20, country 20, dates 10, a position held at the date 10.
"""


def write_review(path: str | Path, proposals: list[Proposal], api: str) -> None:
    import yaml

    items = []
    for p in proposals:
        s = p.subject
        context = {k: v for k, v in (("aliases", s.aliases), ("roles", s.roles),
                                     ("countries", [f"{lab or q} ({q})" for q, lab in s.countries.items()]),
                                     ("dates", s.dates), ("year", s.year)) if v}
        items.append({
            "entity": s.path, "iri": s.iri, "type": s.type, "label": s.label,
            **({"context": context} if context else {}),
            "status": p.status, "proposed": p.proposed, "accept": False, "api": api,
            "candidates": [{"qid": c.qid, "label": c.label, "description": c.description, "score": c.score,
                            "verdict": c.verdict, "evidence": c.evidence, "fetched": c.fetched}
                           for c in p.candidates],
        })
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    text = HEADER.format(when=when, api=api, file=Path(path).name) + \
        yaml.safe_dump(items, sort_keys=False, allow_unicode=True, width=110)
    _write_atomically(Path(path), text)


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=str(path.parent), prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


# --- accepting into the gazetteer -------------------------------------------------------------------------------------
LINKED_FILE = "linked.yaml"
LINKED_HEADER = """\
# Entities linked to Wikidata by `communique link --accept`: each QID was proposed from the Wikidata API,
# checked by a person, and accepted; `source` says when and from what.
"""


class ReviewError(CommuniqueError):
    pass


@dataclass
class Accepted:
    id: str
    type: str
    qid: str
    file: str
    new: bool


def accept(review: str | Path, gazetteer_dir: str | Path, api: str | None = None) -> list[Accepted]:
    """Write the accepted QIDs of a review file into the gazetteer: all of them, or none (each change is
    checked by loading the whole gazetteer before any file is replaced)."""
    import yaml

    from mappings import gazetteer as gz

    review = Path(review)
    try:
        items = yaml.safe_load(review.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ReviewError(f"cannot read {review}: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise ReviewError(f"{review} is not valid YAML: {exc}") from None
    if not isinstance(items, list):
        raise ReviewError(f"{review} is not a review file of `communique link` (a list of entities)")
    directory = Path(gazetteer_dir)
    current = gz.load(directory)
    used = {e.wikidata: e.id for e in current.entries.values() if e.wikidata}
    for e in current.entries.values():
        for q in e.wikidata_alt:
            used.setdefault(q, e.id)
    texts: dict[str, str] = {}
    appended: list[str] = []
    done: list[Accepted] = []
    problems: list[str] = []
    for n, item in enumerate(items, 1):
        if not isinstance(item, dict) or "entity" not in item:
            problems.append(f"entry {n}: not an entity of the review file")
            continue
        choice = item.get("accept", False)
        if choice in (False, None, "no", "false"):
            continue
        where = f"entry {n} ({item.get('entity')})"
        cands = {c.get("qid"): c for c in item.get("candidates") or [] if isinstance(c, dict)}
        if choice is True:
            if item.get("status") != "proposed" or not item.get("proposed"):
                problems.append(f"{where}: `accept: true` takes the proposed QID, and this one is "
                                f"{item.get('status')}: write `accept: Q…` with the candidate you choose")
                continue
            qid = item["proposed"]
        elif isinstance(choice, str) and gz.QID.match(choice.strip()):
            qid = choice.strip()
        else:
            problems.append(f"{where}: accept must be true, false or a QID like Q123, not {choice!r}")
            continue
        cand = cands.get(qid)
        if cand is None:
            problems.append(f"{where}: {qid} is not one of its candidates ({', '.join(map(str, cands)) or 'none'}); "
                            "only a QID checked by `communique link` can be accepted")
            continue
        if str(cand.get("verdict", "")).startswith("rejected"):
            problems.append(f"{where}: {qid} was {cand['verdict']}")
            continue
        type_, label_ = item.get("type"), item.get("label")
        eid = str(item["entity"]).rsplit("/", 1)[-1]
        if type_ not in gz.TYPES or not isinstance(label_, str) or not gz.SLUG.match(eid):
            problems.append(f"{where}: needs a type, a label and an entity path ending in a gazetteer id")
            continue
        if used.get(qid) not in (None, eid):
            problems.append(f"{where}: {qid} is already the QID of {used[qid]} in the gazetteer")
            continue
        source = (f"wikidata API wbgetentities, {cand.get('fetched') or 'date unknown'} "
                  f"({item.get('api') or api or 'api.php'}: {qid} {cand.get('label', '')!r}, {cand.get('description', '')!r}; "
                  f"proposed by communique link, accepted from {review.name})")
        entry = current.get(eid)
        if entry is not None:
            if entry.type != type_:
                problems.append(f"{where}: the gazetteer's {eid} is a {entry.type}, not a {type_}")
                continue
            if entry.wikidata:
                if entry.wikidata != qid:
                    problems.append(f"{where}: the gazetteer's {eid} is already linked to {entry.wikidata}")
                continue
            text = texts.get(entry.file)
            if text is None:
                text = (directory / entry.file).read_text(encoding="utf-8")
            try:
                texts[entry.file] = _add_link(text, eid, qid, source)
            except ValueError as exc:
                problems.append(f"{where}: {entry.file}: {exc}")
                continue
            done.append(Accepted(eid, type_, qid, entry.file, False))
        else:
            lines = [f"- id: {eid}", f"  type: {type_}", f"  label: {json.dumps(label_, ensure_ascii=False)}"]
            aliases = [a for a in (item.get("context") or {}).get("aliases") or [] if isinstance(a, str) and a.strip()]
            if aliases:
                lines.append(f"  aliases: {json.dumps(aliases, ensure_ascii=False)}")
            lines += [f"  wikidata: {qid}", f"  source: {json.dumps(source, ensure_ascii=False)}"]
            appended.append("\n".join(lines) + "\n")
            done.append(Accepted(eid, type_, qid, LINKED_FILE, True))
        used[qid] = eid
    if problems:
        raise ReviewError(f"{review}: nothing was accepted, because:\n  " + "\n  ".join(problems))
    if not done:
        return []
    if appended:
        linked = directory / LINKED_FILE
        base = texts.get(LINKED_FILE) or (linked.read_text(encoding="utf-8") if linked.exists() else LINKED_HEADER)
        texts[LINKED_FILE] = base + ("" if base.endswith("\n") else "\n") + "".join(appended)
    # check the gazetteer as it would be, in a copy, before replacing anything
    with tempfile.TemporaryDirectory() as tmp:
        trial = Path(tmp) / "gazetteer"
        shutil.copytree(directory, trial)
        for name, text in texts.items():
            (trial / name).write_text(text, encoding="utf-8")
        try:
            loaded = gz.load(trial)
        except gz.GazetteerError as exc:
            raise ReviewError(f"nothing was accepted: the gazetteer would not load: {exc}") from None
        for a in done:
            if loaded.get(a.id) is None or loaded.get(a.id).wikidata != a.qid:
                raise ReviewError(f"nothing was accepted: {a.id} would not read back with {a.qid}")
    for name, text in texts.items():
        _write_atomically(directory / name, text)
    return done


def _add_link(text: str, eid: str, qid: str, source: str) -> str:
    """Add `wikidata` and `source` to the entry `eid` of a gazetteer file, keeping its layout and comments."""
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines)
                  if re.match(rf"^- id: ['\"]?{re.escape(eid)}['\"]?\s*(#.*)?$", line)), None)
    if start is None:
        raise ValueError(f"no line `- id: {eid}` (the entry must be written in block style)")
    end = start + 1
    while end < len(lines) and (lines[end].startswith((" ", "\t")) or not lines[end].strip()):
        end += 1
    last = end - 1
    while last > start and (not lines[last].strip() or lines[last].lstrip().startswith("#")):
        last -= 1
    if not lines[last].endswith("\n"):
        lines[last] += "\n"
    addition = [f"  wikidata: {qid}\n", f"  source: {json.dumps(source, ensure_ascii=False)}\n"]
    return "".join(lines[:last + 1] + addition + lines[last + 1:])
