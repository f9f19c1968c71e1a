"""Wiring the web layer into a Flask app: the blueprints and the error handlers."""


from __future__ import annotations

import json

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

from regiold.errors import NotAcceptable, RegioldError, problem
from regiold.rdf import formats
from regiold.web import dataset_routes, ops_routes, page_routes, sparql_routes, tombstone_routes
from regiold.web.context import current_site
from regiold.web.negotiate import language, named_language, negotiate


def register_blueprints(app: Flask) -> None:
    # pages last: its catch-all resource route
    for module in (tombstone_routes, ops_routes, sparql_routes, dataset_routes, page_routes):
        app.register_blueprint(module.bp)


def register_error_handlers(app: Flask) -> None:
    """Map every error to a status and a problem+json (or HTML) body, never a stack trace."""

    @app.errorhandler(RegioldError)
    def known(exc: RegioldError) -> Response:
        body = problem(exc)
        fmt = _error_format()
        data = _error_html(exc) if fmt is formats.HTML else json.dumps(body)
        response = Response(data, status=exc.status, content_type=fmt.content_type)
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

    def _error_format() -> formats.Format:
        """Browsers (text/html preferred over JSON) get an HTML page; others problem+json, also
        when ``Accept`` excludes both (an error must still be told)."""
        try:
            return negotiate(None, request.accept_mimetypes, formats.ERROR)
        except NotAcceptable:
            return formats.PROBLEM_JSON

    def _error_html(exc: RegioldError) -> bytes:
        from regiold.publish import render
        default = None
        try:
            default = current_site().settings.default_lang
            lang = language(request.args.get("lang"), request.accept_languages, default)
        except Exception:  # noqa: BLE001 - an error page must render even if the site is gone
            lang = "de"
        return render.error_html(exc.status, exc.title, str(exc), lang, default,
                                 named=named_language(request.args.get("lang")) is not None)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Response:
        app.logger.exception("unhandled error on %s", request.path)
        return known(RegioldError("Unexpected error; it has been logged."))
