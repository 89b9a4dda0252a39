"""The web layer: the Flask app and everything it serves.

* ``app`` builds the app; ``context`` gives views the settings and the query service.
* ``protocol`` — the SPARQL 1.1 Protocol, the Graph Store Protocol, the service description,
  VoID and the YASGUI page (``examples/`` holds its example queries).
* ``pages``, ``describe``, ``pictures``, ``charts``, ``render``, ``linkeddata``, ``vocab`` —
  Linked Data: 303s, content negotiation (``negotiation``), the pages people browse and their
  pictures; ``templates/`` and ``static/`` are theirs.
* ``search``, ``textsearch``, ``reconcile``, ``reconciliation`` — label and full-text search
  and the Reconciliation Service API.
* ``dump`` — whole-graph N-Quads and TriG.

A view builds a plain dict and a renderer turns it into HTML, JSON, CSV or RDF. Goes through
the query service (``context.pool``), never around it to the store.
"""
