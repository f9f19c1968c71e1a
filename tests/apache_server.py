"""Run a foreground Apache 2.4 on 127.0.0.1 serving a static export through its ``.htaccess``."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from processes import free_port, running, wait_until

MODULES = Path("/usr/lib/apache2/modules")  # Debian's apache2-bin
# what the generated .htaccess uses, and no more: a host that lacks one of them fails here too
NEEDED = ("mpm_event", "authz_core", "dir", "mime", "rewrite", "headers", "setenvif")


def apache_binary() -> str | None:
    return shutil.which("apache2") or next(
        (p for p in ("/usr/sbin/apache2", "/usr/local/sbin/apache2") if Path(p).exists()), None)


def apache_config(root: Path, prefix: Path, port: int, *, in_config: bool = False) -> str:
    """A minimal httpd.conf: everything in ``prefix``, ``AllowOverride All`` on the export; with
    ``in_config`` the export's .htaccess is included in its <Directory> instead (read once at
    start, not on every request; AllowOverride None)."""
    rules = (f'    AllowOverride None\n    Include "{root}/.htaccess"' if in_config
             else "    AllowOverride All")
    modules = "\n".join(f"LoadModule {name}_module {MODULES}/mod_{name}.so" for name in NEEDED)
    types = Path("/etc/mime.types")
    # Apache will not serve pages as root: its children run as nobody (the export is world-readable)
    user = "User nobody\nGroup nogroup\n" if os.geteuid() == 0 else ""
    return f"""ServerRoot "{prefix}"
DefaultRuntimeDir "{prefix}"
PidFile "{prefix}/apache2.pid"
ErrorLog "{prefix}/error.log"
LogLevel warn
Mutex file:{prefix} default
{modules}
{user}Listen 127.0.0.1:{port}
ServerName 127.0.0.1
TypesConfig {types if types.exists() else "/dev/null"}
DocumentRoot "{root}"
<Directory />
    AllowOverride None
    Require all denied
</Directory>
<Directory "{root}">
{rules}
    Require all granted
</Directory>
"""


@contextmanager
def apache_serving(root: Path, prefix: Path, *, in_config: bool = False) -> Iterator[str]:
    """Apache with the export's own ``.htaccess`` for ``root``; yields its URL; stops it afterwards."""
    binary = apache_binary()
    if binary is None:
        raise RuntimeError("apache2 is not installed (Debian package apache2)")
    prefix.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="regiold-apache-") as public:
        if os.geteuid() == 0:  # the children (nobody) cannot enter pytest's private temp folder
            os.chmod(public, 0o755)
            root = Path(shutil.copytree(root, Path(public) / "export"))
        # Apache sends a weak ETag for a file changed within the last second (it might change
        # again unseen): wait until the export just built is older than that
        newest = max(p.stat().st_mtime for p in root.rglob("*"))
        wait_until(lambda: time.time() > newest + 1.05, timeout=10)
        port = free_port()
        (prefix / "httpd.conf").write_text(apache_config(root.resolve(), prefix.resolve(), port,
                                                             in_config=in_config))
        url = f"http://127.0.0.1:{port}"
        # -DFOREGROUND: no detaching; SIGTERM stops the parent and its children
        with running([binary, "-f", str(prefix / "httpd.conf"), "-DFOREGROUND"],
                     f"{url}/robots.txt", timeout=15.0, name="apache2"):
            yield url
