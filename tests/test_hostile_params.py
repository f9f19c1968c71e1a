"""Junk in request targets and parameters (issue 13, second audit), one test per finding; each
docstring says what the code did before."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from sparql_support import make_app, make_site

HOSTILE = '<img src=x onerror=alert(1)>"'


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    return make_app(make_site(tmp_path_factory.mktemp("params")), rate_limit=0).test_client()


ASK, DESCRIBE = "/sparql?query=ASK%20%7B%7D", "/sparql?query=DESCRIBE%20%3Corg/alpha%3E"


@pytest.mark.parametrize(("path", "name"), [
    ("/org/alpha", "format"), ("/dataset", "format"), ("/.well-known/void", "format"),
    (ASK, "format"), (DESCRIBE, "format"), (ASK, "output"), (DESCRIBE, "output"),
])
def test_an_unknown_format_is_406_naming_the_parameter(client, path, name):
    """The 406 names the parameter and the value, as the other parameters' errors do (``page``:
    "parameter page: expected a positive number, got '-1'"); it only listed the media types."""
    separator = "&" if "?" in path else "?"
    response = client.get(f"{path}{separator}{name}=bogus")
    assert response.status_code == 406
    detail = response.json["detail"]
    assert detail.startswith(f"parameter {name}: 'bogus' is not offered; acceptable media types: ")
    assert "text/turtle" in detail or "application/sparql-results+json" in detail


def test_the_406_page_escapes_the_value_it_names(client):
    response = client.get("/org/alpha", query_string={"format": HOSTILE},
                          headers={"Accept": "text/html"})
    assert response.status_code == 406
    page = response.get_data(as_text=True)
    assert "<img" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page


def _raw(url: str, request: bytes) -> bytes:
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request)
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
    return reply


@pytest.mark.live
def test_a_target_that_is_no_path_is_400_and_never_echoes_the_host(mini_site: Path):
    """``GET health HTTP/1.1`` (no leading slash: granian passes an empty path) got werkzeug's
    308 to ``http://<Host>/``: the Host header in an absolute URL (finding 7 of the issue) and a
    page that is none of regiold's error formats."""
    from ops_live import serving

    with serving(mini_site, workers=1) as server:
        for target in (b"health", b"org", b"evil.example", b"evil.example:80"):
            for method in (b"GET", b"HEAD", b"OPTIONS"):
                reply = _raw(server.url, method + b" " + target + b" HTTP/1.1\r\n"
                             b"Host: evil.example\r\nConnection: close\r\n\r\n")
                status = reply.split(b"\r\n", 1)[0]
                assert status.startswith(b"HTTP/1.1 400"), (method, target, reply[:300])
                assert b"evil.example" not in reply.lower(), (method, target, reply[:600])
        reply = _raw(server.url, b"GET health HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        assert b"the request target is not a path beginning with '/'" in reply
        assert _raw(server.url, b"GET /health HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
                    ).startswith(b"HTTP/1.1 200")


def test_the_query_editor_never_takes_its_endpoint_from_the_host_header(client):
    """The editor page took its endpoint from ``request.base_url``: ``Host: evil.example`` put
    ``http://evil.example/sparql`` into the page's text and into the editor's configuration, the
    address its queries go to (a cache in front would have kept that page for everyone). Now
    the text shows the public address and the editor gets a path on the page's own origin."""
    import json
    import re

    page = client.get("/sparql", headers={"Accept": "text/html", "Host": "evil.example"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "evil.example" not in html
    config = re.search(r'<script type="application/json" id="sparql-config">(.*?)</script>',
                       html, re.S)
    assert config and json.loads(config.group(1))["endpoint"] == "/sparql"
    assert "<code>https://w3id.org/regionen-nrw/sparql</code>" in html
