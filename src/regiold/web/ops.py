"""Operational routes: liveness and readiness."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from . import current_site

bp = Blueprint("ops", __name__)


@bp.get("/health")
def health() -> Response:
    return jsonify(status="ok")


@bp.get("/ready")
def ready() -> Response:
    site = current_site()
    return jsonify(status="ready", version=site.version, triples=site.store.triple_count())
