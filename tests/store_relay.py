"""A loopback HTTP relay in front of a real store (Oxigraph server) that can be made slow or made
to answer with an error of its own: what a store behind a proxy, a busy store or a failing one
looks like to regiold, with the real store doing the work otherwise."""

from __future__ import annotations

import http.server
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask.testing import FlaskClient


@dataclass
class Behaviour:
    """Changed by the test while the relay runs."""

    delay: float = 0.0  # seconds added to every answer
    status: int = 0  # answer this status with ``body`` instead of asking the store (0: ask it)
    body: bytes = b""


class _Relay(http.server.BaseHTTPRequestHandler):
    upstream = ""
    behaviour = Behaviour()

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.behaviour.status:
            status, kind, data = self.behaviour.status, "text/html", self.behaviour.body
        else:
            forwarded = {k: v for k, v in self.headers.items()
                         if k.lower() in {"content-type", "accept"}}
            request = urllib.request.Request(self.upstream + self.path, data=body, headers=forwarded)
            with urllib.request.urlopen(request, timeout=30) as answer:
                status, kind, data = answer.status, answer.headers["Content-Type"], answer.read()
        time.sleep(self.behaviour.delay)
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def store_relay(upstream: str, behaviour: Behaviour) -> Iterator[str]:
    """Relay to ``upstream`` (the store's base URL) on a free loopback port; yields the relay's
    query URL (``…/query``)."""
    handler = type("Relay", (_Relay,), {"upstream": upstream, "behaviour": behaviour})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/query"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def app_through_relay(tmp_path: Path, oxigraph_url: str, behaviour: Behaviour,
                      **settings: str) -> Iterator[FlaskClient]:
    """The pages fixture site loaded into the Oxigraph server at ``oxigraph_url`` by
    `regiold load`, and a test client of the app reading it through a relay that behaves as
    ``behaviour`` says (changed by the test as it goes)."""
    from pages_support import copy_site
    from regiold import create_app
    from regiold.publish.remote_load import load_remote
    from regiold.settings import Settings

    site = copy_site(tmp_path / "site")
    load_remote(Settings.load({"site_dir": site, "cache_dir": tmp_path / "c",
                               "store": f"{oxigraph_url}/query"}, environ={}))
    with store_relay(oxigraph_url, behaviour) as store:
        yield create_app(Settings.load({"site_dir": site, "cache_dir": tmp_path / "c",
                                        "store": store, **settings}, environ={})).test_client()
