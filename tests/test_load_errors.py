"""What an operator reads when `regiold load` cannot reach or use the store it was given: one line
naming the URL that failed and the setting it came from (never a password), no traceback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from processes import free_port
from regiold.cli import cli

pytestmark = pytest.mark.remote


def run_load(site: Path, endpoint: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["-s", "cache_dir", str(site / ".cache"), "load",
                                      "--data", str(site), "--endpoint", endpoint])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        return result.exit_code, f"{result.output}Traceback: {result.exception!r}"  # uncaught
    return result.exit_code, result.output


def test_an_endpoint_without_a_scheme_is_a_usage_error(mini_site: Path):
    code, output = run_load(mini_site, "127.0.0.1:7878/query")
    assert code == 2, output  # click's usage error, as for a bad -s setting
    assert "Traceback" not in output
    assert "127.0.0.1:7878/query" in output and "--endpoint" in output, output


def test_an_unreachable_store_names_the_url_and_the_setting(mini_site: Path):
    port = free_port()
    code, output = run_load(mini_site, f"http://loader:secret@127.0.0.1:{port}/query")
    assert code == 1 and "Traceback" not in output, output
    assert "did not answer (cannot connect)" in output, output
    assert f"http://127.0.0.1:{port}/query" in output and "setting store)" in output, output
    assert "secret" not in output


def test_a_url_the_store_does_not_have_is_named_with_its_setting(mini_site: Path,
                                                                  oxigraph_url: str):
    """Oxigraph given a Fuseki-style query URL (/sparql, which it answers): the Graph Store URL
    regiold derives from it (/data) does not exist there; or a Graph Store URL set by hand that
    it does not have. The message points at the URL that failed and the setting it came from
    (derived or set), not just "404"."""
    code, output = run_load(mini_site, f"{oxigraph_url}/sparql")
    assert code == 1 and "Traceback" not in output, output
    assert "404" in output
    assert f"{oxigraph_url}/data" in output and "setting store_data (derived from store" in output
    result = CliRunner().invoke(cli, ["-s", "cache_dir", str(mini_site / ".cache"),
                                      "-s", "store_data", f"{oxigraph_url}/data", "load",
                                      "--data", str(mini_site), "--endpoint", f"{oxigraph_url}/query"])
    assert result.exit_code == 1 and "404" in result.output, result.output
    assert f"{oxigraph_url}/data, setting store_data; the store said: " in result.output


STAGING_GRAPHS = ("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
                  'FILTER(STRSTARTS(STR(?g), "urn:regiold:staging:")) }')


@pytest.fixture(params=["oxigraph", "virtuoso"])
def own_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    """docs/STORES.md's settings for a store of this test's own (Oxigraph) or the session's
    Virtuoso."""
    if request.param == "virtuoso":
        yield request.getfixturevalue("virtuoso")
        return
    from oxigraph_server import oxigraph_binary, oxigraph_server

    if oxigraph_binary() is None:
        pytest.skip("the oxigraph binary is not installed")
    with oxigraph_server(None) as url:
        yield {"store": f"{url}/query", "store_data": f"{url}/store"}


def test_the_next_load_removes_what_a_failed_load_left_staged(mini_site: Path,
                                                              own_store: dict[str, str]):
    """A load whose swap never ran (the update URL refused it, the store went away, the loader
    was stopped) leaves its staging graph, a full copy of the data, in the store. The next
    successful load must remove it: otherwise every failed load stays there for good, and
    SPARQL clients that ask for named graphs see the copies."""
    left = "urn:regiold:staging:0123456789abcdef:feedbeef0000"  # as replace_data names them
    staged = requests.post(own_store["store_data"], params={"graph": left},
                           data="<urn:x> <urn:y> <urn:z> .\n",
                           headers={"Content-Type": "application/n-triples"}, timeout=30)
    assert staged.status_code in {200, 201, 204}, staged.text
    query_url = own_store["store"].split("?")[0]  # every graph, not the published one only
    assert staging_graphs(query_url) == [left]
    args = [arg for name, value in own_store.items() for arg in ("-s", name, value)]
    result = CliRunner().invoke(cli, [*args, "-s", "cache_dir", str(mini_site / ".cache"), "load",
                                      "--data", str(mini_site)])
    assert result.exit_code == 0, result.output
    assert staging_graphs(query_url) == []


def staging_graphs(query_url: str) -> list[str]:
    answer = requests.post(query_url, data={"query": STAGING_GRAPHS},
                           headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert answer.status_code == 200, answer.text
    return [row["g"]["value"] for row in answer.json()["results"]["bindings"]]
