"""`regiold serve` on a remote store that `regiold load` has not filled (or filled from other
files): the operator is told at start, naming the store and what to run, instead of a site that
answers 404 for every page with /ready saying "ready"."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from oxigraph_server import oxigraph_binary, oxigraph_server
from regiold.publish.remote_load import load_remote
from regiold.publish.site_loader import load_site
from regiold.settings import Settings

pytestmark = pytest.mark.remote


@pytest.fixture
def empty_store() -> Iterator[str]:
    if oxigraph_binary() is None:
        pytest.skip("the oxigraph binary is not installed")
    with oxigraph_server(None) as url:  # in memory, its own: nothing loaded
        yield f"{url}/query"


def warnings_of(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING)


def test_serving_a_store_nothing_was_loaded_into_warns(mini_site: Path, tmp_path: Path,
                                                      empty_store: str,
                                                      caplog: pytest.LogCaptureFixture):
    settings = Settings.load({"site_dir": mini_site, "cache_dir": tmp_path / "c",
                              "store": empty_store}, environ={})
    with caplog.at_level(logging.WARNING):
        load_site(settings)
    said = warnings_of(caplog)
    assert empty_store in said and "regiold load" in said, said


def test_serving_a_store_loaded_from_other_files_warns_with_both_versions(
        mini_site: Path, tmp_path: Path, empty_store: str, caplog: pytest.LogCaptureFixture):
    settings = Settings.load({"site_dir": mini_site, "cache_dir": tmp_path / "c",
                              "store": empty_store}, environ={})
    loaded = load_remote(settings).version
    with caplog.at_level(logging.WARNING):
        assert load_site(settings).version == loaded
    assert warnings_of(caplog) == ""  # the usual case: loaded, then served
    (mini_site / "data" / "extra.ttl").write_text(
        '@prefix schema: <https://schema.org/> .\n<org/extra> a schema:Organization ; '
        'schema:name "Extra"@de ; schema:url <https://extra.example/> .\n')
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        files = load_site(settings).version
    said = warnings_of(caplog)
    assert files != loaded
    assert loaded in said and files in said and "regiold load" in said, said


def test_a_store_loaded_with_person_data_is_refused_when_persons_are_not_published(
        mini_site: Path, tmp_path: Path, empty_store: str, caplog: pytest.LogCaptureFixture):
    """`publish_persons false` on the web server only, the store loaded without it: the data
    version is the same, and the store's person data went out on every page and through
    /sparql. The server must refuse to serve, naming the setting and what to run."""
    from regiold.errors import ConfigError

    loaded = {"site_dir": mini_site, "cache_dir": tmp_path / "c", "store": empty_store}
    load_remote(Settings.load(loaded, environ={}))  # publish_persons: true, the default
    private = Settings.load({**loaded, "publish_persons": "false"}, environ={})
    with pytest.raises(ConfigError) as refused:
        load_site(private)
    said = str(refused.value)
    assert "publish_persons" in said and empty_store in said and "regiold" in said, said

    load_remote(private)  # loaded as served: no person data in the store
    site = load_site(private)
    assert site.store.ask("ASK { ?p a <https://schema.org/Person> }") is False
    caplog.clear()
    with caplog.at_level(logging.WARNING):  # the other way round leaks nothing: a warning
        load_site(Settings.load(loaded, environ={}))
    assert "publish_persons" in warnings_of(caplog)
