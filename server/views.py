"""Small service views. The pages people browse are in pages.py; the SPARQL endpoint in sparql.py."""
from __future__ import annotations

from flask import Blueprint

from .context import pool

bp = Blueprint("communique", __name__)


@bp.route("/healthz")
def healthz():
    ok = pool().ask("ASK { }")
    return {"status": "ok" if ok else "degraded"}
