"""Every named graph the SPARQL endpoint lists is a described resource: its IRI (under our base)
answers like any other, and says how many triples the graph holds (VoID `void:triples`)."""

from __future__ import annotations

import pytest
import rdflib
from click.testing import CliRunner

from dataset_helpers import BASE, VOID_GRAPH
from regiold import create_app
from regiold.cli import cli

VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
DATASET = rdflib.URIRef(BASE + "dataset")
JSON_RESULTS = {"Accept": "application/sparql-results+json"}


def sparql(client, query: str) -> list[dict]:
    response = client.get("/sparql", query_string={"query": query}, headers=JSON_RESULTS)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["results"]["bindings"]


def named_graphs(client) -> list[str]:
    return [row["g"]["value"] for row in sparql(client, "SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } }")]


@pytest.mark.parametrize("persons", [True, False])
def test_every_named_graph_iri_answers_and_states_its_triple_count(dataset_site, settings_for,
                                                                   persons):
    client = create_app(settings_for(dataset_site, publish_persons=persons)).test_client()
    graphs = named_graphs(client)
    assert VOID_GRAPH in graphs and BASE + "graph/data/orgs" in graphs
    assert (BASE + "graph/data/people/staff" in graphs) is persons
    for graph in graphs:
        path = "/" + graph.removeprefix(BASE)
        page = client.get(path, headers={"Accept": "text/html"})
        assert page.status_code == 200, graph
        turtle = client.get(path, headers={"Accept": "text/turtle"})
        assert turtle.status_code == 200, graph
        described = rdflib.Graph().parse(data=turtle.get_data(), format="turtle")
        counted = sparql(client, f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
        node = rdflib.URIRef(graph)
        assert int(described.value(node, VOID.triples)) == int(counted[0]["n"]["value"]), graph
        assert (node, rdflib.RDF.type, VOID.Dataset) in described
        assert (node, SD.name, node) in described
        labels = {label.language for label in described.objects(node, rdflib.RDFS.label)}
        assert labels == {"de", "en"}, graph
    # the files' graphs are parts of the dataset; the description's own graph is not counted in it
    files = set(graphs) - {VOID_GRAPH}
    listed = sparql(client, f"SELECT ?g {{ GRAPH <{VOID_GRAPH}> {{ <{DATASET}> <{VOID.subset}> ?g }} }}")
    assert {row["g"]["value"] for row in listed} == files
    # the open-data document names no person's file (dump_persons is off by default)
    void = rdflib.Graph().parse(data=client.get("/.well-known/void").get_data(), format="turtle")
    subsets = {str(s) for s in void.objects(DATASET, VOID.subset)}
    assert subsets == {g for g in files if "/people/" not in g}
    assert str(void.value(rdflib.URIRef(BASE + "graph/data/orgs"), rdflib.RDFS.label)) == "data/orgs.ttl"


@pytest.mark.parametrize(("persons", "dump_persons", "page", "in_void"), [
    (False, False, 404, False),  # not in the store: nothing names the file (named after a person)
    (True, False, 200, False),  # served like the person pages; not in the open-data description
    (True, True, 200, True),  # the dumps hold it too
])
def test_a_person_files_graph_is_described_where_its_data_are(dataset_site, settings_for, persons,
                                                              dump_persons, page, in_void):
    client = create_app(settings_for(dataset_site, publish_persons=persons,
                                     dump_persons=dump_persons)).test_client()
    graph = "/graph/data/people/staff"
    assert client.get(graph, headers={"Accept": "text/turtle"}).status_code == page
    void = client.get("/.well-known/void", headers={"Accept": "application/n-triples"})
    assert (f"<{BASE}{graph[1:]}>" in void.get_data(as_text=True)) is in_void


def test_the_static_export_has_the_graph_pages(dataset_site, tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["-s", "cache_dir", str(tmp_path / "cache"), "build",
                                      "--data", str(dataset_site), "--out", str(out),
                                      "--url", "https://example.org/", "--processes", "1"])
    assert result.exit_code == 0, result.output
    for stem in ("graph/void", "graph/data/orgs", "graph/ontology/mini"):
        for name in (f"{stem}.ttl", f"{stem}.de.html", f"{stem}.en.html", f"{stem}.jsonld"):
            assert (out / name).is_file(), name
    described = rdflib.Graph().parse(out / "graph/data/orgs.ttl", format="turtle")
    assert described.value(rdflib.URIRef(BASE + "graph/data/orgs"), VOID.triples) is not None
    assert "graph/" not in (out / "sitemap.xml").read_text()
