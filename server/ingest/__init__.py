"""The ingest gate: article files → ``mappings`` (rules) → graph → SHACL → store.

* ``pipeline`` — reads article files one article at a time, extracts each article's graph and checks
  it (in forked worker processes, ``jobs``), and stores the results in input order (an article that
  fails is reported and nothing stored is lost; an unchanged one is skipped; Ctrl-C stops between two
  stores); the progress line or bar.
* ``shacl`` — the shapes check (pyshacl-turbo, tested against pySHACL) and its readable report.
* ``writegate`` — the same check for SPARQL Update and Graph Store writes to an article graph.

Knows nothing of HTTP.
"""
