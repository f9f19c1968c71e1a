"""One contract, four stores: the embedded pyoxigraph store (in memory and as a snapshot), a real
Oxigraph server and a real Virtuoso 7, each filled the way `regiold load` fills it."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from regiold.errors import ConfigError, QuerySyntaxError, StoreUnavailable
from regiold.ingest import sources
from regiold.settings import Settings
from regiold.store import EmbeddedStore, RemoteStore, Store, open_store
from regiold.store.snapshot import open_snapshot

BASE = "https://w3id.org/regionen-nrw/"
FIXTURE_SITE = Path(__file__).parent / "fixtures" / "site"
SCHEMA = "https://schema.org/"


@pytest.fixture(scope="module")
def parsed() -> sources.Sources:
    return sources.parse_site(FIXTURE_SITE, base_iri=BASE)


@pytest.fixture(params=["embedded", "snapshot", pytest.param("remote", marks=pytest.mark.remote),
                        pytest.param("virtuoso", marks=pytest.mark.remote)])
def store(request: pytest.FixtureRequest, parsed: sources.Sources, tmp_path: Path) -> Store:
    if request.param == "embedded":
        return EmbeddedStore.from_sources(parsed)
    if request.param == "snapshot":
        return open_snapshot(tmp_path / "snapshot", base_iri=BASE, published=parsed.published_store(),
                             extra=[])
    if request.param == "virtuoso":
        urls = request.getfixturevalue("virtuoso")
        remote = RemoteStore(urls["store"], base_iri=BASE, update_url=urls["store_update"],
                             data_url=urls["store_data"])
    else:
        remote = RemoteStore(f"{request.getfixturevalue('oxigraph_url')}/query", base_iri=BASE)
    remote.replace_data(parsed.published_quads(), version=parsed.version)
    assert remote.data_version() == parsed.version
    return remote


def published_triples(parsed: sources.Sources) -> set[ox.Triple]:
    return {ox.Triple(q.subject, q.predicate, q.object) for q in parsed.published_quads()}


def test_select_resolves_relative_iris_and_keeps_language_tags(store: Store):
    rows = store.select(f"SELECT ?name WHERE {{ <org/alpha> <{SCHEMA}name> ?name }}")
    assert rows == [{"name": ox.Literal("Regionalmanagement Alpha", language="de")}]


def test_select_leaves_unbound_variables_out_of_the_row(store: Store):
    rows = store.select(f"""SELECT ?org ?person WHERE {{
        ?org a <{SCHEMA}Organization> OPTIONAL {{ ?org <{SCHEMA}employee> ?person }} }}
        ORDER BY ?org""")
    assert rows == [
        {"org": ox.NamedNode(f"{BASE}org/alpha"), "person": ox.NamedNode(f"{BASE}person/anna-beispiel")},
        {"org": ox.NamedNode(f"{BASE}org/beta")},
    ]


def test_ask_answers_both_ways(store: Store):
    assert store.ask(f"ASK {{ <org/beta> a <{SCHEMA}Organization> }}") is True
    assert store.ask(f"ASK {{ <org/gamma> a <{SCHEMA}Organization> }}") is False


def test_construct_returns_exactly_the_stored_triples(store: Store, parsed: sources.Sources):
    expected = {t for t in published_triples(parsed) if t.subject == ox.NamedNode(f"{BASE}org/alpha")}
    got = store.construct("CONSTRUCT WHERE { <org/alpha> ?p ?o }")
    assert set(got) == expected and len(got) == len(expected)


def test_the_default_graph_is_the_union_of_the_files(store: Store, parsed: sources.Sources):
    assert store.triple_count() == len(published_triples(parsed))
    assert store.ask(f"ASK {{ <person/anna-beispiel> <{SCHEMA}name> ?n . <org/alpha> ?p ?o }}")


def test_a_syntax_error_is_a_query_syntax_error(store: Store):
    with pytest.raises(QuerySyntaxError):
        store.select("SELECT ?x WHERE { ?x ")


@pytest.mark.remote
def test_an_unreachable_store_is_unavailable_without_naming_the_endpoint():
    from processes import free_port

    store = RemoteStore(f"http://127.0.0.1:{free_port()}/query", base_iri=BASE, timeout=2)
    with pytest.raises(StoreUnavailable) as caught:
        store.select("SELECT * WHERE { ?s ?p ?o }")
    assert caught.value.status == 503 and caught.value.retry_after > 0
    assert "127.0.0.1" not in str(caught.value)


@pytest.mark.remote
def test_withheld_person_data_never_reaches_the_remote_store(oxigraph_url: str, parsed: sources.Sources):
    remote = RemoteStore(f"{oxigraph_url}/query", base_iri=BASE)
    remote.replace_data(parsed.published_quads(include_persons=False), version="no-persons")
    assert not remote.ask(f"ASK {{ ?p a <{SCHEMA}Person> }}")
    assert remote.ask(f"ASK {{ ?o a <{SCHEMA}Organization> }}")
    assert remote.data_version() == "no-persons"


def test_open_store_follows_the_store_setting(parsed: sources.Sources):
    embedded = open_store(parsed, Settings.load({}, environ={}))
    assert isinstance(embedded, EmbeddedStore)
    remote = open_store(parsed, Settings.load({"store": "http://127.0.0.1:7878/query"}, environ={}))
    assert isinstance(remote, RemoteStore)
    assert remote.update_url == "http://127.0.0.1:7878/update"
    assert remote.data_url == "http://127.0.0.1:7878/store"


def test_fuseki_urls_are_derived_and_credentials_stay_out_of_urls():
    remote = RemoteStore("http://admin:pw@127.0.0.1:3030/ds/sparql", base_iri=BASE)
    assert (remote.query_url, remote.update_url, remote.data_url) == (
        "http://127.0.0.1:3030/ds/sparql", "http://127.0.0.1:3030/ds/update",
        "http://127.0.0.1:3030/ds/data")


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/query", "store", "http://127.0.0.1:8890/endpoint"])
def test_a_bad_store_setting_names_the_problem(url: str, parsed: sources.Sources):
    with pytest.raises(ConfigError, match="endpoint"):
        open_store(parsed, Settings.load({"store": url}, environ={}))
