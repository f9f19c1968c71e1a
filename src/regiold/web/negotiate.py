"""Choose the representation of a request: suffix or ``?format=`` first, then ``Accept``.

Pure functions over werkzeug's parsed headers; formats come only from ``rdf/formats.py``.
"""

from __future__ import annotations

from werkzeug.datastructures import LanguageAccept, MIMEAccept

from regiold.errors import NotAcceptable
from regiold.publish.labels import LANGS
from regiold.rdf.formats import RESOURCE, Format, by_key


def negotiate(suffix: str | None, accept: MIMEAccept, offered: tuple[Format, ...] = RESOURCE,
              *, format_param: str | None = None) -> Format:
    """The format to send.

    An explicit choice wins: the document suffix (``/org/x.ttl``), then ``?format=`` (a key such
    as ``ttl``/``turtle`` or a media type). Otherwise the best ``Accept`` match honouring q-values
    and wildcards; no usable ``Accept`` (absent, ``*/*`` or unparsable) gives ``offered[0]``.

    :raises NotAcceptable: the explicit choice is not on offer, or ``Accept`` excludes every format.
    """
    for choice in (suffix, format_param):
        if choice:
            chosen = by_key(choice, offered) or _by_media_type(choice, offered)
            if chosen is None:
                raise NotAcceptable([f.media_type for f in offered])
            return chosen
    if not any("/" in value for value, _ in accept):  # absent or no media range at all
        return offered[0]
    # Aliases count only when named: "application/*" must not get HTML through application/xhtml+xml.
    named = {value.lower() for value, quality in accept if quality > 0}
    best = accept.best_match([t for f in offered for t in f.media_types
                              if t == f.media_type or t in named])
    if best is None:
        raise NotAcceptable([f.media_type for f in offered])
    return next(f for f in offered if best in f.media_types)


def _by_media_type(value: str, offered: tuple[Format, ...]) -> Format | None:
    value = value.split(";")[0].strip().lower()
    return next((f for f in offered if value in f.media_types), None)


def language(param: str | None, accept_language: LanguageAccept, default: str) -> str:
    """``?lang=`` if it names a supported language, else the best ``Accept-Language``, else
    ``default``."""
    if param and param.lower() in LANGS:
        return param.lower()
    best = accept_language.best_match(LANGS) if accept_language else None
    return best or default
