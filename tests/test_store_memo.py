"""The per-version memo of rendered pages is bounded, so a crawl cannot grow a worker without end."""

from __future__ import annotations

from pages_support import copy_site, make_app
from regiold.publish.site import MemoCache


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
