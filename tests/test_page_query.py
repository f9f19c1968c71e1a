"""With ``remote_page_query`` on, remote stores give each page's description in one round trip
(publish/page_query.py's CONSTRUCT),
and it is the very description the lookup path reads from the embedded store: resource by resource,
page by page of incoming links, on a real Oxigraph server. Virtuoso 7 cannot evaluate that query
(RemoteStore.evaluates_page_query) and is read query by query, with the same result."""

from __future__ import annotations

import http.client
import shutil
import socketserver
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from regiold import create_app
from regiold.ingest import sources
from regiold.publish import describe, lookup
from regiold.settings import Settings
from regiold.store import EmbeddedStore, RemoteStore
from test_lookup import _same, _subjects

pytestmark = pytest.mark.remote
BASE = "https://w3id.org/regionen-nrw/"
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module", params=["oxigraph", "virtuoso"])
def remote(request: pytest.FixtureRequest) -> Iterator[tuple[RemoteStore, EmbeddedStore]]:
    """A real remote store filled with the pages site as `regiold load` fills it, and the
    embedded store of the same site."""
    parsed = sources.parse_site(FIXTURES / "pages-site", base_iri=BASE)
    if request.param == "virtuoso":
        urls = request.getfixturevalue("virtuoso")
        store = RemoteStore(urls["store"], base_iri=BASE, update_url=urls["store_update"],
                            data_url=urls["store_data"], page_query=True)
    else:
        store = RemoteStore(f"{request.getfixturevalue('oxigraph_url')}/query", base_iri=BASE,
                            page_query=True)
    store.replace_data(parsed.published_quads(), version=parsed.version)
    assert store.evaluates_page_query == (request.param == "oxigraph")
    yield store, EmbeddedStore.from_sources(parsed)


def test_every_remote_description_is_the_lookup_one(
        remote: tuple[RemoteStore, EmbeddedStore]) -> None:
    store, memory = remote
    iris = _subjects(memory)
    assert len(iris) > 15
    linked_only = sorted({q.object.value for q in memory.db.quads_for_pattern(None, None, None, None)
                          if q.object.__class__.__name__ == "NamedNode"} - set(iris))
    for iri in iris + linked_only[:20] + [f"{BASE}org/nobody-at-all"]:
        _same(describe.describe(store, iri), lookup.describe(memory, iri))


def test_remote_pages_of_incoming_links_are_the_lookup_pages(
        remote: tuple[RemoteStore, EmbeddedStore]) -> None:
    store, memory = remote
    busiest = max(_subjects(memory), key=lambda iri: lookup.describe(memory, iri).incoming_total)
    first = lookup.describe(memory, busiest, page_size=1)
    assert first.pages >= 3, busiest
    for page in range(1, first.pages + 2):  # one past the last page too: empty
        _same(describe.describe(store, busiest, page=page, page_size=1),
              lookup.describe(memory, busiest, page=page, page_size=1))


class _CountingProxy(socketserver.ThreadingTCPServer):
    """A loopback HTTP proxy in front of the store that counts the requests passing through."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.paths: list[str] = []
        super().__init__(("127.0.0.1", 0), _Relay)


class _Relay(socketserver.StreamRequestHandler):
    server: _CountingProxy

    def handle(self) -> None:
        upstream = http.client.HTTPConnection(*self.server.upstream, timeout=30)
        while True:
            line = self.rfile.readline()
            if not line.strip():
                return
            method, path, _ = line.decode("latin-1").split(" ", 2)
            headers = {}
            while (header := self.rfile.readline()) not in (b"\r\n", b"\n", b""):
                name, _, value = header.decode("latin-1").partition(":")
                headers[name.strip()] = value.strip()
            body = self.rfile.read(int(headers.get("Content-Length", 0)))
            self.server.paths.append(f"{method} {path}")
            upstream.request(method, path, body=body, headers=headers)
            answer = upstream.getresponse()
            data = answer.read()
            self.wfile.write(f"HTTP/1.1 {answer.status} {answer.reason}\r\n".encode())
            for name, value in answer.getheaders():
                if name.lower() not in {"transfer-encoding", "content-length", "connection"}:
                    self.wfile.write(f"{name}: {value}\r\n".encode("latin-1"))
            self.wfile.write(f"Content-Length: {len(data)}\r\n\r\n".encode() + data)


def test_a_page_from_a_remote_store_costs_one_round_trip(oxigraph_url: str, tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(FIXTURES / "pages-site", site)
    host, port = oxigraph_url.removeprefix("http://").split(":")
    proxy = _CountingProxy((host, int(port)))
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    try:
        store = f"http://127.0.0.1:{proxy.server_address[1]}/query"
        parsed = sources.parse_site(site, base_iri=BASE)
        RemoteStore(store, base_iri=BASE).replace_data(parsed.published_quads(), version=parsed.version)
        client = create_app(Settings.load({"site_dir": site, "cache_dir": site / ".cache",
                                           "store": store, "remote_page_query": True},
                                          environ={})).test_client()
        client.get("/org/dme.ttl")  # the app's own start-up questions (data version, …)
        for path in ("/org/dme.ttl", "/org/dme/board", "/org/dme.jsonld", "/org/dme.nt",
                     "/org/ihk-koeln?page=2", "/org/no-such-org.ttl"):
            before = len(proxy.paths)
            answer = client.get(path, headers={"Accept": "text/html"})
            assert answer.status_code in {200, 404}, path
            assert proxy.paths[before:] == ["POST /query"], (path, proxy.paths[before:])
    finally:
        proxy.shutdown()
        proxy.server_close()


def test_remote_pages_are_read_query_by_query_by_default(oxigraph_url: str) -> None:
    """The one CONSTRUCT is opt-in: Oxigraph 0.5 evaluates it far slower than the small queries."""
    settings = Settings.load({"store": f"{oxigraph_url}/query"}, environ={})
    assert RemoteStore.from_settings(settings).evaluates_page_query is False
    on = Settings.load({"store": f"{oxigraph_url}/query", "remote_page_query": "true"}, environ={})
    assert RemoteStore.from_settings(on).evaluates_page_query is True
