"""The one store interface that the web layer and the CLI use, whatever holds the graph.

Two parts, each with an embedded and a remote implementation:

* the **query service** (``QueryService``): ``query`` (streamed, in the formats asked for, with a
  timeout that stops the work), ``select``/``ask``/``graph`` for the app's own pages, ``update``
  (a SPARQL Update through the write gate, ``ingest/writegate.py``), ``write(fn)`` (the server's
  own writes: ``fn`` gets a store handle), ``analyse`` (SERVICE and LOAD of a text, by a real
  parse), ``busy``, ``federated``, ``generation`` (bumped by each write: caches key on it) and
  ``close``. Embedded: ``pool.QueryPool`` (worker processes on read-only pyoxigraph handles);
  remote: ``remote.RemoteService`` (SPARQL 1.1 Protocol requests).
* the **store handle** that ingest, ``remove``, ``export`` and the write gate write and read
  through: a ``pyoxigraph.Store``, or a ``remote.RemoteHandle`` that answers the same calls
  (``quads_for_pattern``, ``named_graphs``, ``contains_named_graph``, ``update``, ``query``,
  iteration, ``flush``) over HTTP. The functions of ``embedded`` (``store_article``,
  ``remove_article``, ``article_with_hash``, ``orphans``, ``minted_base``…) take either, so the
  entities graph is kept the same way on both: each triple stored once.

``owned(settings, purpose)`` gives the CLI its handle for one command; ``is_remote`` tells a URL
(remote) from a directory (embedded).
"""
from __future__ import annotations

import json
from contextlib import contextmanager

from ..errors import BadRequest

JSON_FORMATS = {"solutions": "application/sparql-results+json", "boolean": "application/sparql-results+json",
                "triples": "application/n-triples"}


def is_remote(store: str) -> bool:
    """A store given as an http(s) URL is a remote SPARQL endpoint; anything else is a directory."""
    return str(store).lower().startswith(("http://", "https://"))


class QueryService:
    """What the web layer calls (``web/context.pool()``); subclasses run ``query``, ``update``, ``write``…"""

    generation = 0
    timeout = 30.0

    def query(self, query: str, formats: dict[str, str], **kwargs):  # pragma: no cover - interface
        raise NotImplementedError

    def select(self, query: str, **kwargs) -> list[dict]:
        """SELECT results as SPARQL JSON bindings: [{var: {"type", "value", ...}}]."""
        result = self.query(query, dict(JSON_FORMATS), **kwargs)
        data = result.read()
        if result.kind != "solutions":
            raise BadRequest("expected a SELECT query")
        return json.loads(data)["results"]["bindings"]

    def ask(self, query: str, **kwargs) -> bool:
        result = self.query(query, dict(JSON_FORMATS), **kwargs)
        result.read()
        return bool(result.boolean)

    def graph(self, query: str, media_type: str = "application/n-triples", **kwargs) -> bytes:
        result = self.query(query, {**JSON_FORMATS, "triples": media_type}, **kwargs)
        return result.read()


@contextmanager
def owned(settings, purpose: str):
    """The store handle for one CLI command: the embedded directory locked and opened read-write, or a
    connection to the remote store (which has no owner lock: the remote store orders its writes)."""
    if is_remote(settings.store):
        from .remote import RemoteHandle

        handle = RemoteHandle.from_settings(settings)
        try:
            yield handle
        finally:
            handle.close()
    else:
        from . import embedded

        with embedded.owned(settings.store, purpose) as handle:
            yield handle
