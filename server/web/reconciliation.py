"""Reconciliation Service API 0.2 over the graph's actors, places and treaties (no Flask, no store).

``ReconIndex`` holds what reconciliation needs of each entity (names, types, Wikidata QID, roles,
affiliations, country, how many meetings and positions) in memory, built from a few SELECTs
(``ReconIndex.from_pool``) and rebuilt when the store changes (``ReconSearcher``). The web layer
(``server/web/reconcile.py``) only parses requests and wraps these functions' answers.

Entity ids are the path of the IRI under ``{base}id/`` (``person/yevgeny-primakov``); type ids are
the local names of the ontology's classes (``Person``); property ids are short names
(``affiliation``). Every candidate comes with the features its score is made of, and ``match`` is
true only when the match is certain: the query is the entity's label or one of its aliases (or its
id or QID), no other candidate has that name, and every property given agrees.
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from .search import normalise, tokens

DIP = "https://w3id.org/communique/ontology#"
WD = "http://www.wikidata.org/entity/"

# Types: id → (name, description, broader type ids)
TYPES = {
    "Actor": ("Actor", "A person, state or organization that meets or takes positions", []),
    "Person": ("Person", "A person who acts in diplomacy", ["Actor"]),
    "State": ("State", "A sovereign state, as an actor and a place", ["Actor", "Place"]),
    "Organization": ("Organization", "An international or domestic organization, agency or body", ["Actor"]),
    "Place": ("Place", "A city, region or venue where meetings are held", []),
    "Treaty": ("Treaty", "A treaty or agreement between states", []),
}
DEFAULT_TYPES = ["Actor", "Person", "State", "Organization", "Place", "Treaty"]
ACTORS = {"Person", "State", "Organization"}

# Properties: id → (name, description, the types whose entities have it)
PROPERTIES = {
    "wikidata": ("Wikidata ID", "The entity's Wikidata QID (owl:sameAs), when a Wikidata-derived source gave it",
                 set(TYPES)),
    "type": ("Type", "The entity's classes in the ontology", set(TYPES)),
    "role": ("Role", "An office the person holds, as articles word it (dip:role)", {"Person", "Actor"}),
    "affiliation": ("Affiliation", "A state or organization the person acts for (dip:affiliation)",
                    {"Person", "Actor"}),
    "country": ("Country", "The state a place lies in (dip:country)", {"Place"}),
    "meetings": ("Meeting count", "How many meetings the actor took part in, or were held at the place",
                 set(TYPES) - {"Treaty"}),
    "positions": ("Position count", "How many positions the actor took on treaties, or were taken on the treaty",
                  set(TYPES) - {"Place"}),
    "aliases": ("Aliases", "Other names of the entity (skos:altLabel)", set(TYPES)),
}
QUERY_PROPERTIES = ("wikidata", "role", "affiliation", "country")  # the ones a query may constrain on
FUZZY_CUTOFF = 60  # least WRatio similarity of a name for it to be a candidate at all
PROPERTY_AGREES = 0.9  # least agreement of a property value for a query of properties only to keep a candidate
_QID = re.compile(r"(?:^|/|wd:)(Q[1-9][0-9]*)$", re.I)


class QueryError(ValueError):
    """A reconciliation query, suggest or extension request that does not follow the spec."""


@dataclass
class Entity:
    id: str
    iri: str
    label: str
    types: set[str] = field(default_factory=set)
    aliases: list[str] = field(default_factory=list)
    wikidata: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    affiliations: list[str] = field(default_factory=list)  # entity ids
    countries: list[str] = field(default_factory=list)  # entity ids
    meetings: int = 0
    positions: int = 0

    @property
    def counts_meetings(self) -> bool:
        """Meetings are counted for actors (taking part) and places (held there), not treaties."""
        return "Treaty" not in self.types

    @property
    def counts_positions(self) -> bool:
        """Positions are counted for actors (holding them) and treaties (on them), not mere places."""
        return bool(self.types - {"Place"})

    @property
    def names(self) -> list[str]:
        return [self.label, *self.aliases]

    def type_list(self) -> list[str]:
        """Its types, most specific first (a State is shown as a State before a Place)."""
        order = ["Person", "State", "Organization", "Treaty", "Place", "Actor"]
        return sorted(self.types, key=order.index)


def qid(value: str) -> str | None:
    m = _QID.search(value.strip())
    return m.group(1).upper() if m else None


class ReconIndex:
    _PREFIXES = f"""PREFIX dip: <{DIP}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
