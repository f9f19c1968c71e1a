"""Pages are served in turn within a worker (issue 12, the crawl's tail; web/gate.py): a request
waits for the pages that came before it, instead of sharing the interpreter with all of them at
once, and /sparql never waits behind pages (issue 13: pages and queries have separate capacity).

The ordering is checked in process, through the app's WSGI stack with a page held inside it; the
live test checks that, with the default settings, pages still answer while every query slot and
body reader of the worker is taken. The latency this buys is bench/crawl.py's (docs/performance.md,
"Fourth pass").
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
from werkzeug.test import Client

from ops_live import serving
from processes import wait_until
from regiold import create_app
from regiold.publish.lookup import incoming_size
from regiold.settings import Settings
from regiold.web.gate import PageGate
from test_hostile_clients import PAGE_DEADLINE, SLOW, slow_bodies

PAGES = ["/", "/org/alpha", "/health", "/org/alpha.ttl", "/sitemap.xml"]


class Held:
    """A WSGI layer inside the gate: records the order requests reach it; ``/org/alpha`` stays
    inside until ``release`` is set (a long rendering)."""

    def __init__(self, app) -> None:  # noqa: ANN001
        self.app, self.entered = app, []
        self.inside, self.release = threading.Event(), threading.Event()

    def __call__(self, environ: dict, start_response):  # noqa: ANN204
        self.entered.append(environ["PATH_INFO"])
        if environ["PATH_INFO"] == "/org/alpha":
            self.inside.set()
            assert self.release.wait(60), "never released"
        return self.app(environ, start_response)


def _app(site: Path, **overrides: object):  # noqa: ANN202
    """The app with regiold's defaults but ``overrides`` (only the folders set)."""
    return create_app(Settings.load({"site_dir": site, "cache_dir": site / ".cache", **overrides},
                                    environ={}))


def _get(app, path: str, answers: list[tuple[str, int]], accept: str = "text/turtle") -> None:  # noqa: ANN001
    answers.append((path, Client(app).get(path, headers={"Accept": accept}).status_code))


@contextmanager
def holding(app) -> Iterator[Held]:  # noqa: ANN001
    """``/org/alpha`` asked for and held inside ``app``'s gate for the block."""
    gate = app.wsgi_app
    held = gate.app = Held(gate.app)
    first = threading.Thread(target=_get, args=(gate, "/org/alpha", []))
    first.start()
    assert held.inside.wait(30)
    try:
        yield held
    finally:
        held.release.set()
        first.join(60)


def test_pages_are_served_in_the_order_they_came(mini_site: Path):
    app = _app(mini_site)
    gate = app.wsgi_app
    assert isinstance(gate, PageGate)  # the default: one page at a time per worker
    answers: list[tuple[str, int]] = []
    with holding(app) as held:
        queued = []
        for number, path in enumerate(["/", "/health", "/org/alpha.ttl", "/sitemap.xml"], start=1):
            thread = threading.Thread(target=_get, args=(gate, path, answers))
            thread.start()
            queued.append(thread)
            wait_until(lambda n=number: gate.gate.waiting == n, 30,
                       lambda n=number: f"{gate.gate.waiting} waiting, not {n}")
        assert held.entered == ["/org/alpha"]  # no page ran beside the long rendering
        # a query has its own capacity: it runs and is answered while the page holds the turn
        query = Client(gate).get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"},
                                 headers={"Accept": "application/sparql-results+json"})
        assert query.status_code == 200 and query.get_json()["boolean"] is True
    for thread in queued:
        thread.join(60)
    assert held.entered == ["/org/alpha", "/sparql", "/", "/health", "/org/alpha.ttl", "/sitemap.xml"]
    assert sorted(answers) == sorted((path, 200) for path in held.entered[2:])


def test_a_request_with_a_body_never_waits_for_the_turn(mini_site: Path):
    """A body may come slowly: such a request must not hold (or wait for) the pages' turn."""
    app = _app(mini_site)
    with holding(app) as held:
        posted = Client(app.wsgi_app).post("/search", data=b"q=alpha")
        assert posted.status_code == 405  # answered while the page holds the turn
        assert held.entered == ["/org/alpha", "/search"]


