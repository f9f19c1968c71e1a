"""serve/warm.py: `regiold serve` renders a few resources in every format in the master before the
workers fork (their first requests were the slowest of a crawl), and keeps none of the answers: a
crawler's first request for any resource is still a first rendering."""

from __future__ import annotations

from flask import Flask

from regiold.publish import jsonld
from regiold.serve.warm import resources, warm
from regiold.web.fastpath import HotResponses


def test_warming_renders_every_format_and_keeps_no_answer(mini_app: Flask) -> None:
    site = mini_app.extensions["regiold"].site
    jsonld._COMPACTORS.clear()  # filled again only by a JSON-LD rendering
    warm(mini_app)
    assert len(resources(site)) == 4
    assert site.base_iri in jsonld._COMPACTORS  # it did render, through the whole stack
    kept = [key for key in site.cache if isinstance(key, tuple) and key[0] in ("repr", "describe")]
    assert kept == []
    fast = mini_app.wsgi_app
    assert isinstance(fast, HotResponses) and fast._current().responses == {}
    warmed = resources(site)[0]  # one of those warm() rendered
    page = mini_app.test_client().get("/" + warmed.removeprefix(site.base_iri),
                                      headers={"Accept": "text/turtle"})
    assert page.status_code == 200 and f"<{warmed}>".encode() in page.data
    assert any(key[:2] == ("repr", warmed) for key in site.cache if isinstance(key, tuple))
