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


def test_a_port_or_worker_count_out_of_range_is_a_usage_error_naming_it(tmp_path) -> None:
    # A TCP port is a 16-bit number (RFC 9293 3.1), and 0 asks the OS for any free port, which the
    # operator could not know: 1-65535. Before, --port 99999 ended in granian's OverflowError
    # traceback, and --workers 0 printed "serving on … with 0 worker(s)" and served nothing.
    for option, value in (("--port", "99999"), ("--port", "65536"), ("--port", "0"),
                          ("--port", "-1"), ("--workers", "0"), ("--workers", "-2")):
        result = CliRunner().invoke(cli, ["-s", "cache_dir", str(tmp_path / "cache"), "serve",
                                          "--data", str(FIXTURE_SITE), option, value])
        assert result.exit_code == 2, (option, value, result.output)
        assert f"Invalid value for '{option}'" in result.output, result.output
        assert value in result.output
        assert "Traceback" not in result.output and "serving on" not in result.output
