"""The web application: SPARQL endpoint and Linked Data pages.

Built by ``create_app(settings)``; tests build it with a temporary store. Each
view builds a plain dict; a renderer turns it into HTML (jinja2) or RDF.
Errors are translated once, in ``handle_error``.
"""
from __future__ import annotations

import logging
import time

from flask import Flask, Response, g, jsonify, render_template, request
from flask_cors import CORS
from werkzeug.exceptions import HTTPException

from . import negotiation as neg
from . import pages
from . import reconcile
from . import protocol as sparql
from . import views
from ..backend import Backend
from ..errors import BadRequest, CommuniqueError, NotFound, UnsupportedMediaType
from ..settings import Settings

log = logging.getLogger("communique.http")


def create_app(settings: Settings | None = None, backend: Backend | None = None) -> Flask:
    settings = settings or Settings.load()
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body
    app.config["COMMUNIQUE"] = settings
    app.jinja_env.autoescape = True
    if backend is None:
        backend = Backend(settings).open()
    app.extensions["communique"] = backend

    @app.before_request
    def _start():
        g.started = time.perf_counter()

    @app.after_request
    def _log(response):
        took = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
        log.info("%s %s %s %.1fms %s", request.method, request.path, response.status_code, took,
                 response.content_length if response.content_length is not None else "-")
        return response

    @app.errorhandler(CommuniqueError)
    def _communique_error(exc: CommuniqueError):
        response = handle_error(exc.status, exc.title, exc.message)
        response.headers.update(getattr(exc, "headers", {}))
        return response

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        message = exc.description or exc.name
        if exc.code == 413:
            message = f"the request body is larger than the limit of {settings.max_body} bytes"
        return handle_error(exc.code or 500, exc.name, message)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):  # the last line of defence: logged, never shown
        log.exception("unexpected error on %s %s", request.method, request.path)
        return handle_error(500, "Internal error", "something went wrong on the server; it has been logged")

    app.register_blueprint(views.bp)
    app.register_blueprint(sparql.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(reconcile.bp)
    # Cross-origin queries from any web page (YASGUI elsewhere, notebooks); writes still need the token.
    # Linked Data and search are read-only: GET (and HEAD) from any origin; reconciliation takes POST too.
    read_only = {"methods": ["GET", "HEAD", "OPTIONS"]}
    CORS(app, resources={r"/sparql": {}, r"/store": {}, r"/store/*": {}, r"/.well-known/void": {},
                         r"/id/*": read_only, r"/data/*": read_only, r"/page/*": read_only,
                         r"/search": read_only, r"/search/*": read_only, r"/network": read_only, r"/map": read_only,
                         r"/reconcile": {"methods": ["GET", "HEAD", "POST", "OPTIONS"]}, r"/reconcile/*": read_only},
         origins="*", send_wildcard=True, methods=["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"],
         allow_headers=["Content-Type", "Accept", "Authorization"], expose_headers=["Communique-Truncated", "Location"],
         max_age=600)
    return app


def handle_error(status: int, title: str, message: str) -> Response:
    """One error shape: JSON {"error": {"status", "title", "message"}} for machines, HTML for browsers."""
    if neg.wants_html(request.headers.get("Accept")):
        return Response(render_template("error.html", status=status, title=title, message=message),
                        status=status, mimetype="text/html")
    if request.path.startswith("/sparql") and not request.headers.get("Accept", "").startswith("application/json"):
        return Response(f"{title}: {message}\n", status=status, mimetype="text/plain")
    response = jsonify({"error": {"status": status, "title": title, "message": message}})
    response.status_code = status
    return response


__all__ = ["create_app", "BadRequest", "NotFound", "UnsupportedMediaType"]
