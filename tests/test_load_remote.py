"""`regiold load`: validated data replaces the remote store's data in one step."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from processes import wait_until
from regiold import create_app
from regiold.cli import cli
from regiold.ingest import sources
from regiold.settings import Settings
from regiold.store import META_GRAPH, RemoteStore

pytestmark = pytest.mark.remote
BASE = "https://w3id.org/regionen-nrw/"
COUNT_AND_VERSION = f"""SELECT ?v ?n WHERE {{
    {{ SELECT (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o }} }}
    OPTIONAL {{ GRAPH <{META_GRAPH}> {{ ?m <urn:regiold:dataVersion> ?v }} }} }}"""


def run_load(site: Path, endpoint: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["-s", "cache_dir", str(site / ".cache"), "load",
                                      "--data", str(site), "--endpoint", endpoint])
    return result.exit_code, result.output


def write_orgs(site: Path, count: int, prefix: str) -> None:
    """Replace data/ by ``count`` valid organisations."""
    shutil.rmtree(site / "data")
    (site / "data").mkdir()
    lines = ["@prefix schema: <https://schema.org/> .", "@prefix rm: <org/> ."]
    lines += [f'rm:{prefix}-{i} a schema:Organization ; schema:name "{prefix} {i}"@de ; '
              f'schema:url <https://{prefix}{i}.example/> ; schema:description "Nr. {i}"@de .'
              for i in range(count)]
    (site / "data" / "orgs.ttl").write_text("\n".join(lines) + "\n")


def published_size(site: Path) -> int:
    """Distinct triples a query of the loaded store counts: what the embedded server's own
    queries count over the same site (its data and its graph/void, in the default graph as the
    union; `regiold load` puts both into the store's default graph)."""
    app = create_app(Settings.load({"site_dir": site, "cache_dir": site / ".cache-void"}, environ={}))
    query = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
    answer = app.test_client().get("/sparql", query_string={"query": query},
                                   headers={"Accept": "application/sparql-results+json"})
    assert answer.status_code == 200, answer.data[:300]
    return int(answer.json["results"]["bindings"][0]["n"]["value"])


@pytest.fixture
def endpoint(oxigraph_url: str) -> str:
    return f"{oxigraph_url}/query"


def test_load_pushes_the_validated_data_and_its_version(mini_site: Path, endpoint: str):
    code, output = run_load(mini_site, endpoint)
    assert code == 0, output
    parsed = sources.parse_site(mini_site, base_iri=BASE)
    remote = RemoteStore(endpoint, base_iri=BASE)
    assert remote.data_version() == parsed.version
    assert remote.triple_count() == published_size(mini_site)
    assert f"version {parsed.version}" in output


def test_a_second_load_replaces_instead_of_adding(mini_site: Path, endpoint: str):
    assert run_load(mini_site, endpoint)[0] == 0
    orgs = mini_site / "data" / "orgs.ttl"
    orgs.write_text(orgs.read_text().replace('"Beta-Kreis"@de', '"Beta-Kreis neu"@de'))
    assert run_load(mini_site, endpoint)[0] == 0
    names = {r["n"].value for r in RemoteStore(endpoint, base_iri=BASE).select(
        "SELECT ?n WHERE { <org/beta> <https://schema.org/name> ?n }")}
    assert names == {"Beta-Kreis neu"}


def test_invalid_data_is_refused_and_the_store_keeps_the_old_version(mini_site: Path, endpoint: str):
    assert run_load(mini_site, endpoint)[0] == 0
    before = RemoteStore(endpoint, base_iri=BASE).data_version()
    orgs = mini_site / "data" / "orgs.ttl"
    orgs.write_text(orgs.read_text().replace('schema:name "Beta-Kreis"@de ;', ""))
    code, output = run_load(mini_site, endpoint)
    assert code == 1 and "nothing was sent" in output and "org/beta" in output
    assert RemoteStore(endpoint, base_iri=BASE).data_version() == before


def test_a_syntax_error_names_the_place_and_sends_nothing(mini_site: Path, endpoint: str):
    assert run_load(mini_site, endpoint)[0] == 0
    before = RemoteStore(endpoint, base_iri=BASE).data_version()
    broken = "@prefix schema: <https://schema.org/> .\n<a> schema:name .\n"
    (mini_site / "data" / "broken.ttl").write_text(broken)
    code, output = run_load(mini_site, endpoint)
    assert code == 2 and "data/broken.ttl:2:" in output
    assert RemoteStore(endpoint, base_iri=BASE).data_version() == before


def test_an_unreachable_store_is_a_clear_error(mini_site: Path):
    from processes import free_port

    code, output = run_load(mini_site, f"http://127.0.0.1:{free_port()}/query")
    assert code == 1 and "did not answer" in output and "Traceback" not in output


@pytest.fixture
def fresh_endpoint(tmp_path: Path) -> Iterator[str]:
    """An Oxigraph server of its own: on-disk RocksDB slows down with the tombstones of many loads."""
    from oxigraph_server import oxigraph_server

    with oxigraph_server(tmp_path / "store") as url:
        yield f"{url}/query"


def test_a_reader_never_sees_a_half_loaded_graph(tmp_path: Path, mini_site: Path, fresh_endpoint: str):
    endpoint = fresh_endpoint
    sizes: dict[str, int] = {}
    versions: dict[str, str] = {}
    for name, count in (("a", 800), ("b", 1200)):
        site = tmp_path / name
        shutil.copytree(mini_site, site)
        write_orgs(site, count, name)
        parsed = sources.parse_site(site, base_iri=BASE)
        sizes[parsed.version] = published_size(site)
        versions[name] = parsed.version
    site_a, site_b = tmp_path / "a", tmp_path / "b"
    for site in (site_b, site_a):  # validates both (then cached), so the loads below only push
        assert run_load(site, endpoint)[0] == 0
    reader = RemoteStore(endpoint, base_iri=BASE)
    seen: list[tuple[str, int]] = []
    stop = threading.Event()

    def poll() -> None:
        deadline = time.monotonic() + 60  # bounded even if the loader hangs
        while not stop.is_set() and time.monotonic() < deadline:
            row = reader.select(COUNT_AND_VERSION)[0]
            seen.append((row["v"].value, int(row["n"].value)))
            time.sleep(0.002)  # leave the loader (same process, same GIL) room to work

    thread = threading.Thread(target=poll)
    thread.start()
    try:
        for site in (site_b, site_a, site_b):
            start = len(seen)
            assert run_load(site, endpoint)[0] == 0
            # the reader sees each load before the next one starts: both versions are read
            loaded = versions[site.name]
            wait_until(lambda: loaded in {v for v, _ in seen[start:]}, 60,  # noqa: B023
                       lambda: f"the reader never saw version {loaded}")  # noqa: B023
    finally:
        stop.set()
        thread.join(timeout=70)
    assert len({v for v, _ in seen}) == 2, "the reader should have seen both versions"
    partial = [(v, n) for v, n in seen if sizes.get(v) != n]
    assert not partial, f"{len(partial)} of {len(seen)} reads saw a partial graph: {partial[:3]}"


def test_the_app_serves_from_the_remote_store(mini_site: Path, endpoint: str, settings_for):
    assert run_load(mini_site, endpoint)[0] == 0
    app = create_app(settings_for(mini_site, store=endpoint))
    ready = app.test_client().get("/ready").json
    assert ready["triples"] == RemoteStore(endpoint, base_iri=BASE).triple_count() > 0
