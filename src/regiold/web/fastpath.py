"""The fast path: complete responses of resource pages answered without Flask.

A hot GET or HEAD of a resource page spends most of its time in Flask (routing, negotiation,
headers), not in rendering, which is memoised per data version. This WSGI layer sits in front of
the Flask app and keeps, per data version, the complete responses that the Flask path marked
cacheable (``mark_cacheable``): status, every header in order, body. A later request with the
same path, query string and negotiated variant is answered from that table, byte for byte as
Flask would answer it, including 304 for ``If-None-Match``/``If-Modified-Since``.

What a response depends on: the path, the query string (``format``, ``lang``, ``page``) and the
variant negotiated from ``Accept``, ``Accept-Language`` and ``Accept-Encoding``; the variant of
each distinct header triple is computed once with the same functions the Flask path uses.
Anything else — other methods, a request body, a conditional header that is not an exact match,
the rate-limited routes — goes through Flask unchanged, with its guard (guard.py). An entry only
enters the table after Flask accepted the same path and query, so the request limits held for it.

A reload swaps the Site: the table belongs to one Site and is dropped with it, and a response
built on an older Site never enters the newer table. Both tables are bounded: the responses by
``hot_responses`` entries and ``cache_mb`` of bodies and headers (a crawler asks each page once,
so the bytes of large pages must not pile up).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from flask import request
from werkzeug.datastructures import Accept, LanguageAccept, MIMEAccept
from werkzeug.http import parse_accept_header, remove_entity_headers

from regiold.errors import NotAcceptable
from regiold.publish.site import DEFAULT_CACHE_BYTES, Budget, Site, SiteHolder
from regiold.rdf.formats import RESOURCE
from regiold.web.guard import RATE_LIMITED_PREFIXES, oversized_header
from regiold.web.negotiate import language, negotiate

MARK = "regiold.hot"  # environ key: set by the Flask path when its response may be kept
MAX_VARIANTS = 512  # distinct (Accept, Accept-Language, Accept-Encoding) triples remembered
MAX_BODY_BYTES = 1 << 20  # larger bodies are not duplicated into the table
NOT_MODIFIED = "304 NOT MODIFIED"
OK = "200 OK"

Headers = list[tuple[str, str]]
StartResponse = Callable[..., object]
WsgiApp = Callable[[dict, StartResponse], Iterable[bytes]]
Variant = tuple[str | None, str, bool]  # format key (None: Accept excludes all), language, gzip


@dataclass(frozen=True)
class _Mark:
    site: Site
    etags: frozenset[str]  # the identity and gzip tags: either one in If-None-Match gives 304


@dataclass(frozen=True)
class _Entry:
    status: str
    headers: Headers
    body: bytes
    not_modified: Headers  # the headers of the 304, as werkzeug strips them
    etags: frozenset[str]
    last_modified: str | None

    @property
    def nbytes(self) -> int:
        """About the memory this holds: the body (often shared with the memo's Representation)
        and the headers, twice (the 200's and the 304's)."""
        return 256 + len(self.body) + 2 * sum(len(name) + len(value) + 64 for name, value in self.headers)


def mark_cacheable(site: Site, etag: str, gzip_etag: str) -> None:
    """Called by the Flask path: this request's response (if 200) depends only on what the fast
    path keys on, and stays valid for the life of ``site``."""
    tags = {etag, gzip_etag}
    request.environ[MARK] = _Mark(site, frozenset(tags | {f"W/{tag}" for tag in tags}))


@dataclass
class _Table:
    """The responses of one Site; at most ``limit`` entries and ``max_bytes``, oldest dropped first."""

    site: Site
    limit: int
    max_bytes: int = DEFAULT_CACHE_BYTES
    responses: dict[tuple[str, str, Variant], _Entry] = field(default_factory=dict)
    variants: dict[tuple[str, str, str], Variant] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.budget = Budget(self.limit, self.max_bytes)

    def variant(self, environ: dict) -> Variant:
        headers = (environ.get("HTTP_ACCEPT", ""), environ.get("HTTP_ACCEPT_LANGUAGE", ""),
                   environ.get("HTTP_ACCEPT_ENCODING", ""))
        known = self.variants.get(headers)
        if known is None:
            known = _negotiate(headers, self.site.settings.default_lang)
            if len(self.variants) >= MAX_VARIANTS:
                self.variants.clear()  # bounded; refilled by the next requests
            self.variants[headers] = known
        return known

    def put(self, key: tuple[str, str, Variant], entry: _Entry) -> None:
        with self.lock:
            dropped = self.budget.admit(key, entry.nbytes)
            if dropped is None:
                return
            for old in dropped:
                self.responses.pop(old, None)
            if key not in dropped:
                self.responses[key] = entry


def _negotiate(headers: tuple[str, str, str], default_lang: str) -> Variant:
    """The same decisions as the Flask path (pages.py, responses.py) with no suffix or parameter."""
    accept, accept_language, accept_encoding = headers
    try:
        fmt: str | None = negotiate(None, parse_accept_header(accept, MIMEAccept), RESOURCE).key
    except NotAcceptable:
        fmt = None
    lang = language(None, parse_accept_header(accept_language, LanguageAccept), default_lang)
    encodings = parse_accept_header(accept_encoding, Accept)
    return fmt, lang, bool(encodings) and encodings["gzip"] > 0


EXTENSION_KEY = "regiold.hot_responses"  # app.extensions key: the HotResponses layer, if any
First = Callable[[dict, Site, Variant], "tuple[Headers, bytes, frozenset[str]] | None"]


class HotResponses:
    """WSGI middleware: answer marked responses from a per-version table, else ``first`` (a
    first rendering without Flask, web/first.py) when it can, else call ``app``."""

    def __init__(self, app: WsgiApp, holder: SiteHolder, *, limit: int, max_bytes: int = DEFAULT_CACHE_BYTES,
                 first: First | None = None) -> None:
        self.app, self.holder, self.limit, self.max_bytes, self.first = app, holder, limit, max_bytes, first
        self._table = _Table(holder.site, limit, max_bytes)
        self._lock = threading.Lock()

    def __call__(self, environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD")
        if method not in ("GET", "HEAD") or not _plain(environ):
            return self.app(environ, start_response)
        table = self._current()
        try:
            variant = table.variant(environ)
        except Exception:  # noqa: BLE001 - Flask answers it, with its own error mapping
            return self.app(environ, start_response)
        key = (environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""), variant)
        entry = table.responses.get(key)
        if entry is not None:
            answer = _answer(entry, environ, method)
            if answer is not None:
                status, headers, body = answer
                start_response(status, list(headers))
                return [body]
        if method == "GET" and self.first is not None:
            try:
                rendered = self.first(environ, table.site, variant)
            except Exception:  # noqa: BLE001 - Flask answers it, with its own error mapping
                rendered = None
            if rendered is not None:
                headers, body, etags = rendered
                table.put(key, _entry(OK, headers, body, _Mark(table.site, etags)))
                start_response(OK, list(headers))
                return [body]
        return self._through_flask(environ, start_response, table, key)

    def forget(self) -> None:
        """Drop every kept response (serve/warm.py: what warming the code paths rendered)."""
        with self._lock:
            self._table = _Table(self.holder.site, self.limit, self.max_bytes)

    def _current(self) -> _Table:
        site = self.holder.site
        table = self._table
        if table.site is not site:
            with self._lock:
                if self._table.site is not site:
                    self._table = _Table(site, self.limit, self.max_bytes)
                table = self._table
        return table

    def _through_flask(self, environ: dict, start_response: StartResponse, table: _Table,
                       key: tuple[str, str, Variant]) -> Iterable[bytes]:
        seen: list[tuple[str, Headers]] = []

        def recording(status: str, headers: Headers, *args: object) -> object:
            seen.append((status, headers))
            return start_response(status, headers, *args)

        body = self.app(environ, recording)
        mark = environ.get(MARK)
        if (mark is None or mark.site is not table.site or environ["REQUEST_METHOD"] != "GET"
                or not seen or not seen[0][0].startswith("200 ")):
            return body
        chunks = list(body)
        if hasattr(body, "close"):
            body.close()
        whole = b"".join(chunks)
        if len(whole) <= MAX_BODY_BYTES:
            table.put(key, _entry(*seen[0], whole, mark))
        return [whole]


def _plain(environ: dict) -> bool:
    """No request body, no Accept-Profile and not a rate-limited route: nothing of guard.py can
    refuse it, and the table's key says everything the answer depends on."""
    if environ.get("CONTENT_LENGTH", "0") not in ("", "0") or "HTTP_TRANSFER_ENCODING" in environ:
        return False
    if oversized_header(environ):
        return False
    if "HTTP_ACCEPT_PROFILE" in environ:  # rare: not a key of the table (the Flask path decides)
        return False
    path = environ.get("PATH_INFO", "")
    return not any(path == prefix or path.startswith(prefix + "/") for prefix in RATE_LIMITED_PREFIXES)


def _entry(status: str, headers: Headers, body: bytes, mark: _Mark) -> _Entry:
    not_modified = list(headers)
    remove_entity_headers(not_modified)
    modified = next((value for name, value in headers if name.lower() == "last-modified"), None)
    return _Entry(status, list(headers), body, not_modified, mark.etags, modified)


def _answer(entry: _Entry, environ: dict, method: str) -> tuple[str, Headers, bytes] | None:
    """(status, headers, body) from the table, or None when only Flask can decide (a conditional
    header that is not an exact match of this entry's validators).

    Not werkzeug's conditional check (responses.conditional): that needs a Response and parses the
    headers, the cost this path exists to skip. An exact string match is safe without parsing;
    lists, other tags and other dates go to Flask, so the rules live there once.
    """
    if "HTTP_IF_MATCH" in environ or "HTTP_IF_UNMODIFIED_SINCE" in environ:
        return None  # preconditions (412) are Flask's too
    if_none_match = environ.get("HTTP_IF_NONE_MATCH")
    if if_none_match is not None:
        if if_none_match.strip() not in entry.etags:
            return None
        return NOT_MODIFIED, entry.not_modified, b""
    since = environ.get("HTTP_IF_MODIFIED_SINCE")
    if since is not None:
        if since.strip() != entry.last_modified:
            return None
        return NOT_MODIFIED, entry.not_modified, b""
    return entry.status, entry.headers, b"" if method == "HEAD" else entry.body