def test_a_search_never_waits_for_the_turn(mini_site: Path):
    """A search costs what its words match (hundreds of ms at 10^5): held in turn it would stall
    every page of its worker, so it runs beside the pages, like a query."""
    app = _app(mini_site)
    answers: list[tuple[str, int]] = []
    with holding(app) as held:  # the page is held for up to 60 s
        search = threading.Thread(target=_get, args=(app.wsgi_app, "/search?q=alpha", answers,
                                                     "application/ld+json"))
        search.start()
        search.join(30)
        assert not search.is_alive(), "the search waited for the page's turn"
        assert answers == [("/search?q=alpha", 200)] and held.entered == ["/org/alpha", "/search"]


def test_page_concurrency_sets_how_many_pages_run_at_once(mini_site: Path):
    app = _app(mini_site, page_concurrency=2)
    with holding(app) as held:
        answers: list[tuple[str, int]] = []
        _get(app.wsgi_app, "/", answers)  # the second turn: answered beside the held page
        assert answers == [("/", 200)] and held.entered == ["/org/alpha", "/"]


def test_a_large_page_waits_in_its_own_lane_and_holds_up_no_other_page(mini_site: Path):
    """A page with many incoming links takes the large pages' lane: the ordinary pages asked
    for meanwhile are answered beside it, and another large page waits for it."""
    app = _app(mini_site)
    gate = app.wsgi_app
    site = app.extensions["regiold"].site
    gate.large_bytes = incoming_size(site.store, site.base_iri + "org/alpha") - 1  # alpha: large
    assert gate.large_bytes >= 0 and not gate._large("/sitemap.xml")
    answers: list[tuple[str, int]] = []
    with holding(app) as held:
        _get(gate, "/sitemap.xml", answers)  # answered while the large page runs
        second = threading.Thread(target=_get, args=(gate, "/org/alpha.ttl", answers))
        second.start()
        wait_until(lambda: gate.large.waiting == 1, 30, lambda: "the second large page did not wait")
        _get(gate, "/health", answers)
        assert held.entered == ["/org/alpha", "/sitemap.xml", "/health"]
    second.join(60)
    assert held.entered[-1] == "/org/alpha.ttl"
    assert answers == [("/sitemap.xml", 200), ("/health", 200), ("/org/alpha.ttl", 200)]


@pytest.mark.live
def test_pages_answer_while_every_query_slot_and_body_reader_is_taken(mini_site: Path):
    """One worker with the default threads: slow queries fill the query slots, two slow bodies
    hold the body readers, and the pages, asked for by more clients at once than there are
    threads left, are all answered, each the same as before, while the queries still run."""
    with serving(mini_site, settings={"rate_limit": "0"}, workers=1) as server:
        quiet = {path: requests.get(server.url + path, timeout=PAGE_DEADLINE).content
                 for path in PAGES}

        def query() -> None:
            requests.get(server.url + "/sparql", params={"query": SLOW}, timeout=60,
                         headers={"Accept": "application/sparql-results+json"})

        queries: list[threading.Thread] = []

        def filled() -> bool:  # a slow query more until the slots are full (at most 8)
            if _busy(server.url):
                return True
            if len(queries) < 8:
                queries.append(threading.Thread(target=query))
                queries[-1].start()
            return False

        with slow_bodies(server.url, 2):
            wait_until(filled, 30, lambda: "the query slots never filled")
            got: dict[str, list[bytes]] = {path: [] for path in PAGES}

            def page(path: str) -> None:
                got[path].append(requests.get(server.url + path, timeout=PAGE_DEADLINE).content)

            clients = [threading.Thread(target=page, args=(path,)) for path in PAGES * 4]
            for thread in clients:
                thread.start()
            for thread in clients:
                thread.join(PAGE_DEADLINE * 2)
            assert any(thread.is_alive() for thread in queries)  # the slow queries still run
            assert got == {path: [body] * 4 for path, body in quiet.items()}
        for thread in queries:
            thread.join(60)


_PROBES = itertools.count()


def _busy(url: str) -> bool:
    """Whether a further query is refused as busy now (every query slot is taken). Each probe is
    a distinct query: an answered one would be remembered, and given again without a slot."""
    response = requests.get(url + "/sparql", params={"query": f"ASK {{ ?s ?p {next(_PROBES)} }}"},
                            timeout=PAGE_DEADLINE,
                            headers={"Accept": "application/sparql-results+json"})
    return response.status_code == 503
