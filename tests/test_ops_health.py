"""Liveness, readiness, security headers and limits, through the Flask app and a live server."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from ops_routes import sample_urls
from regiold import create_app
from regiold.web.guard import TokenBuckets


def test_health_and_ready_report_version_and_triples(mini_app):
    client = mini_app.test_client()
    assert client.get("/health").json == {"status": "ok"}
    ready = client.get("/ready")
    assert ready.status_code == 200 and ready.headers["Cache-Control"] == "no-store"
    site = mini_app.extensions["regiold"].site
    assert ready.json["version"] == site.version
    assert ready.json["triples"] == site.store.triple_count() > 0
    assert ready.json["store"] == "ok"


class BrokenStore:
    """A store whose backend is gone, as a stopped remote store looks from regiold."""

    def __init__(self, store):
        self._store = store

    def __getattr__(self, name):
        from regiold.errors import StoreUnavailable

        def fail(*args, **kwargs):
            raise StoreUnavailable("connection refused")
        return fail if name in {"ask", "select", "construct", "triple_count", "ping"} else getattr(
            self._store, name)


def test_ready_is_503_with_retry_after_when_the_store_does_not_answer(mini_app):
    site = mini_app.extensions["regiold"].site
    site.store = BrokenStore(site.store)
    response = mini_app.test_client().get("/ready")
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert response.json["store"] == "unreachable" and response.json["version"] == site.version
    assert mini_app.test_client().get("/health").status_code == 200  # alive, just not ready


@pytest.mark.parametrize("header, check", [
    ("X-Content-Type-Options", lambda v: v == "nosniff"),
    ("Referrer-Policy", lambda v: v in {"no-referrer", "strict-origin-when-cross-origin",
                                        "same-origin"}),
    ("X-Frame-Options", lambda v: v == "DENY"),
    ("Content-Security-Policy", lambda v: "script-src 'self'" in v and "frame-ancestors 'none'" in v),
])
def test_security_headers_on_every_route(mini_app, header, check):
    client = mini_app.test_client()
    for url in sample_urls(mini_app):
        value = client.get(url).headers.get(header)
        assert value is not None and check(value), (url, value)


def test_csp_never_allows_inline_or_foreign_scripts(mini_app):
    for url in sample_urls(mini_app):
        csp = mini_app.test_client().get(url).headers["Content-Security-Policy"]
        directives = dict((d.split(" ", 1) + [""])[:2] for d in csp.split("; "))
        scripts = directives.get("script-src", directives.get("default-src", ""))
        assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts, url
        assert "http" not in scripts and "*" not in scripts, url


def test_overlong_target_is_414_and_oversized_body_is_413(mini_app):
    client = mini_app.test_client()
    long = client.get("/org/" + "a" * 9000)
    assert long.status_code == 414 and long.content_type == "application/problem+json"
    query = client.get("/search?q=" + "a" * 9000)
    assert query.status_code == 414
    limit = mini_app.config["MAX_CONTENT_LENGTH"]
    body = client.post("/sparql", data=b"x" * (limit + 1),
                       headers={"Content-Type": "application/sparql-query"})
    assert body.status_code == 413 and "Traceback" not in body.get_data(as_text=True)


def test_rate_limit_answers_429_with_retry_after(mini_site: Path, settings_for):
    app = create_app(settings_for(mini_site, rate_limit=3))
    client = app.test_client()
    statuses = [client.get("/search?q=alpha").status_code for _ in range(3)]
    assert 429 not in statuses
    limited = client.get("/sparql?query=ASK%7B%7D")  # one bucket for /sparql and /search
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert client.get("/health").status_code == 200  # pages are not limited
    other = client.get("/search?q=alpha", environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert other.status_code != 429  # per client


def test_rate_limit_zero_turns_it_off(mini_site: Path, settings_for):
    client = create_app(settings_for(mini_site, rate_limit=0)).test_client()
    assert all(client.get("/search?q=a").status_code != 429 for _ in range(300))


def test_token_bucket_refills_at_the_configured_rate():
    now = [0.0]
    buckets = TokenBuckets(60, clock=lambda: now[0])  # one per second, bursts of 60
    assert all(buckets.take("a") == 0 for _ in range(60))
    assert buckets.take("a") == pytest.approx(1.0)
    now[0] += 1.0
    assert buckets.take("a") == 0


def test_forwarded_for_is_ignored_without_a_trusted_proxy(mini_site: Path, settings_for):
    app = create_app(settings_for(mini_site, rate_limit=1))
    client = app.test_client()
    client.get("/search?q=a", headers={"X-Forwarded-For": "1.1.1.1"})
    spoofed = client.get("/search?q=a", headers={"X-Forwarded-For": "2.2.2.2"})
    assert spoofed.status_code == 429  # a client cannot escape the limit by inventing addresses


def test_forwarded_for_is_honoured_from_a_trusted_proxy(mini_site: Path, settings_for):
    app = create_app(settings_for(mini_site, rate_limit=1, trusted_proxies=1))
    client = app.test_client()
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    first = client.get("/search?q=a", headers={"X-Forwarded-For": "1.1.1.1"}, environ_base=proxy)
    other = client.get("/search?q=a", headers={"X-Forwarded-For": "2.2.2.2"}, environ_base=proxy)
    again = client.get("/search?q=a", headers={"X-Forwarded-For": "1.1.1.1"}, environ_base=proxy)
    assert first.status_code != 429 and other.status_code != 429
    assert again.status_code == 429
    # only the last hop counts: a forged address prepended by the client changes nothing
    forged = client.get("/search?q=a", headers={"X-Forwarded-For": "9.9.9.9, 1.1.1.1"},
                        environ_base=proxy)
    assert forged.status_code == 429


@pytest.mark.live
def test_live_server_sends_no_version_banner(mini_site: Path):
    from ops_live import serving

    with serving(mini_site, workers=1) as server:
        for path in ("/", "/health", "/nope", "/org/" + "a" * 8100):
            response = requests.get(server.url + path, timeout=5)
            banner = response.headers.get("Server", "") + response.headers.get("X-Powered-By", "")
            assert not any(ch.isdigit() for ch in banner), banner
            assert "Python" not in banner and "Werkzeug" not in banner
            assert response.headers["X-Content-Type-Options"] == "nosniff"
            assert response.status_code < 500
        beyond = requests.get(server.url + "/org/" + "a" * 9000, timeout=5)  # gunicorn's own limit
        assert beyond.status_code == 414 and "Traceback" not in beyond.text


@pytest.mark.live
@pytest.mark.parametrize("trusted", [0, 1])
def test_live_server_trusts_forwarded_headers_only_from_trusted_proxies(mini_site: Path, trusted):
    """gunicorn itself must not apply X-Forwarded-Proto from 127.0.0.1; ProxyFix decides."""
    from ops_live import serving

    forged = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "public.example"}
    with serving(mini_site, workers=1, settings={"trusted_proxies": str(trusted)}) as server:
        sitemap = requests.get(f"{server.url}/sitemap.xml", headers=forged, timeout=10)
        assert sitemap.status_code == 200
        if trusted:
            assert "https://public.example/" in sitemap.text
        else:
            assert "public.example" not in sitemap.text
            assert "<loc>https://w3id.org/regionen-nrw/" in sitemap.text  # base_iri, never Host
