"""The RDF representations: the same triples in every format (checked with an independent parser),
JSON-LD that pyld expands to exactly the Turtle triples, the description's contents and paging."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from pyld import jsonld
from rdflib.namespace import ORG, RDF

from conftest import shared_dir
from pages_support import (
    BASE,
    DME,
    copy_site,
    make_app,
    offline_loader,
    same_graph,
    served_context,
    to_rdflib,
)
from regiold.publish import render
from regiold.rdf.formats import JSONLD, NTRIPLES, RDFXML, TURTLE
from regiold.rdf.namespaces import SDO

RDFLIB_NAMES = {TURTLE.key: "turtle", NTRIPLES.key: "nt", RDFXML.key: "xml"}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory):
    return make_app(copy_site(tmp_path_factory.mktemp("rdf") / "site"))


@pytest.fixture(scope="module")
def site(app):
    return app.extensions["regiold"].site


def resources(site) -> list[str]:
    rows = site.store.select(f'SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), "{BASE}")) }}')
    return sorted(r["s"].value for r in rows)


def path_of(iri: str) -> str:
    return "/" + iri[len(BASE):]


def expand_to_graph(document: dict, shared: Path, context: dict) -> rdflib.Graph:
    """pyld expands ``document`` with the served /context.jsonld (``context``)."""
    nquads = jsonld.to_rdf(document, {"format": "application/n-quads",
                                      "documentLoader": offline_loader(shared, context)})
    quads = list(ox.parse(nquads.encode(), format=ox.RdfFormat.N_QUADS))  # pyoxigraph reads pyld's output
    return to_rdflib(quads)


def test_every_resource_has_the_same_triples_in_every_format(app, site) -> None:
    """Each format read by an independent parser (rdflib; pyld for JSON-LD, with the context the
    server publishes) gives the triples rdflib reads from the N-Triples document."""
    client = app.test_client()
    shared, context = shared_dir(), served_context(client.get)
    iris = resources(site)
    assert len(iris) > 15
    for iri in iris:
        document = iri.split("#")[0]  # a hash IRI is described in its document's description
        response = client.get(f"{path_of(document)}.{NTRIPLES.key}")
        assert response.status_code == 200, iri
        expected = rdflib.Graph().parse(data=response.data, format="nt")
        assert (rdflib.URIRef(iri), None, None) in expected, iri
        if "#" in iri:
            continue
        for key, name in RDFLIB_NAMES.items():  # pyoxigraph wrote these; rdflib reads them
            response = client.get(f"{path_of(iri)}.{key}")
            assert response.status_code == 200, (iri, key)
            parsed = rdflib.Graph().parse(data=response.data, format=name)
            assert same_graph(parsed, expected), (iri, key)
        compacted = client.get(f"{path_of(iri)}.{JSONLD.key}").get_json()  # rdflib wrote it
        assert compacted["@context"].items() <= context["@context"].items()  # the served one, cut
        assert same_graph(expand_to_graph(compacted, shared, context), expected), (iri, "jsonld")


EXPECTED = Path(__file__).parent / "fixtures" / "expected"


@pytest.mark.parametrize("key", [TURTLE.key, NTRIPLES.key, RDFXML.key, JSONLD.key])
def test_a_description_is_exactly_the_hand_written_one(app, key) -> None:
    """The network's description in each format equals tests/fixtures/expected/org-network.ttl,
    written by hand from the fixture data and the description rule (docs/SERVING.md)."""
    client = app.test_client()
    expected = rdflib.Graph().parse(EXPECTED / "org-network.ttl", format="turtle")
    response = client.get(f"/org/network.{key}")
    assert response.status_code == 200
    if key == JSONLD.key:
        served = expand_to_graph(response.get_json(), shared_dir(), served_context(client.get))
    else:
        served = rdflib.Graph().parse(data=response.data, format=RDFLIB_NAMES[key])
    assert same_graph(served, expected), sorted(set(served) ^ set(expected))


def test_jsonld_expands_to_exactly_the_turtle_triples(app) -> None:
    client = app.test_client()
    turtle = rdflib.Graph().parse(data=client.get("/org/dme.ttl").data, format="turtle")
    document = client.get("/org/dme.jsonld").get_json()
    expanded = expand_to_graph(document, shared_dir(), served_context(client.get))
    assert len(expanded) == len(turtle) > 40
    assert same_graph(expanded, turtle)


def test_jsonld_uses_readable_keys(app) -> None:
    text = app.test_client().get("/org/dme.jsonld").get_data(as_text=True)
    document = json.loads(text)
    nodes = {node["@id"]: node for node in document["@graph"]}
    dme = nodes["rm:dme"]
    assert {"name", "description", "parentOrganization", "memberOf", "address", "contactPoint"} <= dme.keys()
    assert sorted(dme["parentOrganization"]) == ["rm:duesseldorf", "rm:ihk"]
    contact = nodes[f"{DME}/contact/erika"]
    assert contact["telephone"] == "+492111234567"
    assert contact["email"] == "mailto:erika.mustermann@example.org"
    keys = {key for node in document["@graph"] for key in node}
    assert not [key for key in keys if "://" in key]  # no full IRIs as keys


def test_description_holds_dependents_labels_and_incoming_links(site) -> None:
    graph = to_rdflib(render.description(site, DME).triples)
    dme = rdflib.URIRef(DME)
    for dependent in ("address/hennekamp", "contact/erika", "board", "membership/board-ob",
                      "membership/traeger-duesseldorf", "service/lotse", "membership/network"):
        assert (rdflib.URIRef(f"{DME}/{dependent}"), RDF.type, None) in graph, dependent
    # the board's member is a post in the carrier: its label comes along
    post = rdflib.URIRef(f"{BASE}org/duesseldorf/post/oberbuergermeister")
    assert (post, rdflib.RDFS.label, rdflib.Literal("Oberbürgermeister der Landeshauptstadt Düsseldorf",
                                                     lang="de")) in graph
    # labels and types of linked resources, not their other facts
    carrier = rdflib.URIRef(f"{BASE}org/duesseldorf")
    assert (carrier, SDO.name, rdflib.Literal("Landeshauptstadt Düsseldorf", lang="de")) in graph
    assert (carrier, RDF.type, SDO.GovernmentOrganization) in graph
    # incoming: the person who works for it
    assert (rdflib.URIRef(f"{BASE}person/erika-mustermann"), SDO.worksFor, dme) in graph
    assert (rdflib.URIRef(f"{BASE}org/alpha"), None, None) not in graph


def test_a_carrier_lists_what_it_carries_and_a_network_its_members(site) -> None:
    carrier = to_rdflib(render.description(site, f"{BASE}org/duesseldorf").triples)
    assert (rdflib.URIRef(DME), SDO.parentOrganization, rdflib.URIRef(f"{BASE}org/duesseldorf")) in carrier
    assert (rdflib.URIRef(DME), SDO.name, None) in carrier
    network = to_rdflib(render.description(site, f"{BASE}org/network").triples)
    members = set(network.subjects(SDO.memberOf, rdflib.URIRef(f"{BASE}org/network")))
    assert members == {rdflib.URIRef(f"{BASE}org/{m}") for m in ("alpha", "beta", "dme")}
    membership = rdflib.URIRef(f"{DME}/membership/network")
    assert (membership, ORG.member, rdflib.URIRef(DME)) in network  # who the membership is of


def test_large_descriptions_are_paged(tmp_path: Path) -> None:
    client = make_app(copy_site(tmp_path / "site"), page_size=2).test_client()
    first = client.get("/org/network.ttl")
    assert '</org/network?page=2>; rel="next"' in first.headers["Link"]
    assert 'rel="prev"' not in first.headers["Link"]
    second = client.get("/org/network.ttl?page=2")
    assert second.status_code == 200
    # page 1's one URL is the bare one (no page=1 that a crawler would see as a second copy)
    assert '</org/network>; rel="prev"' in second.headers["Link"]
    graphs = [rdflib.Graph().parse(data=r.data, format="turtle") for r in (first, second)]
    network = rdflib.URIRef(f"{BASE}org/network")
    linking = [set(g.subjects(None, network)) for g in graphs]
    assert len(linking[0]) == 2 and len(linking[1]) == 2 and not linking[0] & linking[1]
    for graph in graphs:  # each page still carries the resource's own triples
        assert (network, SDO.name, rdflib.Literal("Verbund Test.NRW", lang="de")) in graph
    assert client.get("/org/network.ttl?page=3").status_code == 404
    html = client.get("/org/network?page=2", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert 'rel="prev" href="/org/network"' in html and "page=1" not in html
    named = client.get("/org/network?page=2&lang=de", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert 'rel="prev" href="/org/network?lang=de"' in named  # the chosen language stays
    assert 'rel="next"' not in named


def test_rdf_keeps_canonical_iris_whatever_the_host(app) -> None:
    body = app.test_client().get("/org/dme.nt", base_url="http://127.0.0.1:9999").get_data(as_text=True)
    assert "<https://w3id.org/regionen-nrw/org/dme>" in body
    assert "127.0.0.1" not in body
