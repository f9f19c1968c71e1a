"""A harvester fetches each catalog document on its own: ``/.well-known/void``, ``/dataset`` and
``/catalog`` from ``regiold serve``, in every RDF format, each conform to every DCAT-AP.de 3.0
shape file of ../shared/vocab/dcat-ap-de-3.0/ (issue 14)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pyshacl
import pytest
import rdflib
import requests
from rdflib.namespace import RDF, SH, XSD

from conftest import ROOT, shared_dir
from default_serve import serve_defaults
from pages_support import BASE

DOCUMENTS = ("/.well-known/void", "/dataset", "/catalog")
# every RDF type a harvester may ask for, and rdflib's name for it
FORMATS = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/n-triples": "nt",
           "application/rdf+xml": "xml", "text/n3": "n3", "application/trig": "trig",
           "application/n-quads": "nquads"}
SUPPORT = ("dcat-ap-de-licenses-open.rdf", "vcard.ttl", "foaf.rdf")  # data, as README.md says
RECOMMENDED = "semic-dcat-ap-3.0.0-shapes-recommended.ttl"
# The only warnings left: SEMIC's recommended properties that no source of this dataset
# supplies: its time span, the
# bounding box of North Rhine-Westphalia, a type of the operator, downloads of past versions.
UNSOURCED = {("dataset", "temporal"), ("version", "temporal"), ("version", "distribution"),
             ("stateKey", "bbox"), ("stateKey", "centroid"), ("publisher", "type")}
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not (ROOT / "data" / "dataset.ttl").is_file():
        pytest.skip("needs the repository's data/dataset.ttl")
    with serve_defaults(tmp_path_factory.mktemp("dcat")) as server:  # as `make run` starts it
        yield server.url


@pytest.fixture(scope="module")
def shapes() -> rdflib.Graph:
    """Every shape file of the folder, together: GovData's files overlay SEMIC's (messages,
    severities), so the official validator reads them as one graph; SEMIC's recommended
    properties come on top."""
    folder = shared_dir() / "vocab" / "dcat-ap-de-3.0"
    files = [p for p in sorted(folder.iterdir()) if p.suffix in (".ttl", ".rdf") and p.name not in SUPPORT
             and "http://www.w3.org/ns/shacl#" in p.read_text(encoding="utf-8")]
    assert {p.name for p in files} >= {"semic-dcat-ap-3.0.0-SHACL.ttl", "dcat-ap-SHACL-DE.ttl",
                                       "dcat-ap-de-deprecated.ttl", RECOMMENDED}, files
    graph = rdflib.Graph()
    for path in files:
        graph.parse(path)
    return graph


@pytest.fixture(scope="module")
def support() -> rdflib.Graph:
    folder = shared_dir() / "vocab" / "dcat-ap-de-3.0"
    graph = rdflib.Graph()
    for name in SUPPORT:
        graph.parse(folder / name)
    return graph


def fetch(url: str, path: str, media_type: str) -> rdflib.Graph:
    response = requests.get(url + path, headers={"Accept": media_type}, timeout=30)
    assert response.status_code == 200, (path, media_type)
    assert response.headers["Content-Type"].split(";")[0] == media_type
    name = FORMATS[media_type]
    if name in ("trig", "nquads"):  # the description in its named graph
        dataset = rdflib.Dataset().parse(data=response.content, format=name)
        assert rdflib.URIRef(BASE + "graph/void") in {g.identifier for g in dataset.graphs()}
        graph = rdflib.Graph()
        for s, p, o, _ in dataset.quads():
            graph.add((s, p, o))
        return graph
    return rdflib.Graph().parse(data=response.content, format=name)


def results(graph: rdflib.Graph, shapes: rdflib.Graph, support: rdflib.Graph) -> list[tuple[str, str, str]]:
    _, report, _ = pyshacl.validate(graph + support, shacl_graph=shapes, inference="none",
                                    advanced=True, allow_warnings=True)
    return sorted((str(report.value(r, SH.resultSeverity)).rsplit("#", 1)[-1],
                   str(report.value(r, SH.focusNode)), str(report.value(r, SH.resultPath)))
                  for r in report.subjects(RDF.type, SH.ValidationResult))


def unsourced(result: tuple[str, str, str]) -> bool:
    _, focus, path = result
    kind = ("version" if "/dataset/version/" in focus else "publisher" if focus.endswith("#publisher")
            else "stateKey" if "/stateKey/" in focus else "dataset" if focus == BASE + "dataset" else focus)
    return (kind, re.split(r"[#/]", path)[-1]) in UNSOURCED


@pytest.mark.parametrize("media_type", FORMATS)
@pytest.mark.parametrize("path", DOCUMENTS)
def test_each_document_alone_conforms_to_every_shape_file(url, shapes, support, path, media_type) -> None:
    found = results(fetch(url, path, media_type), shapes, support)
    assert [r for r in found if not (r[0] == "Warning" and unsourced(r))] == [], (path, media_type)


def test_the_documents_are_one_description_with_one_size_per_distribution(url) -> None:
    graphs = {path: fetch(url, path, "text/turtle") for path in DOCUMENTS}
    void = graphs["/.well-known/void"]
    for path, graph in graphs.items():
        assert rdflib.compare.isomorphic(graph, void), path
    sizes = list(void.subject_objects(DCAT.byteSize))
    assert len(sizes) == len({dist for dist, _ in sizes}) >= 5
    assert {size.datatype for _, size in sizes} == {XSD.nonNegativeInteger}


def test_the_publisher_is_the_operator_setting_typed_foaf_agent(url) -> None:
    void = fetch(url, "/.well-known/void", "text/turtle")
    foaf = rdflib.Namespace("http://xmlns.com/foaf/0.1/")
    dct = rdflib.Namespace("http://purl.org/dc/terms/")
    publishers = {o for s, o in void.subject_objects(dct.publisher)}
    assert publishers == {rdflib.URIRef(BASE + "dataset#publisher")}
    publisher = next(iter(publishers))
    assert (publisher, RDF.type, foaf.Agent) in void
    assert "regiold" in str(void.value(publisher, foaf.name))  # the default names no organisation
    assert (None, dct.publisher, rdflib.URIRef(BASE + "org/regionen-nrw")) not in void


def test_versions_use_the_dcat_terms(url) -> None:
    void = fetch(url, "/.well-known/void", "text/turtle")
    owl_version = rdflib.URIRef("http://www.w3.org/2002/07/owl#versionInfo")
    dct = rdflib.Namespace("http://purl.org/dc/terms/")
    assert not any(void.triples((None, owl_version, None)))
    assert not any(void.triples((None, dct.hasVersion, None)))
    assert not any(void.triples((None, dct.isVersionOf, None)))
    dataset = rdflib.URIRef(BASE + "dataset")
    for version in void.objects(dataset, DCAT.hasVersion):
        assert (version, DCAT.isVersionOf, dataset) in void
        assert (version, RDF.type, DCAT.Dataset) in void
        assert void.value(version, DCAT.version) is not None
    assert void.value(dataset, DCAT.version) is not None


def test_the_shapes_are_found_beside_the_repository() -> None:
    assert Path(shared_dir()).is_dir()
