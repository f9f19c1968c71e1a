"""Resource pages: ``/`` (the partners), ``/context.jsonld`` and every resource ``/{path}``.

A resource with canonical IRI ``{base}{path}`` answers at ``/{path}`` on whatever host serves it,
by direct content negotiation (``Content-Location: /{path}.{ext}``); ``/{path}.{ext}`` is the
document of one format. Views only read the request, call describe/negotiate/render, and set
HTTP headers (docs/SERVING.md).

Hook for other modules: callables in ``app.extensions["regiold.before_not_found"]`` are called as
``hook(site, iri)`` before a 404; the first one returning a Response (a 410 tombstone, a 301 to a
new IRI) answers instead.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, current_app, redirect, request

from regiold.errors import BadRequest, NotFound
from regiold.publish import dataset, render
from regiold.publish.links import link_lang
from regiold.publish.site import Site
from regiold.rdf.formats import (
    ALT_TOKEN,
    ALT_URI,
    HTML,
    JSONLD,
    PROFILES,
    RESOURCE,
    SCHEMA,
    Format,
    Profile,
    link,
)
from regiold.web.context import current_site
from regiold.web.negotiate import language, named_language, negotiate, profile, split_suffix
from regiold.web.responses import ERROR_VARY, send_representation

bp = Blueprint("pages", __name__)

MAX_PATH = 1024
NOT_FOUND_HOOKS = "regiold.before_not_found"
NotFoundHook = Callable[[Site, str], Response | None]


@bp.after_request
def vary_errors(response: Response) -> Response:
    """Error bodies of resource URLs depend on Accept (HTML or problem+json), the language and
    Accept-Profile (an unknown profile is a 406)."""
    if response.status_code >= 400 and response.headers.get("Vary") in (None, ERROR_VARY):
        response.headers["Vary"] = "Accept, Accept-Language, Accept-Profile"
    return response


@bp.get("/")
def index() -> Response:
    site = current_site()
    lang = _language(site)
    rep = render.index_html(site, lang, named=_named())
    response = send_representation(site, rep, vary=("Accept-Language",),
                                   cacheable=render.memoised(site))
    # a page chosen by language only, as /org/x.html: it names its language, and no other URL
    # in Content-Location (it is the document itself; the static export's rules agree)
    response.headers["Content-Language"] = lang
    return response


@bp.get("/favicon.ico")
def favicon() -> Response:
    """The site's icon (browsers ask for it on every first visit; no 404 in their console)."""
    response = current_app.send_static_file("favicon.ico")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@bp.get(f"/{render.CONTEXT_PATH}")
def context_document() -> Response:
    site = current_site()
    body = render.context_document(site)
    rep = render.Representation(body, JSONLD, None, render.make_etag(site.version, body))
    return send_representation(site, rep, vary=())


@bp.get("/<path:path>")
def resource(path: str) -> Response:
    site = current_site()
    if len(path) > MAX_PATH or "\x00" in path:
        raise NotFound("No such resource")
    stem, suffix = split_suffix(path)
    iri = site.base_iri + stem
    fmt = negotiate(suffix, request.accept_mimetypes, RESOURCE, format_param=_format_param())
    chosen = profile(request.args.get("_profile"), request.headers.get("Accept-Profile"), site.base_iri)
    lang = _language(site) if fmt is HTML else None
    try:
        if chosen is None:
            rep = render.alternatives(site, iri, f"/{stem}", fmt, lang, named=_named())
        elif chosen is SCHEMA and fmt is not HTML:
            rep = render.schema_representation(site, iri, fmt, _page())
        else:
            rep = dataset.representation(site, iri, fmt, lang, _page(), named=_named())
    except NotFound:
        # not for a page past the last (/org/x?page=9): one store question per answer, as before
        twin = suffix is None and (stem.endswith("/") or "page" not in request.args)
        hooked = _slash_twin(site, stem) if twin else None
        hooked = hooked or _not_found_hook(site, iri)
        if hooked is not None:
            return hooked
        raise
    negotiated = suffix is None and _format_param() is None
    vary = _vary(fmt, negotiated) + (() if "_profile" in request.args else ("Accept-Profile",))
    response = send_representation(site, rep, vary=vary, cacheable=render.memoised(site))
    for name, value in resource_headers(site, stem, rep, negotiated=negotiated, chosen=chosen,
                                        named=_named()):
        response.headers[name] = value
    return response


