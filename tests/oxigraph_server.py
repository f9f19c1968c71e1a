"""Start and stop a real Oxigraph server on 127.0.0.1 for tests (and bench/) that need a remote store."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def oxigraph_binary() -> str | None:
    """The ``oxigraph`` binary of the PyPI package, in this venv's bin or on PATH."""
    beside_python = Path(sys.executable).parent / "oxigraph"
    return str(beside_python) if beside_python.exists() else shutil.which("oxigraph")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def oxigraph_server(location: Path | None, *, port: int | None = None,
                    extra: tuple[str, ...] = ()) -> Iterator[str]:
    """Run ``oxigraph serve`` on a free loopback port (on disk at ``location``, or in memory);
    yield its base URL; stop it afterwards."""
    binary = oxigraph_binary()
    if binary is None:
        raise RuntimeError("the oxigraph binary is missing (pip install oxigraph)")
    port = port or free_port()
    process = subprocess.Popen(
        [binary, "serve", *(["--location", str(location)] if location else []),
         "--bind", f"127.0.0.1:{port}", *extra],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(url, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def _wait_ready(url: str, process: subprocess.Popen[bytes], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"oxigraph exited: {process.stderr.read().decode()[-500:]}")  # type: ignore[union-attr]
        try:
            with urllib.request.urlopen(f"{url}/query?query=ASK%7B%7D", timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"oxigraph did not become ready within {timeout} s")
