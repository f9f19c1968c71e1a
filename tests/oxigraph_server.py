"""Start and stop a real Oxigraph server on 127.0.0.1 for tests (and bench/) that need a remote store."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from processes import free_port, running


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
    argv = [binary, "serve", *(["--location", str(location)] if location else []),
            "--bind", f"127.0.0.1:{port}", *extra]
    url = f"http://127.0.0.1:{port}"
    with running(argv, f"{url}/query?query=ASK%7B%7D", timeout=20.0, name="oxigraph"):
        yield url



class StoppableStore:
    """An Oxigraph server on disk that a test stops and starts again at the same address
    (the store outage of tests/test_ops_faults.py and tests/test_reload_faults.py)."""

    def __init__(self, location: Path) -> None:
        self.location, self.port = location, free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}/query"
        self._running: AbstractContextManager[str] | None = None

    def start(self) -> None:
        self._running = oxigraph_server(self.location, port=self.port)
        self._running.__enter__()

    def stop(self) -> None:
        if self._running is not None:
            self._running.__exit__(None, None, None)
            self._running = None


@contextmanager
def loaded_stoppable_store(site: Path, workdir: Path) -> Iterator[StoppableStore]:
    """A StoppableStore holding ``site`` as `regiold load` puts it there; stopped at the end."""
    import pytest

    from regiold.publish.remote_load import load_remote
    from regiold.settings import Settings

    if oxigraph_binary() is None:
        pytest.skip("the oxigraph binary is not installed")
    store = StoppableStore(workdir / "oxigraph")
    store.start()
    try:
        load_remote(Settings.load({"site_dir": site, "cache_dir": workdir / "c",
                                   "store": store.endpoint}, environ={}))
        yield store
    finally:
        store.stop()
