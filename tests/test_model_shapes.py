"""The shapes in shapes/ against the real data: it conforms, and every constraint can fail.

Each case below breaks a copy of the repository's data with one SPARQL Update and asserts the
exact result it must produce: focus node, result path (the shape's own sh:path), constraint
component and source shape. ``test_every_constraint_has_a_negative_case`` enumerates every
constraint in shapes/ and fails if one has no case, so a shape that silently matches nothing
cannot go unnoticed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pyshacl
import pytest
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import RDF, SH

from conftest import shared_dir
from model_support import PREFIXES
from page_people import page_contacts
from pages_support import to_rdflib
from regiold import validate
from regiold.ingest import sources

ROOT = Path(__file__).resolve().parents[1]
BASE = "https://w3id.org/regionen-nrw/"
BLANK = "_:"  # expected focus: some blank node


RM = "org/regionalmanagement-duesseldorf-kreis-mettmann"
# The two contact persons, by the slugs of their names on the source page: no person's name,
# phone or e-mail is written here (values below are invented).
_TITLED, _PLAIN = sorted(page_contacts(shared_dir()), key=lambda c: c.title is None)
KAI = f"person/{_TITLED.slug}"  # the contact with an academic title and a phone
KAI_CP = f"{RM}/contact/{_TITLED.slug}"
PAUL_CP = f"{RM}/contact/{_PLAIN.slug}"  # the contact with an e-mail only
ADDRESS = f"{RM}/address/auf-m-hennekamp-45"
BOARD = f"{RM}/board"
M_CARRIER = f"{RM}/membership/traeger-kreis-mettmann"
M_NETWORK = f"{RM}/membership/regionen-nrw"
M_LANDRAT = f"{RM}/membership/aufsichtsgremium-landrat"
POST = "org/kreis-mettmann/post/landrat"
SERVICE = f"{RM}/service/foerderprogramme"
PAGE = "source/partner-page-duesseldorf-kreis-mettmann"
SNAPSHOT = "source/snapshot-000-c7d2e0839efadfda"
REFERENCE = "source/regionen-nrw-members-reference"
NOWHERE = "https://example.org/undescribed"


def drop(focus: str, path: str) -> str:
    return f"DELETE WHERE {{ <{focus}> {path} ?value }}"


def add(focus: str, path: str, value: str) -> str:
    return f"INSERT DATA {{ <{focus}> {path} {value} }}"


def replace(focus: str, path: str, value: str) -> str:
    return f"{drop(focus, path)} ; {add(focus, path, value)}"


@dataclass(frozen=True)
class Case:
    shape: str  # local name under shapes/
    component: str  # e.g. "MinCount" for sh:MinCountConstraintComponent
    focus: str  # relative IRI, or BLANK
    update: str  # SPARQL Update that breaks the data

    @property
    def id(self) -> str:
        return f"{self.shape}:{self.component}"


CASES = [
    # ---------------------------------------------------------------- organisations
    Case("Organization", "NodeKind", BLANK, f"""INSERT DATA {{ _:o a schema:Organization ,
        org:Organization ; schema:name "Ohne IRI"@de ; dct:source <{PAGE}> }}"""),
    Case("Organization", "Class", "org/ihk-duesseldorf",
         "DELETE DATA { rm:ihk-duesseldorf a org:Organization }"),
    Case("Organization-name", "Datatype", RM, add(RM, "schema:name", '"RM D-ME"')),
    Case("Organization-name", "UniqueLang", RM, add(RM, "schema:name", '"RM D–ME"@de')),
    Case("Organization-name-de", "QualifiedMinCount", "org/kreis-mettmann",
         'DELETE DATA { rm:kreis-mettmann schema:name "Kreis Mettmann"@de }'),
    Case("Organization-description", "Datatype", RM, add(RM, "schema:description", '"ohne Tag"')),
    Case("Organization-description", "UniqueLang", RM,
         add(RM, "schema:description", '"Zweite Beschreibung"@de')),
    Case("Organization-source", "MinCount", "org/ihk-duesseldorf", drop("org/ihk-duesseldorf",
                                                                        "dct:source")),
    Case("Organization-source", "NodeKind", RM, add(RM, "dct:source", '"Partnerseite"')),
    Case("Organization-source", "Class", RM, add(RM, "dct:source", f"<{NOWHERE}>")),
    Case("Organization-url", "MaxCount", RM, add(RM, "schema:url", "<https://example.org/>")),
    Case("Organization-url", "NodeKind", RM,
         replace(RM, "schema:url", '"https://regionalmanagement-d-me.de/"')),
    Case("Organization-url", "Pattern", RM,
         replace(RM, "schema:url", "<ftp://regionalmanagement-d-me.de/>")),
    Case("Organization-parent", "NodeKind", RM, add(RM, "schema:parentOrganization", '"Kreis"')),
    Case("Organization-parent", "Class", RM, add(RM, "schema:parentOrganization", "area:duesseldorf")),
    Case("Organization-memberOf", "NodeKind", RM, add(RM, "schema:memberOf", '"regionen.NRW"')),
    Case("Organization-memberOf", "Class", RM, add(RM, "schema:memberOf", "area:duesseldorf")),
    Case("Organization-address", "NodeKind", RM,
         add(RM, "schema:address", '"Auf\'m Hennekamp 45, 40225 Düsseldorf"')),
    Case("Organization-address", "Class", RM, add(RM, "schema:address", "area:duesseldorf")),
    Case("Organization-areaServed", "NodeKind", RM, add(RM, "schema:areaServed", '"Düsseldorf"')),
    Case("Organization-areaServed", "Class", RM, add(RM, "schema:areaServed", "rm:kreis-mettmann")),
    Case("Organization-contactPoint", "NodeKind", RM, add(RM, "schema:contactPoint", '"0211"')),
    Case("Organization-contactPoint", "Class", RM, add(RM, "schema:contactPoint", f"<{ADDRESS}>")),
    Case("Organization-doesNotPerform", "Node", RM,
         replace(RM, "rgo:doesNotPerform", "role:traeger")),
    Case("OrgOrganization", "Class", BOARD, f"DELETE DATA {{ <{BOARD}> a schema:Organization }}"),
    Case("FoafOrganization", "Class", "org/regionen-nrw",
         "DELETE DATA { rm:regionen-nrw a schema:Organization }"),
    Case("FoafOrganization-name", "MinCount", "org/regionen-nrw",
         drop("org/regionen-nrw", "foaf:name")),
    Case("OrganizationalUnit-unitOf", "MinCount", BOARD, drop(BOARD, "org:unitOf")),
    Case("OrganizationalUnit-unitOf", "MaxCount", BOARD, add(BOARD, "org:unitOf", "rm:regionen-nrw")),
    Case("OrganizationalUnit-unitOf", "Class", BOARD, replace(BOARD, "org:unitOf", "area:duesseldorf")),
    Case("Regionalmanagement-memberOf-network", "HasValue", RM,
         f"DELETE DATA {{ <{RM}> schema:memberOf rm:regionen-nrw }}"),
    Case("Regionalmanagement-membership-network", "QualifiedMinCount", RM,
         replace(M_NETWORK, "org:role", "role:vertretung")),
    Case("Regionalmanagement-name-en", "QualifiedMinCount", "org/suedwestfalen-agentur",
         'DELETE DATA { rm:suedwestfalen-agentur schema:name "Südwestfalen Agentur GmbH"@en }'),
    Case("Regionalmanagement-order", "Datatype", RM,
         replace(RM, "rgo:institutionalisationOrder", '"9"')),
    Case("Regionalmanagement-order", "MaxCount", RM, add(RM, "rgo:institutionalisationOrder", "8")),
    Case("Regionalmanagement-order", "MinInclusive", RM,
         replace(RM, "rgo:institutionalisationOrder", "0")),
    Case("Network-name-en", "QualifiedMinCount", "org/regionen-nrw",
         'DELETE DATA { rm:regionen-nrw schema:name "regionen.NRW"@en }'),
    Case("Network-description-en", "QualifiedMinCount", "org/regionen-nrw",
         """DELETE { rm:regionen-nrw schema:description ?d } WHERE {
            rm:regionen-nrw schema:description ?d . FILTER (LANG(?d) = "en") }"""),
    Case("Confidence-value", "In", "org/standort-niederrhein",
         replace("org/standort-niederrhein", "rgo:confidence", "sk:netzwerkkoordination")),
    Case("Confidence-value", "MaxCount", "org/standort-niederrhein",
         add("org/standort-niederrhein", "rgo:confidence", "conf:stated")),
    Case("WeakConfidence-note-de", "QualifiedMinCount", "org/weakly-stated",  # a caveat in en only
         """INSERT DATA { <org/weakly-stated> <def/confidence> <def/source-confidence/weak> ;
            skos:editorialNote "Only a guess."@en }"""),
    Case("WeakConfidence-note-en", "QualifiedMinCount", "org/weakly-stated",  # a caveat in de only
         """INSERT DATA { <org/weakly-stated> <def/confidence> <def/source-confidence/weak> ;
            skos:editorialNote "Nur vermutet."@de }"""),
    Case("Membership", "NodeKind", BLANK, f"""INSERT DATA {{ _:m a org:Membership ;
        rdfs:label "ohne IRI"@de ; org:member rm:kreis-mettmann ; org:organization <{RM}> ;
        org:role role:traeger ; dct:source <{PAGE}> }}"""),
    Case("Membership-member", "MinCount", M_CARRIER, drop(M_CARRIER, "org:member")),
    Case("Membership-member", "MaxCount", M_CARRIER, add(M_CARRIER, "org:member", "rm:mwide-nrw")),
    Case("Membership-member", "NodeKind", M_CARRIER,
         replace(M_CARRIER, "org:member", '"Kreis Mettmann"')),
    Case("Membership-member", "Or", M_CARRIER,
         replace(M_CARRIER, "org:member", "area:kreis-mettmann")),
    Case("Membership-organization", "MinCount", M_CARRIER, drop(M_CARRIER, "org:organization")),
    Case("Membership-organization", "MaxCount", M_CARRIER,
         add(M_CARRIER, "org:organization", "rm:regionen-nrw")),
    Case("Membership-organization", "NodeKind", M_CARRIER,
         replace(M_CARRIER, "org:organization", '"Regionalmanagement"')),
    Case("Membership-organization", "Class", M_CARRIER,
         replace(M_CARRIER, "org:organization", "area:duesseldorf")),
    Case("Membership-role", "MinCount", M_CARRIER, drop(M_CARRIER, "org:role")),
    Case("Membership-role", "MaxCount", M_CARRIER, add(M_CARRIER, "org:role", "role:mitglied")),
    Case("Membership-role", "Class", M_CARRIER,
         replace(M_CARRIER, "org:role", "sk:netzwerkkoordination")),
    Case("Membership-label", "QualifiedMinCount", M_CARRIER, drop(M_CARRIER, "rdfs:label")),
    Case("Membership-source", "MinCount", M_CARRIER, drop(M_CARRIER, "dct:source")),
    Case("Membership-source", "Class", M_CARRIER, add(M_CARRIER, "dct:source", f"<{NOWHERE}>")),
    Case("CarrierMirrored-member", "In", M_CARRIER,
         f"DELETE DATA {{ <{RM}> schema:parentOrganization rm:kreis-mettmann }}"),
    Case("MemberMirrored-organization", "In", M_NETWORK,
         f"DELETE DATA {{ <{RM}> schema:memberOf rm:regionen-nrw }}"),
    Case("ExOfficio-member", "Class", M_LANDRAT,
         replace(M_LANDRAT, "org:member", "rm:kreis-mettmann")),
    Case("Post", "NodeKind", BLANK, f"""INSERT DATA {{ _:p a org:Post ; rdfs:label "Amt"@de ;
        org:postIn rm:kreis-mettmann ; dct:source <{PAGE}> }}"""),
    Case("Post-postIn", "MinCount", POST, drop(POST, "org:postIn")),
    Case("Post-postIn", "MaxCount", POST, add(POST, "org:postIn", "rm:regionen-nrw")),
    Case("Post-postIn", "Class", POST, replace(POST, "org:postIn", "area:kreis-mettmann")),
    Case("Post-label", "QualifiedMinCount", POST, drop(POST, "rdfs:label")),
    Case("Post-source", "MinCount", POST, drop(POST, "dct:source")),
    Case("Post-source", "Class", POST, add(POST, "dct:source", f"<{NOWHERE}>")),
    Case("Role", "Class", "def/role/traeger", "DELETE DATA { role:traeger a skos:Concept }"),
    Case("Role-scheme", "HasValue", "def/role/mitglied",
         replace("def/role/mitglied", "skos:inScheme", "<def/service-kind>")),
    Case("Role-label-en", "QualifiedMinCount", "def/role/mitglied",
         'DELETE DATA { role:mitglied skos:prefLabel "member"@en }'),
    # ---------------------------------------------------------------- services
    Case("Service", "NodeKind", BLANK, f"""INSERT DATA {{ _:s a schema:Service ;
        schema:name "Leistung"@de , "service"@en ; schema:description "Leistung"@de ;
        schema:provider <{RM}> ; schema:category sk:netzwerkkoordination ; dct:source <{PAGE}> }}"""),
    Case("Service-name", "Datatype", SERVICE, add(SERVICE, "schema:name", '"Förderung"')),
    Case("Service-name", "UniqueLang", SERVICE, add(SERVICE, "schema:name", '"Förderung"@de')),
    Case("Service-name-de", "QualifiedMinCount", SERVICE, f"""DELETE {{ <{SERVICE}> schema:name ?n }}
         WHERE {{ <{SERVICE}> schema:name ?n . FILTER (LANG(?n) = "de") }}"""),
    Case("Service-name-en", "QualifiedMinCount", SERVICE, f"""DELETE {{ <{SERVICE}> schema:name ?n }}
         WHERE {{ <{SERVICE}> schema:name ?n . FILTER (LANG(?n) = "en") }}"""),
    Case("Service-description-de", "QualifiedMinCount", SERVICE,
         f"""DELETE {{ <{SERVICE}> schema:description ?d }} WHERE {{
            <{SERVICE}> schema:description ?d . FILTER (LANG(?d) = "de") }}"""),
    Case("Service-provider", "MinCount", SERVICE, drop(SERVICE, "schema:provider")),
    Case("Service-provider", "MaxCount", SERVICE, add(SERVICE, "schema:provider", "rm:regionen-nrw")),
    Case("Service-provider", "Class", SERVICE, replace(SERVICE, "schema:provider", "area:duesseldorf")),
    Case("Service-category", "MinCount", SERVICE, drop(SERVICE, "schema:category")),
    Case("Service-category", "Node", SERVICE, replace(SERVICE, "schema:category", "role:traeger")),
    Case("Service-category-not-excluded", "Not", SERVICE,
         add(SERVICE, "schema:category", "sk:fachamtsaufgabe")),
    Case("Service-areaServed", "Class", SERVICE, add(SERVICE, "schema:areaServed", "rm:kreis-mettmann")),
    Case("Service-source", "MinCount", SERVICE, drop(SERVICE, "dct:source")),
    Case("Service-source", "Class", SERVICE, add(SERVICE, "dct:source", f"<{NOWHERE}>")),
    # ---------------------------------------------------------------- persons and contacts
    Case("Person", "NodeKind", BLANK, f"""INSERT DATA {{ _:p a schema:Person ; schema:name "A B" ;
        schema:givenName "A" ; schema:familyName "B" ; schema:worksFor <{RM}> ;
        dct:source <{PAGE}> }}"""),
    Case("Person-name", "MinCount", KAI, drop(KAI, "schema:name")),
    Case("Person-name", "MaxCount", KAI, add(KAI, "schema:name", '"Zweiter Name"')),
    Case("Person-name", "Datatype", KAI, replace(KAI, "schema:name", '"Erika Mustermann"@de')),
    Case("Person-name-without-title", "Not", KAI, replace(KAI, "schema:name", '"Dr. Erika Mustermann"')),
    Case("PersonNameComposed-name", "In", KAI, replace(KAI, "schema:name", '"Erika Mustermann"')),
    Case("Person-givenName", "MinCount", KAI, drop(KAI, "schema:givenName")),
    Case("Person-givenName", "MaxCount", KAI, add(KAI, "schema:givenName", '"E."')),
    Case("Person-givenName", "Datatype", KAI, replace(KAI, "schema:givenName", '"Erika"@de')),
    Case("Person-familyName", "MinCount", KAI, drop(KAI, "schema:familyName")),
    Case("Person-familyName", "MaxCount", KAI, add(KAI, "schema:familyName", '"Musterfrau"')),
    Case("Person-familyName", "Datatype", KAI, replace(KAI, "schema:familyName", '"Mustermann"@de')),
    Case("Person-honorificPrefix", "MaxCount", KAI, add(KAI, "schema:honorificPrefix", '"Prof."')),
    Case("Person-honorificPrefix", "Datatype", KAI,
         replace(KAI, "schema:honorificPrefix", '"Dr."@de')),
    Case("Person-honorificPrefix", "Pattern", KAI,
         replace(KAI, "schema:honorificPrefix", '"Doktor"')),
    Case("Person-worksFor", "Class", KAI, add(KAI, "schema:worksFor", "area:duesseldorf")),
    Case("Person-contactPoint", "NodeKind", KAI, add(KAI, "schema:contactPoint", '"0211 1234567"')),
    Case("Person-contactPoint", "Class", KAI, add(KAI, "schema:contactPoint", f"<{ADDRESS}>")),
    Case("Person-photoConsent", "Datatype", KAI, add(KAI, "rgo:photoConsent", '"2026-01-05"')),
    Case("Person-photoConsent", "MaxCount", KAI, add(KAI, "rgo:photoConsent",
                                                     '"2026-01-05"^^xsd:date , "2026-02-01"^^xsd:date')),
    Case("PersonPhotoWithoutConsent-image", "In", KAI,
         add(KAI, "schema:image", "<https://regionalmanagement-d-me.de/team/portrait.jpg>")),
    Case("Person-source", "MinCount", KAI, drop(KAI, "dct:source")),
    Case("Person-source", "Class", KAI, add(KAI, "dct:source", f"<{NOWHERE}>")),
    Case("ContactPoint", "NodeKind", BLANK, f"""INSERT DATA {{ _:c a schema:ContactPoint ;
        schema:email <mailto:info@example.de> ; dct:source <{PAGE}> . <{RM}> schema:contactPoint _:c }}"""),
    Case("ContactPoint", "Or", PAUL_CP, drop(PAUL_CP, "schema:email")),
    Case("ContactPoint-name", "MaxCount", KAI_CP, add(KAI_CP, "schema:name", '"Erika Mustermann"')),
    Case("ContactPoint-name", "Datatype", KAI_CP,
         replace(KAI_CP, "schema:name", '"Ansprechpartnerin Dr. Erika Mustermann"@de')),
    Case("ContactPoint-telephone", "Datatype", KAI_CP,
         replace(KAI_CP, "schema:telephone", '"+492111234567"@de')),
    Case("ContactPoint-telephone", "Pattern", KAI_CP,
         replace(KAI_CP, "schema:telephone", '"0211 1234567"')),
    Case("ContactPoint-telephone", "Pattern", RM, add(RM, "schema:telephone", '"0211 1234567"')),
    Case("ContactPoint-email", "Pattern", KAI, add(KAI, "schema:email", '<mailto:erika.mustermann>')),
    Case("ContactPoint-email", "NodeKind", KAI_CP,
         replace(KAI_CP, "schema:email", '"mailto:erika.mustermann@example.org"')),
    Case("ContactPoint-email", "Pattern", KAI_CP,
         replace(KAI_CP, "schema:email", "<https://example.org/erika.mustermann>")),
    Case("ContactPoint-url", "NodeKind", KAI_CP,
         replace(KAI_CP, "schema:url", '"https://regionalmanagement-d-me.de/"')),
    Case("ContactPoint-url", "Pattern", KAI_CP,
         replace(KAI_CP, "schema:url", "<ftp://regionalmanagement-d-me.de/>")),
    Case("ContactPoint-of-organization", "QualifiedMinCount", PAUL_CP,
         f"DELETE DATA {{ <{RM}> schema:contactPoint <{PAUL_CP}> }}"),
    Case("ContactPoint-source", "MinCount", KAI_CP, drop(KAI_CP, "dct:source")),
    Case("ContactPoint-source", "Class", KAI_CP, add(KAI_CP, "dct:source", f"<{NOWHERE}>")),
    Case("PostalAddress", "NodeKind", BLANK, f"""INSERT DATA {{ _:a a schema:PostalAddress ;
        schema:streetAddress "Weg 1" ; schema:postalCode "40225" ; schema:addressLocality "D" ;
        schema:addressCountry "DE" ; dct:source <{PAGE}> }}"""),
    Case("PostalAddress-street", "MinCount", ADDRESS, drop(ADDRESS, "schema:streetAddress")),
    Case("PostalAddress-street", "MaxCount", ADDRESS, add(ADDRESS, "schema:streetAddress", '"Weg 2"')),
    Case("PostalAddress-street", "Datatype", ADDRESS,
         replace(ADDRESS, "schema:streetAddress", '"Auf\'m Hennekamp 45"@de')),
    Case("PostalAddress-postalCode", "MinCount", ADDRESS, drop(ADDRESS, "schema:postalCode")),
    Case("PostalAddress-postalCode", "MaxCount", ADDRESS, add(ADDRESS, "schema:postalCode", '"40227"')),
    Case("PostalAddress-postalCode", "Datatype", ADDRESS, replace(ADDRESS, "schema:postalCode", "40225")),
    Case("PostalAddress-postalCode", "Pattern", ADDRESS, replace(ADDRESS, "schema:postalCode", '"4022"')),
    Case("PostalAddress-locality", "MinCount", ADDRESS, drop(ADDRESS, "schema:addressLocality")),
    Case("PostalAddress-locality", "MaxCount", ADDRESS,
         add(ADDRESS, "schema:addressLocality", '"Duesseldorf"')),
    Case("PostalAddress-locality", "Datatype", ADDRESS,
         replace(ADDRESS, "schema:addressLocality", '"Düsseldorf"@de')),
    Case("PostalAddress-country", "MinCount", ADDRESS, drop(ADDRESS, "schema:addressCountry")),
    Case("PostalAddress-country", "MaxCount", ADDRESS, add(ADDRESS, "schema:addressCountry", '"AT"')),
    Case("PostalAddress-country", "In", ADDRESS,
         replace(ADDRESS, "schema:addressCountry", '"Deutschland"')),
    Case("PostalAddress-source", "MinCount", ADDRESS, drop(ADDRESS, "dct:source")),
    Case("PostalAddress-source", "Class", ADDRESS, add(ADDRESS, "dct:source", f"<{NOWHERE}>")),
    # ---------------------------------------------------------------- areas
    Case("AdministrativeArea", "NodeKind", BLANK, f"""INSERT DATA {{ _:a a schema:AdministrativeArea ;
        schema:name "Gebiet"@de , "area"@en ; rgo:stateKey "07" ; dct:source <{REFERENCE}> }}"""),
    Case("AdministrativeArea", "Or", "area/kreis-mettmann", drop("area/kreis-mettmann", "rgo:districtKey")),
    Case("AdministrativeArea-name-de", "QualifiedMinCount", "area/kreis-mettmann",
         'DELETE DATA { area:kreis-mettmann schema:name "Kreis Mettmann"@de }'),
    Case("AdministrativeArea-name-de", "QualifiedMaxCount", "area/kreis-mettmann",
         add("area/kreis-mettmann", "schema:name", '"Mettmann"@de')),
    Case("AdministrativeArea-name-en", "QualifiedMinCount", "area/kreis-mettmann",
         'DELETE DATA { area:kreis-mettmann schema:name "Mettmann district"@en }'),
    Case("AdministrativeArea-stateKey", "MaxCount", "area/nordrhein-westfalen",
         add("area/nordrhein-westfalen", "rgo:stateKey", '"06"')),
    Case("AdministrativeArea-stateKey", "Datatype", "area/nordrhein-westfalen",
         replace("area/nordrhein-westfalen", "rgo:stateKey", '"05"@de')),
    Case("AdministrativeArea-stateKey", "Pattern", "area/nordrhein-westfalen",
         replace("area/nordrhein-westfalen", "rgo:stateKey", '"5"')),
    Case("AdministrativeArea-districtKey", "MaxCount", "area/kreis-mettmann",
         add("area/kreis-mettmann", "rgo:districtKey", '"05159"')),
    Case("AdministrativeArea-districtKey", "Datatype", "area/kreis-mettmann",
         replace("area/kreis-mettmann", "rgo:districtKey", '"05158"@de')),
    Case("AdministrativeArea-districtKey", "Pattern", "area/kreis-mettmann",
         replace("area/kreis-mettmann", "rgo:districtKey", '"5158"')),
    Case("AdministrativeArea-municipalityKey", "MaxCount", "area/duesseldorf",
         add("area/duesseldorf", "rgo:municipalityKey", '"05111001"')),
    Case("AdministrativeArea-municipalityKey", "Datatype", "area/duesseldorf",
         replace("area/duesseldorf", "rgo:municipalityKey", '"05111000"@de')),
    Case("AdministrativeArea-municipalityKey", "Pattern", "area/duesseldorf",
         replace("area/duesseldorf", "rgo:municipalityKey", '"05111"')),
    Case("AdministrativeArea-nuts", "MaxCount", "area/duesseldorf",
         add("area/duesseldorf", "rgo:nutsCode", '"DEA1"')),
    Case("AdministrativeArea-nuts", "Datatype", "area/duesseldorf",
         replace("area/duesseldorf", "rgo:nutsCode", '"DEA11"@de')),
    Case("AdministrativeArea-nuts", "Pattern", "area/duesseldorf",
         replace("area/duesseldorf", "rgo:nutsCode", '"dea11"')),
    Case("AdministrativeArea-geocoding", "NodeKind", "area/kreis-mettmann",
         add("area/kreis-mettmann", "rgo:politicalGeocoding",
             '"http://dcat-ap.de/def/politicalGeocoding/districtKey/05158"')),
    Case("AdministrativeArea-geocoding", "Pattern", "area/kreis-mettmann",
         add("area/kreis-mettmann", "rgo:politicalGeocoding", "<https://example.org/geo/05158>")),
    Case("AdministrativeArea-sameAs", "NodeKind", "area/duesseldorf",
         replace("area/duesseldorf", "schema:sameAs", '"http://www.wikidata.org/entity/Q1718"')),
    Case("AdministrativeArea-sameAs", "Pattern", "area/duesseldorf",
         replace("area/duesseldorf", "schema:sameAs", "<https://www.wikidata.org/wiki/Q1718>")),
    Case("AdministrativeArea-containedIn", "MaxCount", "area/kreis-mettmann",
         add("area/kreis-mettmann", "schema:containedInPlace", "area:duesseldorf")),
    Case("AdministrativeArea-containedIn", "Class", "area/kreis-mettmann",
         replace("area/kreis-mettmann", "schema:containedInPlace", "rm:kreis-mettmann")),
    Case("AdministrativeArea-source", "MinCount", "area/kreis-mettmann",
         drop("area/kreis-mettmann", "dct:source")),
    Case("AdministrativeArea-source", "Class", "area/kreis-mettmann",
         add("area/kreis-mettmann", "dct:source", f"<{NOWHERE}>")),
    Case("AreaDistrictKeyInState-key", "In", "area/kreis-mettmann",
         replace("area/kreis-mettmann", "rgo:districtKey", '"06158"')),
    Case("AreaMunicipalityKeyInState-key", "In", "area/duesseldorf",
         replace("area/nordrhein-westfalen", "rgo:stateKey", '"06"')),
    Case("AreaMunicipalityKeyInDistrict-key", "In", "area/duesseldorf",
         replace("area/duesseldorf", "rgo:municipalityKey", '"05112000"')),
    Case("AreaNutsInParent-code", "In", "area/kreis-mettmann",
         add("area/nordrhein-westfalen", "rgo:nutsCode", '"DEA"') + " ; "
         + replace("area/kreis-mettmann", "rgo:nutsCode", '"DEB1C"')),
    # ---------------------------------------------------------------- every fact traces
    Case("Sourced-source", "MinCount", "org/unbelegt",
         'INSERT DATA { rm:unbelegt schema:description "Eine Angabe ohne Quelle"@de }'),
    Case("SourceRetrieved", "Or", REFERENCE, drop(REFERENCE, "prov:generatedAtTime")),
    # ---------------------------------------------------------------- sources, dataset, catalog
    Case("Source", "NodeKind", BLANK, 'INSERT DATA { _:s a schema:WebPage , prov:Entity ; '
         'schema:name "Seite"@de }'),
    Case("Source", "Class", PAGE, f"DELETE DATA {{ <{PAGE}> a prov:Entity }}"),
    Case("Source-name-de", "QualifiedMinCount", REFERENCE, f"""DELETE {{ <{REFERENCE}> schema:name ?n }}
         WHERE {{ <{REFERENCE}> schema:name ?n . FILTER (LANG(?n) = "de") }}"""),
    Case("Source-derivedFrom", "Class", SNAPSHOT,
         replace(SNAPSHOT, "prov:wasDerivedFrom", f"<{NOWHERE}>")),
    Case("Source-generatedAtTime", "Datatype", SNAPSHOT,
         replace(SNAPSHOT, "prov:generatedAtTime", '"2026-11-27"^^xsd:date')),
    Case("Source-generatedAtTime", "MaxCount", SNAPSHOT,
         add(SNAPSHOT, "prov:generatedAtTime", '"2026-11-26T00:00:00Z"^^xsd:dateTime')),
    Case("Source-publisher", "Class", PAGE, replace(PAGE, "schema:publisher", "area:duesseldorf")),
    Case("Snapshot-retrieved", "MinCount", SNAPSHOT, drop(SNAPSHOT, "prov:generatedAtTime")),
    Case("Snapshot-derivedFrom", "MinCount", SNAPSHOT, drop(SNAPSHOT, "prov:wasDerivedFrom")),
    Case("Dataset", "NodeKind", BLANK, """INSERT DATA { _:d a dcat:Dataset , void:Dataset ;
        dct:title "D"@de , "D"@en ; dct:description "D"@de , "D"@en ;
        dct:license <http://dcat-ap.de/def/licenses/dl-by-de/2.0> ;
        prov:wasDerivedFrom src:regionen-nrw-members-reference }"""),
    Case("Dataset", "Class", "dataset", "DELETE DATA { <dataset> a void:Dataset }"),
    Case("Dataset-title-de", "QualifiedMinCount", "dataset",
         'DELETE DATA { <dataset> dct:title "Partnerverzeichnis von regionen.NRW"@de }'),
    Case("Dataset-title-en", "QualifiedMinCount", "dataset",
         'DELETE DATA { <dataset> dct:title "Partner directory of regionen.NRW"@en }'),
    Case("Dataset-description-de", "QualifiedMinCount", "dataset",
         """DELETE { <dataset> dct:description ?d } WHERE { <dataset> dct:description ?d .
         FILTER (LANG(?d) = "de") }"""),
    Case("Dataset-description-en", "QualifiedMinCount", "dataset",
         """DELETE { <dataset> dct:description ?d } WHERE { <dataset> dct:description ?d .
         FILTER (LANG(?d) = "en") }"""),
    Case("Dataset-publisher", "MaxCount", "dataset", add("dataset", "dct:publisher", "rm:regionen-nrw")),
    Case("Dataset-license", "MinCount", "dataset", drop("dataset", "dct:license")),
    Case("Dataset-license", "MaxCount", "dataset",
         add("dataset", "dct:license", "<http://dcat-ap.de/def/licenses/cc-by/4.0>")),
    Case("Dataset-license", "NodeKind", "dataset",
         replace("dataset", "dct:license", '"http://dcat-ap.de/def/licenses/dl-by-de/2.0"')),
    Case("Dataset-license", "Pattern", "dataset",
         replace("dataset", "dct:license", "<https://creativecommons.org/licenses/by/4.0/>")),
    Case("Dataset-derivedFrom", "MinCount", "dataset", drop("dataset", "prov:wasDerivedFrom")),
    Case("Dataset-derivedFrom", "Class", "dataset", add("dataset", "prov:wasDerivedFrom", f"<{NOWHERE}>")),
    Case("Catalog", "NodeKind", BLANK, """INSERT DATA { _:c a dcat:Catalog ; dct:title "K"@de ;
        dct:description "K"@de ; dcat:dataset <dataset> ;
        dct:license <http://dcat-ap.de/def/licenses/dl-by-de/2.0> }"""),
    Case("Catalog-dataset", "MinCount", "catalog", drop("catalog", "dcat:dataset")),
    Case("Catalog-dataset", "Class", "catalog", add("catalog", "dcat:dataset", f"<{NOWHERE}>")),
    # ---------------------------------------------------------------- the vocabulary itself
    Case("Ontology-version", "MinCount", "def/", drop("def/", "owl:versionInfo")),
    Case("Ontology-version", "MaxCount", "def/", add("def/", "owl:versionInfo", '"0.2.0"')),
    Case("Ontology-license", "MinCount", "def/", drop("def/", "dct:license")),
    Case("Ontology-license", "NodeKind", "def/", replace("def/", "dct:license", '"CC BY 4.0"')),
    Case("Ontology-creator", "MinCount", "def/", drop("def/", "dct:creator")),
    Case("Ontology-prefix", "MinCount", "def/", drop("def/", "vann:preferredNamespacePrefix")),
    Case("Ontology-prefix", "MaxCount", "def/", add("def/", "vann:preferredNamespacePrefix", '"rg"')),
    Case("Ontology-prefix", "HasValue", "def/",
         replace("def/", "vann:preferredNamespacePrefix", '"regiold"')),
    Case("Ontology-namespace", "MinCount", "def/", drop("def/", "vann:preferredNamespaceUri")),
    Case("Ontology-namespace", "MaxCount", "def/",
         add("def/", "vann:preferredNamespaceUri", '"https://example.org/def/"')),
    Case("Ontology-namespace", "Pattern", "def/",
         replace("def/", "vann:preferredNamespaceUri", '<https://w3id.org/regionen-nrw/vocab#>')),
    Case("Ontology-namespace", "NodeKind", "def/",
         replace("def/", "vann:preferredNamespaceUri", '"https://w3id.org/regionen-nrw/def/"')),
    Case("Term", "NodeKind", BLANK, """INSERT DATA { _:t a owl:Class ; rdfs:label "K"@de , "C"@en ;
        rdfs:comment "K"@de , "C"@en ; rdfs:isDefinedBy <def/> ; rdfs:seeAlso schema:Thing }"""),
    Case("Term-label-de", "QualifiedMinCount", "def/nutsCode",
         'DELETE DATA { rgo:nutsCode rdfs:label "NUTS-Code"@de }'),
    Case("Term-label-de", "QualifiedMaxCount", "def/nutsCode",
         add("def/nutsCode", "rdfs:label", '"NUTS-Schlüssel"@de')),
    Case("Term-label-en", "QualifiedMinCount", "def/Regionalmanagement",
         'DELETE DATA { rgo:Regionalmanagement rdfs:label "regional management organisation"@en }'),
    Case("Term-label-en", "QualifiedMaxCount", "def/Regionalmanagement",
         add("def/Regionalmanagement", "rdfs:label", '"regional management"@en')),
    Case("Term-comment-de", "QualifiedMinCount", "def/role/traeger",
         """DELETE { role:traeger rdfs:comment ?c } WHERE { role:traeger rdfs:comment ?c .
         FILTER (LANG(?c) = "de") }"""),
    Case("Term-comment-en", "QualifiedMinCount", "def/service-kind",
         """DELETE { <def/service-kind> rdfs:comment ?c } WHERE { <def/service-kind> rdfs:comment ?c .
         FILTER (LANG(?c) = "en") }"""),
    Case("Term-definedBy", "HasValue", "def/stateKey",
         replace("def/stateKey", "rdfs:isDefinedBy", "<http://example.org/other>")),
    Case("Term-definedBy", "MaxCount", "def/stateKey",
         add("def/stateKey", "rdfs:isDefinedBy", "<http://example.org/other>")),
    Case("ClassOrProperty", "Or", "def/doesNotPerform", drop("def/doesNotPerform", "rdfs:seeAlso")),
    Case("Concept-prefLabel-de", "QualifiedMinCount", "def/source-confidence/press",
         'DELETE DATA { conf:press skos:prefLabel "Presse oder Sekundärquelle"@de }'),
    Case("Concept-prefLabel-de", "QualifiedMaxCount", "def/source-confidence/press",
         add("def/source-confidence/press", "skos:prefLabel", '"Presse"@de')),
    Case("Concept-prefLabel-en", "QualifiedMinCount", "def/source-confidence/press",
         'DELETE DATA { conf:press skos:prefLabel "press or secondary source"@en }'),
    Case("Concept-prefLabel-en", "QualifiedMaxCount", "def/source-confidence/press",
         add("def/source-confidence/press", "skos:prefLabel", '"press"@en')),
    Case("Concept-inScheme", "MinCount", "def/service-kind/netzwerkkoordination",
         drop("def/service-kind/netzwerkkoordination", "skos:inScheme")),
    Case("Concept-inScheme", "Class", "def/role/traeger",
         add("def/role/traeger", "skos:inScheme", f"<{NOWHERE}>")),
]


