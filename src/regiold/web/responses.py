"""Sending a rendered representation: validators, caching, CORS and gzip, one place for every
blueprint (pages, dataset)."""

from __future__ import annotations

from flask import Response, request
from werkzeug.http import http_date, is_resource_modified, parse_range_header, unquote_etag

from regiold.errors import PreconditionFailed
from regiold.publish import render
from regiold.publish.site import Site
from regiold.web import fastpath

CACHE_CONTROL = "public, max-age=300"
# Request headers that make a GET conditional or partial: the WSGI layers in front of Flask
# (web/first.py, web/sparql_front.py) leave such requests to Flask's ``conditional``.
CONDITIONAL_KEYS = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH",
                    "HTTP_IF_UNMODIFIED_SINCE", "HTTP_IF_RANGE", "HTTP_RANGE")

# What every error body is negotiated on (web/app.py error_response: HTML or problem+json).
ERROR_VARY = "Accept, Accept-Language"
# What a script on another origin may send with a GET: negotiation (Accept-Profile is no
# CORS-safelisted header, so asking for a profile is preflighted) and revalidation. The static
# export's nginx rules allow the same (export/rules.py).
PREFLIGHT_HEADERS = "Accept, Accept-Language, Accept-Profile, If-None-Match, If-Modified-Since"
# Response headers a script on another origin may read besides the CORS-safelisted ones (Fetch
# standard): those of a representation, and what resuming a download needs (the dumps). The
# static export's nginx and Apache rules expose both on every file (export/rules.py).
EXPOSED = "ETag, Link, Content-Location, Content-Profile"
DOWNLOAD_EXPOSED = "ETag, Content-Range, Accept-Ranges, Content-Disposition"
# The answer to that preflight, the same from the server (web/app.py) and the export's nginx and
# Apache rules (export/rules.py).
PREFLIGHT = {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "GET, HEAD",
             "Access-Control-Allow-Headers": PREFLIGHT_HEADERS, "Access-Control-Max-Age": "86400"}


def send_representation(site: Site, rep: render.Representation, *, vary: tuple[str, ...],
                        cacheable: bool = False) -> Response:
    """The representation with validators, caching, CORS and gzip; 304 when the client has it.

    ``cacheable``: the caller vouches that the response depends only on the path, the query
    string and the negotiated variant, for the life of ``site``: the fast path (fastpath.py) may keep it.
    """
    if cacheable:
        fastpath.mark_cacheable(site, rep.etag, rep.gzip_etag)
    use_gzip = uses_gzip(rep, _accepts_gzip())
    response = Response(rep.gzipped() if use_gzip else rep.body, status=200,
                        content_type=rep.content_type)
    for name, value in representation_headers(site, rep, vary=vary, use_gzip=use_gzip):
        response.headers[name] = value
    return conditional(response, also=rep.etag if use_gzip else rep.gzip_etag)


def uses_gzip(rep: render.Representation, accepts_gzip: bool) -> bool:
    """Whether ``rep`` goes out gzip-compressed to a client that does (not) accept gzip."""
    return accepts_gzip and len(rep.body) >= render.GZIP_MIN_BYTES


def representation_headers(site: Site, rep: render.Representation, *, vary: tuple[str, ...],
                           use_gzip: bool) -> list[tuple[str, str]]:
    """The headers of a 200 for ``rep`` besides Content-Type and Content-Length: validators,
    caching, Vary and CORS (also for the answers web/first.py gives without Flask)."""
    headers = [("Content-Encoding", "gzip")] if use_gzip else []
    return [*headers, ("ETag", rep.gzip_etag if use_gzip else rep.etag),
            ("Last-Modified", http_date(render.last_modified(site))),
            ("Cache-Control", CACHE_CONTROL), ("Vary", ", ".join((*vary, "Accept-Encoding"))),
            ("Access-Control-Allow-Origin", "*"),
            ("Access-Control-Expose-Headers", EXPOSED)]


def conditional(response: Response, *, also: str | None = None,
                complete_length: int | None = None) -> Response:
    """304 when the client has it: werkzeug's rules (weak If-None-Match, which wins over
    If-Modified-Since; the 304 keeps ETag and Last-Modified), for every route.

    ``also``: the other content coding's tag of the same representation, which matches too (a
    cache that stored the identity body may revalidate while asking for gzip).
    ``complete_length``: the size of a file that answers range requests (the dumps).
    """
    environ = _check_preconditions(response)
    if complete_length is not None:
        environ = _served_range(environ)
    dated = "Date" in response.headers
    response = response.make_conditional(environ, accept_ranges=complete_length is not None,
                                         complete_length=complete_length)
    if not dated:  # the server sets Date; a response the fast path keeps must not carry a stale one
        response.headers.pop("Date", None)
    if response.status_code == 200 and also and not is_resource_modified(
            environ, also, last_modified=response.headers.get("Last-Modified")):
        response.status_code = 304
    return response


def _served_range(environ: dict[str, object]) -> dict[str, object]:
    """``environ`` without a Range that is not one byte range: RFC 9110 14.2 has a server ignore
    a unit it does not know (werkzeug answered 416), and lets it ignore several ranges, which
    werkzeug cannot send (it answered 416, "no range overlaps"): the whole file is the answer."""
    parsed = parse_range_header(environ.get("HTTP_RANGE"))  # type: ignore[arg-type]
    if "HTTP_RANGE" not in environ or (parsed is not None and parsed.units == "bytes"
                                       and len(parsed.ranges) == 1):
        return environ
    return {key: value for key, value in environ.items() if key != "HTTP_RANGE"}


_PRECONDITIONS = ("HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE")


def _check_preconditions(response: Response) -> dict[str, object]:
    """RFC 9110 13.2.2, steps 1-2: If-Match (strong comparison, "*" matches any representation),
    else If-Unmodified-Since against Last-Modified. Returns the environ for werkzeug's
    ``make_conditional`` without them: werkzeug answered a matching If-Match with 304 (no body),
    where a met precondition means the normal answer.

    :raises PreconditionFailed: 412, naming the header.
    """
    environ = request.environ
    if not any(key in environ for key in _PRECONDITIONS):
        return environ
    if "HTTP_IF_MATCH" in environ:
        tag, weak = unquote_etag(response.headers.get("ETag"))
        if not (request.if_match.star_tag or (tag and not weak and request.if_match.contains(tag))):
            raise PreconditionFailed("If-Match names no current tag of this representation")
    elif request.if_unmodified_since and response.last_modified \
            and response.last_modified > request.if_unmodified_since:
        raise PreconditionFailed("modified since the date in If-Unmodified-Since")
    return {key: value for key, value in environ.items() if key not in _PRECONDITIONS}


def _accepts_gzip() -> bool:
    return request.accept_encodings["gzip"] > 0 if request.accept_encodings else False
