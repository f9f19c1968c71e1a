"""The clients people use load every kind of page from ``regiold serve`` itself (issue 14):
pyld's default document loader, jsonld.js (Node, from npm), rdflib with each of its format names,
SPARQLWrapper and curl. A removed resource answers 410 with its tombstone, which each client
reports as such."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import urllib.error
from collections.abc import Iterator

import pytest
import rdflib
import rdflib.compare
import requests
from pyld import jsonld
from SPARQLWrapper import JSONLD as SW_JSONLD
from SPARQLWrapper import TURTLE as SW_TURTLE
from SPARQLWrapper import SPARQLWrapper

from conftest import ROOT
from default_serve import serve_defaults
from pages_support import BASE

KINDS = {
    "organisation": "org/regionalmanagement-duesseldorf-kreis-mettmann",
    "person": "person/" + sorted((ROOT / "data" / "people").glob("*.ttl"))[0].stem,  # read, never written
    "address": "org/regionalverband-ruhr/address/kronprinzenstrasse-35",
    "membership": "org/bergische-gesellschaft/membership/regionen-nrw",
    "area": "area/duesseldorf",
    "vocabulary term": "def/Regionalmanagement",
    "dataset": "dataset",
}
GONE = "org/regionalmanagement-gamma"  # the tombstone the served copy gets (clients_server)
TOMBSTONE = """@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix schema: <https://schema.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<org/regionalmanagement-gamma> owl:deprecated true ; dct:type schema:Organization ;
    rdfs:label "Regionalmanagement Gamma"@de ; prov:invalidatedAtTime "2026-10-01"^^xsd:date .
"""
# rdflib's format names and the graph class that holds what they parse (quads need a Dataset).
# "nquads" sends no type of its own but every parser's at q=1: it gets N-Triples, which are N-Quads.
RDFLIB_NAMES = {"xml": rdflib.Graph, "turtle": rdflib.Graph, "nt": rdflib.Graph, "n3": rdflib.Graph,
                "json-ld": rdflib.Graph, "trig": rdflib.Dataset, "nquads": rdflib.Dataset}
OWL_DEPRECATED = rdflib.URIRef("http://www.w3.org/2002/07/owl#deprecated")


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``regiold serve`` as ``make run`` starts it (tests/default_serve.py), plus a tombstone (read
    afresh whenever releases/tombstones.ttl changes)."""
    if not (ROOT / "data" / "partners").is_dir():
        pytest.skip("needs the repository's data (data/partners/)")
    with serve_defaults(tmp_path_factory.mktemp("clients")) as server:
        (server.clone / "releases" / "tombstones.ttl").write_text(TOMBSTONE, encoding="utf-8")
        yield server.url


def subjects(graph: rdflib.Graph | rdflib.Dataset) -> set[rdflib.term.Node]:
    return {s for s, _, _, *_ in (graph.quads() if isinstance(graph, rdflib.Dataset) else graph)}


@pytest.mark.parametrize("kind", KINDS)
def test_pyld_default_loader_expands_every_kind(url: str, kind: str) -> None:
    iri = BASE + KINDS[kind]
    for document in (f"{url}/{KINDS[kind]}", f"{url}/{KINDS[kind]}.jsonld", f"{url}/{KINDS[kind]}.html"):
        expanded = jsonld.expand(document)  # the HTML page: pyld follows its JSON-LD alternate
        assert iri in {node.get("@id") for node in expanded}, document
    loaded = jsonld.load_document(f"{url}/{KINDS[kind]}", {"documentLoader": jsonld.get_document_loader()})
    assert loaded["contentType"] == "application/ld+json"


def test_pyld_reads_the_tombstone(url: str) -> None:
    expanded = jsonld.expand(f"{url}/{GONE}")
    node = next(n for n in expanded if n.get("@id") == BASE + GONE)
    assert [str(value["@value"]).lower() for value in node[str(OWL_DEPRECATED)]] == ["true"]


def test_jsonld_js_expands_every_kind(url: str) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed (Debian package nodejs; .ci/run installs it)")
    assert (ROOT / "node_modules" / "jsonld").is_dir(), "jsonld.js missing: run `npm ci` (make test does)"
    script = ("const jsonld = require('jsonld');"
              "(async () => { const out = {};"
              " for (const url of process.argv.slice(1)) {"
              "  try { out[url] = {ids: (await jsonld.expand(url)).map(n => n['@id'])}; }"
              "  catch (e) { out[url] = {error: (e.details || {}).httpStatusCode || e.name}; } }"
              " console.log(JSON.stringify(out)); })();")
    suffixes = ("", ".jsonld", ".html")
    urls = [f"{url}/{path}{suffix}" for path in [*KINDS.values(), GONE] for suffix in suffixes]
    run = subprocess.run([node, "-e", script, *urls], cwd=ROOT, capture_output=True, text=True,
                         timeout=120, check=True)
    results = json.loads(run.stdout)
    for path in KINDS.values():
        for suffix in ("", ".jsonld", ".html"):
            assert BASE + path in results[f"{url}/{path}{suffix}"].get("ids", []), (path, suffix, results)
    assert results[f"{url}/{GONE}"] == {"error": 410}  # jsonld.js refuses every status >= 400


