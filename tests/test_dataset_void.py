"""The VoID + DCAT description: counts against independent SPARQL, formats, DCAT-AP.de conformance."""

from __future__ import annotations

import gzip

import pyshacl
import pytest
import rdflib
from pyld import jsonld
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, RDF, SH

from conftest import ROOT, shared_dir
from dataset_helpers import (
    BASE,
    DCAT_AP_DE_DATA,
    DCAT_AP_DE_SHAPES,
    VOID_GRAPH,
    source_graph,
)
from pages_support import offline_loader, served_context
from regiold import create_app

DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")  # open: DCAT 3 terms such as dcat:version
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
DATASET = rdflib.URIRef(BASE + "dataset")
CATALOG = rdflib.URIRef(BASE + "catalog")
RDF_FORMATS = {"text/turtle": "turtle", "application/ld+json": "json-ld",
               "application/n-triples": "nt", "application/rdf+xml": "xml"}


def void_graph(client, accept: str = "text/turtle") -> rdflib.Graph:
    response = client.get("/.well-known/void", headers={"Accept": accept})
    assert response.status_code == 200, response.get_data(as_text=True)
    if accept == "application/ld+json":  # compacted with the project context: pyld, offline
        nquads = jsonld.to_rdf(response.get_json(), {"format": "application/n-quads",
                                                     "documentLoader": offline_loader(
                                                         shared_dir(), served_context(client.get))})
        return rdflib.Graph().parse(data=nquads, format="nt")
    return rdflib.Graph().parse(data=response.get_data(), format=RDF_FORMATS[accept])


def count(graph: rdflib.Graph, predicate: rdflib.URIRef) -> int:
    return int(graph.value(DATASET, predicate))


@pytest.mark.parametrize("persons", [True, False])
def test_void_counts_equal_independent_sparql_over_the_files(dataset_site, settings_for, persons):
    dataset_app = create_app(settings_for(dataset_site, publish_persons=persons))
    void = void_graph(dataset_app.test_client())
    # With persons published, the reference is the files themselves (parsed by rdflib); without,
    # it is what the store really holds (the person policy drops more than data/people/).
    data = source_graph(dataset_site) if persons else store_content(dataset_app)
    assert (rdflib.Literal("Anna Beispiel") in set(data.objects())) is persons

    def one(query: str) -> int:
        return int(next(iter(data.query(query)))[0])

    assert count(void, VOID.triples) == len(data) == one("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")
    assert count(void, VOID.distinctSubjects) == one(
        "SELECT (COUNT(DISTINCT ?s) AS ?n) { ?s ?p ?o }")
    assert count(void, VOID.distinctObjects) == one(
        "SELECT (COUNT(DISTINCT ?o) AS ?n) { ?s ?p ?o }")
    assert count(void, VOID.entities) == one(
        f'SELECT (COUNT(DISTINCT ?s) AS ?n) {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), "{BASE}")) }}')

    expected_classes = {row[0]: int(row[1]) for row in data.query(
        "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) { ?s a ?c } GROUP BY ?c")}
    served_classes = {void.value(part, VOID["class"]): int(void.value(part, VOID.entities))
                      for part in void.objects(DATASET, VOID.classPartition)}
    assert served_classes == expected_classes
    assert (rdflib.URIRef("https://schema.org/Person") in served_classes) is persons

    expected_properties = {row[0]: int(row[1]) for row in data.query(
        "SELECT ?p (COUNT(*) AS ?n) { ?s ?p ?o } GROUP BY ?p")}
    served_properties = {void.value(part, VOID.property): int(void.value(part, VOID.triples))
                         for part in void.objects(DATASET, VOID.propertyPartition)}
    assert served_properties == expected_properties


def store_content(dataset_app) -> rdflib.Graph:
    from regiold.ingest.sources import to_rdflib_graph
    from regiold.web.context import current_site

    with dataset_app.app_context():
        return to_rdflib_graph(current_site().store.construct(
            f"CONSTRUCT {{ ?s ?p ?o }} {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{VOID_GRAPH}>) }}"))


def test_void_counts_equal_the_store(dataset_app):
    from regiold.web.context import current_site

    with dataset_app.app_context():
        store = current_site().store
        rows = store.select(f"""SELECT (COUNT(*) AS ?n) {{ SELECT DISTINCT ?s ?p ?o {{
            GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{VOID_GRAPH}>) }} }}""")
    assert count(void_graph(dataset_app.test_client()), VOID.triples) == int(rows[0]["n"].value)


