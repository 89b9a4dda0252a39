"""Small service views. The pages people browse are in pages.py; the SPARQL endpoint in sparql.py."""
from __future__ import annotations

from flask import Blueprint, current_app

bp = Blueprint("communique", __name__)


@bp.route("/healthz")
def healthz():
    ok = current_app.extensions["communique"].pool.ask("ASK { }")
    return {"status": "ok" if ok else "degraded"}