"""
    # single-pattern scans joined here (an entity's description repeats in every article graph)
    QUERIES = {
        "types": _PREFIXES + "SELECT DISTINCT ?s ?o WHERE { VALUES ?o { dip:Person dip:State dip:Organization "
                             "dip:Place dip:Treaty } ?s a ?o }",
        "labels": _PREFIXES + "SELECT DISTINCT ?s ?o WHERE { ?s rdfs:label ?o }",
        "aliases": _PREFIXES + "SELECT DISTINCT ?s ?o WHERE { ?s skos:altLabel ?o }",
        "same": _PREFIXES + f'SELECT DISTINCT ?s ?o WHERE {{ ?s owl:sameAs ?o FILTER(STRSTARTS(STR(?o), "{WD}")) }}',
        # a person's roles and affiliations: the articles' dip:RoleStatements about them (and any on the person)
        "roles": _PREFIXES + "SELECT DISTINCT ?s ?o WHERE { { ?st dip:person ?s ; dip:role ?o } UNION { ?s dip:role ?o } }",
        "affiliations": _PREFIXES + "SELECT DISTINCT ?s ?o WHERE { { ?st dip:person ?s ; dip:affiliation ?o } UNION "
                                    "{ ?s dip:affiliation ?o } }",
        "countries": _PREFIXES + "SELECT DISTINCT ?s ?o WHERE { ?s dip:country ?o }",
        "met": _PREFIXES + "SELECT ?s (COUNT(DISTINCT ?m) AS ?o) WHERE { ?m a dip:Meeting ; dip:participant ?s } "
                           "GROUP BY ?s",
        "held": _PREFIXES + "SELECT ?s (COUNT(DISTINCT ?m) AS ?o) WHERE { ?m a dip:Meeting ; dip:location ?s } "
                            "GROUP BY ?s",
        "held_positions": _PREFIXES + "SELECT ?s (COUNT(DISTINCT ?p) AS ?o) WHERE { ?p a dip:Position ; "
                                      "dip:holder ?s } GROUP BY ?s",
        "treaty_positions": _PREFIXES + "SELECT ?s (COUNT(DISTINCT ?p) AS ?o) WHERE { ?p a dip:Position ; "
                                        "dip:topic ?s } GROUP BY ?s",
    }

    def __init__(self, base: str, facts: dict[str, list[tuple[str, str]]]):
        """facts: for each key of QUERIES, (subject IRI, value) pairs."""
        prefix = base + "id/"
        entities: dict[str, Entity] = {}
        for s, t in facts.get("types", ()):
            if not s.startswith(prefix):
                continue
            e = entities.get(s) or entities.setdefault(s, Entity(s[len(prefix):], s, s.rsplit("/", 1)[-1]))
            e.types.add(t.rsplit("#", 1)[-1])
        for e in entities.values():
            if e.types & ACTORS:
                e.types.add("Actor")
            if "State" in e.types:
                e.types.add("Place")
        labelled = set()
        for s, o in facts.get("labels", ()):
            if s in entities and s not in labelled:
                entities[s].label, _ = o, labelled.add(s)
        lists = {"aliases": "aliases", "roles": "roles"}
        for key, attr in lists.items():
            for s, o in sorted(facts.get(key, ())):
                if s in entities and o not in getattr(entities[s], attr) and o != entities[s].label:
                    getattr(entities[s], attr).append(o)
        for s, o in sorted(facts.get("same", ())):
            if s in entities and o[len(WD):] not in entities[s].wikidata:
                entities[s].wikidata.append(o[len(WD):])
        for key, attr in (("affiliations", "affiliations"), ("countries", "countries")):
            for s, o in sorted(facts.get(key, ())):
                if s in entities and o in entities and entities[o].id not in getattr(entities[s], attr):
                    getattr(entities[s], attr).append(entities[o].id)
        for key, attr in (("met", "meetings"), ("held", "meetings"), ("held_positions", "positions"),
                          ("treaty_positions", "positions")):
            for s, o in facts.get(key, ()):
                if s in entities:
                    setattr(entities[s], attr, getattr(entities[s], attr) + int(o))
        self.base = base
        self.entities = sorted(entities.values(), key=lambda e: e.id)
        self.by_id = {e.id: e for e in self.entities}
        self._position = {e.id: i for i, e in enumerate(self.entities)}
        self.by_qid: dict[str, list[Entity]] = {}
        for e in self.entities:
            for q in e.wikidata:
                self.by_qid.setdefault(q, []).append(e)
        # every name of every entity, normalised, for candidate retrieval
        self._names: list[str] = []
        self._owner: list[int] = []
        for i, e in enumerate(self.entities):
            for n in dict.fromkeys(" ".join(tokens(x)) for x in e.names):
                if n:
                    self._names.append(n)
                    self._owner.append(i)

    @classmethod
    def from_pool(cls, pool, base: str) -> "ReconIndex":
        facts = {key: [(b["s"]["value"], b["o"]["value"]) for b in pool.select(q)] for key, q in cls.QUERIES.items()}
        return cls(base, facts)

    def __len__(self) -> int:
        return len(self.entities)

    # --- describing entities -------------------------------------------------------------------

    def describe(self, e: Entity) -> str:
        """A line that tells namesakes apart: type, role, affiliation or country, Wikidata."""
        parts = [" · ".join(e.type_list()[:1])]
        if e.roles:
            parts.append("; ".join(e.roles[:2]))
        if e.affiliations:
            parts.append(", ".join(self.name_of(a) for a in e.affiliations[:3]))
        if e.countries and "State" not in e.types:
            parts.append("in " + ", ".join(self.name_of(c) for c in e.countries[:2]))
        if e.wikidata:
            parts.append("Wikidata " + e.wikidata[0])
        return " · ".join(p for p in parts if p)

    def name_of(self, entity_id: str) -> str:
        e = self.by_id.get(entity_id)
        return e.label if e else entity_id

    def types_json(self, e: Entity) -> list[dict]:
        return [{"id": t, "name": TYPES[t][0]} for t in e.type_list()]

    # --- reconciliation queries ----------------------------------------------------------------------

    def reconcile(self, q: dict) -> list[dict]:
        """The candidates for one reconciliation query (already checked by ``check_query``), best first."""
        text = (q.get("query") or "").strip()
        wanted = _as_list(q.get("type"))
        for t in wanted:
            if t not in TYPES:
                return []  # a type this service does not have: no entity can be of it
        limit = int(q.get("limit") or 10)
        constraints = [(p["pid"], _as_list(p["v"])) for p in q.get("properties") or []]
        pool = self._candidates(text) if text else set(range(len(self.entities)))
        scored = []
        for i in pool:
            e = self.entities[i]
            if wanted and not (e.types & set(wanted)):
                continue
            features, score = self._score(e, text, constraints, wanted)
            if features is None:
                continue
            if not text and any(_feature(features, f"property_{pid}") < PROPERTY_AGREES for pid, _ in constraints):
                continue  # a query of properties only selects, as a WHERE clause would
            scored.append((score, e, features))
        scored.sort(key=lambda x: (-x[0], -(x[1].meetings + x[1].positions), x[1].label, x[1].id))
        exact = [e for _, e, f in scored if _feature(f, "name_exact")]
        out = []
        for score, e, features in scored[:limit]:
            certain = (_feature(features, "name_exact") and len(exact) == 1
                       and all(_feature(features, f"property_{pid}") == 1 for pid, _ in constraints))
            out.append({"id": e.id, "name": e.label, "description": self.describe(e), "type": self.types_json(e),
                        "score": round(score, 2), "features": features, "match": bool(certain)})
        return out

    def _candidates(self, text: str) -> set[int]:
        found: set[int] = set()
        if text in self.by_id:
            found.add(self._position[text])
        q = qid(text) if text.upper().startswith(("Q", "WD:", "HTTP")) else None
        for e in self.by_qid.get(q or "", []):
            found.add(self._position[e.id])
        norm = " ".join(tokens(text))
        if norm:
            for _, _, k in process.extract(norm, self._names, scorer=fuzz.WRatio, score_cutoff=FUZZY_CUTOFF,
                                           limit=200):
                found.add(self._owner[k])
        return found

    def _score(self, e: Entity, text: str, constraints, wanted) -> tuple[list | None, float]:
        features = []
        parts = []
        if text:
            norm = " ".join(tokens(text))
            by_id = text == e.id or (qid(text) in e.wikidata if qid(text) else False)
            names = [" ".join(tokens(n)) for n in e.names]
            exact = by_id or norm in names
            similarity = 100.0 if exact else max((_name_similarity(norm, n) for n in names), default=0.0)
            features += [{"id": "name_exact", "value": bool(exact)},
                         {"id": "name_similarity", "value": round(similarity / 100, 3)}]
            if by_id:
                features.append({"id": "id_match", "value": True})
            parts.append(similarity)
        for pid, values in constraints:
            agreement = self._agreement(e, pid, values)
            if agreement is None:
                return None, 0.0  # a property this kind of entity never has
            features.append({"id": f"property_{pid}", "value": round(agreement, 3)})
            parts.append(agreement * 100)
        if wanted:
            features.append({"id": "type_match", "value": True})
        features.append({"id": "facts", "value": e.meetings + e.positions})
        if not parts:
            return features, 0.0
        # the name counts twice as much as each property
        weights = ([2.0] if text else []) + [1.0] * len(constraints)
        return features, sum(w * p for w, p in zip(weights, parts)) / sum(weights)

    def _agreement(self, e: Entity, pid: str, values: list) -> float | None:
        """How well (0-1) the entity's values of a property agree with any of the values given."""
        if pid == "wikidata":
            given = {qid(v.get("id", "") if isinstance(v, dict) else str(v)) for v in values} - {None}
            return 1.0 if given & set(e.wikidata) else 0.0
        if pid == "role":
            if "Person" not in e.types:
                return None
            return max((fuzz.token_set_ratio(normalise(str(_text(v))), normalise(r)) / 100
                        for v in values for r in e.roles), default=0.0)
        if pid in ("affiliation", "country"):
            mine = e.affiliations if pid == "affiliation" else e.countries
            if pid == "country" and "Place" not in e.types or pid == "affiliation" and "Person" not in e.types:
                return None
            best = 0.0
            for v in values:
                ident = v.get("id") if isinstance(v, dict) else None
                name = _text(v)
                for m in mine:
                    if ident and (ident == m or ident.endswith("/id/" + m) or qid(ident) in self.by_id[m].wikidata):
                        return 1.0
                    if name:
                        if name == m:
                            return 1.0
                        names = [" ".join(tokens(n)) for n in self.by_id[m].names]
                        norm = " ".join(tokens(name))
                        best = max(best, 1.0 if norm in names else
                                   max(fuzz.token_sort_ratio(norm, n) for n in names) / 100)
            return best
        raise QueryError(f"unknown property {pid!r}: a query may use " + ", ".join(QUERY_PROPERTIES))

    # --- suggest, extension -----------------------------------------------------------------------

    def suggest_entities(self, prefix: str, cursor: int = 0, limit: int = 10, search=None) -> list[dict]:
        """Entities for an autocomplete box: by id, by QID, then the name search (prefixes, then typos)."""
        prefix = prefix.strip()
        found: list[Entity] = []
        if prefix in self.by_id:
            found.append(self.by_id[prefix])
        if qid(prefix) and prefix.upper().startswith(("Q", "WD:", "HTTP")):
            found += self.by_qid.get(qid(prefix), [])
        if search is not None:
            prefix_iri = self.base + "id/"
            for hit in search(prefix, cursor + limit + len(found)):
                e = self.by_id.get(hit.iri[len(prefix_iri):]) if hit.iri.startswith(prefix_iri) else None
                if e is not None and e not in found:
                    found.append(e)
        return [{"id": e.id, "name": e.label, "description": self.describe(e), "notable": self.types_json(e)}
                for e in found[cursor:cursor + limit]]

    def extend(self, ids: list[str], props: list[str]) -> dict:
        """The data extension response: meta for each property, and each entity's values."""
        for p in props:
            if p not in PROPERTIES:
                raise QueryError(f"unknown property {p!r}: this service extends with " + ", ".join(PROPERTIES))
        meta = []
        for p in props:
            m = {"id": p, "name": PROPERTIES[p][0]}
            if p in ("affiliation", "country"):
                m["type"] = {"id": "Actor" if p == "affiliation" else "State",
                             "name": "Actor" if p == "affiliation" else "State"}
            meta.append(m)
        rows = {}
        for i in ids:
            e = self.by_id.get(i)
            rows[i] = {p: (self._values(e, p) if e is not None else []) for p in props}
        return {"meta": meta, "rows": rows}

    def _values(self, e: Entity, p: str) -> list[dict]:
        if p == "wikidata":
            return [{"str": q} for q in e.wikidata]
        if p == "type":
            return [{"str": t} for t in e.type_list()]
        if p == "role":
            return [{"str": r} for r in e.roles]
        if p == "aliases":
            return [{"str": a} for a in e.aliases]
        if p in ("affiliation", "country"):
            return [{"id": a, "name": self.name_of(a)} for a in (e.affiliations if p == "affiliation" else e.countries)]
        if p == "meetings":
            return [{"int": e.meetings}] if e.counts_meetings else []
        if p == "positions":
            return [{"int": e.positions}] if e.counts_positions else []
        return []


