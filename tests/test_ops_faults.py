"""Faults with real processes: the remote store (Oxigraph server) stops and comes back.

`regiold serve` (2 workers) keeps answering: /health 200, /ready and every store-backed route 503
with Retry-After while the store is gone (search, served from an in-process index, keeps
working), and everything recovers by itself when it returns.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from ops_live import serving
from oxigraph_server import loaded_stoppable_store, oxigraph_binary, oxigraph_server
from processes import wait_until
from regiold.publish.remote_load import load_remote
from regiold.settings import Settings

pytestmark = [pytest.mark.live, pytest.mark.remote]
STORE_ROUTES = ("/ready", "/", "/sparql?query=ASK%7B%7D", "/org/alpha", "/org/alpha.ttl",
                "/search?q=alpha")


def statuses(base: str) -> dict[str, requests.Response]:
    return {path: requests.get(base + path, timeout=10, headers={"Connection": "close"})
            for path in STORE_ROUTES}


def test_store_outage_gives_503_with_retry_after_and_recovers(mini_site: Path, tmp_path: Path):
    with loaded_stoppable_store(mini_site, tmp_path) as store, \
            serving(mini_site, settings={"store": store.endpoint}) as server:
        before = statuses(server.url)
        ready = before["/ready"].json()
        assert before["/ready"].status_code == 200 and ready["triples"] > 0
        assert ready["store_version"] == ready["version"]  # what `regiold load` put there
        working = [p for p, r in before.items() if r.status_code == 200]

        store.stop()  # the store goes away; regiold keeps running
        for _ in range(3):  # several times: both workers, fresh connections
            during = statuses(server.url)
            assert requests.get(server.url + "/health", timeout=5).status_code == 200
            for path in working:  # 503 + Retry-After, or served without the store (search index)
                response = during[path]
                assert response.status_code in {200, 503}, (path, response.status_code)
                if response.status_code == 503:
                    assert int(response.headers["Retry-After"]) > 0, path
                assert "Traceback" not in response.text
            for path in ("/ready", "/sparql?query=ASK%7B%7D"):
                assert during[path].status_code == 503, path

        store.start()  # same data on disk, same address
        wait_until(lambda: all(statuses(server.url)[p].status_code == 200 for p in working),
                   20, server.output)
        after = statuses(server.url)
        assert {p: r.status_code for p, r in after.items()} == {
            p: r.status_code for p, r in before.items()}


def test_sparql_endpoint_answers_from_a_remote_store(mini_site: Path, tmp_path: Path):
    if oxigraph_binary() is None:
        pytest.skip("the oxigraph binary is not installed")
    from regiold import create_app

    with oxigraph_server(tmp_path / "oxigraph") as url:
        settings = Settings.load({"site_dir": mini_site, "cache_dir": tmp_path / "c",
                                  "store": f"{url}/query"}, environ={})
        load_remote(settings)
        response = create_app(settings).test_client().get(
            "/sparql?query=ASK%7B%3Fs%20%3Fp%20%3Fo%7D",
            headers={"Accept": "application/sparql-results+json"})
        assert response.status_code == 200 and response.json["boolean"] is True
