"""Vocabulary conformance: the data uses only terms that exist, the way their vocabularies define.

- every schema.org term exists in the shared schema.org 30.0 (https) vocabulary, and every
  schema.org property is used on a subject with a type in its domain (``schema:domainIncludes``,
  inherited via ``rdfs:subClassOf``), with values in its range;
- every ORG, DCAT, PROV and FOAF term exists in its shared vocabulary;
- every term of the regiold namespace used anywhere is defined in ontology/.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from conftest import shared_dir
from pages_support import to_rdflib
from regiold.ingest import sources

ROOT = Path(__file__).resolve().parents[1]
BASE = "https://w3id.org/regionen-nrw/"
SDO = Namespace("https://schema.org/")
RGO = BASE + "def/"
DATATYPES = {SDO[t] for t in ("Text", "URL", "Date", "DateTime", "Time", "Number", "Integer",
                              "Float", "Boolean", "CssSelectorType", "XPathType",
                              "PronounceableText")}


@pytest.fixture(scope="module")
def loaded() -> sources.Sources:
    return sources.parse_site(ROOT, base_iri=BASE)


@pytest.fixture(scope="module")
def data(loaded: sources.Sources) -> Graph:
    return to_rdflib(loaded.quads)


@pytest.fixture(scope="module")
def schemaorg() -> Graph:
    return Graph().parse(shared_dir() / "vocab" / "schemaorg-30.0-current-https.ttl")


def iris(graph: Graph) -> Iterator[tuple[URIRef, str]]:
    """Every IRI in the graph with its position (s, p, o)."""
    for s, p, o in graph:
        for term, position in ((s, "s"), (p, "p"), (o, "o")):
            if isinstance(term, URIRef):
                yield term, position


def used_in(graph: Graph, namespace: str) -> set[URIRef]:
    """Terms of a namespace (the namespace IRI itself, e.g. a void:vocabulary value, excluded)."""
    return {iri for iri, _ in iris(graph) if str(iri).startswith(namespace) and str(iri) != namespace}


def superclasses(vocab: Graph, ontology: Graph, cls: URIRef) -> set[URIRef]:
    """cls and all its superclasses, following rdfs:subClassOf in schema.org and ontology/."""
    seen, todo = set(), [cls]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        for graph in (vocab, ontology):
            todo.extend(o for o in graph.objects(current, RDFS.subClassOf) if isinstance(o, URIRef))
    return seen


def test_no_http_schema_org_iris_in_the_data(data: Graph):
    """The data uses https://schema.org/ only (docs/MODEL.md, "schema.org IRIs")."""
    assert used_in(data, "http://schema.org/") == set()


def test_every_schema_org_term_exists(data: Graph, schemaorg: Graph):
    used = used_in(data, str(SDO))
    assert used, "the data uses schema.org"
    missing = {term for term in used if (term, RDF.type, None) not in schemaorg}
    assert missing == set()


def test_schema_org_properties_are_used_within_their_domains(data: Graph, schemaorg: Graph):
    errors = []
    for prop in {p for p in data.predicates() if str(p).startswith(str(SDO))}:
        domain = set(schemaorg.objects(prop, SDO.domainIncludes))
        assert domain, f"{prop} has no schema:domainIncludes"
        for subject in set(data.subjects(prop, None)):
            types = set().union(*(superclasses(schemaorg, data, t)
                                  for t in data.objects(subject, RDF.type)))
            if not types & domain:
                errors.append(f"{subject} uses {prop} but has no type in {sorted(domain)}")
    assert errors == []


def test_schema_org_values_are_within_their_ranges(data: Graph, schemaorg: Graph):
    errors = []
    for prop in {p for p in data.predicates() if str(p).startswith(str(SDO))}:
        ranges = set().union(*(superclasses(schemaorg, data, r)
                               for r in schemaorg.objects(prop, SDO.rangeIncludes)))
        for subject, value in data.subject_objects(prop):
            if isinstance(value, Literal):
                ok = bool(ranges & DATATYPES)
            else:  # an IRI is a schema:URL (hence a schema:Text), or a node of a range class
                types = set().union(*(superclasses(schemaorg, data, t)
                                      for t in data.objects(value, RDF.type)))
                ok = bool(ranges & {SDO.URL, SDO.Text}) or bool(types & ranges)
            if not ok:
                errors.append(f"{subject} {prop} {value}")
    assert errors == []


def test_email_is_a_url_which_schema_org_counts_as_text(schemaorg: Graph):
    """schema:email ranges over schema:Text; schema:URL is a subclass of Text, so mailto: IRIs fit."""
    assert set(schemaorg.objects(SDO.email, SDO.rangeIncludes)) == {SDO.Text}
    assert (SDO.URL, RDFS.subClassOf, SDO.Text) in schemaorg


@pytest.mark.parametrize(("namespace", "file"), [
    ("http://www.w3.org/ns/org#", "org.ttl"),
    ("http://www.w3.org/ns/dcat#", "dcat3.ttl"),
    ("http://www.w3.org/ns/prov#", "prov-o.ttl"),
    ("http://xmlns.com/foaf/0.1/", "dcat-ap-de-3.0/foaf.rdf"),
])
def test_every_term_of_a_w3c_vocabulary_exists(data: Graph, namespace: str, file: str):
    vocab = Graph().parse(shared_dir() / "vocab" / file)
    used = used_in(data, namespace)
    assert used
    assert {t for t in used if (t, None, None) not in vocab} == set()


def test_org_classes_and_properties_are_used_as_defined(data: Graph):
    """ORG's own rdfs:domain for the membership properties holds in the data."""
    org = Graph().parse(shared_dir() / "vocab" / "org.ttl")
    ORG = Namespace("http://www.w3.org/ns/org#")
    for prop in (ORG.member, ORG.organization, ORG.role, ORG.postIn, ORG.unitOf):
        assert set(org.objects(prop, RDFS.domain))
    for subject in data.subjects(ORG.member, None):
        assert (subject, RDF.type, ORG.Membership) in data
    for subject in data.subjects(ORG.postIn, None):
        assert (subject, RDF.type, ORG.Post) in data


def test_every_regiold_term_is_defined_in_the_ontology(loaded: sources.Sources, data: Graph):
    ontology_graphs = {f.graph for f in loaded.files if f.kind == "ontology"}
    ontology = sources.to_rdflib_graph(q for q in loaded.quads
                                       if q.graph_name.value in ontology_graphs)
    used = {iri for iri, _ in iris(data) if str(iri).startswith(RGO)}
    assert URIRef(RGO) in used
    undefined = {t for t in used if (t, RDF.type, None) not in ontology}
    assert undefined == set()
    for term in used - {URIRef(RGO)}:
        assert (term, RDFS.isDefinedBy, URIRef(RGO)) in ontology, term


def test_ontology_header(data: Graph):
    header = URIRef(RGO)
    assert (header, RDF.type, OWL.Ontology) in data
    assert str(data.value(header, URIRef("http://purl.org/vocab/vann/preferredNamespacePrefix"))) \
        == "rgo"
    assert data.value(header, OWL.versionInfo) is not None
