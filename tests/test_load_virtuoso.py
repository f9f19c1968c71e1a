"""Virtuoso 7 as a new user meets it: `regiold load` with the settings docs/STORES.md gives (and the
SPARQL_UPDATE grant), then pages served from it, byte for byte the pages of the embedded store."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from regiold import create_app
from regiold.cli import cli
from regiold.settings import Settings
from regiold.store import RemoteStore

pytestmark = pytest.mark.remote
BASE = "https://w3id.org/regionen-nrw/"
PAGES_SITE = Path(__file__).parent / "fixtures" / "pages-site"


def _settings_args(urls: dict[str, str]) -> list[str]:
    return [arg for name in ("store", "store_update", "store_data") for arg in ("-s", name, urls[name])]


def test_load_then_serve_from_virtuoso(virtuoso: dict[str, str], tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(PAGES_SITE, site)
    result = CliRunner().invoke(cli, [*_settings_args(virtuoso), "-s", "cache_dir", str(site / ".cache"),
                                      "load", "--data", str(site)])
    assert result.exit_code == 0, result.output
    assert "loaded" in result.output and "501" not in result.output
    store = RemoteStore(virtuoso["store"], base_iri=BASE, update_url=virtuoso["store_update"],
                        data_url=virtuoso["store_data"])
    assert store.data_version() is not None
    assert store.ask(f"ASK {{ <{BASE}org/dme> ?p ?o }}")

    remote = create_app(Settings.load({"site_dir": site, "cache_dir": site / ".cache-remote",
                                       **{name: virtuoso[name] for name in ("store", "store_update",
                                                                             "store_data")}},
                                      environ={})).test_client()
    embedded = create_app(Settings.load({"site_dir": site, "cache_dir": site / ".cache-embedded"},
                                        environ={})).test_client()
    for path in ("/org/dme.ttl", "/org/dme.nt", "/org/dme.jsonld", "/org/dme/board.ttl"):
        served, expected = remote.get(path), embedded.get(path)
        assert served.status_code == expected.status_code == 200, path
        assert served.data == expected.data, path
    assert remote.get("/org/no-such-org.ttl").status_code == 404
