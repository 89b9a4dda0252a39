"""One event, many reports: the meetings of the events graph, merged from the articles' meeting reports.

An article's graph holds what it says about each meeting it reports: a ``dip:MeetingReport``
(``{base}id/article/{id}#meeting-n``: participants, place, date, status, evidence). The events graph
``{base}graph/events`` holds one ``dip:Meeting`` per real-world meeting, merged from the reports of
every stored article (ontology/MODEL.md, "Graphs" and "Meeting"):

* its participants are every participant its reports name; its date the most precise date they give
  (``1999-02-23`` over ``1999-02``), its place the most precise place (Moscow over Russia); its status
  the latest article's report's; ``dip:reportedIn`` each article, ``dip:report`` each report,
  ``dip:evidence`` the evidence of each;
* it is named after its earliest report (by its article's date, then IRI): the report
  ``…/id/article/{id}#meeting-n`` gives the meeting ``…/id/meeting/{id}-n``, the IRI a meeting had
  before meetings were merged.

**The merge rule** (pure functions: ``people``, ``dates``, ``places``, ``joins``, ``cluster``). A report
joins a meeting when all of these hold, and becomes a meeting of its own otherwise:

1. *not the same article*: no other report of the meeting comes from its article (the extraction has
   already told one article's meetings apart: "met on Monday and again on Tuesday" is two);
2. *people*: it shares at least two participants with the meeting (all of its reports' participants
   together), so a report that names fewer people than another still joins it;
3. *dates*, with every report of the meeting: the same day, or a month or year that contains the
   other's day (or month). A report without a date of its own is dated by its article (the date of
   the report, weak evidence): that date is widened by ``WEAK_DAYS`` (7) days either way (two
   articles' dates: within 7 days of each other), and is never the meeting's date. A report with
   neither date never merges;
4. *places*, with every report of the meeting: the same place, one inside the other (a place and the
   state that is its ``dip:country``), or one of them without a place;
5. *one meeting only*: when it could join two or more meetings, it joins none (it stays a meeting
   of its own rather than be given to one of them by chance).

Reports are taken in a fixed order, the most precisely dated first (a day, a month, a year, an
article's date), then by their article's date and IRI; so the meetings are a function of the stored
reports, whatever the order articles were ingested in.

**Maintenance** (``changes``): storing or removing an article recomputes the meetings its reports
join or joined, over all the reports connected to them (sharing a participant, with compatible dates
and places, transitively), and gives what replaces those meetings (a ``Change``: the deletions, then
the triples for the update's one ``INSERT DATA``);
``embedded.store_article``, ``embedded.remove_article`` and the write gate run them in the same
transaction as the article's own change, on either backend (they only read through
``query``, as ``base`` describes). ``for_articles`` builds the meetings of extracted graphs alone
(``communique extract``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date as Date, timedelta
from functools import lru_cache

import pyoxigraph as ox

DIP = "https://w3id.org/communique/ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
PREFIXES = f"PREFIX dip: <{DIP}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
WEAK_DAYS = 7  # how far an article's date may be from the date of the meeting it reports without one
BATCH = 200  # IRIs per VALUES block


# --- the merge rule: pure functions -------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    """An article's report of a meeting, as the merge rule sees it. Dates are lexical: ``1999``,
    ``1999-02``, ``1999-02-23``; ``status`` is the local name (``Held``)."""
    iri: str
    article: str
    participants: frozenset
    place: str | None = None
    date: str | None = None  # its own dip:date
    article_date: str | None = None  # its article's dip:date: weak evidence of when it met
    status: str = "Held"
    label: str = ""
    evidence: tuple = ()


@dataclass
class Why:
    """Why a report joined a meeting: one sentence per clause."""
    people: str
    date: str
    place: str

    def __str__(self) -> str:
        return f"{self.people}; {self.date}; {self.place}"


@lru_cache(maxsize=65536)
def _span(value: str) -> tuple[Date, Date] | None:
    """The first and last day of a lexical date (a day, a month or a year); None if not one."""
    try:
        parts = [int(p) for p in value.split("-")]
        if len(parts) == 3:
            d = Date(*parts)
            return d, d
        if len(parts) == 2:
            first = Date(parts[0], parts[1], 1)
            nxt = Date(parts[0] + (parts[1] == 12), parts[1] % 12 + 1, 1)
            return first, nxt - timedelta(days=1)
        if len(parts) == 1:
            return Date(parts[0], 1, 1), Date(parts[0], 12, 31)
    except (ValueError, OverflowError):
        return None
    return None


def people(a: frozenset, b: frozenset) -> str | None:
    """Clause 2: why two sets of participants agree (at least two in common), or None."""
    common = a & b
    if len(common) < 2:
        return None
    if a == b:
        return f"the same {len(a)} participants"
    return f"{len(common)} participants in common"


def effective(r: Report) -> tuple[str, bool] | None:
    """(the date a report is compared by, whether it is only its article's), or None when it has none."""
    if r.date and _span(r.date):
        return r.date, False
    if r.article_date and _span(r.article_date):
        return r.article_date, True
    return None


def dates(a: Report, b: Report) -> str | None:
    """Clause 3: why two reports' dates agree, or None."""
    ea, eb = effective(a), effective(b)
    if ea is None or eb is None:
        return None
    (da, weak_a), (db, weak_b) = ea, eb
    (a0, a1), (b0, b1) = _span(da), _span(db)
    if not weak_a and not weak_b:
        if da == db:
            return f"the same date ({da})"
        if a0 <= b0 and b1 <= a1:
            return f"{da} contains {db}"
        if b0 <= a0 and a1 <= b1:
            return f"{db} contains {da}"
        return None
    wide = timedelta(days=WEAK_DAYS)  # one side widened: two articles' dates are within WEAK_DAYS of each other
    if weak_a:
        a0, a1 = a0 - wide, a1 + wide
    elif weak_b:
        b0, b1 = b0 - wide, b1 + wide
    if a1 < b0 or b1 < a0:
        return None
    said = " and ".join(f"{d} (its article's date, ±{WEAK_DAYS} days)" if weak else d
                        for d, weak in sorted({(da, weak_a), (db, weak_b)}))
    return f"dates within reach: {said}"


def places(a: str | None, b: str | None, inside: dict) -> str | None:
    """Clause 4: why two places agree (``inside``: place → the state it is in), or None."""
    if a is None or b is None:
        return "no place on one side" if (a or b) else "no place on either side"
    if a == b:
        return "the same place"
    if inside.get(a) == b or inside.get(b) == a:
        return "one place inside the other"
    return None


class _Meeting:
    """A meeting being merged, summed up so that a report is compared with it in constant time, yet
    exactly as with each of its reports: its articles, all their participants, its most precise own
    date (own dates that agree are nested: a day in its month in its year), the earliest-ending and
    the latest-starting article's date among reports without one (a date agrees with every such date
    when it agrees with these two), and its most precise place (places that agree are a place and its
    state)."""

    def __init__(self):
        self.members: list[tuple[Report, Why | None]] = []
        self.articles: set = set()
        self.people: frozenset = frozenset()
        self.strong = self.weak_end = self.weak_start = self.spot = None

    def add(self, r: Report, why: Why | None, inside: dict):
        self.members.append((r, why))
        self.articles.add(r.article)
        self.people |= r.participants
        e = effective(r)
        if e is not None and not e[1]:
            if self.strong is None or _span(e[0]) != _span(self.strong.date) and \
                    _span(self.strong.date)[0] <= _span(e[0])[0] and _span(e[0])[1] <= _span(self.strong.date)[1]:
                self.strong = r
        elif e is not None:
            if self.weak_end is None or _span(e[0])[1] < _span(self.weak_end.article_date)[1]:
                self.weak_end = r
            if self.weak_start is None or _span(e[0])[0] > _span(self.weak_start.article_date)[0]:
                self.weak_start = r
        if r.place and (self.spot is None or inside.get(r.place) == self.spot.place):
            self.spot = r

    def why(self, r: Report, inside: dict) -> Why | None:
        """Clauses 1–4 against every report of the meeting: why ``r`` may join it, or None."""
        if r.article in self.articles:
            return None
        who = people(r.participants, self.people)
        if who is None:
            return None
        when = None
        for m in (self.weak_start, self.weak_end, self.strong):  # the last one checked gives the reason
            if m is not None:
                when = dates(r, m)
                if when is None:
                    return None
        if when is None:
            return None
        where = places(r.place, self.spot.place if self.spot else None, inside)
        return None if where is None else Why(who, when, where)


def joins(r: Report, members: list[Report], inside: dict) -> Why | None:
    """Clauses 1–4: why ``r`` may join the meeting of ``members``, or None."""
    m = _Meeting()
    for x in members:
        m.add(x, None, inside)
    return m.why(r, inside)


def precision(r: Report) -> int:
    """How precisely a report is dated: 4 a day of its own, 3 a month, 2 a year, 1 its article's date, 0 none."""
    e = effective(r)
    if e is None:
        return 0
    return 1 if e[1] else 1 + len(e[0].split("-"))


def order(r: Report) -> tuple:
    """The order reports are merged in: the most precisely dated first, then by article date and IRI."""
    return (-precision(r), r.article_date or "9999", r.iri)


def cluster(reports, inside: dict) -> list[list[tuple[Report, Why | None]]]:
    """The meetings of a set of reports: lists of (report, why it joined; None for the first)."""
    meetings: list[_Meeting] = []
    by_person: dict[str, list[_Meeting]] = {}  # a report is compared with the meetings that share someone
    for r in sorted(reports, key=order):
        fits = []
        if precision(r):
            near = {id(m): m for p in r.participants for m in by_person.get(p, ())}
            for m in near.values():  # how many fit, not which first: their order does not matter
                why = m.why(r, inside)
                if why is not None:
                    fits.append((m, why))
        if len(fits) == 1:
            target, why = fits[0]
        else:  # none, or more than one (clause 5)
            target, why = _Meeting(), None
            meetings.append(target)
        target.add(r, why, inside)
        for p in r.participants:
            if target not in by_person.setdefault(p, []):
                by_person[p].append(target)
    return [m.members for m in meetings]


def related(a: Report, b: Report, inside: dict) -> bool:
    """Whether two reports could be in one meeting, directly or through others: a participant in common
    and no conflict of date or place. Two reports of one meeting are always linked by a chain of these."""
    return bool(a.participants & b.participants) and dates(a, b) is not None \
        and places(a.place, b.place, inside) is not None


@dataclass
class Meeting:
    """A merged meeting, ready to be written."""
    iri: str
    reports: list  # [(Report, Why | None)], in merge order
    participants: list = field(default_factory=list)
    place: str | None = None
    date: str | None = None
    status: str = "Held"
    label: str = ""


def meeting_iri(report_iri: str) -> str:
    """``{base}id/article/{id}#meeting-n`` → ``{base}id/meeting/{id}-n``."""
    base, rest = report_iri.split("id/article/", 1)
    article, n = rest.rsplit("#meeting-", 1)
    return f"{base}id/meeting/{article}-{n}"


def _label_list(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def merge(members: list[tuple[Report, Why | None]], inside: dict, names: dict) -> Meeting:
    """The meeting of one cluster: its IRI, participants, most precise date and place, latest status."""
    reports = [r for r, _ in members]
    first = min(reports, key=lambda r: (r.article_date or "9999", r.iri))
    latest = max(reports, key=lambda r: (r.article_date or "", r.iri))
    own = [r.date for r in reports if r.date and _span(r.date)]
    when = max(own, key=len) if own else None
    spots = {r.place for r in reports if r.place}
    place = next((p for p in sorted(spots) if not any(inside.get(q) == p for q in spots)), None)
    who = sorted(frozenset().union(*(r.participants for r in reports)))
    m = Meeting(meeting_iri(first.iri), members, who, place, when, latest.status)
    if len(reports) == 1:
        m.label = first.label
    else:
        text = _label_list(sorted(names.get(p, p.rsplit("/", 1)[-1]) for p in who))
        text += f", {when}" if when else ""
        text += f" ({m.status.lower()})" if m.status != "Held" else ""
        m.label = f"Meeting of {text}"
    return m


def explain(reports: list[Report], inside: dict) -> list[tuple[Report, Why | None]]:
    """The reports of one stored meeting in merge order, each with why it joined (None: the first)."""
    found = cluster(reports, inside)
    return [pair for m in found for pair in m]


# --- reading reports from a store ---------------------------------------------------------------------


def _t(s: str) -> str:
    return f"<{s}>"


def _values(var: str, iris) -> str:
    return f"VALUES ?{var} {{ {' '.join(_t(i) for i in sorted(iris))} }}"


def _batches(iris):
    iris = sorted(iris)
    for i in range(0, len(iris), BATCH):
        yield iris[i:i + BATCH]


def _select(handle, text: str) -> list[dict]:
    """[{var: value string}] of a SELECT on a pyoxigraph store or a remote handle; the variables are those
    of its SELECT clause (unbound ones are absent)."""
    names = re.findall(r"\?(\w+)", text.split("WHERE", 1)[0])
    out = []
    for row in handle.query(PREFIXES + text):
        values = {}
        for v in names:
            term = row[v]
            if term is not None:
                values[v] = term.value
        out.append(values)
    return out


def read_reports(handle, where: str) -> dict[str, Report]:
    """The reports matched by ``where`` (a pattern binding ?r or ?g, such as a VALUES block)."""
    core = _select(handle, f"""SELECT ?r ?art ?status ?label ?date ?place ?adate WHERE {{ {where}
        GRAPH ?g {{ ?r a dip:MeetingReport ; dip:reportedIn ?art ; dip:status ?status ; rdfs:label ?label .
        OPTIONAL {{ ?r dip:date ?date }} OPTIONAL {{ ?r dip:location ?place }} OPTIONAL {{ ?art dip:date ?adate }} }} }}""")
    if not core:
        return {}
    found = {}
    for row in core:
        found.setdefault(row["r"], row)
    who: dict[str, set] = {}
    ev: dict[str, set] = {}
    for batch in _batches(found):
        for row in _select(handle, f"""SELECT ?r ?a WHERE {{ {_values('r', batch)} GRAPH ?g {{ ?r dip:participant ?a }} }}"""):
            who.setdefault(row["r"], set()).add(row["a"])
        for row in _select(handle, f"""SELECT ?r ?e WHERE {{ {_values('r', batch)} GRAPH ?g {{ ?r dip:evidence ?e }} }}"""):
            ev.setdefault(row["r"], set()).add(row["e"])
    return {r: Report(r, row["art"], frozenset(who.get(r, ())), row.get("place"), row.get("date"), row.get("adate"),
                      row["status"].rsplit("#", 1)[-1], row["label"], tuple(sorted(ev.get(r, ()))))
            for r, row in found.items()}


def _lookup(handles, iris, prop: str) -> dict:
    """iri → its value of ``prop`` (the first found, in ``handles`` in order)."""
    out = {}
    for batch in _batches(iris):
        for h in handles:
            for row in _select(h, f"SELECT ?x ?v WHERE {{ {_values('x', batch)} GRAPH ?g {{ ?x {prop} ?v }} }}"):
                out.setdefault(row["x"], row["v"])
    return out


def countries(handles, places_) -> dict:
    """place → the state it is in (its dip:country), from any of ``handles``."""
    return _lookup(handles, places_, "dip:country")


def names(handles, iris) -> dict:
    return _lookup(handles, iris, "rdfs:label")


def _sharing(handle, participants) -> set:
    """The reports that name any of these participants."""
    out = set()
    for batch in _batches(participants):
        out |= {row["r"] for row in _select(handle, f"""SELECT DISTINCT ?r WHERE {{ {_values('a', batch)}
            GRAPH ?g {{ ?r dip:participant ?a ; a dip:MeetingReport }} }}""")}
    return out


# --- keeping the events graph ------------------------------------------------------------------------


@dataclass
class Change:
    """What to write to the events graph: ``deletes``, SPARQL Update operations that delete the meetings
    that change (to run first), and ``triples``, the N-Triples lines of the meetings as they are to be
    (for the graph's part of the one ``INSERT DATA`` that ends the update, as the remote store needs it)."""
    graph: str
    deletes: list
    triples: list

    def data(self) -> str:
        """``GRAPH <events> { … }``, for an ``INSERT DATA`` block, or '' when there is nothing to insert."""
        return f"GRAPH <{self.graph}> {{\n" + "\n".join(self.triples) + "\n}" if self.triples else ""

    def update(self) -> str:
        """The whole change as one SPARQL Update ('' when nothing changes)."""
        ops = list(self.deletes) + ([f"INSERT DATA {{ {self.data()} }}"] if self.triples else [])
        return " ;\n".join(ops)


def changes(handle, events_graph: str, articles, overlay: ox.Store | None = None) -> Change:
    """What brings the meetings of ``events_graph`` in step with the reports of ``articles`` (article IRIs).

    ``overlay``: None when ``handle`` already holds the articles as they are to be (the write gate);
    else a store holding their new graphs and the descriptions of the entities they use (an empty store
    for articles being removed), and ``handle`` still holds their old graphs, which are ignored.
    """
    articles = set(articles)
    stores = [overlay, handle] if overlay is not None else [handle]
    ev = _t(events_graph)
    # the meetings the articles' reports were in, and those meetings' other reports
    touched = set()
    seeds = set()
    for batch in _batches(articles):
        for row in _select(handle, f"""SELECT ?e ?r WHERE {{ {_values('art', batch)}
                GRAPH {ev} {{ ?e dip:reportedIn ?art ; dip:report ?r }} }}"""):
            touched.add(row["e"])
    for batch in _batches(touched):
        seeds |= {row["r"] for row in _select(handle, f"SELECT ?r WHERE {{ {_values('e', batch)} GRAPH {ev} {{ ?e dip:report ?r }} }}")}

    def stored(where: str) -> dict[str, Report]:
        found = read_reports(handle, where)
        if overlay is not None:
            found = {k: r for k, r in found.items() if r.article not in articles}
        return found

    known: dict[str, Report] = {}
    for batch in _batches(articles):  # the articles' reports as they are to be
        known.update(read_reports(overlay if overlay is not None else handle, _values("g", batch)))
    for batch in _batches(seeds):
        known.update(stored(_values("r", batch)))
    inside: dict = {}
    frontier = list(known.values())
    while frontier:  # everything connected to them: the meetings that may change
        near = _sharing(handle, {p for r in frontier for p in r.participants}) - set(known)
        candidates = {}
        for batch in _batches(near):
            candidates.update(stored(_values("r", batch)))
        spots = {r.place for r in [*frontier, *candidates.values()] if r.place} - set(inside)
        inside.update(countries(stores, spots))
        frontier = [c for c in candidates.values() if any(related(c, r, inside) for r in frontier)]
        known.update((r.iri, r) for r in frontier)
    inside.update(countries(stores, {r.place for r in known.values() if r.place} - set(inside)))
    # the meetings any of these reports are in now
    for batch in _batches(known):
        touched |= {row["e"] for row in _select(handle, f"""SELECT DISTINCT ?e WHERE {{ {_values('r', batch)}
            GRAPH {ev} {{ ?e dip:report ?r }} }}""")}
    found = cluster(known.values(), inside)
    labels = names(stores, {p for r in known.values() for p in r.participants}) if any(len(m) > 1 for m in found) else {}
    deletes = [f"DELETE {{ GRAPH {ev} {{ ?e ?p ?o }} }} WHERE {{ GRAPH {ev} {{ {_values('e', batch)} ?e ?p ?o }} }}"
               for batch in _batches(touched)]
    triples = [t for members in found for t in triples_of(merge(members, inside, labels))]
    return Change(events_graph, deletes, triples)


def _lit(value: str, datatype: str | None = None) -> str:
    return str(ox.Literal(value, datatype=ox.NamedNode(datatype)) if datatype else ox.Literal(value))


XSD = "http://www.w3.org/2001/XMLSchema#"


def date_type(value: str) -> str:
    return XSD + {3: "date", 2: "gYearMonth", 1: "gYear"}[len(value.split("-"))]


def triples_of(m: Meeting) -> list[str]:
    """The meeting's triples, as N-Triples lines."""
    s = _t(m.iri)
    out = [f"{s} <{RDF_TYPE}> <{DIP}Meeting> .", f"{s} <{RDFS_LABEL}> {_lit(m.label)} ."]
    out += [f"{s} <{DIP}participant> {_t(p)} ." for p in m.participants]
    if m.place:
        out.append(f"{s} <{DIP}location> {_t(m.place)} .")
    if m.date:
        out.append(f"{s} <{DIP}date> {_lit(m.date, date_type(m.date))} .")
    out.append(f"{s} <{DIP}status> <{DIP}{m.status}> .")
    for r, _ in m.reports:
        out.append(f"{s} <{DIP}report> {_t(r.iri)} .")
        out.append(f"{s} <{DIP}reportedIn> {_t(r.article)} .")
        out += [f"{s} <{DIP}evidence> {_t(e)} ." for e in r.evidence]
    return sorted(set(out))


def for_articles(graphs, events_graph: str) -> list[tuple]:
    """The meetings of some extracted article graphs alone (each an rdflib Graph named by its article,
    holding the descriptions of its entities too), as pyoxigraph triples: what the store would hold in
    its events graph with only these articles stored."""
    mem = ox.Store()
    for g in graphs:
        mem.load(g.serialize(format="nt").encode(), ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(str(g.identifier)))
    update = changes(mem, events_graph, [str(g.identifier) for g in graphs]).update()
    if update:
        mem.update(update)
    return [q.triple for q in mem.quads_for_pattern(None, None, None, ox.NamedNode(events_graph))]
