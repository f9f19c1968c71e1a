"""Helpers for the SPARQL and search tests: a small site with extra data, a live server, a
loopback listener that records every connection attempt."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from pathlib import Path

from flask import Flask

from regiold import create_app
from regiold.settings import Settings

FIXTURE_SITE = Path(__file__).parent / "fixtures" / "site"
BASE = "https://w3id.org/regionen-nrw/"

EXTRA_TTL = """\
@prefix schema: <https://schema.org/> .
@prefix rm: <org/> .

rm:duesseldorf a schema:Organization ;
    schema:name "Landeshauptstadt Düsseldorf"@de ;
    schema:description "Die Hauptstadt von Nordrhein-Westfalen."@de .

rm:koeln a schema:Organization ;
    schema:name "Stadt Köln"@de ;
    schema:description "Eine Stadt am Rhein, nicht weit von Düsseldorf."@de .

rm:tricky a schema:Organization ;
    schema:name "Tab\\there, \\"quotes\\", comma\\nnewline"@de ;
    schema:description "</script><img src=x onerror=alert(1)> \\u202Eevil"@de .
"""


def make_site(root: Path) -> Path:
    """A copy of the tiny fixture site plus EXTRA_TTL (three more organisations)."""
    site = root / "site"
    shutil.copytree(FIXTURE_SITE, site)
    (site / "data" / "extra.ttl").write_text(EXTRA_TTL, encoding="utf-8")
    return site


def make_app(site: Path, **overrides: object) -> Flask:
    settings = Settings.load({"site_dir": site, "cache_dir": site / ".cache", **overrides},
                             environ={})
    return create_app(settings)



class Listener:
    """A TCP listener on 127.0.0.1 that counts the connections it sees (it answers nothing)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        self.connections = 0
        self._sentinels = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            conn.close()

    def attempts(self, timeout: float = 30) -> int:
        """Connection attempts so far, none missed: a sentinel connection joins the accept queue
        behind every earlier attempt (the kernel queues them in order), so once the sentinel is
        counted, all of them are; the sentinel itself is not included."""
        before = self.connections
        self._sentinels += 1
        socket.create_connection(("127.0.0.1", self.port), timeout=5).close()
        deadline = time.monotonic() + timeout
        while self.connections == before and time.monotonic() < deadline:
            time.sleep(0.01)
        assert self.connections > before, "the listener stopped accepting"
        return self.connections - self._sentinels

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()
