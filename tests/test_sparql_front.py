"""The SPARQL front (web/sparql_front.py): /sparql refusals and plain queries before Flask.

A plain GET query answered by the front must be the answer the Flask route gives (the same query
POSTed as application/sparql-query goes through Flask): status, every header, body. Refusals
(429, the busy 503) come with Retry-After at once, before a request body is read, and pages keep
answering meanwhile.
"""

from __future__ import annotations

import itertools
import socket
import threading
from pathlib import Path

import pytest
import requests
from flask import request

from ops_live import serving
from processes import wait_until
from regiold import create_app

BASE = "https://w3id.org/regionen-nrw/"
ORG = f"{BASE}org/alpha"
SLOW = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . "
        "?m ?n2 ?o . ?p ?q ?r . ?s ?t ?u . ?v ?w ?x }")
CASES = [  # (query, Accept)
    (f"SELECT ?p ?o WHERE {{ <{ORG}> ?p ?o }}", "application/sparql-results+json"),
    (f"SELECT ?p ?o WHERE {{ <{ORG}> ?p ?o }}", "application/sparql-results+xml"),
    (f"SELECT ?p ?o WHERE {{ <{ORG}> ?p ?o }}", "text/csv"),
    (f"SELECT ?p ?o WHERE {{ <{ORG}> ?p ?o }} LIMIT 2", "text/tab-separated-values"),
    (f"ASK {{ <{ORG}> ?p ?o }}", "*/*"),
    (f"CONSTRUCT {{ <{ORG}> ?p ?o }} WHERE {{ <{ORG}> ?p ?o }}", "text/turtle"),
    (f"DESCRIBE <{ORG}>", "application/n-triples"),
    (f"DESCRIBE <{ORG}>", ""),
    ("SELECT * WHERE { ?s ?p ?o", "application/sparql-results+json"),  # 400 with line:column
    (f"SELECT ?p WHERE {{ <{ORG}> ?p ?o }}", "text/turtle"),  # 406: no results format accepted
    ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", "application/json"),
]


@pytest.fixture
def flask_calls(mini_site: Path, settings_for):
    """The app (rate limit off) and the methods of the /sparql requests that reached Flask."""
    app = create_app(settings_for(mini_site, rate_limit=0))
    seen: list[str] = []

    @app.before_request
    def record() -> None:
        if request.path == "/sparql":
            seen.append(request.method)

    return app, seen


@pytest.mark.parametrize(("query", "accept"), CASES)
def test_the_front_answers_as_the_flask_route_does(flask_calls, query, accept):
    app, seen = flask_calls
    client = app.test_client()
    headers = {"Accept": accept} if accept else {}
    front = client.get("/sparql", query_string={"query": query}, headers=headers)
    flask = client.post("/sparql", data=query.encode(),
                        headers={**headers, "Content-Type": "application/sparql-query"})
    assert (front.status_code, front.get_data()) == (flask.status_code, flask.get_data())
    assert sorted(front.headers.items()) == sorted(flask.headers.items())
    if front.status_code == 200:
        assert seen == ["POST"]  # the GET never reached Flask: the front answered it
    else:
        assert seen == ["GET", "POST"]  # errors: the front hands its error to Flask's handler