def _format_param() -> str | None:
    """``?format=``, or ``?_mediatype=`` (Content Negotiation by Profile's name for it)."""
    return request.args.get("format") or request.args.get("_mediatype")


MAX_PAGE = 999_999


def _page() -> int:
    """``?page=``: ASCII digits only (``str.isdigit`` also takes ``²``, which ``int`` refuses,
    and ``٣``, which would serve page 3 under a second URL).

    :raises BadRequest: anything else, naming the parameter and the value."""
    raw = request.args.get("page", "1")
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 6 and 1 <= int(raw) <= MAX_PAGE):
        raise BadRequest(f"parameter page: expected a whole number from 1 to {MAX_PAGE}, "
                         f"got {raw[:20]!r}")
    return int(raw)


def _language(site: Site) -> str:
    return language(request.args.get("lang"), request.accept_languages, site.settings.default_lang)


def _named() -> bool:
    """The URL names the page's language (``?lang=``): its links keep it (publish/links.py)."""
    return named_language(request.args.get("lang")) is not None


def _vary(fmt: Format, negotiated: bool) -> tuple[str, ...]:
    vary = ("Accept",) if negotiated else ()
    return (*vary, "Accept-Language") if negotiated or fmt is HTML else vary


def _slash_twin(site: Site, stem: str) -> Response | None:
    """301 from ``/def`` to the resource ``/def/``, and from ``/org/x/`` to ``/org/x``: the URL a
    user typed differs from an IRI only by its slash (docs/SERVING.md). The Location is a path,
    the query kept: never a host taken from the request's Host header."""
    twin = stem[:-1] if stem.endswith("/") else f"{stem}/"
    try:
        render.description(site, site.base_iri + twin)
    except NotFound:
        return None
    query = request.query_string.decode("latin-1")
    return redirect(f"{request.script_root}/{twin}" + (f"?{query}" if query else ""), code=301)


def _not_found_hook(site: Site, iri: str) -> Response | None:
    hooks: list[NotFoundHook] = current_app.extensions.get(NOT_FOUND_HOOKS, [])
    for hook in hooks:
        response = hook(site, iri)
        if response is not None:
            return response
    return None


def resource_headers(site: Site, stem: str, rep: render.Representation, *, negotiated: bool,
                     chosen: Profile | None, named: bool = False) -> list[tuple[str, str]]:
    """``Content-Location`` (when negotiated), ``Link`` (canonical, alternates, pages, profile),
    ``Content-Language`` and ``Content-Profile`` of the resource ``/{stem}`` (also for the answers
    web/first.py gives without Flask). ``chosen`` None is the list of profiles (alt); ``named``:
    the request named its language (``?lang=``)."""
    path = f"/{stem}"
    location = None
    if negotiated:
        # the document with these very bytes: a default-language page whose links carry no
        # language is /x.html; /x.html?lang=de is the page whose links keep lang=de
        carried = rep.lang and link_lang(rep.lang, site.settings.default_lang, named)
        lang = {"lang": rep.lang} if carried else {}
        location = render.page_url(f"{path}.{rep.format.key}", rep.page, **lang)
    canonical = f"{site.base_iri}{stem}"
    if rep.format is HTML and rep.lang and chosen is not None:  # the page's <link rel="canonical">
        canonical = render.canonical_iri(canonical, rep.lang, site.settings.default_lang, rep.page)
    links = [f'<{canonical}>; rel="canonical"']
    links += [link(alt["href"], alt["format"]) for alt in render.alternates(path, rep.page)]
    links += [f'<{href}>; rel="{rel}"'
              for rel, href in render.page_links(path, rep.page, rep.pages).items() if href]
    profiled = chosen is None or rep.format is not HTML  # HTML pages are the full description
    if profiled:
        uri, token = (ALT_URI, ALT_TOKEN) if chosen is None else (chosen.uri(site.base_iri), chosen.token)
        links.append(f'<{uri}>; rel="profile"')
        if chosen is not PROFILES[0] and location is not None:
            location = f"{location}{'&' if '?' in location else '?'}_profile={token}"
    headers = [("Content-Location", location)] if location is not None else []
    headers.append(("Link", ", ".join(links)))
    if rep.lang:
        headers.append(("Content-Language", rep.lang))
    if profiled:
        headers.append(("Content-Profile", f"<{uri}>"))
    return headers
