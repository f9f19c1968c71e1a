"""SPARQL prefixes of the data model, shared by the model tests (relative IRIs resolve against
the base IRI the store is queried with)."""

PREFIXES = """
PREFIX schema: <https://schema.org/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX void: <http://rdfs.org/ns/void#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX vann: <http://purl.org/vocab/vann/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX rgo: <def/>
PREFIX role: <def/role/>
PREFIX sk: <def/service-kind/>
PREFIX conf: <def/source-confidence/>
PREFIX rm: <org/>
PREFIX area: <area/>
PREFIX person: <person/>
PREFIX src: <source/>
"""