def propose_properties(type_id: str, limit: int | None = None) -> list[dict]:
    """The properties entities of a type can be extended with."""
    if type_id not in TYPES:
        raise QueryError(f"unknown type {type_id!r}: the types are " + ", ".join(TYPES))
    found = [{"id": p, "name": name, "description": description}
             for p, (name, description, types) in PROPERTIES.items() if type_id in types]
    return found[:limit] if limit else found


def suggest_types(prefix: str, cursor: int = 0, limit: int = 10) -> list[dict]:
    p = normalise(prefix.strip())
    found = [t for t in TYPES if normalise(t).startswith(p) or normalise(TYPES[t][0]).startswith(p)] or \
            [t for t in TYPES if p in normalise(t + " " + TYPES[t][1])]
    return [type_json(t) for t in found[cursor:cursor + limit]]


def type_json(t: str) -> dict:
    name, description, broader = TYPES[t]
    return {"id": t, "name": name, "description": description,
            "broader": [{"id": b, "name": TYPES[b][0]} for b in broader]}


def suggest_properties(prefix: str, cursor: int = 0, limit: int = 10) -> list[dict]:
    p = normalise(prefix.strip())
    found = [k for k, (name, _, _) in PROPERTIES.items() if normalise(k).startswith(p) or normalise(name).startswith(p)]
    return [{"id": k, "name": PROPERTIES[k][0], "description": PROPERTIES[k][1]} for k in found[cursor:cursor + limit]]