@pytest.fixture(scope="module")
def loaded() -> sources.Sources:
    return sources.parse_site(ROOT, base_iri=BASE)


@pytest.fixture(scope="module")
def shapes(loaded: sources.Sources) -> Graph:
    return loaded.shapes_graph()


class BrokenCopy:
    """The real data as one graph; each case applies its update, validates, and is undone.

    The update runs on a pyoxigraph copy (which resolves relative IRIs against the base); only the
    difference is applied to the rdflib graph that pyshacl reads, which keeps 200 cases fast.
    """

    def __init__(self, loaded: sources.Sources) -> None:
        self.triples = {ox.Triple(q.subject, q.predicate, q.object) for q in loaded.quads}
        self.graph = sources.to_rdflib_graph(self.triples)
        self.size = len(self.graph)

    def validate(self, update: str, shapes: Graph, use_shapes: list[URIRef]) -> Graph:
        store = ox.Store()
        store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in self.triples)
        store.update(PREFIXES + update, base_iri=BASE)
        after = {ox.Triple(q.subject, q.predicate, q.object) for q in store}
        removed = list(sources.to_rdflib_graph(self.triples - after))
        added = list(sources.to_rdflib_graph(after - self.triples))
        assert removed or added, "the update changed nothing"
        for triple in removed:
            self.graph.remove(triple)
        for triple in added:
            self.graph.add(triple)
        try:
            _, report, _ = pyshacl.validate(
                self.graph, shacl_graph=shapes, inference="none", advanced=True,
                allow_warnings=True, use_shapes=use_shapes, inplace=True)
        finally:
            for triple in added:
                self.graph.remove(triple)
            for triple in removed:
                self.graph.add(triple)
        assert len(self.graph) == self.size, "validation changed the shared data graph"
        return report


