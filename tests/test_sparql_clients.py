"""Real SPARQL clients against a live server on 127.0.0.1: SPARQLWrapper (GET and POST; JSON,
XML, CSV, TSV; CONSTRUCT as Turtle), rdflib's SPARQLStore, and raw HTTP."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
import rdflib
import requests
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, GET, JSON, POST, TSV, TURTLE, XML, SPARQLWrapper

ROOT = Path(__file__).resolve().parents[1]
BASE = "https://w3id.org/regionen-nrw/"
DME = BASE + "org/regionalmanagement-duesseldorf-kreis-mettmann"
CARRIERS = f"""
PREFIX schema: <https://schema.org/>
SELECT ?carrier ?name WHERE {{
  <{DME}> schema:parentOrganization ?carrier . ?carrier schema:name ?name .
  FILTER(LANG(?name) = "de")
}} ORDER BY ?name
"""
EXPECTED = ["Industrie- und Handelskammer zu Düsseldorf", "Kreis Mettmann",
            "Landeshauptstadt Düsseldorf"]

pytestmark = pytest.mark.skipif(not (ROOT / "data" / "partners").is_dir(),
                                reason="needs the repository's data (data/partners/)")


def wrapper(live_url: str, method: str, fmt: str, query: str = CARRIERS) -> SPARQLWrapper:
    client = SPARQLWrapper(live_url + "/sparql")
    client.setMethod(method)
    client.setReturnFormat(fmt)
    client.setQuery(query)
    return client


@pytest.mark.parametrize("method", [GET, POST])
def test_sparqlwrapper_json_and_xml(live_url, method):
    result = wrapper(live_url, method, JSON).query().convert()
    assert [b["name"]["value"] for b in result["results"]["bindings"]] == EXPECTED
    document = wrapper(live_url, method, XML).query().convert()  # an xml.dom Document
    literals = [n.firstChild.data for n in document.getElementsByTagName("literal")]
    assert literals == EXPECTED


@pytest.mark.parametrize("method", [GET, POST])
def test_sparqlwrapper_csv_and_tsv(live_url, method):
    table = list(csv.reader(io.StringIO(wrapper(live_url, method, CSV).query().convert().decode())))
    assert table[0] == ["carrier", "name"] and [row[1] for row in table[1:]] == EXPECTED
    tsv = wrapper(live_url, method, TSV).query().convert().decode().splitlines()
    assert tsv[0] == "?carrier\t?name"
    assert [line.split("\t")[1] for line in tsv[1:]] == [f'"{name}"@de' for name in EXPECTED]


@pytest.mark.parametrize("method", [GET, POST])
def test_sparqlwrapper_construct_as_turtle(live_url, method):
    query = f"CONSTRUCT WHERE {{ <{DME}> <https://schema.org/parentOrganization> ?carrier }}"
    data = wrapper(live_url, method, TURTLE, query).query().convert()
    graph = rdflib.Graph().parse(data=data, format="turtle")
    assert {str(o) for o in graph.objects(rdflib.URIRef(DME), None)} == {
        BASE + "org/landeshauptstadt-duesseldorf", BASE + "org/kreis-mettmann",
        BASE + "org/ihk-duesseldorf"}


def test_sparqlwrapper_ask(live_url):
    query = f"ASK {{ <{DME}> a <https://schema.org/Organization> }}"
    assert wrapper(live_url, GET, JSON, query).query().convert()["boolean"] is True


def test_rdflib_sparqlstore_treats_the_endpoint_as_a_graph(live_url):
    store = SPARQLStore(live_url + "/sparql", returnFormat="json")
    graph = rdflib.Graph(store=store)
    try:
        names = sorted(str(row.name) for row in graph.query(CARRIERS))
        assert names == EXPECTED
        sdo = rdflib.Namespace("https://schema.org/")
        assert (rdflib.URIRef(DME), rdflib.RDF.type, sdo.Organization) in graph
        carriers = set(graph.objects(rdflib.URIRef(DME), sdo.parentOrganization))
        assert rdflib.URIRef(BASE + "org/kreis-mettmann") in carriers and len(carriers) == 3
        assert len(graph) > 1000  # COUNT over the endpoint
    finally:
        store.close()


def test_raw_http_protocol(live_url):
    endpoint = live_url + "/sparql"
    by_get = requests.get(endpoint, params={"query": CARRIERS},
                          headers={"Accept": "application/sparql-results+json"}, timeout=10)
    by_post = requests.post(endpoint, data=CARRIERS.encode(), timeout=10,
                            headers={"Content-Type": "application/sparql-query; charset=utf-8",
                                     "Accept": "text/csv"})
    assert by_get.status_code == by_post.status_code == 200
    assert by_get.headers["Content-Type"] == "application/sparql-results+json; charset=utf-8"
    assert by_post.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "Accept" in by_get.headers["Vary"]
    assert [b["name"]["value"] for b in by_get.json()["results"]["bindings"]] == EXPECTED
    bad = requests.get(endpoint, params={"query": "SELECT * WHERE {"}, timeout=10)
    assert bad.status_code == 400 and bad.headers["Content-Type"] == "application/problem+json"
    assert "Traceback" not in bad.text
    update = requests.post(endpoint, data={"update": "DROP ALL"}, timeout=10)
    assert update.status_code == 403
    description = requests.get(endpoint, headers={"Accept": "text/turtle"}, timeout=10)
    graph = rdflib.Graph().parse(data=description.text, format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    public = rdflib.URIRef(BASE + "sparql")  # the public address (base_iri), never this Host
    assert (public, sd.endpoint, public) in graph
    assert rdflib.URIRef(BASE + "graph/data/partners/duesseldorf-kreis-mettmann") in set(
        graph.objects(None, sd.name))
