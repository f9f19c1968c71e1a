"""Namespaces used in code. schema.org is ``https://schema.org/`` everywhere (see docs/MODEL.md)."""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SKOS, VOID, XSD

SDO = Namespace("https://schema.org/")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")

# Prefixes offered to Turtle output and the SPARQL editor. ``rgo`` (the regiold vocabulary) is added
# at run time because it lives under the configurable base IRI.
PREFIXES: dict[str, str] = {
    "schema": str(SDO),
    "org": str(ORG),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "skos": str(SKOS),
    "dct": str(DCTERMS),
    "dcat": str(DCAT),
    "prov": str(PROV),
    "foaf": str(FOAF),
    "void": str(VOID),
    "vcard": str(VCARD),
    "xsd": str(XSD),
}


def site_prefixes(base_iri: str) -> dict[str, str]:
    """Standard prefixes plus the ones under the site's base IRI."""
    return {
        **PREFIXES,
        "rgo": f"{base_iri}def/",
        "rm": f"{base_iri}org/",
        "area": f"{base_iri}area/",
        "person": f"{base_iri}person/",
    }


__all__ = ["DCAT", "DCTERMS", "FOAF", "ORG", "OWL", "PROV", "RDF", "RDFS", "SD", "SDO", "SKOS",
           "VCARD", "VOID", "XSD", "PREFIXES", "site_prefixes"]
