"""Whole-graph dumps as N-Quads or TriG, streamed (no Flask, no store).

The query workers stream a ``SELECT ?s ?p ?o ?g`` as SPARQL TSV, whose terms
are already in N-Triples syntax except for the short forms of numbers and
booleans; ``tsv_to_quads`` rewrites each row into a quad line as the chunks
arrive, so a dump is never one string in memory.
"""
from __future__ import annotations

import re
from typing import Iterable, Iterator

QUERY = "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGER = re.compile(r"^[+-]?\d+$")
_DECIMAL = re.compile(r"^[+-]?\d*\.\d+$")


def term(value: str) -> str:
    """A TSV term as N-Triples: ``5`` → ``"5"^^<…#integer>``; IRIs and literals unchanged."""
    if not value or value[0] in '<"_':
        return value
    if value in ("true", "false"):
        return f'"{value}"^^<{XSD}boolean>'
    if _INTEGER.match(value):
        return f'"{value}"^^<{XSD}integer>'
    if _DECIMAL.match(value):
        return f'"{value}"^^<{XSD}decimal>'
    return f'"{value}"^^<{XSD}double>'


def _rows(chunks: Iterable[bytes]) -> Iterator[list[str]]:
    buffer = b""
    header = True
    for chunk in chunks:
        buffer += chunk
        *lines, buffer = buffer.split(b"\n")
        for line in lines:
            if header:
                header = False
                continue
            if line:
                yield line.decode("utf-8").split("\t")
    if buffer.strip() and not header:
        yield buffer.decode("utf-8").split("\t")


def tsv_to_quads(chunks: Iterable[bytes], batch: int = 2000) -> Iterator[bytes]:
    out = []
    for s, p, o, g in _rows(chunks):
        out.append(f"{s} {p} {term(o)} {g} .\n")
        if len(out) >= batch:
            yield "".join(out).encode("utf-8")
            out.clear()
    if out:
        yield "".join(out).encode("utf-8")


def tsv_to_trig(chunks: Iterable[bytes], batch: int = 2000) -> Iterator[bytes]:
    """TriG: one block per run of rows in the same graph (a graph may appear in several blocks)."""
    out, current = [], None
    for s, p, o, g in _rows(chunks):
        if g != current:
            if current is not None:
                out.append("}\n\n")
            out.append(f"{g} {{\n")
            current = g
        out.append(f"  {s} {p} {term(o)} .\n")
        if len(out) >= batch:
            yield "".join(out).encode("utf-8")
            out.clear()
    if current is not None:
        out.append("}\n")
    if out:
        yield "".join(out).encode("utf-8")
