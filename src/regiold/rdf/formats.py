"""The one registry of formats: media type, URL suffix, aliases and serializer.

Negotiation, serialization, ``Link`` headers, the static export and its server rules all read
these records; no other module names a media type.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyoxigraph import RdfFormat


@dataclass(frozen=True)
class Format:
    key: str  # URL suffix and ?format= value
    media_type: str
    label: str
    oxigraph: RdfFormat | None = None  # None: not an RDF serialization
    aliases: tuple[str, ...] = ()
    text: bool = True  # send "; charset=utf-8"

    @property
    def content_type(self) -> str:
        return f"{self.media_type}; charset=utf-8" if self.text else self.media_type

    @property
    def media_types(self) -> tuple[str, ...]:
        return (self.media_type, *self.aliases)


HTML = Format("html", "text/html", "HTML", None, ("application/xhtml+xml",))
TURTLE = Format("ttl", "text/turtle", "Turtle", RdfFormat.TURTLE, ("application/x-turtle",))
JSONLD = Format("jsonld", "application/ld+json", "JSON-LD", RdfFormat.JSON_LD, ("application/json",))
NTRIPLES = Format("nt", "application/n-triples", "N-Triples", RdfFormat.N_TRIPLES)
RDFXML = Format("rdf", "application/rdf+xml", "RDF/XML", RdfFormat.RDF_XML, ("application/xml",))
TRIG = Format("trig", "application/trig", "TriG", RdfFormat.TRIG)
NQUADS = Format("nq", "application/n-quads", "N-Quads", RdfFormat.N_QUADS)

# What every resource is offered in; the order is the preference for */* (browsers get HTML).
RESOURCE: tuple[Format, ...] = (HTML, TURTLE, JSONLD, NTRIPLES, RDFXML)
RDF: tuple[Format, ...] = (TURTLE, JSONLD, NTRIPLES, RDFXML)
DATASET: tuple[Format, ...] = (TRIG, NQUADS)

SPARQL_JSON = Format("srj", "application/sparql-results+json", "SPARQL JSON", None, ("application/json",))
SPARQL_XML = Format("srx", "application/sparql-results+xml", "SPARQL XML", None, ("application/xml",))
CSV = Format("csv", "text/csv", "CSV")
TSV = Format("tsv", "text/tab-separated-values", "TSV")
SPARQL_RESULTS: tuple[Format, ...] = (SPARQL_JSON, SPARQL_XML, CSV, TSV)

ALL: tuple[Format, ...] = (*RESOURCE, *DATASET, *SPARQL_RESULTS)

# The SPARQL endpoint: what SELECT/ASK and CONSTRUCT/DESCRIBE answers are offered in (order = the
# preference for */*; browsers name text/html and get the editor with a result table), what the
# service description is offered in, and the search results.
SPARQL_SELECT: tuple[Format, ...] = (*SPARQL_RESULTS, HTML)
SPARQL_GRAPH: tuple[Format, ...] = (*RDF, HTML)
SPARQL_DESCRIPTION: tuple[Format, ...] = (*RDF, HTML)
ALL_SPARQL: tuple[Format, ...] = (*SPARQL_RESULTS, *RDF, HTML)
SEARCH: tuple[Format, ...] = (HTML, JSONLD)
# Error bodies (RFC 9457): problem+json for programs (the preference for */*), HTML for browsers.
PROBLEM_JSON = Format("problem", "application/problem+json", "Problem JSON", None,
                      ("application/json",), text=False)
ERROR: tuple[Format, ...] = (PROBLEM_JSON, HTML)
# Request bodies the SPARQL Protocol defines for POST (the update one is refused: read-only).
SPARQL_QUERY_BODY = "application/sparql-query"
SPARQL_UPDATE_BODY = "application/sparql-update"
FORM_BODIES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


def by_key(key: str, offered: tuple[Format, ...] = ALL) -> Format | None:
    """The format whose suffix (or ``?format=`` value) is ``key``; a few common names too.

    A name means what fits ``offered``: ``json`` is SPARQL JSON among query results and JSON-LD
    among RDF formats; a media type works as a key as well (some SPARQL clients send one).
    """
    key = key.strip().lower()
    candidates = (key, _KEY_ALIASES.get(key), _RESULT_KEY_ALIASES.get(key))
    for candidate in candidates:
        found = next((f for f in offered if f.key == candidate), None)
        if found is not None:
            return found
    return by_media_type(key, offered) if "/" in key else None


def by_media_type(media_type: str, offered: tuple[Format, ...] = ALL) -> Format | None:
    media_type = media_type.split(";")[0].strip().lower()
    return next((f for f in offered if media_type in f.media_types), None)


_KEY_ALIASES = {
    "turtle": "ttl",
    "json-ld": "jsonld",
    "json": "jsonld",
    "ntriples": "nt",
    "n-triples": "nt",
    "rdfxml": "rdf",
    "xml": "rdf",
    "htm": "html",
    "nquads": "nq",
    "n-quads": "nq",
}

_RESULT_KEY_ALIASES = {  # SPARQL clients' names (SPARQLWrapper sends format=json|xml|csv|tsv)
    "json": "srj",
    "xml": "srx",
    "sparql-results+json": "srj",
    "sparql-results+xml": "srx",
    "rdf+xml": "rdf",
}