@pytest.mark.parametrize("name", RDFLIB_NAMES)
@pytest.mark.parametrize("kind", KINDS)
def test_rdflib_parses_every_kind_with_each_format_name(url: str, kind: str, name: str) -> None:
    graph = RDFLIB_NAMES[name]()
    graph.parse(f"{url}/{KINDS[kind]}", format=name)
    assert rdflib.URIRef(BASE + KINDS[kind]) in subjects(graph)
    if name == "trig":  # the description in its named graph (the dataset's: graph/void)
        named = BASE + ("graph/void" if kind == "dataset" else KINDS[kind])
        assert rdflib.URIRef(named) in {g.identifier for g in graph.graphs()}


@pytest.mark.parametrize("name", RDFLIB_NAMES)
def test_rdflib_gets_410_and_the_tombstone(url: str, name: str) -> None:
    with pytest.raises(urllib.error.HTTPError) as gone:
        rdflib.Graph().parse(f"{url}/{GONE}", format=name)
    assert gone.value.code == 410
    tombstone = RDFLIB_NAMES[name]().parse(data=gone.value.read(), format=name)
    assert (rdflib.URIRef(BASE + GONE), OWL_DEPRECATED, rdflib.Literal(True)) in set(
        (s, p, o) for s, p, o, *_ in (tombstone.quads() if name in ("trig", "nquads") else tombstone))


@pytest.mark.parametrize("return_format", [SW_TURTLE, SW_JSONLD])
def test_sparqlwrapper_describes_every_kind(url: str, return_format: str) -> None:
    client = SPARQLWrapper(f"{url}/sparql", returnFormat=return_format)
    for path in KINDS.values():
        client.setQuery(f"DESCRIBE <{BASE}{path}>")
        graph = client.queryAndConvert()
        if not isinstance(graph, rdflib.Graph):  # SPARQLWrapper hands Turtle over as bytes
            graph = rdflib.Graph().parse(data=graph, format="turtle")
        assert rdflib.URIRef(BASE + path) in subjects(graph), path
    client.setQuery(f"DESCRIBE <{BASE}{GONE}>")  # gone: nothing left to describe
    gone = client.queryAndConvert()
    assert len(gone if isinstance(gone, rdflib.Graph) else rdflib.Graph().parse(data=gone)) == 0


CURL_TYPES = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/n-triples": "nt",
              "application/rdf+xml": "xml", "text/n3": "n3", "text/plain": "nt",
              "application/trig": "trig", "application/n-quads": "nquads"}


@pytest.mark.parametrize("kind", [*KINDS, "tombstone"])
def test_curl_gets_every_format_of_every_kind(url: str, kind: str) -> None:
    curl = shutil.which("curl")
    if curl is None:
        pytest.skip("curl is not installed")
    path = KINDS.get(kind, GONE)
    for accept, name in CURL_TYPES.items():
        run = subprocess.run([curl, "-sS", "-H", f"Accept: {accept}", "-w", "\n%{http_code} %{content_type}",
                              f"{url}/{path}"], capture_output=True, timeout=30, check=True)
        body, _, status = run.stdout.rpartition(b"\n")
        code, content_type = status.decode().split(" ", 1)
        assert code == ("410" if kind == "tombstone" else "200"), (path, accept)
        expected = "application/n-triples" if accept == "text/plain" else accept
        assert content_type.split(";")[0] == expected, (path, accept)
        graph = RDFLIB_NAMES[name]().parse(data=body, format=name)
        assert rdflib.URIRef(BASE + path) in subjects(graph), (path, accept)


# ------------------------------------------------------------------ profiles (W3C conneg by profile)

SCHEMA_PROFILE, FULL_PROFILE = "https://schema.org/", BASE + "def/"
SCHEMA_NS = "https://schema.org/"


def embedded_schema_org(html: str) -> rdflib.Graph:
    """The schema.org JSON-LD a page embeds, read with schema.org's namespace as the data has it
    (offline: no fetch of https://schema.org's context)."""
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert block, "the page embeds no JSON-LD"
    document = json.loads(block.group(1))
    document["@context"] = {"@vocab": SCHEMA_NS, "url": {"@type": "@id"}, "sameAs": {"@type": "@id"},
                            "logo": {"@type": "@id"}}
    return rdflib.Graph().parse(data=json.dumps(document), format="json-ld")