# --- checking requests ------------------------------------------------------------------------------

def check_batch(batch) -> dict[str, dict]:
    """A reconciliation query batch as the spec shapes it; raises QueryError saying what is wrong."""
    if not isinstance(batch, dict) or not batch:
        raise QueryError("queries must be a JSON object of queries by key, such as {\"q0\": {\"query\": \"Primakov\"}}")
    for key, q in batch.items():
        check_query(q, key)
    return batch


def check_query(q, key: str = "q") -> dict:
    if not isinstance(q, dict):
        raise QueryError(f"query {key}: must be an object")
    unknown = set(q) - {"query", "type", "limit", "properties", "type_strict"}
    if unknown:
        raise QueryError(f"query {key}: unknown field(s) {', '.join(sorted(unknown))}")
    text = q.get("query")
    if text is not None and (not isinstance(text, str) or not text.strip()):
        raise QueryError(f"query {key}: 'query' must be a non-empty string")
    props = q.get("properties")
    if props is not None:
        if not isinstance(props, list):
            raise QueryError(f"query {key}: 'properties' must be an array of {{\"pid\", \"v\"}}")
        for p in props:
            if not isinstance(p, dict) or not isinstance(p.get("pid"), str) or "v" not in p:
                raise QueryError(f"query {key}: each property needs 'pid' (a string) and 'v'")
            if p["pid"] not in QUERY_PROPERTIES:
                raise QueryError(f"query {key}: unknown property {p['pid']!r}; a query may use "
                                 + ", ".join(QUERY_PROPERTIES))
    if not text and not props:
        raise QueryError(f"query {key}: needs 'query' or 'properties'")
    t = q.get("type")
    if t is not None and not (isinstance(t, str) or isinstance(t, list) and all(isinstance(x, str) for x in t)):
        raise QueryError(f"query {key}: 'type' must be a type id or an array of them")
    limit = q.get("limit")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, (int, float)) or limit < 1
                              or int(limit) != limit):
        raise QueryError(f"query {key}: 'limit' must be a positive whole number")
    if q.get("type_strict") not in (None, "any", "should", "all"):
        raise QueryError(f"query {key}: 'type_strict' is any, should or all")
    return q


