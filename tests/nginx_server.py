"""Run a foreground nginx on 127.0.0.1 serving a static export (tests and bench/)."""

from __future__ import annotations

import getpass
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from processes import free_port, stop, wait_for_http
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
        wait_for_http(f"{url}/robots.txt", 10.0, process=process, name="nginx")
        yield url
    finally:
        stop(process)  # SIGTERM: fast shutdown of the master and its workers

