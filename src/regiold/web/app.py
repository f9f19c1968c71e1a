"""Wiring the web layer into a Flask app: the blueprints and the error handlers."""


from __future__ import annotations

import json

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request

from regiold.errors import NotAcceptable, RegioldError, problem
from regiold.rdf import formats
from regiold.web import dataset_routes, ops_routes, page_routes, sparql_routes, tombstone_routes
from regiold.web.context import current_site
from regiold.web.negotiate import language, named_language, negotiate
from regiold.web.responses import ERROR_VARY, PREFLIGHT


def register_blueprints(app: Flask) -> None:
    # pages last: its catch-all resource route
    for module in (tombstone_routes, ops_routes, sparql_routes, dataset_routes, page_routes):
        app.register_blueprint(module.bp)
    app.after_request(answer_preflight)


def answer_preflight(response: Response) -> Response:
    """CORS headers on Flask's own OPTIONS answers: every GET answer allows any origin, but the
    preflight before one (sent for Accept-Profile or If-None-Match) got none, so the browser
    refused the GET. /sparql answers its own preflight (it also takes POST)."""
    if request.method == "OPTIONS" and "Access-Control-Allow-Origin" not in response.headers:
        response.headers.update(PREFLIGHT)
    return response


def register_error_handlers(app: Flask) -> None:
    """Map every error to a status and a problem+json (or HTML) body, never a stack trace."""

    @app.errorhandler(RegioldError)
    def known(exc: RegioldError) -> Response:
        try:
            default = current_site().settings.default_lang
        except Exception:  # noqa: BLE001 - an error page must render even if the site is gone
            default = None
        return error_response(exc, request, default)

    @app.errorhandler(HTTPException)
    def http(exc: HTTPException) -> Response:
        error = RegioldError(exc.description or exc.name)
        error.status, error.title = exc.code or 500, exc.name
        response = known(error)
        # the headers the status needs: Allow of a 405, Content-Range of a 416 (RFC 9110 15.5.17)
        for name, value in exc.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Response:
        app.logger.exception("unhandled error on %s", request.path)
        return known(RegioldError("Unexpected error; it has been logged."))


def error_response(exc: RegioldError, req: Request, default_lang: str | None) -> Response:
    """The error's response: an HTML page for browsers (text/html preferred over JSON), else
    problem+json, also when ``Accept`` excludes both (an error must still be told). Shared by
    Flask's handlers and the SPARQL front (sparql_front.py), which refuses before Flask."""
    fmt = _error_format(req)
    data = _error_html(exc, req, default_lang) if fmt is formats.HTML else json.dumps(problem(exc))
    response = Response(data, status=exc.status, content_type=fmt.content_type)
    # The body is negotiated (HTML in the reader's language, or problem+json): a cache must not
    # hand one client's error to another (RFC 9110 12.5.5); resource URLs add Accept-Profile.
    response.headers["Vary"] = ERROR_VARY
    retry = getattr(exc, "retry_after", None)
    if retry is not None:
        response.headers["Retry-After"] = str(retry)
    return response


def _error_format(req: Request) -> formats.Format:
    try:
        return negotiate(None, req.accept_mimetypes, formats.ERROR)
    except NotAcceptable:
        return formats.PROBLEM_JSON


def _error_html(exc: RegioldError, req: Request, default_lang: str | None) -> bytes:
    from regiold.publish import render
    try:
        lang = language(req.args.get("lang"), req.accept_languages, default_lang)  # type: ignore[arg-type]
    except Exception:  # noqa: BLE001 - an error page must render even if the site is gone
        lang = "de"
    return render.error_html(exc.status, exc.title, str(exc), lang, default_lang,
                             named=named_language(req.args.get("lang")) is not None)