@pytest.fixture(scope="module")
def broken(loaded: sources.Sources) -> BrokenCopy:
    return BrokenCopy(loaded)


def owners(shapes: Graph, shape: URIRef) -> list[URIRef]:
    """The shapes to run for a constraint: its node shapes, itself, and node shapes it refers to."""
    parents = [s for s in shapes.subjects(SH.property, shape) if isinstance(s, URIRef)]
    referred = [s for s in shapes.objects(shape, SH.node) if isinstance(s, URIRef)]
    return [*parents, shape, *referred]


def test_the_real_data_conforms_without_warnings(loaded: sources.Sources):
    report = validate.run(loaded)
    assert report.conforms, report.text("en")
    assert report.violations == [], report.text("en")


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_negative_case(broken: BrokenCopy, shapes: Graph, case: Case):
    shape = URIRef(BASE + "shapes/" + case.shape)
    assert (shape, None, None) in shapes, f"no shape {shape}"
    report = broken.validate(case.update, shapes, owners(shapes, shape))
    component = SH[f"{case.component}ConstraintComponent"]
    expected_path = shapes.value(shape, SH.path)
    found = []
    for result in report.subjects(SH.sourceShape, shape):
        focus = report.value(result, SH.focusNode)
        found.append((focus, report.value(result, SH.resultPath),
                      report.value(result, SH.sourceConstraintComponent)))
        if report.value(result, SH.sourceConstraintComponent) != component:
            continue
        if case.focus == BLANK:
            assert isinstance(focus, BNode), focus
        else:
            assert focus == URIRef(BASE + case.focus), focus
        if expected_path is not None:
            assert report.value(result, SH.resultPath) == expected_path
        messages = {m.language for m in report.objects(result, SH.resultMessage)}
        assert {"de", "en"} <= messages, "messages in German and English"
        return
    pytest.fail(f"{case.id} produced no {case.component} result; got {found}")


