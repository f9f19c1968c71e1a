"""First renderings without Flask (web/first.py): a plain GET of a resource page, asked for once,
is answered in the WSGI layer with exactly what Flask sends (status, headers in order, body), for
every resource of the pages site, every format, language and coding; what it leaves to Flask
(queries, 304s, 404/410, 406, profiles, HEAD) still gets Flask's answer."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from live import serve_app
from pages_support import copy_site, make_app
from regiold.export.build import resource_paths
from regiold.web.fastpath import EXTENSION_KEY, HotResponses
from test_hot_path import fetch, kept

HEADER_SETS = [
    {"Accept": "text/turtle"}, {"Accept": "application/ld+json", "Accept-Encoding": "gzip"},
    {"Accept": "text/html", "Accept-Language": "en"}, {"Accept": "text/html,*/*;q=0.8"},
    {"Accept": "application/n-triples;q=0.9, text/turtle;q=0.9"}, {},
]


class Counting:
    """The FirstRenderings of an app, counting the requests it answered itself."""

    def __init__(self, first) -> None:  # noqa: ANN001 - web.first.FirstRenderings
        self.first, self.answered = first, 0

    def __call__(self, *args):  # noqa: ANN002, ANN204
        found = self.first(*args)
        self.answered += found is not None
        return found


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, str, str, list[str]]]:
    site = copy_site(tmp_path_factory.mktemp("first") / "site")
    fast, plain = make_app(site), make_app(site, hot_responses=0)
    layer = fast.extensions[EXTENSION_KEY]
    assert isinstance(layer, HotResponses) and EXTENSION_KEY not in plain.extensions
    layer.first = Counting(layer.first)
    paths = resource_paths(fast.extensions["regiold"].site)[0]
    with serve_app(fast) as fast_url, serve_app(plain) as plain_url:
        yield fast, fast_url, plain_url, paths


def test_every_first_rendering_equals_flasks_answer(servers):
    fast, fast_url, plain_url, paths = servers
    counter = fast.extensions[EXTENSION_KEY].first
    assert len(paths) > 20
    for path in paths:
        for target in (f"/{path}", f"/{path}.ttl", f"/{path}.nq", f"/{path}.html"):
            for headers in HEADER_SETS:
                before, known = counter.answered, kept(fast, target, headers)
                answer = fetch(fast_url, target, headers)
                expected = fetch(plain_url, target, headers)
                assert answer == expected, (target, headers)
                if expected[0] == 200 and not known:  # a first rendering, not Flask's
                    assert counter.answered == before + 1, (target, headers)


@pytest.mark.parametrize(("target", "headers", "status"), [
    ("/org/dme?lang=en", {"Accept": "text/html"}, 200),
    ("/org/dme", {"Accept": "text/turtle", "Accept-Profile": "<https://schema.org/>"}, 200),
    ("/org/dme?_profile=alt", {"Accept": "text/turtle"}, 200),
    ("/org/nobody", {"Accept": "text/turtle"}, 404),
    ("/org/dme", {"Accept": "image/png"}, 406),
    ("/org/dme", {"Accept": "text/turtle", "Range": "bytes=0-10"}, 200),
    ("/", {"Accept": "text/html"}, 200),
])
def test_what_it_leaves_to_flask_gets_flasks_answer(servers, target: str, headers: dict[str, str],
                                                    status: int):
    fast, fast_url, plain_url, _ = servers
    before = fast.extensions[EXTENSION_KEY].first.answered
    expected = fetch(plain_url, target, headers)
    assert expected[0] == status
    assert fetch(fast_url, target, headers) == expected
    assert fetch(fast_url, target, headers, "HEAD") == fetch(plain_url, target, headers, "HEAD")
    assert fast.extensions[EXTENSION_KEY].first.answered == before


def test_a_first_rendering_is_kept_and_revalidates(servers):
    fast, fast_url, plain_url, _ = servers
    headers = {"Accept": "text/turtle", "Accept-Encoding": "gzip"}
    first = fetch(fast_url, "/org/dme/board", headers)
    etag = next(v for k, v in first[2] if k == "ETag")
    for extra in ({"If-None-Match": etag}, {"If-None-Match": f"W/{etag}"}):
        expected = fetch(plain_url, "/org/dme/board", {**headers, **extra})
        assert expected[0] == 304
        assert fetch(fast_url, "/org/dme/board", {**headers, **extra}) == expected
