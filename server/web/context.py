"""The running app's settings, backend and query pool, for the views of every blueprint."""
from __future__ import annotations

from flask import current_app

from ..store.base import QueryService
from ..settings import Settings


def settings() -> Settings:
    return current_app.config["COMMUNIQUE"]


def backend():
    return current_app.extensions["communique"]


def pool() -> QueryService:
    return backend().pool
