"""The per-version memo of rendered pages is bounded, so a crawl cannot grow a worker without end."""

from __future__ import annotations

import sys

from live import serve_app
from pages_support import copy_site, make_app
from regiold.publish import render
from regiold.publish.site import MemoCache
from test_hot_path import fetch, hot_table, kept


def test_a_crawl_keeps_at_most_cache_entries_renderings(tmp_path):
    app = make_app(copy_site(tmp_path / "site"), cache_entries=4)
    client = app.test_client()
    site = app.extensions["regiold"].site
    paths = ["/org/dme", "/org/alpha", "/org/beta", "/org/duesseldorf", "/org/ihk", "/org/network",
             "/area/duesseldorf", "/person/erika-mustermann"]
    first = {p: client.get(f"{p}.ttl").data for p in paths}
    bounded = [k for k in site.cache if isinstance(k, tuple) and k[0] in MemoCache.BOUNDED]
    assert 0 < len(bounded) <= 4
    assert {p: client.get(f"{p}.ttl").data for p in paths} == first  # evicted pages render again


def test_other_entries_are_never_evicted():
    memo = MemoCache(limit=1)
    memo["search-index"] = "index"
    for n in range(5):
        memo[("repr", n)] = n
    assert memo["search-index"] == "index"
    assert [k for k in memo if isinstance(k, tuple)] == [("repr", 4)]


BUDGET_MB = 0.02  # 20 KiB: the fixture's pages are 1-13 KB each, so a crawl overflows it many times


def test_a_crawl_keeps_at_most_cache_mb_of_renderings_and_repeats_still_hit(tmp_path):
    app = make_app(copy_site(tmp_path / "site"), cache_mb=BUDGET_MB)
    budget = int(BUDGET_MB * (1 << 20))
    site = app.extensions["regiold"].site
    paths = ["/org/dme", "/org/alpha", "/org/beta", "/org/duesseldorf", "/org/ihk", "/org/network",
             "/area/duesseldorf", "/person/erika-mustermann"]
    targets = [(p, accept, lang) for p in paths for accept in ("text/turtle", "application/ld+json",
                                                               "text/html") for lang in ("de", "en")]
    with serve_app(app) as url:
        sent = sum(len(fetch(url, p, {"Accept": a, "Accept-Language": lang})[3])
                   for p, a, lang in targets)
        assert sent > 5 * budget  # the crawl rendered far more than the budget
        # what a worker still holds: the bodies in the memo and in the fast path's table
        memo_bodies = sum(len(v.body) for k, v in site.cache.items()
                          if isinstance(k, tuple) and k[0] == "repr")
        table_bodies = sum(len(e.body) for e in hot_table(app).values())
        assert 0 < memo_bodies <= budget
        assert 0 < table_bodies <= budget
        last, accept, lang = targets[-1]
        repeat = fetch(url, last, {"Accept": accept, "Accept-Language": lang})
        assert kept(app, last, {"Accept": accept, "Accept-Language": lang})  # the fast path answered
        etag = dict((k.lower(), v) for k, v in repeat[2])["etag"]
        assert fetch(url, last, {"Accept": accept, "Accept-Language": lang,
                                 "If-None-Match": etag})[0] == 304
        evicted = fetch(url, paths[0], {"Accept": "text/turtle", "Accept-Language": "de"})
        assert evicted[0] == 200 and evicted[3].startswith(b"@prefix")  # dropped pages render again


def test_a_memo_entry_larger_than_the_budget_is_not_kept():
    memo = MemoCache(limit=10, max_bytes=2000)

    class Big:
        nbytes = 5000

    memo[("repr", "small")] = "small"  # 1 KB counted for what does not say its size
    memo[("repr", "big")] = Big()
    assert ("repr", "big") not in memo
    assert memo[("repr", "small")] == "small"  # nothing was dropped for it


def test_the_memo_weighs_a_description_at_least_at_its_text_and_triples(tmp_path):
    """German text is held two bytes a character: a description is weighed at no less than its
    N-Triples text takes in memory, plus its triples as a page's view parses them."""
    app = make_app(copy_site(tmp_path / "site"))
    site = app.extensions["regiold"].site
    found = render.description(site, site.base_iri + "org/duesseldorf")
    assert found.stable is not None and not found.stable.text.isascii()  # "Düsseldorf"
    assert found.nbytes >= sys.getsizeof(found.stable.text) + 430 * len(found.triples)
