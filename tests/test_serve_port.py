"""`regiold serve` on a port that is taken says so before anything else, and never "serving on"."""

from __future__ import annotations

import socket

from click.testing import CliRunner

from conftest import FIXTURE_SITE
from regiold.cli import cli


def test_a_taken_port_is_a_clear_error_before_serving_on(tmp_path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(cli, ["-s", "cache_dir", str(tmp_path / "cache"), "serve",
                                          "--data", str(FIXTURE_SITE), "--port", str(port)])
    assert result.exit_code == 1, result.output
    assert f"cannot listen on 127.0.0.1:{port}" in result.output
    assert "Address already in use" in result.output and "--port" in result.output
    assert "serving on" not in result.output and "conforms" not in result.output
