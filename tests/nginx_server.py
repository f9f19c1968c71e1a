"""Run a foreground nginx on 127.0.0.1 serving a static export (tests and bench/)."""

from __future__ import annotations

import getpass
import os
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from oxigraph_server import free_port
from regiold.export_rules import nginx_standalone


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).exists()), None)


@contextmanager
def nginx_serving(root: Path, prefix: Path, *, base_iri: str) -> Iterator[str]:
    """nginx with the generated conneg rules for ``root``; yields its URL; stops it afterwards."""
    binary = nginx_binary()
    if binary is None:
        raise RuntimeError("nginx is not installed (Debian package nginx)")
    prefix.mkdir(parents=True, exist_ok=True)
    port = free_port()
    config = nginx_standalone(str(root.resolve()), port=port, prefix=str(prefix.resolve()),
                              base_iri=base_iri)
    if os.geteuid() == 0:  # workers would drop to "nobody", who cannot read a private temp folder
        config = f"user {getpass.getuser()};\n{config}"
    (prefix / "nginx.conf").write_text(config)
    process = subprocess.Popen([binary, "-p", str(prefix), "-c", str(prefix / "nginx.conf")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait(url, process)
        yield url
    finally:
        process.terminate()  # SIGTERM: fast shutdown of the master and its workers
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def _wait(url: str, process: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"nginx exited: {process.stderr.read().decode()[-800:]}")  # type: ignore[union-attr]
        try:
            urllib.request.urlopen(f"{url}/robots.txt", timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("nginx did not start")