@pytest.mark.parametrize("kind", ["organisation", "person", "area"])
def test_the_schema_org_profile_is_what_the_page_embeds(url: str, kind: str) -> None:
    path = KINDS[kind]
    page = requests.get(f"{url}/{path}", headers={"Accept": "text/html"}, timeout=30)
    expected = embedded_schema_org(page.text)
    for headers, query in (({"Accept": "text/turtle", "Accept-Profile": f"<{SCHEMA_PROFILE}>"}, ""),
                           ({"Accept": "application/ld+json"}, "?_profile=schema")):
        response = requests.get(f"{url}/{path}{query}", headers=headers, timeout=30)
        assert response.status_code == 200
        assert response.headers["Content-Profile"] == f"<{SCHEMA_PROFILE}>"
        assert f'<{SCHEMA_PROFILE}>; rel="profile"' in response.headers["Link"]
        name = "turtle" if "turtle" in response.headers["Content-Type"] else "json-ld"
        graph = rdflib.Graph().parse(data=response.content, format=name)
        terms = {p for _, p, _ in graph} | set(graph.objects(None, rdflib.RDF.type))
        assert all(str(t).startswith(SCHEMA_NS) for t in terms - {rdflib.RDF.type}), terms
        assert rdflib.compare.isomorphic(graph, expected), (path, query)


def test_the_full_description_is_the_default_profile(url: str) -> None:
    path = KINDS["organisation"]
    response = requests.get(f"{url}/{path}", headers={"Accept": "text/turtle"}, timeout=30)
    assert response.headers["Content-Profile"] == f"<{FULL_PROFILE}>"
    assert "Accept-Profile" in response.headers["Vary"]
    graph = rdflib.Graph().parse(data=response.content, format="turtle")
    assert any(str(p).startswith("http://www.w3.org/ns/org#") for _, p, _ in graph)  # W3C ORG too
    wildcard = requests.get(f"{url}/{path}", headers={"Accept": "text/turtle", "Accept-Profile": "*"},
                            timeout=30)
    assert wildcard.content == response.content


@pytest.mark.parametrize("headers, query", [
    ({"Accept-Profile": "<https://example.org/no-such-profile>"}, ""),
    ({}, "?_profile=no-such-profile"),
])
def test_an_unknown_profile_gets_406_naming_the_known_ones(url: str, headers: dict, query: str) -> None:
    response = requests.get(f"{url}/{KINDS['organisation']}{query}",
                            headers={"Accept": "text/turtle", **headers}, timeout=30)
    assert response.status_code == 406
    assert "Accept-Profile" in response.headers["Vary"]
    detail = response.json()["detail"]
    assert f"<{SCHEMA_PROFILE}>" in detail and f"<{FULL_PROFILE}>" in detail


def test_accept_profile_quality_values_rank_the_profiles(url: str) -> None:
    response = requests.get(f"{url}/{KINDS['organisation']}", timeout=30, headers={
        "Accept": "text/turtle",
        "Accept-Profile": f"<https://example.org/nope>;q=1, <{FULL_PROFILE}>;q=0.2, "
                          f"<{SCHEMA_PROFILE}>;q=0.5"})
    assert response.headers["Content-Profile"] == f"<{SCHEMA_PROFILE}>"


def test_profile_alt_lists_every_profile_and_format_and_each_answers(url: str) -> None:
    path = KINDS["organisation"]
    listing = requests.get(f"{url}/{path}?_profile=alt", headers={"Accept": "text/turtle"}, timeout=30)
    assert listing.status_code == 200
    graph = rdflib.Graph().parse(data=listing.content, format="turtle")
    altr = rdflib.Namespace("http://www.w3.org/ns/dx/connegp/altr#")
    dct = rdflib.Namespace("http://purl.org/dc/terms/")
    representations = set(graph.objects(rdflib.URIRef(BASE + path), altr.hasRepresentation))
    offered = {(str(graph.value(r, dct.conformsTo)), str(graph.value(r, dct["format"]))): r
               for r in representations}
    assert {profile for profile, _ in offered} == {FULL_PROFILE, SCHEMA_PROFILE}
    schema_types = {media for profile, media in offered if profile == SCHEMA_PROFILE}
    assert schema_types >= set(CURL_TYPES) - {"text/plain"}
    assert (FULL_PROFILE, "text/html") in offered
    for (profile, media), document in offered.items():
        got = requests.get(url + "/" + str(document).removeprefix(BASE), timeout=30)
        assert got.status_code == 200, document
        assert got.headers["Content-Type"].split(";")[0] == media, document
        if media != "text/html":
            assert got.headers["Content-Profile"] == f"<{profile}>", document
    page = requests.get(f"{url}/{path}?_profile=alt", headers={"Accept": "text/html"}, timeout=30)
    assert page.status_code == 200 and "?_profile=schema" in page.text and SCHEMA_PROFILE in page.text
