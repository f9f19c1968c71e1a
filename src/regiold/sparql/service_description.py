"""The SPARQL 1.1 Service Description of the endpoint."""


from __future__ import annotations

from collections.abc import Callable, Iterable

import pyoxigraph as ox

from regiold.publish import search
from regiold.rdf import formats
from regiold.rdf.namespaces import FORMATS_NS, SD_NS
from regiold.rdf.namespaces import RDF_TYPE_NODE as _RDF_TYPE
from regiold.rdf.namespaces import VOID_NS as _VOID
from regiold.sparql.runner import results_format


def service_description(
    endpoint_url: str, graphs: Iterable[tuple[str, int]], *, base_iri: str
) -> list[ox.Triple]:
    """``sd:Service`` for ``endpoint_url``: language, result formats, functions and dataset."""
    # Blank nodes with fixed labels: the same data gives the same bytes (ETag, HEAD = GET).
    service, dataset, default = ox.NamedNode(endpoint_url), ox.BlankNode("dataset"), ox.BlankNode("default")
    sd = _namespace(SD_NS)
    triples = [
        ox.Triple(service, _RDF_TYPE, sd("Service")),
        ox.Triple(service, sd("endpoint"), service),
        ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(service, sd("feature"), sd("UnionDefaultGraph")),
        ox.Triple(service, sd("defaultDataset"), dataset),
        ox.Triple(dataset, _RDF_TYPE, sd("Dataset")),
        ox.Triple(dataset, sd("defaultGraph"), default),
        ox.Triple(default, _RDF_TYPE, sd("Graph")),
    ]
    for fmt in (*formats.SPARQL_RESULTS, *formats.RDF):
        iri = _W3C_FORMATS.get(fmt.key) or (fmt.oxigraph or results_format(fmt)).iri
        triples.append(ox.Triple(service, sd("resultFormat"), ox.NamedNode(iri)))
    for name in search.SPARQL_FUNCTION_NAMES:
        triples.append(ox.Triple(service, sd("extensionFunction"), ox.NamedNode(base_iri + name)))
    total = 0
    for index, (graph, count) in enumerate(graphs):
        named, described = ox.BlankNode(f"named{index}"), ox.BlankNode(f"graph{index}")
        triples += [
            ox.Triple(dataset, sd("namedGraph"), named),
            ox.Triple(named, _RDF_TYPE, sd("NamedGraph")),
            ox.Triple(named, sd("name"), ox.NamedNode(graph)),
            ox.Triple(named, sd("graph"), described),
            ox.Triple(described, _RDF_TYPE, sd("Graph")),
            ox.Triple(described, ox.NamedNode(_VOID + "triples"), ox.Literal(count)),
        ]
        total += count
    triples.append(ox.Triple(default, ox.NamedNode(_VOID + "triples"), ox.Literal(total)))
    return triples


_W3C_FORMATS = {"jsonld": FORMATS_NS + "JSON-LD"}  # pyoxigraph names another IRI


def _namespace(base: str) -> Callable[[str], ox.NamedNode]:
    return lambda local: ox.NamedNode(base + local)


def graph_sizes(store: object) -> list[tuple[str, int]]:
    """(graph IRI, triple count) of every named graph in the store, sorted by IRI."""
    rows = store.select(  # type: ignore[attr-defined]
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
    )
    return [(row["g"].value, int(row["n"].value)) for row in rows]
