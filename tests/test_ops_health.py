"""Liveness, readiness, security headers and limits, through the Flask app and a live server."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import requests

from ops_routes import sample_urls
from processes import wait_until
from regiold import create_app
from regiold.web.guard import TokenBuckets


def test_health_and_ready_report_version_and_triples(mini_app):
    client = mini_app.test_client()
    health = client.get("/health")
    assert health.json == {"status": "ok"} and health.headers["Cache-Control"] == "no-store"
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
    assert response.headers["Retry-After"] == "5"  # docs/OPERATIONS.md, "Health and readiness"
    assert response.headers["Cache-Control"] == "no-store"
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


DOCS = Path(__file__).resolve().parents[1] / "docs"


def documented_headers() -> dict[str, str]:
    """The security headers as docs/SECURITY.md states them (the "security headers" row)."""
    row = next(line for line in (DOCS / "SECURITY.md").read_text().splitlines()
               if line.startswith("| security headers |"))
    return dict(re.findall(r"`([A-Z][\w-]+): ([^`]+)`", row))


def every_kind_of_response(app) -> list[tuple[str, object]]:
    """Every GET route, each twice (the second answer of a page comes from the fast path), HEAD,
    errors (404, 405, 406, 414, 400), and a static file."""
    client = app.test_client()
    answers = []
    for url in sample_urls(app) * 2:
        answers.append((url, client.get(url)))
    answers += [("HEAD /org/alpha", client.head("/org/alpha")),
                ("POST /org/alpha", client.post("/org/alpha")),
                ("406", client.get("/org/alpha", headers={"Accept": "image/png"})),
                ("414", client.get("/org/" + "a" * 9000)),
                ("400", client.get("/org/%00")),
                ("static", client.get("/static/regiold.css"))]
    return answers


def test_documented_security_headers_on_every_response(mini_app):
    """Exactly the CSP, Cross-Origin-Opener-Policy, nosniff, Referrer-Policy and X-Frame-Options
    that docs/SECURITY.md states, on every kind of response."""
    expected = documented_headers()
    assert set(expected) == {"Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy",
                             "X-Frame-Options", "Cross-Origin-Opener-Policy"}
    statuses = set()
    for what, response in every_kind_of_response(mini_app):
        statuses.add(response.status_code)
        for name, value in expected.items():
            assert response.headers.get(name) == value, (what, response.status_code, name)
    assert {200, 404, 405, 406, 414, 400} <= statuses


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


def test_token_buckets_track_at_most_ten_thousand_clients():
    """docs/OPERATIONS.md: memory stays bounded; the least recently seen client is dropped first
    (and so starts again with a full bucket)."""
    buckets = TokenBuckets(1, clock=lambda: 0.0)  # one request per minute; the clock stands still
    assert buckets.take("first") == 0 and buckets.take("first") > 0  # limited now
    assert buckets.take("recent") == 0
    for n in range(9_998):  # 10 000 clients tracked now
        buckets.take(f"client-{n}")
    buckets.take("one-more")  # the 10 001st: "first" was seen least recently and is dropped
    assert buckets.take("recent") > 0  # still tracked, still limited
    assert buckets.take("first") == 0  # forgotten: a full bucket again


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


@pytest.mark.live
@pytest.mark.parametrize("settings, logged", [({}, False), ({"access_log": "true"}, True)])
def test_access_log_is_off_by_default(mini_site: Path, settings: dict[str, str], logged: bool):
    """README.md and docs/OPERATIONS.md: no line per request unless ``access_log`` is on (the
    log is read after the server stopped, so nothing is still buffered)."""
    from ops_live import serving

    with serving(mini_site, workers=1, settings=settings) as server:
        for path in ("/org/alpha", "/nope-4711"):
            requests.get(server.url + path, timeout=10)
        if logged:  # the worker writes the line after the answer: wait for it, not for a clock
            wait_until(lambda: "GET /nope-4711" in server.output(), 20, server.output)
    output = server.output()
    assert "serving on" in output  # the log is the server's
    assert ("GET /nope-4711" in output) is logged, output[-2000:]


@pytest.mark.live
def test_live_server_opens_no_control_socket(mini_site: Path):
    """docs/OPERATIONS.md: gunicorn's control socket is disabled (its default place is
    $HOME/.gunicorn/gunicorn.ctl; the test server's HOME is the folder beside the site)."""
    from ops_live import serving

    with serving(mini_site, workers=1, settings={"server": "gunicorn"}) as server:
        assert requests.get(f"{server.url}/health", timeout=10).status_code == 200
    # looked at once the server has stopped: gunicorn opens the socket in a thread of its own
    assert not (mini_site.parent / ".gunicorn").exists()
    assert "Control socket listening" not in server.output()
