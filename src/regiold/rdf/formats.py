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
    text: bool = True  # send "; charset=utf-8" (not for JSON: UTF-8 by definition, RFC 8259)
    quads: bool = False  # TriG, N-Quads: the description goes into a named graph
    same_bytes_as: str = ""  # the key of a format with the same bytes (ETags must still differ)

    @property
    def content_type(self) -> str:
        return f"{self.media_type}; charset=utf-8" if self.text else self.media_type

    @property
    def media_types(self) -> tuple[str, ...]:
        return (self.media_type, *self.aliases)


HTML = Format("html", "text/html", "HTML", None, ("application/xhtml+xml",))
TURTLE = Format("ttl", "text/turtle", "Turtle", RdfFormat.TURTLE, ("application/x-turtle",))
# No charset on JSON-LD: pyld and jsonld.js treat a body as JSON only when the type is exactly
# application/ld+json (docs/SERVING.md).
JSONLD = Format("jsonld", "application/ld+json", "JSON-LD", RdfFormat.JSON_LD, ("application/json",),
                text=False)
# text/plain is what rdflib's format="nt" asks for (N-Triples was registered as text/plain once).
NTRIPLES = Format("nt", "application/n-triples", "N-Triples", RdfFormat.N_TRIPLES, ("text/plain",))
RDFXML = Format("rdf", "application/rdf+xml", "RDF/XML", RdfFormat.RDF_XML, ("application/xml",))
# Turtle is N3: the same bytes, labelled text/n3 for N3 clients (rdflib format="n3").
N3 = Format("n3", "text/n3", "N3", RdfFormat.TURTLE, same_bytes_as="ttl")
TRIG = Format("trig", "application/trig", "TriG", RdfFormat.TRIG, quads=True)
NQUADS = Format("nq", "application/n-quads", "N-Quads", RdfFormat.N_QUADS, quads=True)

# What every resource is offered in; the order is the preference for */* (browsers get HTML) and
# for wildcards (application/* gets JSON-LD).
RESOURCE: tuple[Format, ...] = (HTML, TURTLE, JSONLD, NTRIPLES, RDFXML, N3, TRIG, NQUADS)
# Among types a client names at the same quality, N-Triples wins: its bytes are also valid
# Turtle, N3, TriG and N-Quads, so every parser of such a client reads them (rdflib's
# format="nquads" names all its parsers' types at q=1).
SAFEST: Format = NTRIPLES


def named_order(offered: tuple[Format, ...]) -> tuple[Format, ...]:
    """Who wins among types a client names at the same quality: the default, then ``SAFEST``,
    then the order of ``offered`` (wildcards go by ``offered`` alone)."""
    head = (offered[0], SAFEST) if SAFEST in offered[1:] else (offered[0],)
    return (*head, *(f for f in offered if f not in head))
RDF: tuple[Format, ...] = (TURTLE, JSONLD, NTRIPLES, RDFXML)
DATASET: tuple[Format, ...] = (TRIG, NQUADS)

SPARQL_JSON = Format("srj", "application/sparql-results+json", "SPARQL JSON", None, ("application/json",))
SPARQL_XML = Format("srx", "application/sparql-results+xml", "SPARQL XML", None, ("application/xml",))
CSV = Format("csv", "text/csv", "CSV")
TSV = Format("tsv", "text/tab-separated-values", "TSV")
SPARQL_RESULTS: tuple[Format, ...] = (SPARQL_JSON, SPARQL_XML, CSV, TSV)

ALL: tuple[Format, ...] = (*RESOURCE, *SPARQL_RESULTS)  # DATASET's are in RESOURCE

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


def by_suffix(suffix: str, offered: tuple[Format, ...] = ALL) -> Format | None:
    """The format whose document URLs end in ``.{suffix}``: its key exactly (``ttl``, not ``TTL``
    or the alias ``turtle``, which ``?format=`` takes). One URL per document, as the static
    export has them (docs/SERVING.md)."""
    return next((f for f in offered if f.key == suffix), None)


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
    "notation3": "n3",
}


def link_relation(fmt: Format) -> str:
    """The ``rel`` of a ``Link`` to the ``fmt`` document of a resource.

    Only the JSON-LD document is ``rel="alternate"`` alone: JSON-LD processors follow it from a
    non-JSON answer (JSON-LD 1.1 §9.1), and pyld and jsonld.js key links by the whole ``rel``
    string: two entries with the same value become a list, on which pyld's loader fails. The
    other documents are ``"alternate describedby"`` (RFC 8288 allows a list of relations), which
    crawlers that split the list still read as alternates (docs/SERVING.md).
    """
    return "alternate" if fmt is JSONLD else "alternate describedby"


def link(href: str, fmt: Format) -> str:
    """One ``Link`` header entry pointing at the ``fmt`` document ``href``."""
    return f'<{href}>; rel="{link_relation(fmt)}"; type="{fmt.media_type}"'

_RESULT_KEY_ALIASES = {  # SPARQL clients' names (SPARQLWrapper sends format=json|xml|csv|tsv)
    "json": "srj",
    "xml": "srx",
    "sparql-results+json": "srj",
    "sparql-results+xml": "srx",
    "rdf+xml": "rdf",
}


# ------------------------------------------------------- profiles (W3C Content Negotiation by Profile)


@dataclass(frozen=True)
class Profile:
    """What a representation holds, whatever its format: asked for with ``Accept-Profile`` or
    ``?_profile=`` (a token or the URI), named in ``Content-Profile`` (docs/SERVING.md)."""

    token: str
    uri_template: str  # "{base}" is the base IRI
    label: str

    def uri(self, base_iri: str) -> str:
        return self.uri_template.format(base=base_iri)


# The full description in the regiold model (schema.org, W3C ORG, SKOS, …; documented by the
# vocabulary at {base}def/), and the plain schema.org subset that the HTML pages embed.
FULL = Profile("full", "{base}def/", "Full description (the regiold model)")
SCHEMA = Profile("schema", "https://schema.org/", "schema.org only, as the HTML pages embed it")
PROFILES: tuple[Profile, ...] = (FULL, SCHEMA)  # the first is the default
# ?_profile=alt (or this URI in Accept-Profile): the list of profiles and formats of a resource
ALT_TOKEN = "alt"
ALT_URI = "http://www.w3.org/ns/dx/connegp/altr"
