"""/reconcile: the Reconciliation Service API 0.2 (as OpenRefine speaks it) over the graph's actors,
places and treaties. The matching itself is in ``reconciliation.py``; this module reads requests
(form-encoded ``queries=`` and ``extend=``, or the same as GET parameters), answers JSON (or JSONP
with ``callback=``) and translates ``QueryError`` into 400.
"""
from __future__ import annotations

import json
import re
from urllib.parse import unquote

from flask import Blueprint, Response, current_app, redirect, render_template, request

from . import reconciliation as rc
from .context import pool, settings
from ..errors import BadRequest, NotFound, PayloadTooLarge

bp = Blueprint("reconcile", __name__)
BATCH_SIZE = 100  # most queries in one batch (the manifest's batchSize; more: 413)
SUGGEST_LIMIT = 10
_CALLBACK = re.compile(r"^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$")


def recon() -> rc.ReconIndex:
    ext = current_app.extensions
    if "communique.reconcile" not in ext:
        ext["communique.reconcile"] = rc.ReconSearcher(pool(), settings().base_iri)
    return ext["communique.reconcile"].index()


def answer(data) -> Response:
    """JSON, or JSONP when the request names a callback."""
    callback = request.args.get("callback")
    if callback:
        if not _CALLBACK.match(callback) or len(callback) > 100:
            raise BadRequest("callback must be a JavaScript identifier (letters, digits, _, $ and dots)")
        body = f"/**/{callback}({json.dumps(data, ensure_ascii=False)});"
        return Response(body, mimetype="application/javascript")
    return current_app.json.response(data)


def _json_param(name: str):
    raw = request.values.get(name)
    try:
        return json.loads(raw)
    except (TypeError, ValueError) as exc:
        raise BadRequest(f"{name} must be JSON: {exc}") from None


def _int_param(name: str, default: int) -> int:
    raw = request.args.get(name, "")
    if raw == "":
        return default
    if not raw.isdigit():
        raise BadRequest(f"{name} must be a whole number, not {raw!r}")
    return int(raw)


def manifest() -> dict:
    root = request.url_root
    service = root + "reconcile"
    return {
        "versions": ["0.2"],
        "name": "communique: diplomacy news (actors, places, treaties)",
        "identifierSpace": settings().base_iri + "id/",
        "schemaSpace": rc.DIP,
        "documentation": root,
        "serviceVersion": "0.1.0",
        "batchSize": BATCH_SIZE,
        "view": {"url": service + "/view/{{id}}"},
        "defaultTypes": [{"id": t, "name": rc.TYPES[t][0]} for t in rc.DEFAULT_TYPES],
        "suggest": {
            "entity": {"service_url": service, "service_path": "/suggest/entity"},
            "type": {"service_url": service, "service_path": "/suggest/type"},
            "property": {"service_url": service, "service_path": "/suggest/property"},
        },
        "preview": {"url": service + "/preview?id={{id}}", "width": 420, "height": 180},
        "extend": {"propose_properties": {"service_url": service, "service_path": "/properties"},
                   "property_settings": []},
    }


@bp.route("/reconcile", methods=["GET", "POST"])
def reconcile():
    index = None
    try:
        if "queries" in request.values:
            batch = rc.check_batch(_json_param("queries"))
            if len(batch) > BATCH_SIZE:
                raise PayloadTooLarge(f"a batch holds at most {BATCH_SIZE} queries, not {len(batch)}")
            index = recon()
            return answer({key: {"result": index.reconcile(q)} for key, q in batch.items()})
        if "extend" in request.values:
            ids, props = rc.check_extension(_json_param("extend"))
            return answer(recon().extend(ids, props))
    except rc.QueryError as exc:
        raise BadRequest(str(exc)) from None
    if request.method == "POST":
        raise BadRequest("POST a batch of queries as the form field queries=…, or a data extension as extend=…")
    return answer(manifest())


@bp.route("/reconcile/suggest/entity")
def suggest_entity():
    from .pages import searcher

    prefix = request.args.get("prefix", "")
    cursor = _int_param("cursor", 0)
    found = recon().suggest_entities(prefix, cursor, SUGGEST_LIMIT, searcher().search) if prefix.strip() else []
    return answer({"result": found})


@bp.route("/reconcile/suggest/type")
def suggest_type():
    return answer({"result": rc.suggest_types(request.args.get("prefix", ""), _int_param("cursor", 0), SUGGEST_LIMIT)})


@bp.route("/reconcile/suggest/property")
def suggest_property():
    return answer({"result": rc.suggest_properties(request.args.get("prefix", ""), _int_param("cursor", 0),
                                                   SUGGEST_LIMIT)})


@bp.route("/reconcile/properties")
def properties():
    """Data extension property proposals for a type."""
    type_id = request.args.get("type")
    if not type_id:
        raise BadRequest("name the type: /reconcile/properties?type=Person")
    limit = _int_param("limit", 0) or None
    try:
        found = rc.propose_properties(type_id, limit)
    except rc.QueryError as exc:
        raise BadRequest(str(exc)) from None
    out = {"type": type_id, "properties": found}
    if limit:
        out["limit"] = limit
    return answer(out)


def _entity(raw: str | None) -> rc.Entity:
    entity_id = unquote(raw or "").strip()
    e = recon().by_id.get(entity_id)
    if e is None:
        raise NotFound(f"no actor, place or treaty has the id {entity_id!r}")
    return e


@bp.route("/reconcile/preview")
def preview():
    """A small HTML summary of an entity, for OpenRefine's preview pane."""
    index = recon()
    e = _entity(request.args.get("id"))
    return Response(render_template("reconcile_preview.html", e=e, description=index.describe(e),
                                    names=index.name_of), mimetype="text/html")


@bp.route("/reconcile/view/<path:entity_id>")
def view(entity_id: str):
    """The view template's target: the entity's page (or its data, by Accept, through /id/…)."""
    e = _entity(entity_id)
    return redirect("/id/" + e.id, 303)
