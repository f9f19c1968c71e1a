"""An operator who scales out: `regiold load` into a remote store, then `regiold` serving from it,
must give every resource the bytes the embedded store gives (N-Triples, Turtle, HTML), the
dataset's pages included: the generated VoID/DCAT description is part of what the embedded
store's pages see."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from pages_support import PAGES_SITE
from regiold import create_app
from regiold.cli import cli
from regiold.settings import Settings

pytestmark = pytest.mark.remote
BASE = "https://w3id.org/regionen-nrw/"
STORE_SETTINGS = ("store", "store_update", "store_data")


@pytest.fixture(params=["oxigraph", "virtuoso"])
def store_settings(request: pytest.FixtureRequest) -> dict[str, str]:
    if request.param == "oxigraph":
        return {"store": request.getfixturevalue("oxigraph_url") + "/query"}
    return request.getfixturevalue("virtuoso")


def resource_paths(client: object) -> list[str]:
    """Every IRI subject under the base, as the embedded server's SPARQL endpoint lists them."""
    query = (f'SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{BASE}") '
             f'&& !CONTAINS(STR(?s), "#")) }}')
    response = client.get("/sparql", query_string={"query": query},  # type: ignore[attr-defined]
                          headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200
    return sorted({row["s"]["value"][len(BASE):] for row in response.json["results"]["bindings"]}
                  - {""} | {"dataset", "catalog"})


def test_every_page_from_a_remote_store_equals_the_embedded_stores(store_settings: dict[str, str],
                                                                   tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(PAGES_SITE, site)
    args = [arg for name, value in store_settings.items() for arg in ("-s", name, value)]
    result = CliRunner().invoke(cli, [*args, "-s", "cache_dir", str(tmp_path / "load-cache"),
                                      "load", "--data", str(site)])
    assert result.exit_code == 0, result.output
    remote = create_app(Settings.load({"site_dir": site, "cache_dir": tmp_path / "remote-cache",
                                       **store_settings}, environ={})).test_client()
    embedded = create_app(Settings.load({"site_dir": site, "cache_dir": tmp_path / "cache"},
                                        environ={})).test_client()
    paths = resource_paths(embedded)
    assert {"dataset", "org/dme", "person/erika-mustermann"} <= set(paths), paths
    differ = []
    for path in paths:
        for url in (f"/{path}.nt", f"/{path}.ttl", f"/{path}.html", f"/{path}?lang=en"):
            served, expected = remote.get(url), embedded.get(url)
            if (served.status_code, served.data) != (expected.status_code, expected.data):
                differ.append(url)
    assert differ == [], f"{len(differ)} of {4 * len(paths)} documents differ: {differ[:12]}"
