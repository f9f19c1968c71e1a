"""The repository's own data over a real HTTP server on 127.0.0.1 with a real client (requests):
negotiation, validators, compression, and every resource's formats agreeing with each other."""

from __future__ import annotations

import gzip

import pyoxigraph as ox
import pytest
import rdflib
import requests
from pyld import jsonld

import conneg_checks
from conftest import ROOT, shared_dir
from pages_support import BASE, offline_loader, same_graph, served_context, to_rdflib

DME = "/org/regionalmanagement-duesseldorf-kreis-mettmann"


@pytest.fixture(scope="module")
def url(request: pytest.FixtureRequest) -> str:
    if not (ROOT / "data" / "partners").is_dir():
        pytest.skip("needs the repository's data (data/partners/)")
    return request.getfixturevalue("live_url")


def test_negotiation_and_headers_on_the_wire(url: str) -> None:
    turtle = requests.get(url + DME, headers={"Accept": "text/turtle;q=0.9, application/ld+json;q=0.5"},
                          timeout=10)
    assert turtle.status_code == 200
    assert turtle.headers["Content-Type"] == "text/turtle; charset=utf-8"
    assert turtle.headers["Content-Location"] == DME + ".ttl"
    assert turtle.headers["Access-Control-Allow-Origin"] == "*"
    assert 'rel="canonical"' in turtle.headers["Link"]
    graph = rdflib.Graph().parse(data=turtle.text, format="turtle")
    dme = rdflib.URIRef(BASE + DME[1:])
    carriers = set(graph.objects(dme, rdflib.URIRef("https://schema.org/parentOrganization")))
    assert len(carriers) == 3
    again = requests.get(url + DME, headers={"Accept": "text/turtle",
                                             "If-None-Match": turtle.headers["ETag"]}, timeout=10)
    assert again.status_code == 304 and again.content == b""
    browser = requests.get(url + DME, headers={"Accept": "text/html"}, timeout=10)
    assert browser.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "<h1><bdi>Regionalmanagement Düsseldorf – Kreis Mettmann</bdi></h1>" in browser.text
    assert requests.get(url + DME, headers={"Accept": "image/png"}, timeout=10).status_code == 406
    assert requests.post(url + DME, timeout=10).status_code == 405
    head = requests.head(url + DME + ".jsonld", timeout=10)
    assert head.status_code == 200 and head.content == b""


def test_gzip_on_the_wire(url: str) -> None:
    raw = requests.get(url + DME + ".nt", headers={"Accept-Encoding": "gzip"}, stream=True, timeout=10)
    body = raw.raw.read(decode_content=False)
    assert raw.headers["Content-Encoding"] == "gzip"
    plain = requests.get(url + DME + ".nt", headers={"Accept-Encoding": "identity"}, timeout=10)
    assert gzip.decompress(body) == plain.content and "Content-Encoding" not in plain.headers


def test_every_resource_of_the_real_data_agrees_across_formats(url: str, repo_app) -> None:
    everything = _resources(repo_app.extensions["regiold"].site)
    assert len(everything) > 100
    sitemap_iris = [p for p in everything if p.count("/") <= 2]  # top-level: every kind of page
    assert len(sitemap_iris) > 40
    session = requests.Session()
    loader = offline_loader(shared_dir(), served_context(lambda path: session.get(url + path, timeout=10)))
    for path in sitemap_iris:
        nt = session.get(f"{url}{path}.nt", timeout=10)
        assert nt.status_code == 200, path
        expected = to_rdflib(list(ox.parse(nt.content, format=ox.RdfFormat.N_TRIPLES)))
        turtle = rdflib.Graph().parse(data=session.get(f"{url}{path}.ttl", timeout=10).text, format="turtle")
        assert same_graph(turtle, expected), path
        document = session.get(f"{url}{path}.jsonld", timeout=10).json()
        nquads = jsonld.to_rdf(document, {"format": "application/n-quads", "documentLoader": loader})
        assert same_graph(rdflib.Graph().parse(data=nquads, format="nt"), expected), path


def _resources(site) -> list[str]:
    """The path of every subject under the base IRI (hash IRIs live in their document)."""
    rows = site.store.select(f'SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(isIRI(?s) && '
                             f'STRSTARTS(STR(?s), "{BASE}") && !CONTAINS(STR(?s), "#")) }}')
    return sorted("/" + r["s"].value[len(BASE):] for r in rows)


@pytest.mark.parametrize("path", [DME, "/sparql", "/sparql?query=ASK%7B%7D", "/search?q=duesseldorf",
                                  "/.well-known/void", "/dataset", "/org/no-such-thing"])
def test_every_negotiated_error_says_it_varies_on_accept(url: str, path: str) -> None:
    # A 406 (or 404) body is chosen by Accept (HTML or problem+json), and so is the 200 of the same
    # URL: without Vary a cache may hand it to a client that would have got a 200 (RFC 9110 12.5.5).
    response = requests.get(url + path, headers={"Accept": "image/png"}, timeout=10)
    assert response.status_code in (404, 406)
    vary = {v.strip().lower() for v in response.headers.get("Vary", "").split(",")}
    assert "accept" in vary, (path, response.headers.get("Vary"))


@pytest.mark.parametrize("path", [DME, "/.well-known/void"])
def test_a_script_on_another_origin_may_ask_for_a_profile_and_revalidate(url: str, path: str) -> None:
    conneg_checks.check_preflight(url, path)
    answer = requests.get(url + DME, headers={"Origin": "https://app.example", "Accept": "text/turtle",
                                              "Accept-Profile": "<https://schema.org/>"}, timeout=10)
    exposed = {h.strip().lower() for h in answer.headers["Access-Control-Expose-Headers"].split(",")}
    assert "content-profile" in exposed and answer.headers["Content-Profile"] == "<https://schema.org/>"