def check_extension(ext) -> tuple[list[str], list[str]]:
    if not isinstance(ext, dict) or not isinstance(ext.get("ids"), list) or not isinstance(ext.get("properties"), list):
        raise QueryError("extend must be a JSON object {\"ids\": [...], \"properties\": [{\"id\": ...}]}")
    if not all(isinstance(i, str) for i in ext["ids"]):
        raise QueryError("extend: each id is a string")
    props = []
    for p in ext["properties"]:
        if not isinstance(p, dict) or not isinstance(p.get("id"), str):
            raise QueryError("extend: each property is an object with an 'id'")
        props.append(p["id"])
    return ext["ids"], props


def _name_similarity(query: str, name: str) -> float:
    """0-100: the whole names compared (word order aside), or, for a query of fewer words than the
    name ("Primakof" for "Yevgeny Primakov"), how close each word is to one of the name's, scaled
    down by the share of the name's words left out (one word of two: 0.8; one of four: 0.7)."""
    whole = fuzz.token_sort_ratio(query, name)
    q, n = query.split(), name.split()
    if len(q) < len(n):
        closeness = sum(max(fuzz.ratio(w, x) for x in n) for w in q) / len(q)
        return max(whole, closeness * (0.6 + 0.4 * len(q) / len(n)))
    return whole


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _text(v) -> str:
    if isinstance(v, dict):
        return str(v.get("name") or v.get("id") or "")
    return str(v)


def _feature(features: list[dict], name: str):
    return next((f["value"] for f in features if f["id"] == name), None)


class ReconSearcher:
    """The index for a QueryPool, rebuilt when the pool's generation changes."""

    def __init__(self, pool, base: str):
        self.pool, self.base = pool, base
        self._index: ReconIndex | None = None
        self._generation = None
        self._lock = threading.Lock()

    def index(self) -> ReconIndex:
        generation = self.pool.generation
        if self._index is not None and self._generation == generation:
            return self._index
        with self._lock:
            if self._index is None or self._generation != generation:
                self._index = ReconIndex.from_pool(self.pool, self.base)
                self._generation = generation
        return self._index