def test_void_names_uri_space_endpoint_vocabularies_and_examples(dataset_app):
    void = void_graph(dataset_app.test_client())
    assert str(void.value(DATASET, VOID.uriSpace)) == BASE
    assert void.value(DATASET, VOID.sparqlEndpoint) == rdflib.URIRef(BASE + "sparql")
    vocabularies = set(void.objects(DATASET, VOID.vocabulary))
    assert {rdflib.URIRef("https://schema.org/"), rdflib.URIRef(BASE + "def/"),
            rdflib.URIRef(str(RDF))} <= vocabularies
    examples = set(void.objects(DATASET, VOID.exampleResource))
    assert rdflib.URIRef(BASE + "org/beta") in examples or rdflib.URIRef(BASE + "org/alpha") in examples
    assert all(str(e).startswith(BASE) for e in examples)
    dumps = {str(d) for d in void.objects(DATASET, VOID.dataDump)}
    assert dumps == {f"{BASE}dumps/regionen-nrw.{s}" for s in ("ttl", "nt.gz", "jsonld", "trig", "nq")}
    assert len(str(void.value(DATASET, DCAT.version))) == 16  # the data version
    assert void.value(DATASET, DCTERMS.modified) is not None
    # the static metadata from data/dataset.ttl is part of the same description
    assert void.value(DATASET, DCTERMS.title) is not None
    assert (CATALOG, DCAT.dataset, DATASET) in void


def test_description_is_in_the_store_as_its_own_named_graph(dataset_app):
    from regiold.web.context import current_site

    with dataset_app.app_context():
        store = current_site().store
        assert store.ask(f"ASK {{ GRAPH <{VOID_GRAPH}> {{ <{DATASET}> <{VOID.triples}> ?n }} }}")
        counted = store.select(
            f"SELECT ?n {{ GRAPH <{VOID_GRAPH}> {{ <{DATASET}> <{VOID.triples}> ?n }} }}")
    assert int(counted[0]["n"].value) == count(void_graph(dataset_app.test_client()), VOID.triples)


@pytest.mark.parametrize("accept", sorted(RDF_FORMATS))
def test_every_format_parses_to_the_same_graph(dataset_app, accept):
    client = dataset_app.test_client()
    response = client.get("/.well-known/void", headers={"Accept": accept})
    assert response.headers["Content-Type"].startswith(accept)
    assert ("charset=utf-8" in response.headers["Content-Type"]) == (accept != "application/ld+json")
    assert "Accept" in response.headers["Vary"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert isomorphic(void_graph(client, accept), void_graph(client))
    if accept == "application/ld+json":  # compacted with the project context, like every resource
        full = served_context(client.get)["@context"]
        assert response.get_json()["@context"].items() <= full.items()


def test_void_is_gzipped_when_asked(dataset_app):
    client = dataset_app.test_client()
    plain = client.get("/.well-known/void")
    zipped = client.get("/.well-known/void", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.get_data()) == plain.get_data()
    assert zipped.headers["ETag"] != plain.headers["ETag"] and "Accept-Encoding" in zipped.headers["Vary"]


def test_negotiation_defaults_to_turtle_sends_browsers_to_the_page_and_refuses_the_rest(dataset_app):
    client = dataset_app.test_client()
    assert client.get("/.well-known/void", headers={"Accept": "*/*"}).content_type.startswith(
        "text/turtle")
    assert client.get("/.well-known/void").content_type.startswith("text/turtle")
    browser = client.get("/.well-known/void", headers={
        "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"})
    assert browser.status_code == 303 and browser.headers["Location"].endswith("/dataset")
    assert client.get("/.well-known/void?format=jsonld").content_type.startswith(
        "application/ld+json")
    refused = client.get("/.well-known/void", headers={"Accept": "image/png"})
    assert refused.status_code == 406 and "text/turtle" in refused.get_data(as_text=True)
    assert client.get("/.well-known/void?format=bogus").status_code == 406
    head = client.head("/.well-known/void")
    assert head.status_code == 200 and head.get_data() == b""
    assert int(head.headers["Content-Length"]) == len(client.get("/.well-known/void").get_data())
    links = client.get("/.well-known/void").headers["Link"]
    assert 'rel="alternate"' in links and "application/rdf+xml" in links


def test_void_is_conditional(dataset_app):
    client = dataset_app.test_client()
    first = client.get("/.well-known/void")
    etag = first.headers["ETag"]
    assert not etag.startswith("W/")
    assert client.get("/.well-known/void", headers={"If-None-Match": etag}).status_code == 304
    assert client.get("/.well-known/void", headers={
        "If-Modified-Since": first.headers["Last-Modified"]}).status_code == 304
    other = client.get("/.well-known/void", headers={"Accept": "application/n-triples"})
    assert other.headers["ETag"] != etag  # one ETag per representation
    assert client.get("/.well-known/void", headers={"If-None-Match": '"stale"'}).status_code == 200


# --- DCAT-AP.de 3.0 -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dcat_ap_de() -> tuple[rdflib.Graph, rdflib.Graph]:
    """The official shapes and the support data, combined as shared/vocab/dcat-ap-de-3.0/README.md says."""
    folder = shared_dir() / "vocab" / "dcat-ap-de-3.0"
    shapes, support = rdflib.Graph(), rdflib.Graph()
    for name in DCAT_AP_DE_SHAPES:
        shapes.parse(folder / name)
    for name in DCAT_AP_DE_DATA:
        support.parse(folder / name)
    return shapes, support


def dcat_ap_results(description: rdflib.Graph, dcat_ap_de) -> list[tuple[str, str, str]]:
    shapes, support = dcat_ap_de
    data = description + support
    _, results, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", advanced=True,
                                     allow_warnings=True)
    return sorted((str(results.value(r, SH.resultSeverity)).rsplit("#", 1)[-1],
                   str(results.value(r, SH.focusNode)), str(results.value(r, SH.resultMessage)))
                  for r in results.subjects(RDF.type, SH.ValidationResult))


