"""How much of ``data/`` each source supports: facts per source and confidence (`regiold facts`).

A *fact* is one triple of a file under ``data/`` other than an ``rdf:type``. It is supported by
the sources its subject cites (``dct:source``, or ``prov:wasDerivedFrom`` for the dataset) and has
the confidence of its subject (``rgo:confidence``, shown by the concept's ``skos:notation``; none
means S, stated). A fact whose subject cites two sources counts in both rows; the last row counts
each fact once. Subjects that need no source (a source's own description, the catalog, release
versions; see ``shapes/provenance.ttl``) form the row "no source needed". ``docs/MODEL.md`` holds
the table this prints, and a test keeps the two equal.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

import pyoxigraph as ox

from regiold.ingest.sources import Sources
from regiold.rdf import namespaces as ns

RDF_TYPE = ox.NamedNode(ns.RDF_TYPE)
CITES = (ox.NamedNode(f"{ns.DCT_NS}source"), ox.NamedNode(f"{ns.PROV_NS}wasDerivedFrom"))
NOTATION = ox.NamedNode(f"{ns.SKOS_NS}notation")
SCHEMA_NAME = ox.NamedNode(f"{ns.SDO_NS}name")
CONFIDENCES = ("S", "P", "W")
NO_SOURCE_NEEDED = ""  # row key of subjects that describe a source, the catalog or a release


@dataclass(frozen=True)
class Row:
    source: str  # IRI relative to the base, or NO_SOURCE_NEEDED
    title: str  # the source's German name
    counts: dict[str, int]  # confidence notation → facts

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def table(loaded: Sources) -> list[Row]:
    """One row per cited source (by IRI), the no-source row, and the row of distinct facts."""
    everything = loaded.quads
    data_graphs = {ox.NamedNode(f.graph) for f in loaded.files if f.kind == "data"}
    cited: dict[ox.NamedNode | ox.BlankNode, list[str]] = defaultdict(list)
    confidence: dict[ox.NamedNode | ox.BlankNode, ox.Term] = {}
    notation: dict[ox.Term, str] = {}
    titles: dict[str, str] = {}
    confidence_term = ox.NamedNode(loaded.base_iri + "def/confidence")
    for q in everything:
        if q.predicate in CITES and isinstance(q.object, ox.NamedNode):
            cited[q.subject].append(q.object.value)
        elif q.predicate == confidence_term:
            confidence[q.subject] = q.object
        elif q.predicate == NOTATION and isinstance(q.object, ox.Literal):
            notation[q.subject] = q.object.value
        elif q.predicate == SCHEMA_NAME and isinstance(q.subject, ox.NamedNode) \
                and isinstance(q.object, ox.Literal) and q.object.language == "de":
            titles[q.subject.value] = q.object.value
    per_source: dict[str, Counter[str]] = defaultdict(Counter)
    distinct: Counter[str] = Counter()
    for triple in dict.fromkeys(q.triple for q in everything if q.graph_name in data_graphs):
        if triple.predicate == RDF_TYPE:
            continue
        level = notation.get(confidence.get(triple.subject), "S")
        distinct[level] += 1
        for source in sorted(set(cited.get(triple.subject, ()))) or [NO_SOURCE_NEEDED]:
            per_source[source][level] += 1
    base = loaded.base_iri
    rows = [Row(s.removeprefix(base), titles.get(s, ""), dict(per_source[s]))
            for s in sorted(per_source, key=lambda s: (s == NO_SOURCE_NEEDED, s))]
    return [*rows, Row("*", "", dict(distinct))]


def markdown(rows: list[Row]) -> str:
    """The table as Markdown (German titles, English headings, like docs/)."""
    lines = ["| source | S | P | W | facts |", "| --- | ---: | ---: | ---: | ---: |"]
    for row in rows:
        if row.source == "*":
            label = "**all facts, each once**"
        elif row.source == NO_SOURCE_NEEDED:
            label = "no source needed (describes a source, the catalog or a release)"
        else:
            label = f"`{row.source}` {row.title}".rstrip()
        cells = " | ".join(str(row.counts.get(c, 0)) for c in CONFIDENCES)
        lines.append(f"| {label} | {cells} | {row.total} |")
    return "\n".join(lines) + "\n"
