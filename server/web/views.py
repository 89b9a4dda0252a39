"""Small service views. The pages people browse are in pages.py; the SPARQL endpoint in sparql.py."""
from __future__ import annotations

from flask import Blueprint

from .context import pool

bp = Blueprint("communique", __name__)


@bp.route("/healthz")
def healthz():
    p = pool()
    ok = p.ask("ASK { }")
    # how the query and update processes are kept off the network (sandbox.py), by processes that said so
    return {"status": "ok" if ok else "degraded", "network": dict(sorted(p.sandboxes.items()))}
