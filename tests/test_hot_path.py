"""The fast path (web/fastpath.py) answers exactly as the Flask path does: two live servers on the same
data, one with the fast path and one without, must send the same status, headers (in order) and
body for every format, language, coding, HEAD and 304; a reload never serves an old entry."""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask

from live import serve_app
from regiold import create_app
from regiold.web.fastpath import EXTENSION_KEY, HotResponses

ORG = "/org/alpha"
SERVER_HEADERS = {"date", "server"}  # added by the HTTP server, not by the application
TURTLE, JSONLD, HTML = "text/turtle", "application/ld+json", "text/html"


def fetch(url: str, path: str, headers: dict[str, str] | None = None, method: str = "GET",
          body: bytes | None = None) -> tuple[int, str, list[tuple[str, str]], bytes]:
    host = urlsplit(url)
    connection = http.client.HTTPConnection(host.hostname, host.port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        kept = [(k, v) for k, v in response.getheaders() if k.lower() not in SERVER_HEADERS]
        return response.status, response.reason, kept, response.read()
    finally:
        connection.close()


def header(answer: tuple[int, str, list[tuple[str, str]], bytes], name: str) -> str:
    return next(v for k, v in answer[2] if k.lower() == name.lower())


def hot_table(app: Flask) -> dict:
    middleware = app.extensions[EXTENSION_KEY]
    assert isinstance(middleware, HotResponses)
    return middleware._current().responses


def kept(app: Flask, target: str, headers: dict[str, str]) -> bool:
    """Whether the fast path holds the response to this request."""
    path, _, query = target.partition("?")
    environ = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()}
    return (path, query, app.extensions[EXTENSION_KEY]._current().variant(environ)) in hot_table(app)


@pytest.fixture
def servers(mini_site: Path, settings_for) -> Iterator[tuple[Flask, str, Flask, str]]:
    fast = create_app(settings_for(mini_site))
    plain = create_app(settings_for(mini_site, hot_responses=0))
    assert EXTENSION_KEY not in plain.extensions
    with serve_app(fast) as fast_url, serve_app(plain) as plain_url:
        yield fast, fast_url, plain, plain_url


REQUESTS = [
    (ORG, {"Accept": accept, **extra})
    for accept in (HTML, TURTLE, JSONLD, "*/*", "text/turtle;q=0.5, application/ld+json")
    for extra in ({}, {"Accept-Encoding": "gzip"}, {"Accept-Language": "en"})
] + [
    (f"{ORG}.ttl", {"Accept-Encoding": "gzip, deflate"}),
    (f"{ORG}?format=jsonld", {"Accept": HTML}),
    (f"{ORG}?lang=en", {"Accept-Language": "de"}),
    (f"{ORG}?lang=de", {"Accept-Language": "en"}),
    ("/", {"Accept-Language": "en", "Accept-Encoding": "gzip"}),
]


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_fast_path_answers_byte_identical_to_flask(servers, method: str):
    fast, fast_url, _, plain_url = servers
    for path, headers in REQUESTS:
        expected = fetch(plain_url, path, headers, method)
        fetch(fast_url, path, headers)  # fills the table
        assert kept(fast, path, headers)
        assert fetch(fast_url, path, headers, method) == expected, (path, headers)
        assert expected[0] == 200


def test_conditional_requests_get_the_same_304_or_200(servers):
    _, fast_url, _, plain_url = servers
    for headers in ({}, {"Accept-Encoding": "gzip"}):
        first = fetch(fast_url, ORG, {"Accept": TURTLE, **headers})
        etag, modified = header(first, "ETag"), header(first, "Last-Modified")
        gzip_tag = etag[:-1] + '-gz"' if not etag.endswith('-gz"') else etag.replace('-gz"', '"')
        for conditional in ({"If-None-Match": etag}, {"If-None-Match": f"W/{etag}"},
                            {"If-None-Match": gzip_tag}, {"If-Modified-Since": modified},
                            {"If-None-Match": '"other"', "If-Modified-Since": modified},
                            {"If-Modified-Since": "Mon, 01 Jan 1990 00:00:00 GMT"},
                            {"If-None-Match": f'"x", {etag}'}):
            request = {"Accept": TURTLE, **headers, **conditional}
            expected = fetch(plain_url, ORG, request)
            assert fetch(fast_url, ORG, request) == expected, conditional
            assert expected[0] == (200 if "other" in str(conditional) or "1990" in str(conditional)
                                   else 304)


def test_a_named_and_a_plain_german_page_never_get_each_others_bytes(servers):
    """``?lang=de`` (links keep ``lang=de``) and the plain URL (clean links) are two responses:
    the table, the ETags and 304s keep them apart, as the Flask path does."""
    fast, fast_url, _, plain_url = servers
    german = {"Accept": HTML, "Accept-Language": "de"}
    named_path = f"{ORG}?lang=de"
    for _ in range(2):  # the second round is answered from the table
        plain, named = fetch(fast_url, ORG, german), fetch(fast_url, named_path, german)
        assert kept(fast, ORG, german) and kept(fast, named_path, german)
        assert b'class="brand" href="/"' in plain[3] and b'class="brand" href="/?lang=de"' in named[3]
    assert header(plain, "ETag") != header(named, "ETag")
    assert "Accept-Language" in header(plain, "Vary")
    for url in (fast_url, plain_url):
        for path, own, other in ((ORG, plain, named), (named_path, named, plain)):
            assert fetch(url, path, {**german, "If-None-Match": header(own, "ETag")})[0] == 304
            assert fetch(url, path, {**german, "If-None-Match": header(other, "ETag")})[0] == 200


def test_reload_never_serves_an_old_entry(servers, mini_site: Path):
    fast, fast_url, plain, plain_url = servers
    old = fetch(fast_url, ORG, {"Accept": TURTLE})
    assert fetch(fast_url, ORG, {"Accept": TURTLE}) == old  # from the table
    orgs = mini_site / "data" / "orgs.ttl"
    orgs.write_text(orgs.read_text().replace('"Beta-Kreis"@de', '"Beta-Kreis Neu"@de'))
    for app in (fast, plain):
        assert app.extensions["regiold.reloader"].reload().state == "reloaded"
    new = fetch(fast_url, ORG, {"Accept": TURTLE})
    assert header(new, "ETag") != header(old, "ETag")
    assert new == fetch(plain_url, ORG, {"Accept": TURTLE})
    assert fetch(fast_url, ORG, {"Accept": TURTLE, "If-None-Match": header(old, "ETag")})[0] == 200


def test_table_is_bounded_and_errors_are_never_kept(mini_site: Path, settings_for):
    app = create_app(settings_for(mini_site, hot_responses=2))
    with serve_app(app) as url:
        for accept in (HTML, TURTLE, JSONLD, HTML):
            assert fetch(url, ORG, {"Accept": accept})[0] == 200
        assert fetch(url, "/org/nobody", {"Accept": TURTLE})[0] == 404
        assert fetch(url, ORG, {"Accept": "image/png"})[0] == 406
        assert len(hot_table(app)) == 2


def test_request_limits_still_apply_to_kept_pages(servers):
    fast, fast_url, _, _ = servers
    fetch(fast_url, ORG, {"Accept": TURTLE})
    limit = fast.config["MAX_CONTENT_LENGTH"]
    too_large = fetch(fast_url, ORG, {"Accept": TURTLE}, body=b"x" * (limit + 1))
    assert too_large[0] == 413
    assert fetch(fast_url, ORG + "?" + "x" * 9000, {"Accept": TURTLE})[0] == 414
