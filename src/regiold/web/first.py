"""First renderings without Flask: a plain GET of a resource page, answered in the WSGI layer.

A crawler, a link checker or a search engine asks for each resource once, so the fast path's
table (fastpath.py) never holds its answer, and Flask's request handling (routing, request
context, header parsing, the Response object) costs about as much CPU as rendering it. This
answers those requests in front of Flask with the same parts the Flask route uses: its URL map
decides that ``pages.resource`` would answer, ``negotiate``/``language`` (through the fast path's
variant) choose the format and language, ``dataset.representation`` gives the bytes, and the
headers come from ``responses.representation_headers``, ``page_routes.resource_headers`` and
guard.py's security headers. The answer then enters the fast path's table.

Anything else goes to Flask unchanged: other methods, query strings (``format``, ``lang``,
``page``, ``_profile``), conditional and range requests, profiles, a target guard.py refuses,
paths that are not ASCII, a remote store (read afresh on every request), and every resource
that is not found (410 tombstones, redirects and 404 pages are Flask's).
tests/test_first_renderings.py compares these answers with Flask's, header by header.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from regiold.errors import NotFound
from regiold.publish import dataset, render
from regiold.publish.site import Site
from regiold.rdf.formats import HTML, PROFILES, RESOURCE, by_key
from regiold.settings import Settings
from regiold.web.guard import SECURITY_HEADERS, target_refused
from regiold.web.negotiate import split_suffix
from regiold.web.page_routes import MAX_PATH, _vary, resource_headers
from regiold.web.responses import CONDITIONAL_KEYS, representation_headers, uses_gzip

Headers = list[tuple[str, str]]
ENDPOINT = "pages.resource"


class FirstRenderings:
    """``(environ, site, variant) → (headers, body, etags)`` of a 200, or None: Flask answers."""

    def __init__(self, app: Flask, settings: Settings) -> None:
        self.routes = app.url_map.bind("localhost")  # the host plays no part in the routes
        self.max_url_bytes = settings.max_url_bytes

    def __call__(self, environ: dict, site: Site,
                 variant: tuple[str | None, str, bool]) -> tuple[Headers, bytes, frozenset[str]] | None:
        path = self._resource_path(environ)
        if path is None or not render.memoised(site):
            return None
        stem, suffix = split_suffix(path)
        fmt = by_key(suffix or variant[0] or "", RESOURCE)
        if fmt is None:  # Accept excludes every format: Flask's 406
            return None
        lang = variant[1] if fmt is HTML else None
        try:
            rep = dataset.representation(site, site.base_iri + stem, fmt, lang)
        except NotFound:
            return None
        negotiated = suffix is None
        use_gzip = uses_gzip(rep, variant[2])
        body = rep.gzipped() if use_gzip else rep.body
        headers = [("Content-Type", rep.content_type), ("Content-Length", str(len(body))),
                   *representation_headers(site, rep, vary=(*_vary(fmt, negotiated), "Accept-Profile"),
                                           use_gzip=use_gzip),
                   *resource_headers(site, stem, rep, negotiated=negotiated, chosen=PROFILES[0])]
        named = {name.lower() for name, _ in headers}
        headers += [(name, value) for name, value in SECURITY_HEADERS.items() if name.lower() not in named]
        tags = {rep.etag, rep.gzip_etag}
        return headers, body, frozenset(tags | {f"W/{tag}" for tag in tags})

    def _resource_path(self, environ: dict) -> str | None:
        """The ``path`` argument of ``pages.resource`` for a plain GET, else None."""
        if environ.get("QUERY_STRING") or any(key in environ for key in CONDITIONAL_KEYS):
            return None
        target = environ.get("PATH_INFO", "")
        if not target.isascii() or target_refused(environ, self.max_url_bytes) is not None:
            return None
        try:
            endpoint, args = self.routes.match(target, method="GET")
        except (HTTPException, RequestRedirect):
            return None
        path = args.get("path") if endpoint == ENDPOINT else None
        if not isinstance(path, str) or len(path) > MAX_PATH or "\x00" in path:
            return None
        return path
