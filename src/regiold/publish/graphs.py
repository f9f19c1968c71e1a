"""Named graphs as described resources (VoID subsets with a SPARQL service-description name).

Every source file is loaded into its own named graph ``{base}graph/{dir}/{stem}``
(``ingest.sources.graph_iri``) and the generated description into ``{base}graph/void``. SPARQL
lists these IRIs (``GRAPH ?g``), the results page links them, so each is described in
``graph/void`` and dereferences through the ordinary resource path: a ``void:Dataset`` with its
``void:triples`` (what ``COUNT(*)`` over ``GRAPH <g>`` answers), an ``sd:NamedGraph`` whose
``sd:name`` is the IRI, and the file path as label. The files' graphs are ``void:subset`` of the
dataset; ``graph/void`` is not (the dataset's statistics count the published data, not their
description). Only graphs that hold served quads are described: a file the person-data policy
withholds (``data/people/…``, whose name is a person's) is never named.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence

import pyoxigraph as ox

from regiold.rdf.namespaces import RDF_TYPE_NODE, RDFS_LABEL, SD_NS, VOID_NS, XSD_NS

_SUBSET = ox.NamedNode(VOID_NS + "subset")
_TRIPLES = ox.NamedNode(VOID_NS + "triples")
_VOID_DATASET = ox.NamedNode(VOID_NS + "Dataset")
_NAMED_GRAPH = ox.NamedNode(SD_NS + "NamedGraph")
_NAME = ox.NamedNode(SD_NS + "name")
_LABEL = ox.NamedNode(RDFS_LABEL)
_INTEGER = ox.NamedNode(XSD_NS + "integer")
OWN_LABELS = ("Beschreibung des Datensatzes (VoID, DCAT-AP.de)",
              "Description of the dataset (VoID, DCAT-AP.de)")


def graph_sizes(quads: Iterable[ox.Quad]) -> dict[str, int]:
    """Triples per named graph as SPARQL counts them (a graph holds each triple once)."""
    return dict(Counter(q.graph_name.value for q in set(quads)
                        if isinstance(q.graph_name, ox.NamedNode)))


def describe_graphs(dataset: ox.NamedNode, sizes: Mapping[str, int],
                    files: Mapping[str, str]) -> list[ox.Triple]:
    """The files' graphs (``sizes``: IRI → triples; ``files``: IRI → file path) as subsets."""
    out: list[ox.Triple] = []
    for iri, count in sorted(sizes.items()):
        node = ox.NamedNode(iri)
        label = files.get(iri, iri)
        out += [ox.Triple(dataset, _SUBSET, node), *_graph(node, count, label, label)]
    return out


def with_own_graph(iri: str, triples: Sequence[ox.Triple]) -> list[ox.Triple]:
    """``triples`` (distinct, the whole content of graph ``iri``) plus the description of that
    graph, whose ``void:triples`` counts itself: its triples are fixed in number, not in value."""
    node = ox.NamedNode(iri)
    own = len(_graph(node, 0, *OWN_LABELS))
    return [*triples, *_graph(node, len(triples) + own, *OWN_LABELS)]


def _graph(node: ox.NamedNode, count: int, label_de: str, label_en: str) -> list[ox.Triple]:
    return [ox.Triple(node, RDF_TYPE_NODE, _VOID_DATASET),
            ox.Triple(node, RDF_TYPE_NODE, _NAMED_GRAPH),
            ox.Triple(node, _NAME, node),
            ox.Triple(node, _TRIPLES, ox.Literal(str(count), datatype=_INTEGER)),
            ox.Triple(node, _LABEL, ox.Literal(label_de, language="de")),
            ox.Triple(node, _LABEL, ox.Literal(label_en, language="en"))]


def without_graphs(triples: Sequence[ox.Triple], graphs: Collection[str]) -> list[ox.Triple]:
    """``triples`` without the description of ``graphs`` (nothing whose subject or object is one)."""
    return [t for t in triples if t.subject.value not in graphs
            and not (isinstance(t.object, ox.NamedNode) and t.object.value in graphs)]
