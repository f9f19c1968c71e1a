"""DESCRIBE <iri> on the endpoint gives exactly the triples the resource page serves (its first
page of incoming links), for every resource of the repository's data."""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from rdflib.compare import isomorphic

ROOT = Path(__file__).resolve().parents[1]
BASE = "https://w3id.org/regionen-nrw/"

pytestmark = pytest.mark.skipif(not (ROOT / "data" / "partners").is_dir(),
                                reason="needs the repository's data (data/partners/)")


def resources(client) -> list[str]:
    query = (f"SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(isIRI(?s) && "
             f"STRSTARTS(STR(?s), \"{BASE}\") && !STRSTARTS(STR(?s), \"{BASE}graph/\")) }}")
    response = client.get("/sparql", query_string={"query": query, "format": "json"})
    return sorted(b["s"]["value"] for b in response.json["results"]["bindings"])


def test_describe_equals_the_served_description_for_every_resource(repo_app):
    client = repo_app.test_client()
    iris = resources(client)
    assert len(iris) > 50
    compared = 0
    for iri in iris:
        path = iri[len(BASE):]
        if "#" in path or "." in path.rsplit("/", 1)[-1]:
            continue  # no document URL of its own (a hash IRI, or a name with a dot)
        if path in ("dataset", "catalog"):
            continue  # their documents are the whole dataset description (docs/DATASET.md)
        page = client.get(f"/{path}.nt")
        assert page.status_code == 200, iri
        described = client.get("/sparql", query_string={"query": f"DESCRIBE <{iri}>", "format": "nt"})
        assert described.status_code == 200
        served = rdflib.Graph().parse(data=page.get_data(as_text=True), format="nt")
        answered = rdflib.Graph().parse(data=described.get_data(as_text=True), format="nt")
        assert isomorphic(served, answered), iri
        compared += 1
    assert compared > 50


def source_graph() -> rdflib.Graph:
    """ontology/ and data/ as rdflib reads them: the expected values, independent of regiold."""
    graph = rdflib.Graph()
    for kind in ("ontology", "data"):
        for path in sorted((ROOT / kind).rglob("*.ttl")):
            graph.parse(path, format="turtle", publicID=BASE)
    return graph


def own(graph: rdflib.Graph, iri: str) -> set[tuple[rdflib.term.Node, rdflib.term.Node]]:
    return {(p, o) for p, o in graph.predicate_objects(rdflib.URIRef(iri))
            if not isinstance(o, rdflib.BNode)}


def test_every_page_states_exactly_what_the_source_files_say_about_its_resource(repo_app):
    """A resource's own statements (blank nodes aside) on its page are those of data/ and
    ontology/; only the dataset, the catalog and the dataset's versions gain statistics, links
    and licence from the VoID/DCAT description (docs/DATASET.md)."""
    client, sources = repo_app.test_client(), source_graph()
    compared = 0
    for iri in resources(client):
        path = iri[len(BASE):]
        if "#" in path or "." in path.rsplit("/", 1)[-1]:
            continue
        page = rdflib.Graph().parse(data=client.get(f"/{path}.nt").get_data(as_text=True),
                                    format="nt")
        served, stated = own(page, iri), own(sources, iri)
        completed = path in ("dataset", "catalog") or path.startswith("dataset/version/")
        assert stated <= served if completed else served == stated, iri
        compared += 1
    assert compared > 100


def test_describe_with_prefixed_names_and_several_resources(repo_app):
    client = repo_app.test_client()
    one = client.get("/sparql", query_string={
        "query": "DESCRIBE rm:kreis-mettmann", "format": "nt"}).get_data(as_text=True)
    two = client.get("/sparql", query_string={
        "query": "PREFIX a: <https://w3id.org/regionen-nrw/area/>\nDESCRIBE rm:kreis-mettmann a:duesseldorf",
        "format": "nt"}).get_data(as_text=True)
    assert set(one.splitlines()) < set(two.splitlines())
    page = client.get("/org/kreis-mettmann.nt").get_data(as_text=True)
    assert isomorphic(rdflib.Graph().parse(data=one, format="nt"),
                      rdflib.Graph().parse(data=page, format="nt"))


def test_describe_with_a_where_clause_is_the_engines(repo_app):
    client = repo_app.test_client()
    response = client.get("/sparql", query_string={
        "query": "DESCRIBE ?o WHERE { ?o <https://schema.org/name> \"Kreis Mettmann\"@de }",
        "format": "nt"})
    assert response.status_code == 200
    assert f"<{BASE}org/kreis-mettmann> <https://schema.org/name>" in response.get_data(as_text=True)
