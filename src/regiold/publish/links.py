"""Links between HTML pages in the reader's language (docs/ARCHITECTURE.md, "HTML language variants").

``/org/x`` is the page in the default language, ``/org/x?lang=en`` the English one. Every internal
link carries ``lang=`` on a page whose language was named in its URL (``?lang=de`` too: a reader
whose browser prefers English and who picked "Deutsch") and on every page in another language than
the default, so the chosen language sticks from page to page without a cookie (caches stay keyed
by URL alone). A default-language page reached without ``?lang=`` keeps clean links. Files
(``/static/``, ``/dumps/``) and documents of one format (``/org/x.ttl``) do not depend on the
language.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import quote

from regiold.settings import LANGS

_NO_LANGUAGE = ("/static/", "/dumps/", "/favicon.ico", "/robots.txt", "/sitemap")
_NOT_PAGES = ("//", *_NO_LANGUAGE)
_HAS_LANG = re.compile(r"[?&]lang=")
_DOCUMENT = re.compile(r"/[^/?#]*\.(?!html\b)[a-z]+(?:[?#]|$)")  # /org/x.ttl, not /org/x.html


def with_lang(href: str, lang: str | None) -> str:
    """``href`` with ``lang=`` added when it is an internal page link and ``lang`` is set."""
    if not lang or not href.startswith("/") or href.startswith(_NOT_PAGES) or _DOCUMENT.search(href):
        return href
    base, hash_, fragment = href.partition("#")
    if _HAS_LANG.search(base):
        return href
    joiner = "&" if "?" in base else "?"
    return f"{base}{joiner}lang={_quoted(lang)}{hash_}{fragment}"


@lru_cache(maxsize=16)
def _quoted(lang: str) -> str:
    """A language code as a query value (a link of every page passes here: quoted once per code)."""
    return quote(lang)


def link_lang(lang: str, default_lang: str, named: bool = False) -> str | None:
    """The ``lang=`` internal links of a page in ``lang`` carry: ``lang`` when the page's URL named
    it (``named``) or it is not the default, else None (clean links)."""
    return lang if named or lang != default_lang else None


def variant(path: str, lang: str, default_lang: str, query: str = "") -> str:
    """The one URL of ``path`` in ``lang``: no ``lang=`` for the default language."""
    params = [p for p in (query, f"lang={lang}" if lang != default_lang else "") if p]
    return f"{path}?{'&'.join(params)}" if params else path


def chosen(path: str, lang: str, query: str = "") -> str:
    """The language switch: ``lang=`` always, so it beats the browser's ``Accept-Language``."""
    return f"{path}?{query + '&' if query else ''}lang={lang}"


def alternates(path: str, lang: str, default_lang: str, query: str = "") -> list[dict[str, object]]:
    """hreflang alternates: every language at its one URL, and ``x-default``."""
    found: list[dict[str, object]] = [
        {"code": code, "href": variant(path, code, default_lang, query), "current": code == lang}
        for code in LANGS]
    found.append({"code": "x-default", "href": variant(path, default_lang, default_lang, query),
                  "current": False})
    return found
