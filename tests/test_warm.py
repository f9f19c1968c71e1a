"""serve/warm.py: `regiold serve` renders a few resources in every format in the master before the
workers fork (their first requests were the slowest of a crawl), and keeps none of the answers: a
crawler's first request for any resource is still a first rendering."""

from __future__ import annotations

import os

from flask import Flask

from regiold.publish import jsonld
from regiold.serve.warm import resources, warm, warm_worker
from regiold.web.fastpath import EXTENSION_KEY, HotResponses


def test_warming_renders_every_format_and_keeps_no_answer(mini_app: Flask) -> None:
    site = mini_app.extensions["regiold"].site
    jsonld._COMPACTORS.clear()  # filled again only by a JSON-LD rendering
    warm(mini_app)
    assert len(resources(site)) == 4
    assert site.base_iri in jsonld._COMPACTORS  # it did render, through the whole stack
    kept = [key for key in site.cache if isinstance(key, tuple) and key[0] in ("repr", "describe")]
    assert kept == []
    fast = mini_app.extensions[EXTENSION_KEY]
    assert isinstance(fast, HotResponses) and fast._current().responses == {}
    warmed = resources(site)[0]  # one of those warm() rendered
    page = mini_app.test_client().get("/" + warmed.removeprefix(site.base_iri),
                                      headers={"Accept": "text/turtle"})
    assert page.status_code == 200 and f"<{warmed}>".encode() in page.data
    assert any(key[:2] == ("repr", warmed) for key in site.cache if isinstance(key, tuple))


def test_a_worker_warms_html_before_it_serves_and_keeps_no_answer(mini_app: Flask) -> None:
    """HTML is warmed in each worker after the fork (its first page opens the store snapshot,
    which the master never does), and, as in the master, nothing rendered is kept."""
    site = mini_app.extensions["regiold"].site
    warm_worker(mini_app)
    assert site.store._opened[0] == os.getpid()  # the snapshot is open: no request waits for it
    kept = [key for key in site.cache if isinstance(key, tuple) and key[0] in ("repr", "describe")]
    assert kept == []
    assert mini_app.extensions[EXTENSION_KEY]._current().responses == {}
    page = mini_app.test_client().get("/" + resources(site)[0].removeprefix(site.base_iri),
                                      headers={"Accept": "text/html"})
    assert page.status_code == 200 and b"<html" in page.data
