"""Run a foreground nginx on 127.0.0.1 serving a static export (tests and bench/)."""

from __future__ import annotations

import getpass
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from processes import free_port, running
from regiold.export.rules import nginx_standalone


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).exists()), None)


@contextmanager
def nginx_serving(root: Path, prefix: Path, *, base_iri: str, sparql_url: str = "") -> Iterator[str]:
    """nginx with the generated conneg rules for ``root``; yields its URL; stops it afterwards."""
    binary = nginx_binary()
    if binary is None:
        raise RuntimeError("nginx is not installed (Debian package nginx)")
    prefix.mkdir(parents=True, exist_ok=True)
    port = free_port()
    config = nginx_standalone(str(root.resolve()), port=port, prefix=str(prefix.resolve()),
                              base_iri=base_iri, sparql_url=sparql_url)
    if os.geteuid() == 0:  # workers would drop to "nobody", who cannot read a private temp folder
        config = f"user {getpass.getuser()};\n{config}"
    (prefix / "nginx.conf").write_text(config)
    url = f"http://127.0.0.1:{port}"
    # stopped by SIGTERM: a fast shutdown of the master and its workers
    with running([binary, "-p", str(prefix), "-c", str(prefix / "nginx.conf")],
                 f"{url}/robots.txt", timeout=10.0, name="nginx"):
        yield url

