"""Choose the representation of a request: suffix or ``?format=`` first, then ``Accept``.

Pure functions over werkzeug's parsed headers; formats come only from ``rdf/formats.py``.
"""

from __future__ import annotations

from werkzeug.datastructures import LanguageAccept, MIMEAccept

from regiold.errors import NotAcceptable, UnknownProfile
from regiold.publish.labels import LANGS
from regiold.rdf.formats import (
    ALT_TOKEN,
    ALT_URI,
    PROFILES,
    RESOURCE,
    SAFEST,
    Format,
    Profile,
    by_key,
    by_suffix,
)


def split_suffix(path: str) -> tuple[str, str | None]:
    """A resource page's path without its document suffix, and the suffix: ``org/x.ttl`` →
    (``org/x``, ``ttl``); slugs never contain a dot (docs/ARCHITECTURE.md). The page route, its
    first renderings (web/first.py) and the page gate (web/gate.py) read a path alike."""
    head, slash, last = path.rpartition("/")
    name, dot, ext = last.partition(".")
    if dot and (name or slash) and by_suffix(ext, RESOURCE) is not None:
        return f"{head}{slash}{name}", ext  # "def/.ttl" is the document of the IRI ending in "/"
    return path, None


def negotiate(suffix: str | None, accept: MIMEAccept, offered: tuple[Format, ...] = RESOURCE,
              *, format_param: str | None = None, param_name: str = "format") -> Format:
    """The format to send.

    An explicit choice wins: the document suffix (``/org/x.ttl``), then ``?format=`` (a key such
    as ``ttl``/``turtle`` or a media type). Otherwise the best ``Accept`` match honouring q-values
    and wildcards; no usable ``Accept`` (absent, ``*/*`` or unparsable) gives ``offered[0]``.
    Among types named at the same quality, ``offered[0]`` (HTML) wins, then N-Triples
    (``formats.SAFEST``), then the order of ``offered`` (``named_order``; the static export's
    rules follow it too).

    :raises NotAcceptable: the explicit choice is not on offer (naming the parameter
        ``param_name`` if it came from there), or ``Accept`` excludes every format.
    """
    for choice, parameter in ((suffix, None), (format_param, param_name)):
        if choice:
            chosen = by_key(choice, offered) or _by_media_type(choice, offered)
            if chosen is None:
                raise NotAcceptable([f.media_type for f in offered], parameter=parameter,
                                    value=choice)
            return chosen
    if not any("/" in value for value, _ in accept):  # absent or no media range at all
        return offered[0]
    accept = _without_parameters(accept)
    # Aliases count only when named: "application/*" must not get HTML through application/xhtml+xml.
    named = {value.lower() for value, quality in accept if quality > 0}
    best = accept.best_match([t for f in offered for t in f.media_types
                              if t == f.media_type or t in named])
    if best is None:
        raise NotAcceptable([f.media_type for f in offered])
    chosen = next(f for f in offered if best in f.media_types)
    if chosen is not offered[0] and _named_alike(accept, chosen, SAFEST, offered):
        return SAFEST
    return chosen


def _without_parameters(accept: MIMEAccept) -> MIMEAccept:
    """``accept`` with the parameters of each media range dropped (``q`` is parsed already).

    werkzeug matches a range with parameters only against a type with equal ones, so
    ``text/turtle; charset=utf-8`` (the very Content-Type sent) and JSON-LD's
    ``application/ld+json;profile="http://www.w3.org/ns/json-ld#compacted"`` got 406. Every
    representation is UTF-8, the IANA registration of ``application/ld+json`` says a server
    MUST ignore profiles it does not recognise, and RFC 9110 (12.5.1) lets a server disregard
    what it cannot honour; the static export's rules skip parameters too (export/rules.py).
    """
    if not any(";" in value for value, _ in accept):
        return accept
    return MIMEAccept([(value.split(";", 1)[0].strip(), quality) for value, quality in accept])


def _named_alike(accept: MIMEAccept, chosen: Format, other: Format, offered: tuple[Format, ...]) -> bool:
    """Whether the client names ``other`` explicitly, at the quality of ``chosen``, which it
    names explicitly too (a wildcard match never counts)."""
    if other is chosen or other not in offered:
        return False
    named = {value.lower(): quality for value, quality in accept if "*" not in value}
    top = max((named.get(t, 0) for t in chosen.media_types), default=0)
    return top > 0 and any(named.get(t, 0) == top for t in other.media_types)


def _by_media_type(value: str, offered: tuple[Format, ...]) -> Format | None:
    value = value.split(";")[0].strip().lower()
    return next((f for f in offered if value in f.media_types), None)


def named_language(param: str | None) -> str | None:
    """The language ``?lang=`` names, if supported (else None): the reader chose it, and the
    page's links keep it (publish/links.py)."""
    return param.lower() if param is not None and param.lower() in LANGS else None


def language(param: str | None, accept_language: LanguageAccept, default: str) -> str:
    """``?lang=`` if it names a supported language, else the best ``Accept-Language``, else
    ``default``."""
    best = accept_language.best_match(LANGS) if accept_language else None
    return named_language(param) or best or default


def profile(param: str | None, accept_profile: str | None, base_iri: str,
            offered: tuple[Profile, ...] = PROFILES) -> Profile | None:
    """The profile to send (W3C Content Negotiation by Profile); None: the list of profiles and
    formats (``?_profile=alt``, or the ALTR URI in ``Accept-Profile``).

    ``?_profile=`` (a token or a URI) wins over ``Accept-Profile`` (``<uri>;q=…`` or tokens,
    comma-separated; ``*`` takes the default). Neither: ``offered[0]``.

    :raises UnknownProfile: nothing asked for is offered (and no ``*``); lists the known ones.
    """
    if param:
        value = param.strip().strip("<>")
        if value in (ALT_TOKEN, ALT_URI):
            return None
        return _profile_named(value, base_iri, offered) or _unknown(base_iri, offered)
    if not accept_profile or not accept_profile.strip():
        return offered[0]
    for value in _ranked(accept_profile):
        if value == "*":
            return offered[0]
        if value == ALT_URI:
            return None
        found = _profile_named(value, base_iri, offered)
        if found is not None:
            return found
    return _unknown(base_iri, offered)


def _ranked(header: str) -> list[str]:
    """The values of an ``Accept-Profile`` header by falling quality (ties keep their order);
    q=0 means "not this one" and drops the value."""
    ranked: list[tuple[float, int, str]] = []
    for index, item in enumerate(header.split(",")):
        value, *params = (part.strip() for part in item.split(";"))
        quality = 1.0
        for param in params:
            name, _, number = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(number)
                except ValueError:
                    quality = 0.0
        if value and quality > 0:
            ranked.append((-quality, index, value.strip("<>")))
    return [value for _, _, value in sorted(ranked)]


def _profile_named(value: str, base_iri: str, offered: tuple[Profile, ...]) -> Profile | None:
    return next((p for p in offered if value in (p.token, p.uri(base_iri))), None)


def _unknown(base_iri: str, offered: tuple[Profile, ...]) -> Profile:
    raise UnknownProfile([f"<{p.uri(base_iri)}> ({p.token})" for p in offered])
