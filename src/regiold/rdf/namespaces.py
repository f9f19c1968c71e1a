"""Namespaces used in code, defined here once. schema.org is ``https://schema.org/`` everywhere
(see docs/MODEL.md).

Two spellings of the same IRIs: ``*_NS`` and the term constants below are plain ``str`` (or
pyoxigraph ``NamedNode``) for code that builds or compares IRIs as text, on hot paths too; the
rdflib names (``SDO``, ``RDF``, ...) are for rdflib graphs (validation, tests). rdflib's built-in
namespaces are not strings: ``DCTERMS + "x"`` raises, hence the plain ones.
"""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SKOS, VOID, XSD

RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS_NS = "http://www.w3.org/2000/01/rdf-schema#"
OWL_NS = "http://www.w3.org/2002/07/owl#"
XSD_NS = "http://www.w3.org/2001/XMLSchema#"
SDO_NS = "https://schema.org/"
ORG_NS = "http://www.w3.org/ns/org#"
SKOS_NS = "http://www.w3.org/2004/02/skos/core#"
DCT_NS = "http://purl.org/dc/terms/"
DCAT_NS = "http://www.w3.org/ns/dcat#"
PROV_NS = "http://www.w3.org/ns/prov#"
FOAF_NS = "http://xmlns.com/foaf/0.1/"
VOID_NS = "http://rdfs.org/ns/void#"
VCARD_NS = "http://www.w3.org/2006/vcard/ns#"
SD_NS = "http://www.w3.org/ns/sparql-service-description#"
REGORG_NS = "http://www.w3.org/ns/regorg#"
VANN_NS = "http://purl.org/vocab/vann/"
FORMATS_NS = "http://www.w3.org/ns/formats/"
# W3C Content Negotiation by Profile: the Alternate Representations model and the Profiles vocabulary
ALTR_NS = "http://www.w3.org/ns/dx/connegp/altr#"
PROF_NS = "http://www.w3.org/ns/dx/prof/"

SDO = Namespace(SDO_NS)
VCARD = Namespace(VCARD_NS)
SD = Namespace(SD_NS)

# Terms used by several modules.
RDF_TYPE = RDF_NS + "type"
RDF_TYPE_NODE = ox.NamedNode(RDF_TYPE)
RDF_LANG_STRING = RDF_NS + "langString"
RDF_DIR_LANG_STRING = RDF_NS + "dirLangString"
XSD_STRING = XSD_NS + "string"
RDFS_LABEL = RDFS_NS + "label"
RDFS_COMMENT = RDFS_NS + "comment"
SKOS_PREF_LABEL = SKOS_NS + "prefLabel"
FOAF_NAME = FOAF_NS + "name"
DCT_TITLE = DCT_NS + "title"

# Prefixes offered to Turtle output and the SPARQL editor. ``rgo`` (the regiold vocabulary) is added
# at run time because it lives under the configurable base IRI.
PREFIXES: dict[str, str] = {
    "schema": SDO_NS,
    "org": ORG_NS,
    "rdf": RDF_NS,
    "rdfs": RDFS_NS,
    "owl": OWL_NS,
    "skos": SKOS_NS,
    "dct": DCT_NS,
    "dcat": DCAT_NS,
    "prov": PROV_NS,
    "foaf": FOAF_NS,
    "void": VOID_NS,
    "vcard": VCARD_NS,
    "xsd": XSD_NS,
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
           "VCARD", "VOID", "XSD", "PREFIXES", "site_prefixes",
           "RDF_NS", "RDFS_NS", "OWL_NS", "XSD_NS", "SDO_NS", "ORG_NS", "SKOS_NS", "DCT_NS",
           "DCAT_NS", "PROV_NS", "FOAF_NS", "VOID_NS", "VCARD_NS", "SD_NS", "REGORG_NS", "VANN_NS",
           "FORMATS_NS", "RDF_TYPE", "RDF_TYPE_NODE", "RDF_LANG_STRING", "RDF_DIR_LANG_STRING",
           "XSD_STRING", "RDFS_LABEL", "RDFS_COMMENT", "SKOS_PREF_LABEL", "FOAF_NAME", "DCT_TITLE"]
