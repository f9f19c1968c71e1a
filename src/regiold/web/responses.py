"""Sending a rendered representation: validators, caching, CORS and gzip, one place for every
blueprint (pages, dataset)."""

from __future__ import annotations

from flask import Response, request

from regiold.publish import render
from regiold.publish.site import Site
from regiold.web import fastpath

CACHE_CONTROL = "public, max-age=300"


def send_representation(site: Site, rep: render.Representation, *, vary: tuple[str, ...],
                        cacheable: bool = False) -> Response:
    """The representation with validators, caching, CORS and gzip; 304 when the client has it.

    ``cacheable``: the caller vouches that the response depends only on the path, the query
    string and the negotiated variant, for the life of ``site``: the fast path (fastpath.py) may keep it.
    """
    if cacheable:
        fastpath.mark_cacheable(site, rep.etag, rep.gzip_etag)
    use_gzip = len(rep.body) >= render.GZIP_MIN_BYTES and _accepts_gzip()
    etag = rep.gzip_etag if use_gzip else rep.etag
    modified = render.last_modified(site)
    response = Response(status=200, content_type=rep.content_type)
    if _not_modified(rep, modified):
        response.status_code = 304
        response.headers.pop("Content-Type", None)
    else:
        response.set_data(rep.gzipped() if use_gzip else rep.body)
        if use_gzip:
            response.headers["Content-Encoding"] = "gzip"
    response.headers["ETag"] = etag
    response.last_modified = modified
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.headers["Vary"] = ", ".join((*vary, "Accept-Encoding"))
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = "ETag, Link, Content-Location"
    return response


def _accepts_gzip() -> bool:
    return request.accept_encodings["gzip"] > 0 if request.accept_encodings else False


def _not_modified(rep: render.Representation, modified: object) -> bool:
    """If-None-Match (weak comparison, either coding's tag) wins over If-Modified-Since."""
    if request.if_none_match:
        if request.if_none_match.star_tag:
            return True
        return any(request.if_none_match.contains_weak(tag.strip('"'))
                   for tag in (rep.etag, rep.gzip_etag))
    since = request.if_modified_since
    return since is not None and modified is not None and modified <= since  # type: ignore[operator]
