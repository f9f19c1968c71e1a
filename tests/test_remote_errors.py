"""What clients read when the remote store answers with an error: the status, in regiold's
words, never the store's (or its proxy's) own text, which may name files, hosts and versions
(docs/SECURITY.md: "answered in regiold's words only"). The operator still reads that text
where it helps: `regiold load` prints it."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from pages_support import copy_site
from regiold.cli import cli
from store_relay import Behaviour, app_through_relay, store_relay

pytestmark = pytest.mark.remote
INTERNALS = b"IO error: /var/lib/regiold-store/000123.sst: No space left on device (nginx/1.22.1)"
ROUTES = ("/org/dme.ttl", "/org/dme", "/sparql?query=ASK%7B%7D", "/", "/search?q=dme")


@pytest.mark.parametrize("status", [401, 403, 500, 502])
def test_a_store_error_reaches_clients_without_the_stores_text(tmp_path: Path, oxigraph_url: str,
                                                               status: int):
    behaviour = Behaviour()
    with app_through_relay(tmp_path, oxigraph_url, behaviour) as client:
        behaviour.status, behaviour.body = status, INTERNALS
        for route in ROUTES:
            for accept in ("application/json", "text/html"):
                response = client.get(route, headers={"Accept": accept})
                if response.status_code == 200:
                    continue  # answered without the store (e.g. a search index in memory)
                assert response.status_code == 503, (route, response.status_code)
                body = response.get_data()
                assert b"/var/lib" not in body and b"nginx" not in body, (route, body[:300])
                assert f"answered {status}".encode() in body, (route, body[:300])


def test_regiold_load_shows_the_operator_the_stores_text(tmp_path: Path, oxigraph_url: str):
    site = copy_site(tmp_path / "site")
    with store_relay(oxigraph_url, Behaviour(status=500, body=INTERNALS)) as store:
        result = CliRunner().invoke(cli, ["-s", "cache_dir", str(tmp_path / "c"), "-s",
                                          "store_update", store.replace("/query", "/update"),
                                          "-s", "store_data", store.replace("/query", "/store"),
                                          "load", "--data", str(site), "--endpoint", store])
    assert result.exit_code == 1
    assert "answered 500" in result.output and INTERNALS.decode() in result.output, result.output
