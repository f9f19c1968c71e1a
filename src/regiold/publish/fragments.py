"""The parts every HTML page shares, rendered once and reused: a page's head links (hreflang, and
on a resource page its format documents), the site header (brand, search box, language switch),
the footer and a resource page's list of formats (the macros of ``templates/_chrome.html``).

Printed anew for every page they cost about half of a resource page's template time (each value
printed is escaped by a Python call; docs/performance.md, "Third pass"). What they print depends
on the language, the language internal links carry, the SPARQL link, the page's query and the
default language, a handful of values, and on the page's path, which differs on every page. So
each part is rendered once with a stand-in in place of the path and kept (``_rendered``, a bounded
LRU); a page gets it with its own path, escaped as Jinja escapes it, in place of the stand-in.
Escaping works character by character, so that gives the bytes a rendering with the path gives
(tests/test_fragments.py renders both ways).

A part is rendered for the page alone when it carries the reader's own text (the search box's
``q``), when the path could not stand in (not ``/…``, or holding the stand-in), or when a format
link does not start with the path: such a part is neither kept nor shared.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from jinja2 import Environment
from markupsafe import Markup, escape

from regiold.publish import links
from regiold.publish.labels import LANGS, UI

_STAND_IN = "\x00"  # printed by no template, unchanged by escaping, in no served path
_MACROS = "_chrome.html"
Shape = tuple[tuple[str, str, str, str], ...]  # format links: (key, media type, label, href after the path)


@dataclass(frozen=True)
class Chrome:
    """What ``render.chrome`` knows of a page beyond the template's own context."""

    path: str
    query: str
    default_lang: str
    root: str = ""  # the canonical site root (base IRI without its "/") the hreflang URLs start with


@dataclass(frozen=True)
class Parts:
    head: Markup
    header: Markup
    footer: Markup
    formats: Markup

    def all(self) -> tuple[Markup, Markup, Markup, Markup]:
        return self.head, self.header, self.footer, self.formats


def parts(env: Environment, chrome: Chrome, context: Mapping[str, object], *,
          shared: bool = True) -> Parts:
    """The shared parts of a page whose template context is ``context`` (``render.chrome``'s
    keys, plus ``alternates`` [{key, type, label, href}] on a resource page, ``q`` on the search
    page); ``shared=False`` renders them for this page alone."""
    lang, link_lang, sparql_link = context["lang"], context["link_lang"], context["sparql_link"]
    alternates: Sequence[Mapping[str, str]] = context.get("alternates") or []  # type: ignore[assignment]
    path, q = chrome.path, context.get("q")
    shape = _shape(alternates, path)
    if not shared or q or shape is None or not path.startswith("/") or _STAND_IN in path:
        return _render(env, lang, link_lang, sparql_link, chrome, alternates, q)  # type: ignore[arg-type]
    kept = _rendered(env, lang, link_lang, sparql_link, chrome.query, chrome.default_lang, shape,  # type: ignore[arg-type]
                     chrome.root)
    mark = str(escape(path))
    return Parts(*(Markup(str(part).replace(_STAND_IN, mark)) for part in (  # noqa: S704 - escaped
        kept.head, kept.header, kept.footer, kept.formats)))


def _shape(alternates: Sequence[Mapping[str, str]], path: str) -> Shape | None:
    found = []
    for alt in alternates:
        href = alt["href"]
        if not href.startswith(path):
            return None
        found.append((alt["key"], alt["type"], alt["label"], href[len(path):]))
    return tuple(found)


@lru_cache(maxsize=512)
def _rendered(env: Environment, lang: str, link_lang: str | None, sparql_link: str, query: str,
              default_lang: str, shape: Shape, root: str) -> Parts:
    alternates = [{"key": key, "type": media_type, "label": label, "href": _STAND_IN + rest}
                  for key, media_type, label, rest in shape]
    return _render(env, lang, link_lang, sparql_link, Chrome(_STAND_IN, query, default_lang, root),
                   alternates, None)


def _render(env: Environment, lang: str, link_lang: str | None, sparql_link: str, chrome: Chrome,
            alternates: Sequence[Mapping[str, str]], q: object) -> Parts:
    other = next(code for code in LANGS if code != lang)
    # hreflang URLs are absolute, as search engines require, and canonical (render.canonical_iri)
    languages = [{**alt, "href": chrome.root + str(alt["href"])}
                 for alt in links.alternates(chrome.path, lang, chrome.default_lang, chrome.query)]
    switch = {"code": other, "href": links.chosen(chrome.path, other, chrome.query),
              "label": UI[lang]["switch"]}
    macros = env.get_template(_MACROS).make_module(
        {"lang": lang, "ui": UI[lang], "link_lang": link_lang, "sparql_link": sparql_link})
    return Parts(macros.head_links(languages, alternates), macros.site_header(switch, q),
                 macros.site_footer(), macros.formats(alternates) if alternates else Markup(""))
