"""What an operator reads when `regiold load` cannot reach or use the store it was given: one line
naming the URL that failed and the setting it came from (never a password), no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
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
    # the load's first request goes to the Graph Store URL derived from the query URL
    assert f"http://127.0.0.1:{port}/store" in output and "setting store_data" in output, output
    assert "secret" not in output


def test_a_derived_url_the_store_does_not_have_is_named_with_its_setting(mini_site: Path,
                                                                          oxigraph_url: str):
    """Oxigraph given a Fuseki-style query URL: the Graph Store URL regiold derives (/data)
    does not exist there. The message must point at that URL and at `store_data`, not just say
    404."""
    code, output = run_load(mini_site, f"{oxigraph_url}/sparql")
    assert code == 1 and "Traceback" not in output, output
    assert "404" in output
    assert f"{oxigraph_url}/data" in output and "store_data" in output, output
