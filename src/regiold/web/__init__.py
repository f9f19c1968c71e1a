"""The web layer: one blueprint per concern, the Site accessor and the error handlers.

| module | routes |
| --- | --- |
| `pages.py` | `/`, every resource IRI `/{path}` and its documents `/{path}.{ext}` |
| `dataset.py` | `/.well-known/void`, the DCAT catalog, dumps, `robots.txt`, `sitemap.xml` |
| `sparql.py` | `/sparql`, `/search` |
| `ops.py` | `/health`, `/ready` |
| `tombstones.py` | not-found hook of `pages.py`: 410/301 for removed or renamed IRIs |
"""

from __future__ import annotations

import json

from flask import Flask, Response, current_app, request
from werkzeug.exceptions import HTTPException

from regiold.errors import RegioldError, problem
from regiold.publish.site import Site, SiteHolder


def current_site() -> Site:
    """The Site serving this request (stays the same for the whole request)."""
    holder: SiteHolder = current_app.extensions["regiold"]
    return holder.site


def register_blueprints(app: Flask) -> None:
    from regiold.web import (
        dataset_routes as dataset,
    )
    from regiold.web import (
        ops_routes as ops,
    )
    from regiold.web import (
        page_routes as pages,
    )
    from regiold.web import (
        sparql_routes as sparql,
    )
    from regiold.web import (
        tombstone_routes as tombstones,
    )

    for module in (tombstones, ops, sparql, dataset, pages):  # pages last: its catch-all resource route
        app.register_blueprint(module.bp)


def register_error_handlers(app: Flask) -> None:
    """Map every error to a status and a problem+json (or HTML) body, never a stack trace."""

    @app.errorhandler(RegioldError)
    def known(exc: RegioldError) -> Response:
        body = problem(exc)
        if _wants_html():
            response = Response(_error_html(exc), status=exc.status,
                                content_type="text/html; charset=utf-8")
        else:
            response = Response(json.dumps(body), status=exc.status,
                                content_type="application/problem+json")
        retry = getattr(exc, "retry_after", None)
        if retry is not None:
            response.headers["Retry-After"] = str(retry)
        return response

    @app.errorhandler(HTTPException)
    def http(exc: HTTPException) -> Response:
        error = RegioldError(exc.description or exc.name)
        error.status, error.title = exc.code or 500, exc.name
        response = known(error)
        if exc.code == 405 and getattr(exc, "valid_methods", None):
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response

    def _wants_html() -> bool:
        """Browsers (text/html preferred over JSON) get an HTML page; others problem+json."""
        offered = ["application/problem+json", "application/json", "text/html"]
        return request.accept_mimetypes.best_match(offered) == "text/html"

    def _error_html(exc: RegioldError) -> bytes:
        from regiold.publish import render
        from regiold.web.negotiate import language

        try:
            lang = language(request.args.get("lang"), request.accept_languages,
                            current_site().settings.default_lang)
        except Exception:  # noqa: BLE001 - an error page must render even if the site is gone
            lang = "de"
        return render.error_html(exc.status, exc.title, str(exc), lang)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Response:
        app.logger.exception("unhandled error on %s", request.path)
        return known(RegioldError("Unexpected error; it has been logged."))
