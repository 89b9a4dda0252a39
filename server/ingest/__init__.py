"""The ingest gate: article files → ``mappings`` (rules) → graph → SHACL → store.

* ``pipeline`` — reads article files, extracts each article's graph, checks it and stores it
  (an article that fails is reported and nothing stored is lost).
* ``shacl`` — the shapes check and its readable report.
* ``writegate`` — the same check for SPARQL Update and Graph Store writes to an article graph.

Knows nothing of HTTP.
"""
