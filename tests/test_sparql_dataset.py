"""The RDF dataset a request names with the SPARQL 1.1 Protocol's default-graph-uri and
named-graph-uri. They correspond to FROM and FROM NAMED (Protocol 2.1.4), and a dataset given in
the request replaces the query's: so, as SPARQL 1.1 Query 13.2 has it for FROM NAMED alone, named
graphs alone leave the default graph empty, and default graphs alone leave no named graph."""

from __future__ import annotations

import pytest

from sparql_support import BASE, make_app, make_site

ORGS_GRAPH = BASE + "graph/data/orgs"
EXTRA_GRAPH = BASE + "graph/data/extra"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    return make_app(make_site(tmp_path_factory.mktemp("dataset"))).test_client()


def rows(client, query: str, **params: object) -> list[dict]:
    response = client.get("/sparql", query_string={"query": query, **params})
    assert response.status_code == 200, response.data[:300]
    return response.json["results"]["bindings"]


def count(client, query: str = COUNT, **params: object) -> int:
    return int(rows(client, query, **params)[0]["n"]["value"])


def test_named_graphs_alone_leave_the_default_graph_empty(client):
    # the same as the query's own FROM NAMED: the engine's reading of SPARQL 13.2
    from_named = f"SELECT (COUNT(*) AS ?n) FROM NAMED <{EXTRA_GRAPH}> WHERE {{ ?s ?p ?o }}"
    assert count(client, from_named) == 0
    assert count(client, **{"named-graph-uri": EXTRA_GRAPH}) == 0
    graphs = rows(client, GRAPHS, **{"named-graph-uri": EXTRA_GRAPH})
    assert [b["g"]["value"] for b in graphs] == [EXTRA_GRAPH]


def test_default_graphs_alone_leave_no_named_graph(client):
    from_only = f"SELECT DISTINCT ?g FROM <{ORGS_GRAPH}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    assert rows(client, from_only) == []
    assert rows(client, GRAPHS, **{"default-graph-uri": ORGS_GRAPH}) == []
    assert count(client, **{"default-graph-uri": ORGS_GRAPH}) > 0


def test_the_requests_dataset_replaces_the_querys(client):
    """Protocol 2.1.4: with different datasets in the request and the query, the request's."""
    query = f"SELECT (COUNT(*) AS ?n) FROM <{ORGS_GRAPH}> WHERE {{ ?s ?p ?o }}"
    assert count(client, query) > 0
    assert count(client, query, **{"named-graph-uri": EXTRA_GRAPH}) == 0
    assert count(client, query, **{"default-graph-uri": EXTRA_GRAPH}) == count(
        client, **{"default-graph-uri": EXTRA_GRAPH})
