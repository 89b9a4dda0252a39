"""The store: where the graph lives, and the only code that talks to it.

* ``base`` — the one interface both backends implement (the query service and the store handle),
  and ``owned`` (the CLI's handle for one command).
* ``remote`` — a remote SPARQL 1.1 store (``--store http://…/sparql``): the same service over the
  SPARQL 1.1 Protocol, tested on Virtuoso 7.2.5.
* ``embedded`` — the default: a pyoxigraph directory, one named graph per article plus the
  entities graph and the events graph, with its owner lock and the atomic replace of an article's graph.
* ``events`` — one event, many reports: the merge rule (pure functions) that makes one ``dip:Meeting``
  of the articles' meeting reports, and the changes to the events graph that ``embedded`` and the
  write gate apply with each article's write, on either backend.
* ``pool`` — the embedded store's query service: worker processes on read-only handles, so a
  query that runs too long is killed, not waited for.
* ``sparql_text`` and ``federation`` — what a SPARQL text asks for before it runs (depth
  limits, SERVICE and LOAD targets), decided once for every backend.
* ``sandbox`` — keeps the worker processes off the network.

Knows nothing of Flask, pages or the ingest pipeline's rules.
"""