def test_description_conforms_to_dcat_ap_de(dataset_app, dcat_ap_de):
    assert dcat_ap_results(void_graph(dataset_app.test_client()), dcat_ap_de) == []


def test_a_dataset_without_title_gets_the_german_violation(dataset_app, dcat_ap_de):
    description = void_graph(dataset_app.test_client())
    description.remove((DATASET, DCTERMS.title, None))
    results = dcat_ap_results(description, dcat_ap_de)
    assert ("Violation", str(DATASET), "dcat:Dataset: dcterms:title MUSS MINDESTEN einmal vorkommen.") \
        in results


def test_the_repository_dataset_conforms_to_dcat_ap_de(request, dcat_ap_de):
    if not (ROOT / "data" / "dataset.ttl").exists():
        pytest.skip("the repository's data/dataset.ttl has not landed yet")
    repo_app = request.getfixturevalue("repo_app")
    results = dcat_ap_results(void_graph(repo_app.test_client()), dcat_ap_de)
    assert [r for r in results if r[0] == "Violation"] == []


@pytest.mark.remote
def test_a_remote_store_gets_the_same_description(dataset_site, settings_for, request):
    from regiold.ingest import sources
    from regiold.publish.remote_load import load_remote
    from regiold.store import RemoteStore

    endpoint = f"{request.getfixturevalue('oxigraph_url')}/query"
    parsed = sources.parse_site(dataset_site, base_iri=BASE)
    remote = RemoteStore(endpoint, base_iri=BASE)
    load_remote(settings_for(dataset_site, store=endpoint))
    in_store = f"ASK {{ GRAPH <{VOID_GRAPH}> {{ <{DATASET}> <{VOID.triples}> ?n }} }}"
    # `regiold load` puts the generated graph into the remote store, under its own name
    assert remote.ask(in_store)
    remote.add_graph(VOID_GRAPH, [])
    embedded = void_graph(create_app(settings_for(dataset_site)).test_client())
    served = void_graph(create_app(settings_for(dataset_site, store=endpoint)).test_client())
    assert count(served, VOID.triples) == len(parsed.published_quads())
    assert isomorphic(served, embedded)
    # serving never writes to a remote store (it may be a read-only endpoint)
    assert not remote.ask(in_store)


def test_the_dataset_page_and_sparql_show_the_generated_description(repo_app):
    client = repo_app.test_client()
    triples = count(void_graph(client), VOID.triples)
    page = rdflib.Graph().parse(data=client.get("/dataset.ttl").get_data(), format="turtle")
    assert int(page.value(DATASET, VOID.triples)) == triples
    assert len(set(page.objects(DATASET, DCAT.distribution))) >= 6  # five dumps and the endpoint
    query = f"SELECT ?n WHERE {{ GRAPH <{VOID_GRAPH}> {{ <{DATASET}> <{VOID.triples}> ?n }} }}"
    answer = client.get("/sparql", query_string={"query": query},
                        headers={"Accept": "application/sparql-results+json"})
    assert answer.status_code == 200
    assert int(answer.get_json()["results"]["bindings"][0]["n"]["value"]) == triples
