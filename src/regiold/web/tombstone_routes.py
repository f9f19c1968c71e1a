"""Removed and renamed IRIs: 410 Gone with a tombstone, or 301 to the replacement.

Registered as one of the page routes' not-found hooks (``pages.NOT_FOUND_HOOKS``): it runs only
where the answer would otherwise be 404, so it costs live resources nothing and never shadows one.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from flask import Blueprint, Response, redirect, request
from flask.blueprints import BlueprintSetupState

from regiold.errors import Withheld
from regiold.publish import links, render, tombstones
from regiold.publish.site import WITHHELD_KEY, Site
from regiold.publish.site_loader import withheld_iris
from regiold.rdf import formats
from regiold.rdf.serialize import serialize
from regiold.web.context import current_site
from regiold.web.negotiate import language, named_language, negotiate
from regiold.web.page_routes import NOT_FOUND_HOOKS

bp = Blueprint("tombstones", __name__)
_OFFERED = formats.RESOURCE


def site_tombstones(site: Site) -> tombstones.Tombstones:
    """The site's tombstones, re-read when ``releases/tombstones.ttl`` changes."""
    path = Path(site.settings.site_dir) / tombstones.TOMBSTONE_FILE
    stamp = path.stat().st_mtime_ns if path.is_file() else 0
    key = ("tombstones", stamp)
    if key not in site.cache:
        site.cache[key] = tombstones.read_tombstones(site.settings.site_dir, base_iri=site.base_iri)
    return site.cache[key]  # type: ignore[return-value]


@bp.record_once
def _register(state: BlueprintSetupState) -> None:
    hooks = state.app.extensions.setdefault(NOT_FOUND_HOOKS, [])
    hooks += [answer_tombstone, answer_withheld]


def answer_withheld(site: Site, iri: str) -> Response | None:
    """451 for a person's IRI (or their contact's) while ``publish_persons`` is off: the IRI stays
    answerable, without a word about whom it names.

    :raises Withheld: always, for such an IRI.
    """
    if site.settings.publish_persons or iri not in _withheld(site):
        return None
    raise Withheld("Angaben zu Personen werden hier nicht veröffentlicht. "
                   "Data about persons are not published here.")


def _withheld(site: Site) -> frozenset[str]:
    """Subjects of the full data that the person-data policy keeps out (once per version; a Site
    from ``load_site`` has them already, worked out before its parse was released)."""
    found = site.cache.get(WITHHELD_KEY)
    if found is None:
        found = site.cache[WITHHELD_KEY] = withheld_iris(site.settings, site.sources)
    return found  # type: ignore[return-value]


def answer_tombstone(site: Site, iri: str) -> Response | None:
    """410 or 301 for a tombstoned IRI; None (the 404 stands) for any other."""
    stones = site_tombstones(site)
    stone = stones.find(iri) if len(stones) else None
    if stone is None:
        return None
    _, suffix = _split_suffix(request.path.lstrip("/"))
    target = stones.final_replacement(iri)
    if target is not None:
        return _moved(target, site.base_iri, suffix)
    return _gone(iri, stone, suffix)


def _split_suffix(path: str) -> tuple[str, str | None]:
    stem, dot, ext = path.rpartition(".")
    if dot and "/" not in ext and formats.by_suffix(ext, _OFFERED) is not None:
        return stem, ext
    return path, None


def _moved(target: str, base_iri: str, suffix: str | None) -> Response:
    location = "/" + target.removeprefix(base_iri) if target.startswith(base_iri) else target
    if suffix and target.startswith(base_iri):
        location += "." + suffix
    # a chosen language survives the move (publish/links.py)
    location = links.with_lang(location, named_language(request.args.get("lang")))
    response = redirect(location, code=301)
    response.headers["Vary"] = "Accept"
    return response


def _gone(iri: str, stone: tombstones.Tombstone, suffix: str | None) -> Response:
    fmt = negotiate(suffix, request.accept_mimetypes, _OFFERED,
                    format_param=request.args.get("format"))
    if fmt.oxigraph is None:
        lang = language(request.args.get("lang"), request.accept_languages,
                        current_site().settings.default_lang)
        body = render.gone_html(stone, request.path, lang, current_site().settings.default_lang,
                                named=named_language(request.args.get("lang")) is not None)
    else:
        body = serialize(_triples(iri, stone), fmt, current_site().base_iri, graph=iri).decode()
    response = Response(body, status=410, content_type=fmt.content_type)
    response.headers["Vary"] = "Accept, Accept-Language"
    response.headers["Cache-Control"] = "public, max-age=3600"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _triples(iri: str, stone: tombstones.Tombstone) -> list[ox.Triple]:
    """The tombstone's statements about the requested IRI (a hashed key is not repeated)."""
    subject = ox.NamedNode(iri)
    return [ox.Triple(subject, t.predicate, t.object) for t in stone.triples]