def test_html_and_conditional_requests_go_through_flask(flask_calls):
    app, seen = flask_calls
    client = app.test_client()
    query = f"ASK {{ <{ORG}> ?p ?o }}"
    page = client.get("/sparql", query_string={"query": query}, headers={"Accept": "text/html"})
    assert page.status_code == 200 and b"<html" in page.get_data()
    first = client.get("/sparql", query_string={"query": query}, headers={"Accept": "text/csv"})
    again = client.get("/sparql", query_string={"query": query},
                       headers={"Accept": "text/csv", "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert seen == ["GET", "GET"]  # the page and the conditional request


def test_the_fronts_rate_limit_ignores_forwarded_for(mini_site: Path, settings_for):
    client = create_app(settings_for(mini_site, rate_limit=1)).test_client()
    query = {"query": "ASK {}"}
    client.get("/sparql", query_string=query, headers={"X-Forwarded-For": "1.1.1.1"})
    spoofed = client.get("/sparql", query_string=query, headers={"X-Forwarded-For": "2.2.2.2"})
    assert spoofed.status_code == 429  # a client cannot escape the limit by inventing addresses
    assert int(spoofed.headers["Retry-After"]) >= 1
    assert spoofed.json["title"] == "Too many requests"
    assert spoofed.headers["Access-Control-Allow-Origin"] == "*"
    assert spoofed.headers["X-Frame-Options"] == "DENY"
    assert client.get("/org/alpha").status_code == 200  # pages are never rate limited


def test_the_fronts_rate_limit_follows_a_trusted_proxy(mini_site: Path, settings_for):
    client = create_app(settings_for(mini_site, rate_limit=1, trusted_proxies=1)).test_client()
    query, proxy = {"query": "ASK {}"}, {"REMOTE_ADDR": "127.0.0.1"}

    def ask(address: str) -> int:
        return client.get("/sparql", query_string=query, environ_base=proxy,
                          headers={"X-Forwarded-For": address}).status_code

    assert ask("1.1.1.1") == 200 and ask("2.2.2.2") == 200
    assert ask("1.1.1.1") == 429


@pytest.mark.live
def test_a_query_beyond_capacity_is_refused_before_its_body_and_pages_answer(mini_site: Path):
    """With every query slot taken, a POST whose body never comes gets 503 with Retry-After
    (the server does not wait for the body), and pages and /health still answer."""
    settings = {"sparql_max_concurrent": "1", "threads": "2", "rate_limit": "0"}
    with serving(mini_site, settings=settings, workers=1) as server:
        host, port = server.url.removeprefix("http://").split(":")
        slow_titles: list[str] = []

        def run_slow() -> None:  # until it gets the slot (a probe below may hold it a moment)
            while not slow_titles or slow_titles[-1] == "SPARQL endpoint busy":
                slow_titles.append(requests.get(server.url + "/sparql", params={"query": SLOW},
                                                timeout=60).json()["title"])

        slow = threading.Thread(target=run_slow)
        slow.start()

        probes = itertools.count()

        def busy() -> bool:  # each probe a new query: a remembered answer needs no slot
            query = f"ASK {{}} # probe {next(probes)}"
            return requests.get(server.url + "/sparql", params={"query": query},
                                timeout=30).status_code == 503

        wait_until(busy, 30, lambda: "no 503 while the slow query held the slot")
        with socket.create_connection((host, int(port)), timeout=30) as sock:
            sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\n"
                         b"Content-Type: application/sparql-query\r\nContent-Length: 1000\r\n"
                         b"Connection: close\r\n\r\n")
            head = sock.recv(65536).decode("latin-1")  # no body sent: the answer comes anyway
        assert head.startswith("HTTP/1.1 503"), head
        assert "\r\nretry-after: 1\r\n" in head.lower(), head
        assert slow.is_alive()  # the slow query still holds the only slot
        for path in ("/health", "/", "/org/alpha"):
            assert requests.get(server.url + path, timeout=10).status_code == 200, path
        slow.join(timeout=60)
    assert slow_titles[-1] == "SPARQL query timed out"  # it ended at the time limit


def test_a_refusal_when_every_slot_is_taken_speaks_the_clients_format(mini_site: Path,
                                                                     settings_for):
    from regiold.web.sparql_routes import query_service

    app = create_app(settings_for(mini_site, rate_limit=0))
    client = app.test_client()
    with query_service(app.extensions["regiold"].site).slot(), \
            query_service(app.extensions["regiold"].site).slot():  # the default: 2 slots
        pages = [client.get("/sparql", query_string={"query": "ASK {}", "lang": "en"},
                            headers={"Accept": "text/html"}) for _ in range(2)]
        data = client.post("/sparql", data="ASK {}", headers={
            "Accept": "application/json", "Content-Type": "application/sparql-query"})
    for page in pages:
        assert page.status_code == 503 and page.headers["Retry-After"] == "1"
        assert page.mimetype == "text/html" and 'lang="en"' in page.get_data(as_text=True)
        assert page.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert pages[0].get_data() == pages[1].get_data()
    assert data.status_code == 503 and data.headers["Retry-After"] == "1"
    assert data.json["title"] == "SPARQL endpoint busy"
    assert client.get("/sparql", query_string={"query": "ASK {}"}).status_code == 200  # freed


def test_a_remembered_answer_is_given_while_every_slot_is_taken(mini_site: Path, settings_for):
    """Repeats of a popular query are answered from this version's memo without a query slot:
    under many clients they never get the busy 503 that a query needing a worker gets."""
    from regiold.web.sparql_routes import query_service

    app = create_app(settings_for(mini_site, rate_limit=0))
    client = app.test_client()
    asked = {"query": f"SELECT ?p ?o WHERE {{ <{ORG}> ?p ?o }}"}
    json = {"Accept": "application/sparql-results+json"}
    first = client.get("/sparql", query_string=asked, headers=json)
    assert first.status_code == 200
    service = query_service(app.extensions["regiold"].site)
    with service.slot(), service.slot():  # the default: 2 slots, both taken
        again = client.get("/sparql", query_string=asked, headers=json)
        new = client.get("/sparql", query_string={"query": f"ASK {{ <{ORG}> ?p ?o }}"},
                         headers=json)
    assert again.status_code == 200 and again.get_data() == first.get_data()
    assert again.headers["ETag"] == first.headers["ETag"]
    assert new.status_code == 503 and new.headers["Retry-After"] == "1"
