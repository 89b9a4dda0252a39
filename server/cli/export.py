"""`communique export`: the graph's meetings, positions and entities as CSV or JSON.

The rows are the pages' own (``describe.meetings``, ``describe.positions``, the CSV of a list) and
the reconciliation index's entities (``reconciliation.ReconIndex``), read from the store directly
through ``StoreReader``, which answers ``select`` as the server's QueryPool does.
"""
from __future__ import annotations

import csv
import json
from typing import IO, Iterator

import pyoxigraph as ox

from ..web import describe
from ..store.pool import _json_term
from ..web.reconciliation import ReconIndex

KINDS = ("meetings", "positions", "entities")
ENTITY_COLUMNS = ["iri", "id", "label", "types", "aliases", "wikidata", "roles", "affiliations", "countries",
                  "meetings", "positions"]
CHUNK = 1000


class StoreReader:
    """``select(query)`` over an open store, as SPARQL JSON bindings (the default graph: the union)."""

    generation = 0

    def __init__(self, store: ox.Store):
        self.store = store

    def select(self, query: str) -> list[dict]:
        result = self.store.query(query, use_default_graph_as_union=True)
        names = [v.value for v in result.variables]
        out = []
        for solution in result:
            row = {}
            for name in names:
                term = solution[name]
                if term is not None:
                    row[name] = _json_term(term)
            out.append(row)
        return out

    def ask(self, query: str) -> bool:
        return bool(self.store.query(query, use_default_graph_as_union=True))


def items(reader, kind: str, base: str) -> Iterator[dict]:
    """Every meeting, position or entity, as a plain dict, a thousand at a time."""
    if kind == "entities":
        index = ReconIndex.from_pool(reader, base)
        for e in index.entities:
            yield {"iri": e.iri, "id": e.id, "label": e.label, "types": e.type_list(), "aliases": e.aliases,
                   "wikidata": e.wikidata, "roles": e.roles,
                   "affiliations": [{"id": a, "label": index.name_of(a)} for a in e.affiliations],
                   "countries": [{"id": c, "label": index.name_of(c)} for c in e.countries],
                   "meetings": e.meetings if e.counts_meetings else None,
                   "positions": e.positions if e.counts_positions else None}
        return
    fn = describe.meetings if kind == "meetings" else describe.positions
    page = 1
    while True:
        block = fn(reader, "", None, page, CHUNK)
        yield from block["items"]
        if page >= block["pages"]:
            return
        page += 1


def columns(kind: str) -> list[str]:
    return ENTITY_COLUMNS if kind == "entities" else describe.CSV_COLUMNS[kind]


def csv_row(kind: str, item: dict) -> list:
    if kind != "entities":
        return describe.csv_row(kind, item)
    return [item["iri"], item["id"], item["label"], " ".join(item["types"]), "; ".join(item["aliases"]),
            " ".join(item["wikidata"]), "; ".join(item["roles"]),
            "; ".join(a["label"] for a in item["affiliations"]), "; ".join(c["label"] for c in item["countries"]),
            "" if item["meetings"] is None else item["meetings"],
            "" if item["positions"] is None else item["positions"]]


def write(reader, kind: str, fmt: str, out: IO[str], base: str) -> int:
    """Writes every item of a kind as CSV (a header, then a row each) or JSON (an array); returns the count."""
    n = 0
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(columns(kind))
        for item in items(reader, kind, base):
            writer.writerow(csv_row(kind, item))
            n += 1
        return n
    out.write("[")
    for item in items(reader, kind, base):
        out.write(("," if n else "") + "\n" + json.dumps(item, ensure_ascii=False))
        n += 1
    out.write("\n]\n" if n else "]\n")
    return n
