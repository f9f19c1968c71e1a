"""What an operator reads when `regiold load` cannot reach or use the store it was given: one line
naming the URL that failed and the setting it came from (never a password), no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

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

