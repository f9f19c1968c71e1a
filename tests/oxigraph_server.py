"""Start and stop a real Oxigraph server on 127.0.0.1 for tests (and bench/) that need a remote store."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from processes import free_port, stop, wait_for_http


def oxigraph_binary() -> str | None:
    """The ``oxigraph`` binary of the PyPI package, in this venv's bin or on PATH."""
    beside_python = Path(sys.executable).parent / "oxigraph"
    return str(beside_python) if beside_python.exists() else shutil.which("oxigraph")


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
        wait_for_http(f"{url}/query?query=ASK%7B%7D", 20.0, process=process, name="oxigraph")
        yield url
    finally:
        stop(process)