CONSTRAINTS = {  # SHACL parameter → constraint component it belongs to
    "minCount": "MinCount", "maxCount": "MaxCount", "datatype": "Datatype",
    "nodeKind": "NodeKind", "pattern": "Pattern", "class": "Class", "hasValue": "HasValue",
    "in": "In", "languageIn": "LanguageIn", "uniqueLang": "UniqueLang",
    "qualifiedMinCount": "QualifiedMinCount", "qualifiedMaxCount": "QualifiedMaxCount",
    "minInclusive": "MinInclusive", "maxInclusive": "MaxInclusive", "node": "Node", "not": "Not",
    "or": "Or", "and": "And", "xone": "Xone", "equals": "Equals", "disjoint": "Disjoint",
    "sparql": "SPARQL", "closed": "Closed", "minLength": "MinLength", "maxLength": "MaxLength",
}
TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)
NESTED_ONLY = {"languageIn"}  # used only inside sh:qualifiedValueShape: the qualified count reports


def constraint_units(shapes: Graph) -> set[tuple[str, str]]:
    """(shape local name, component) for every constraint on a targeted shape or its properties."""
    units = set()
    for node_shape in set(shapes.subjects(RDF.type, SH.NodeShape)):
        if not any(shapes.value(node_shape, t) is not None for t in TARGETS):
            continue
        assert isinstance(node_shape, URIRef), "shapes with targets need IRIs"
        members = [(node_shape, {"minCount", "maxCount", "uniqueLang", "qualifiedMinCount",
                                 "qualifiedMaxCount"})]
        for prop in shapes.objects(node_shape, SH.property):
            assert isinstance(prop, URIRef), f"property shape of {node_shape} needs an IRI"
            members.append((prop, set()))
        for shape, skip in members:
            for param, component in CONSTRAINTS.items():
                if param in skip or param in NESTED_ONLY:
                    continue
                if (shape, SH[param], None) in shapes:
                    units.add((str(shape).removeprefix(BASE + "shapes/"), component))
    return units


def test_every_constraint_has_a_negative_case(shapes: Graph):
    units = constraint_units(shapes)
    covered = {(c.shape, c.component) for c in CASES}
    assert units - covered == set(), "constraints without a negative case"
    assert covered - units == set(), "cases for constraints that do not exist"


def test_every_class_used_has_a_node_shape(loaded: sources.Sources, shapes: Graph):
    data = to_rdflib(loaded.quads)
    used = set(data.objects(None, RDF.type))
    targeted = set(shapes.objects(None, SH.targetClass))
    assert used - targeted == set()


def test_every_shape_speaks_german_and_english(shapes: Graph):
    for shape in set(shapes.subjects(RDF.type, SH.PropertyShape)):
        languages = {m.language for m in shapes.objects(shape, SH.message)}
        assert {"de", "en"} <= languages, shape
