"""Resource pages: read the request, describe, negotiate, render."""

from __future__ import annotations

from flask import Blueprint, Response

from . import current_site

bp = Blueprint("pages", __name__)


@bp.get("/")
def index() -> Response:
    site = current_site()
    return Response(f"regiold: {site.store.triple_count()} triples, version {site.version}\n",
                    content_type="text/plain; charset=utf-8")
