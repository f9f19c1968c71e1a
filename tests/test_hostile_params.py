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


@pytest.mark.parametrize("value", ["\u00b2", "\u00b9\u00b2", "\u2460", "\u0663", "\uff11", " 1", "1_0",
                                   "-1", "abc", "1.5", "0", "1234567", "9" * 5000])
def test_a_page_number_that_is_no_plain_number_is_400_naming_it(client, value):
    """``?page=²`` (a superscript two: ``str.isdigit`` says yes, ``int`` says no) was a 500;
    ``?page=٣`` (an Arabic-Indic three) served page 3 under a second URL."""
    response = client.get("/org/alpha", query_string={"page": value})
    assert response.status_code == 400, value
    assert response.json["detail"].startswith("parameter page: expected a whole number from 1 to ")
    assert repr(value[:20]) in response.json["detail"]


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


def _server_side_held(sock: socket.socket) -> bool:
    """Whether the server's end of ``sock``'s connection is still in the kernel's TCP table (a
    connection the server gave up on is gone: the kernel sends no reset after such a timeout, so
    the client's end cannot tell)."""
    client_port = sock.getsockname()[1]
    server_port = sock.getpeername()[1]
    with open("/proc/net/tcp") as table:
        rows = [line.split() for line in table.readlines()[1:]]
    return any(int(local.split(":")[1], 16) == server_port
               and int(remote.split(":")[1], 16) == client_port for _, local, remote, *_ in rows)


def _answer_started(sock: socket.socket) -> bool:
    """Whether answer bytes wait in ``sock`` (peeked: the client still reads nothing)."""
    sock.settimeout(1)
    try:
        return bool(sock.recv(1, socket.MSG_PEEK))
    except TimeoutError:
        return False


@pytest.mark.live
def test_a_client_that_stops_reading_is_dropped_after_send_timeout(tmp_path: Path):
    """A client that asked for an answer and never read it kept the connection and the answer
    in the server's memory for as long as it liked: 40 such requests for a 5.8 MB SPARQL answer
    grew each worker of the default server by about 115 MB, until the clients closed. Now the
    kernel drops a connection whose answer waits unread for ``send_timeout`` seconds
    (TCP_USER_TIMEOUT on the listening socket, which accepted connections inherit). Linux only,
as the setting: the test reads the kernel's TCP table."""
    from ops_live import serving
    from processes import wait_until

    query = "SELECT%20*%20WHERE%20%7B%3Fa%20%3Fb%20%3Fc%20.%20%3Fd%20%3Fe%20%3Ff%7D"
    request = (f"GET /sparql?query={query} HTTP/1.1\r\nHost: a\r\n"
               "Accept: application/sparql-results+xml\r\nConnection: close\r\n\r\n").encode()
    with serving(make_site(tmp_path), workers=1,
                 settings={"send_timeout": "1", "rate_limit": "0"}) as server:
        host, port = server.url.removeprefix("http://").split(":")
        assert len(_raw(server.url, request)) > 1 << 20  # far more than a stalled window takes
        stalled = socket.socket()
        stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # before the window opens
        stalled.connect((host, int(port)))
        stalled.sendall(request)
        wait_until(lambda: _answer_started(stalled), 30, lambda: "no answer came")
        assert _server_side_held(stalled)
        wait_until(lambda: not _server_side_held(stalled), 60,
                   lambda: "the server still holds the connection and its unread answer")
        stalled.close()
        assert _raw(server.url, b"GET /health HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
                    ).startswith(b"HTTP/1.1 200")
