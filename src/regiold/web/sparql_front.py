"""The SPARQL front: ``/sparql`` decided before Flask (issue 13).

Under a query attack most requests are refused, and a refusal that goes through Flask (routing,
hooks, error handler, response object) costs the serving process about as much CPU as a page.
Queries themselves cost a fixed 0.5-1 ms in Flask on top of the engine. This WSGI layer sits
between the fast path and Flask and, for ``/sparql`` only:

- answers the rate limit's 429 and the busy 503 (every query slot of this process taken) with
  ``Retry-After`` at once, before Flask and before a request body is read. The token bucket is
  guard.py's (the request is marked counted, Flask does not count it again); the slot is the query
  service's, held until Flask's answer is built (the route does not take a second one);
- runs a plain ``GET /sparql?query=…`` whose ``Accept`` negotiates a data format (not the HTML
  page) and that carries no conditional header, and answers it with the same status, headers and
  body as the Flask route (``answer_headers``; tests/test_sparql_front.py compares both);
- hands everything else to Flask: the editor, POST bodies, HTML, ``format``/``lang``/dataset
  parameters, conditional requests, and anything guard.py may refuse (long targets, oversized
  ``Accept*`` headers, bodies). A failed run is handed over too, with its error, which the route
  raises: every error body comes from the one error handler (web/app.py), and no query runs twice.

The query itself runs exactly as on the Flask path: ``QueryService.run`` (screen, memo, sandboxed
worker with its time and memory limits, SERVICE refused from the engine's parse).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from urllib.parse import parse_qsl

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header
from werkzeug.wrappers import Request as WerkzeugRequest

from regiold.errors import EndpointBusy, NotAcceptable, RegioldError
from regiold.publish.site import SiteHolder
from regiold.rdf import formats
from regiold.rdf.formats import Format
from regiold.sparql.messages import Request
from regiold.web import app as web_app
from regiold.web.fastpath import StartResponse, WsgiApp
from regiold.web.guard import (
    RATE_COUNTED,
    SECURITY_HEADERS,
    TokenBuckets,
    oversized_header,
    target_refused,
)
from regiold.web.negotiate import negotiate
from regiold.web.responses import CONDITIONAL_KEYS
from regiold.web.sparql_routes import (
    CORS_HEADERS,
    FRONT_ERROR,
    FRONT_SLOT,
    answer_headers,
    query_service,
)

PATH = "/sparql"
MAX_ACCEPTS = 512  # distinct Accept headers (and refusals) remembered
# query strings parsed, remembered: a repeated query (answered from the memo) skips parse_qsl,
# half of this front's own time for it (urllib's unquote loops per %-escape in Python)
MAX_QUERY_STRINGS = 64
_TRAILER = [*CORS_HEADERS.items(), *SECURITY_HEADERS.items()]  # what Flask's hooks add
Formats = tuple[Format | None, Format | None]  # (SELECT/ASK, CONSTRUCT/DESCRIBE); None: not acceptable


class SparqlFront:
    """WSGI middleware for ``/sparql`` in front of ``app`` (Flask): see the module docstring."""

    def __init__(self, app: WsgiApp, holder: SiteHolder, *, buckets: TokenBuckets | None,
                 max_url_bytes: int, max_body: int) -> None:
        self.app, self.holder, self.buckets = app, holder, buckets
        self.max_url_bytes, self.max_body = max_url_bytes, max_body
        self._accepts: dict[str, Formats] = {}
        self._query_strings: dict[str, tuple[tuple[str, str], ...]] = {}
        self._refusals: dict[tuple[object, ...], tuple[str, list[tuple[str, str]], bytes]] = {}
        self._lock = threading.Lock()

    def __call__(self, environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != PATH or not self._guard_passes(environ):
            return self.app(environ, start_response)
        if self.buckets is not None:
            refused = self.buckets.refusal(environ.get("REMOTE_ADDR") or "unknown", PATH)
            environ[RATE_COUNTED] = True
            if refused is not None:
                return self._error(refused, environ, start_response)
        method = environ.get("REQUEST_METHOD")
        params = self._params(environ.get("QUERY_STRING", ""))
        if method != "POST" and not (method == "GET" and any(k == "query" for k, _ in params)):
            return self.app(environ, start_response)  # the editor or the service description
        service = query_service(self.holder.site)
        try:
            with service.slot():  # before the body is read; held until the answer is built
                environ[FRONT_SLOT] = True
                chosen = self._plain_query(environ, method, params)
                if chosen is None:
                    return self.app(environ, start_response)
                return self._answer(environ, start_response, service, *chosen)
        except EndpointBusy as busy:
            return self._error(busy, environ, start_response)

    def _guard_passes(self, environ: dict) -> bool:
        """Nothing guard.py refuses before the rate limit (414, 400, 413): else Flask decides."""
        if target_refused(environ, self.max_url_bytes) is not None:
            return False
        try:
            if int(environ.get("CONTENT_LENGTH") or 0) > self.max_body:
                return False
        except ValueError:
            return False
        return oversized_header(environ) is None

    def _params(self, query_string: str) -> tuple[tuple[str, str], ...]:
        known = self._query_strings.get(query_string)
        if known is None:
            known = tuple(parse_qsl(query_string, keep_blank_values=True))
            with self._lock:
                if len(self._query_strings) >= MAX_QUERY_STRINGS:
                    self._query_strings.clear()  # bounded; refilled by the next requests
                self._query_strings[query_string] = known
        return known

    def _plain_query(self, environ: dict, method: str | None,
                     params: tuple[tuple[str, str], ...]) -> tuple[str, Format | None, Format | None] | None:
        """(query, SELECT format, graph format) of a request the front answers, else None."""
        if method != "GET" or len(params) != 1 or not params[0][1].strip():
            return None
        if any(key in environ for key in CONDITIONAL_KEYS):
            return None
        results_fmt, graph_fmt = self._formats(environ.get("HTTP_ACCEPT", ""))
        if formats.HTML in (results_fmt, graph_fmt):
            return None  # the results page: Flask renders it
        return params[0][1], results_fmt, graph_fmt

    def _formats(self, accept: str) -> Formats:
        known = self._accepts.get(accept)
        if known is None:
            mimetypes = parse_accept_header(accept, MIMEAccept)
            known = (_negotiated(mimetypes, formats.SPARQL_SELECT),
                     _negotiated(mimetypes, formats.SPARQL_GRAPH))
            with self._lock:
                if len(self._accepts) >= MAX_ACCEPTS:
                    self._accepts.clear()  # bounded; refilled by the next requests
                self._accepts[accept] = known
        return known

    def _answer(self, environ: dict, start_response: StartResponse, service: object, query: str,
                results_fmt: Format | None, graph_fmt: Format | None) -> Iterable[bytes]:
        site = self.holder.site
        try:
            answer = service.run(Request(  # type: ignore[attr-defined]
                query=query,
                results_format=results_fmt.key if results_fmt else None,
                graph_format=graph_fmt.key if graph_fmt else None))
        except Exception as exc:  # noqa: BLE001 - Flask's handlers answer it, as for the route
            environ[FRONT_ERROR] = exc
            return self.app(environ, start_response)
        headers = [("Content-Type", answer.format.content_type),
                   ("Content-Length", str(len(answer.body))),
                   *answer_headers(answer, site.version), *_TRAILER]
        start_response("200 OK", headers)
        return [answer.body]

    def _error(self, exc: RegioldError, environ: dict,
               start_response: StartResponse) -> Iterable[bytes]:
        """The refusal Flask's handler would give, kept per message and negotiation headers: an
        attack's thousands of identical refusals cost a dict lookup each, not a rendering."""
        default_lang = self.holder.site.settings.default_lang
        lang = [v for k, v in parse_qsl(environ.get("QUERY_STRING", "")) if k == "lang"]
        key = (type(exc), str(exc), getattr(exc, "retry_after", None), default_lang, tuple(lang),
               environ.get("HTTP_ACCEPT", ""), environ.get("HTTP_ACCEPT_LANGUAGE", ""))
        known = self._refusals.get(key)
        if known is None:
            response = web_app.error_response(exc, WerkzeugRequest(environ), default_lang)
            for name, value in _TRAILER:
                response.headers.setdefault(name, value)
            known = (response.status, list(response.get_wsgi_headers(environ).to_wsgi_list()),
                     response.get_data())
            with self._lock:
                if len(self._refusals) >= MAX_ACCEPTS:
                    self._refusals.clear()
                self._refusals[key] = known
        status, headers, body = known
        start_response(status, list(headers))
        return [body]


def _negotiated(mimetypes: MIMEAccept, offered: tuple[Format, ...]) -> Format | None:
    try:
        return negotiate(None, mimetypes, offered)
    except NotAcceptable:
        return None
