"""Request-level protections, installed by ``create_app``: they run before any route.

- client identity: ``X-Forwarded-For`` (and -Proto/-Host/-Port) honoured only from the number of
  trusted reverse proxies given by ``trusted_proxies`` (werkzeug's ProxyFix); otherwise ignored;
- limits: request target longer than ``max_url_bytes`` → 414; a declared body larger than
  ``MAX_CONTENT_LENGTH`` → 413; control characters (``%00``…) in the path, or a target that is
  no path → 400; an
  ``Accept*`` header over ``MAX_ACCEPT_BYTES`` or ``MAX_ACCEPT_ITEMS`` → 400 before anything parses
  it (werkzeug's parser costs seconds of CPU on 10^5 alternatives);
- rate limit: ``rate_limit`` requests per minute per client to /sparql and /search, a token bucket
  per worker process → 429 with ``Retry-After`` (for /sparql decided in sparql_front.py, before
  Flask, with the same buckets);
- security headers on every response (routes may set their own CSP first).

See docs/SECURITY.md for the threat model and the tests that prove each protection.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections import OrderedDict

from flask import Flask, Response, request
from werkzeug.middleware.proxy_fix import ProxyFix

from regiold.errors import BadRequest, PayloadTooLarge, RegioldError, TooManyRequests, UriTooLong
from regiold.settings import Settings

RATE_LIMITED_PREFIXES = ("/sparql", "/search")
BUCKETS = "regiold.rate_buckets"  # app.extensions key: the TokenBuckets (None: no rate limit)
RATE_COUNTED = "regiold.rate_counted"  # environ key: the request's token was taken before Flask
MAX_TRACKED_CLIENTS = 10_000  # bounded memory even when every request comes from a new address
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
MAX_ACCEPT_BYTES = 4096  # browsers send < 300; the longest real client lists stay < 1 KB
MAX_ACCEPT_ITEMS = 64  # comma-separated alternatives
NEGOTIATION_HEADERS = ("HTTP_ACCEPT", "HTTP_ACCEPT_LANGUAGE", "HTTP_ACCEPT_ENCODING",
                       "HTTP_ACCEPT_CHARSET")

# Scripts only from our own origin: the embedded JSON-LD block is data, never executed. Inline
# style attributes are allowed (the query editor sets them); they cannot run code.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


class TokenBuckets:
    """``per_minute`` requests per minute and client, bursts up to ``per_minute``; thread-safe."""

    def __init__(self, per_minute: int, *, clock: object = time.monotonic) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0  # tokens per second
        self._clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # client → (tokens, t)
        self._lock = threading.Lock()

    def take(self, client: str) -> float:
        """0 when the request may pass, else the seconds until it would."""
        now = self._clock()  # type: ignore[operator]
        with self._lock:
            tokens, then = self._buckets.pop(client, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - then) * self.rate)
            wait = 0.0 if tokens >= 1 else (1 - tokens) / self.rate
            self._buckets[client] = (tokens - 1 if wait == 0 else tokens, now)
            while len(self._buckets) > MAX_TRACKED_CLIENTS:
                self._buckets.popitem(last=False)  # least recently seen
            return wait

    def refusal(self, client: str, path: str) -> TooManyRequests | None:
        """None when ``client`` may pass (its token is taken), else the 429 to answer."""
        wait = self.take(client)
        if wait <= 0:
            return None
        error = TooManyRequests(f"more than {int(self.capacity)} requests per minute to {path}")
        error.retry_after = max(1, math.ceil(wait))
        return error


def install(app: Flask, settings: Settings) -> None:
    """Install the limits and the security headers (the buckets are ``app.extensions[BUCKETS]``,
    shared with the SPARQL front, which counts /sparql before Flask)."""
    buckets = TokenBuckets(settings.rate_limit) if settings.rate_limit > 0 else None
    app.extensions[BUCKETS] = buckets

    @app.before_request
    def check_limits() -> None:
        _check_target(settings.max_url_bytes)
        oversized = oversized_header(request.environ)
        if oversized:
            request.environ[oversized] = ""  # the error page negotiates too: not on this value
            name = oversized[5:].replace("_", "-").title()
            raise BadRequest(f"{name} header longer than {MAX_ACCEPT_BYTES} bytes or with "
                             f"more than {MAX_ACCEPT_ITEMS} alternatives")
        limit = app.config.get("MAX_CONTENT_LENGTH")
        if limit is not None and (request.content_length or 0) > limit:
            raise PayloadTooLarge(f"request body larger than {limit} bytes")
        if (buckets is not None and not request.environ.get(RATE_COUNTED)
                and _rate_limited(request.path)):
            error = buckets.refusal(request.remote_addr or "unknown", request.path)
            if error is not None:
                raise error

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response


def trust_proxies(app: Flask, settings: Settings) -> None:
    """Honour ``X-Forwarded-*`` from ``trusted_proxies`` hops: the outermost layer, so that every
    layer inside (the fast path, the SPARQL front, Flask) sees the same client address."""
    if settings.trusted_proxies > 0:
        hops = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops,  # type: ignore[method-assign]
                                x_port=hops)


def oversized_header(environ: dict) -> str | None:
    """The environ key of the first negotiation header over the limits, None when all are within."""
    for key in NEGOTIATION_HEADERS:
        value = environ.get(key, "")
        if len(value) > MAX_ACCEPT_BYTES or value.count(",") >= MAX_ACCEPT_ITEMS:
            return key
    return None


def _rate_limited(path: str) -> bool:
    return any(path == prefix or path.startswith(prefix + "/") for prefix in RATE_LIMITED_PREFIXES)


def _check_target(max_bytes: int) -> None:
    refused = target_refused(request.environ, max_bytes)
    if refused is not None:
        raise refused


def target_refused(environ: dict, max_bytes: int) -> RegioldError | None:
    """The error for a request target that is too long, is no path (``*`` aside: ``OPTIONS *``)
    or has control characters in its path."""
    path = environ.get("PATH_INFO", "")
    query = environ.get("QUERY_STRING", "")
    if len(path) + len(query) > max_bytes:
        return UriTooLong(f"request target longer than {max_bytes} bytes")
    if not path.startswith("/") and path != "*":  # `GET health HTTP/1.1`: granian passes ""
        # (else werkzeug redirects to http://<Host>/: the Host header in an absolute URL)
        return BadRequest("the request target is not a path beginning with '/'")
    if _CONTROL.search(path):
        return BadRequest("control characters are not allowed in the path")
    return None
