"""Words for people: UI strings and de/en labels for the terms of the shared vocabularies.

The project's own terms (``rgo:``, roles, service kinds) bring their labels in the data; these
tables cover schema.org, ORG, SKOS, RDFS, DCT and friends, which the store does not hold.
"""

from __future__ import annotations

from regiold.rdf.namespaces import DCAT_NS as DCAT
from regiold.rdf.namespaces import DCT_NS as DCT
from regiold.rdf.namespaces import FOAF_NS as FOAF
from regiold.rdf.namespaces import ORG_NS as ORG
from regiold.rdf.namespaces import OWL_NS as OWL
from regiold.rdf.namespaces import PROV_NS as PROV
from regiold.rdf.namespaces import RDF_NS as RDF
from regiold.rdf.namespaces import RDF_TYPE
from regiold.rdf.namespaces import RDFS_NS as RDFS
from regiold.rdf.namespaces import SDO_NS as SDO
from regiold.rdf.namespaces import SKOS_NS as SKOS
from regiold.rdf.namespaces import VANN_NS as VANN
from regiold.rdf.namespaces import VCARD_NS as VCARD
from regiold.rdf.namespaces import VOID_NS as VOID
from regiold.settings import LANGS as LANGS  # the one list; imported from here by views

# UI strings; data labels come from the data.
UI: dict[str, dict[str, str]] = {
    "de": {"home": "Start", "site": "regionen.NRW – Partnerverzeichnis", "more": "Weitere Angaben",
           "formats": "Diese Seite als Daten", "language": "Sprache", "page": "Seite",
           "prev": "vorherige Seite", "next": "nächste Seite", "of": "von", "iri": "IRI",
           "breadcrumbs": "Brotkrumen", "skip": "Zum Inhalt springen", "partners": "Partner",
           "networks": "Verbünde", "others": "Weitere Organisationen", "about": "Über die Daten",
           "sparql": "SPARQL-Abfrage",
           "sparql_live": "SPARQL-Abfragen nur über den laufenden Server",
           "dataset": "Datensatz", "vocabulary": "Vokabular",
           "index_title": "Partner von regionen.NRW", "type": "Art", "switch": "English",
           "gone_title": "Nicht mehr vorhanden", "label": "Bezeichnung", "removed_on": "Entfernt am",
           "note": "Hinweis", "home_link": "Zur Startseite", "as_of": "Stand",
           "as_of_help": "Abrufdatum der Quellen dieser Angaben",
           "gone_lead": "Diese Ressource wurde aus dem Verzeichnis entfernt. "
                        "Ihre Adresse bleibt reserviert.",
           "index_intro": "Die Regionalmanagements in Nordrhein-Westfalen und ihre Träger als "
                          "verknüpfte offene Daten."},
    "en": {"home": "Home", "site": "regionen.NRW – partner directory", "more": "More details",
           "formats": "This page as data", "language": "Language", "page": "Page",
           "prev": "previous page", "next": "next page", "of": "of", "iri": "IRI",
           "breadcrumbs": "Breadcrumbs", "skip": "Skip to content", "partners": "Partners",
           "networks": "Networks", "others": "Other organisations", "about": "About the data",
           "sparql": "SPARQL query", "sparql_live": "SPARQL queries need the live server",
           "dataset": "Dataset", "vocabulary": "Vocabulary",
           "index_title": "Partners of regionen.NRW", "type": "Type", "switch": "Deutsch",
           "gone_title": "Gone", "label": "Label", "removed_on": "Removed on", "note": "Note",
           "home_link": "Home", "as_of": "As of",
           "as_of_help": "when the sources of these statements were retrieved",
           "gone_lead": "This resource was removed from the directory. Its address stays reserved.",
           "index_intro": "The regional managements of North Rhine-Westphalia and the bodies "
                          "that carry them, as linked open data."},
}

# Property labels (de, en) for the shared vocabularies; the project's own terms bring theirs.
PROPERTY_LABELS: dict[str, tuple[str, str]] = {
    RDF_TYPE: ("Art", "type"),
    f"{SDO}name": ("Name", "name"), f"{SDO}alternateName": ("Auch genannt", "also known as"),
    f"{SDO}legalName": ("Rechtlicher Name", "legal name"),
    f"{SDO}description": ("Beschreibung", "description"), f"{SDO}url": ("Website", "website"),
    f"{SDO}sameAs": ("Dasselbe wie", "same as"), f"{SDO}logo": ("Logo", "logo"),
    f"{SDO}parentOrganization": ("Träger", "carried by"),
    f"{SDO}subOrganization": ("Untergeordnete Organisation", "sub-organisation"),
    f"{SDO}member": ("Mitglieder", "members"), f"{SDO}memberOf": ("Mitglied von", "member of"),
    f"{SDO}address": ("Anschrift", "address"), f"{SDO}streetAddress": ("Straße", "street"),
    f"{SDO}postalCode": ("Postleitzahl", "postal code"), f"{SDO}addressLocality": ("Ort", "city"),
    f"{SDO}addressRegion": ("Region", "region"), f"{SDO}addressCountry": ("Land", "country"),
    f"{SDO}contactPoint": ("Kontakt", "contact"), f"{SDO}telephone": ("Telefon", "telephone"),
    f"{SDO}faxNumber": ("Fax", "fax"), f"{SDO}email": ("E-Mail", "e-mail"),
    f"{SDO}employee": ("Ansprechpersonen", "contact persons"),
    f"{SDO}worksFor": ("Arbeitet für", "works for"), f"{SDO}jobTitle": ("Funktion", "job title"),
    f"{SDO}honorificPrefix": ("Titel", "title"), f"{SDO}givenName": ("Vorname", "given name"),
    f"{SDO}familyName": ("Nachname", "family name"), f"{SDO}areaServed": ("Gebiet", "area served"),
    f"{SDO}containedInPlace": ("Liegt in", "contained in"),
    f"{SDO}containsPlace": ("Umfasst", "contains"), f"{SDO}identifier": ("Kennung", "identifier"),
    f"{SDO}foundingDate": ("Gründung", "founded"), f"{SDO}category": ("Kategorie", "category"),
    f"{SDO}provider": ("Anbieter", "provider"), f"{SDO}serviceType": ("Leistungsart", "service type"),
    f"{SDO}makesOffer": ("Leistungen", "services"), f"{SDO}itemOffered": ("Leistung", "service"),
    f"{SDO}hasOfferCatalog": ("Leistungen", "services"), f"{SDO}knowsAbout": ("Themen", "topics"),
    f"{SDO}mainEntityOfPage": ("Quelle", "source page"), f"{SDO}keywords": ("Stichwörter", "keywords"),
    f"{SDO}contactType": ("Art des Kontakts", "contact type"),
    f"{SDO}availableLanguage": ("Sprachen", "languages"), f"{SDO}about": ("Über", "about"),
    f"{SDO}workLocation": ("Arbeitsort", "work location"),
    f"{SDO}publisher": ("Herausgeber", "publisher"), f"{SDO}isPartOf": ("Teil von", "part of"),
    f"{ORG}hasMembership": ("Mitgliedschaften", "memberships"), f"{ORG}member": ("Mitglied", "member"),
    f"{ORG}organization": ("Organisation", "organisation"), f"{ORG}role": ("Rolle", "role"),
    f"{ORG}memberOf": ("Mitglied von", "member of"), f"{ORG}hasMember": ("Mitglieder", "members"),
    f"{ORG}hasPost": ("Ämter", "posts"), f"{ORG}postIn": ("Amt in", "post in"),
    f"{ORG}heldBy": ("Inhaber", "held by"), f"{ORG}holds": ("Hat das Amt", "holds"),
    f"{ORG}hasUnit": ("Gremien und Einheiten", "units"), f"{ORG}unitOf": ("Teil von", "unit of"),
    f"{ORG}subOrganizationOf": ("Untergeordnet unter", "sub-organisation of"),
    f"{ORG}hasSubOrganization": ("Untergeordnete Organisationen", "sub-organisations"),
    f"{ORG}classification": ("Einordnung", "classification"),
    f"{ORG}purpose": ("Zweck", "purpose"), f"{ORG}hasSite": ("Standort", "site"),
    f"{ORG}linkedTo": ("Verbunden mit", "linked to"),
    f"{ORG}memberDuring": ("Mitglied während", "member during"),
    f"{RDFS}label": ("Bezeichnung", "label"), f"{RDFS}comment": ("Erläuterung", "comment"),
    f"{RDFS}seeAlso": ("Siehe auch", "see also"), f"{RDFS}isDefinedBy": ("Definiert in", "defined by"),
    f"{RDFS}subClassOf": ("Unterklasse von", "subclass of"),
    f"{RDFS}subPropertyOf": ("Untereigenschaft von", "subproperty of"),
    f"{RDFS}domain": ("Anwendbar auf", "domain"), f"{RDFS}range": ("Wertebereich", "range"),
    f"{SKOS}prefLabel": ("Bezeichnung", "preferred label"), f"{SKOS}altLabel": ("Auch", "alternative label"),
    f"{SKOS}definition": ("Definition", "definition"), f"{SKOS}inScheme": ("Im Schema", "in scheme"),
    f"{SKOS}topConceptOf": ("Oberbegriff in", "top concept of"),
    f"{SKOS}hasTopConcept": ("Oberbegriffe", "top concepts"), f"{SKOS}broader": ("Oberbegriff", "broader"),
    f"{SKOS}narrower": ("Unterbegriffe", "narrower"), f"{SKOS}notation": ("Notation", "notation"),
    f"{SKOS}editorialNote": ("Redaktioneller Hinweis", "editorial note"),
    f"{SKOS}exactMatch": ("Entspricht", "exact match"), f"{SKOS}closeMatch": ("Ähnlich", "close match"),
    f"{DCT}title": ("Titel", "title"), f"{DCT}description": ("Beschreibung", "description"),
    f"{DCT}license": ("Lizenz", "licence"), f"{DCT}publisher": ("Herausgeber", "publisher"),
    f"{DCT}creator": ("Urheber", "creator"), f"{DCT}created": ("Erstellt", "created"),
    f"{DCT}modified": ("Geändert", "modified"), f"{DCT}source": ("Quelle", "source"),
    f"{DCT}identifier": ("Kennung", "identifier"), f"{DCT}spatial": ("Raumbezug", "spatial coverage"),
    f"{OWL}versionInfo": ("Version", "version"), f"{OWL}sameAs": ("Dasselbe wie", "same as"),
    f"{VCARD}hasTelephone": ("Telefon", "telephone"), f"{VCARD}hasEmail": ("E-Mail", "e-mail"),
    f"{PROV}wasDerivedFrom": ("Abgeleitet aus", "derived from"),
    f"{VANN}preferredNamespacePrefix": ("Präfix", "prefix"),
    f"{VANN}preferredNamespaceUri": ("Namensraum", "namespace"),
}
# How incoming links read from the target's side.
INVERSE_LABELS: dict[str, tuple[str, str]] = {
    f"{SDO}parentOrganization": ("Trägt", "carries"),
    f"{SDO}subOrganization": ("Übergeordnete Organisation", "parent organisation"),
    f"{SDO}memberOf": ("Mitglieder", "members"), f"{ORG}memberOf": ("Mitglieder", "members"),
    f"{SDO}member": ("Mitglied von", "member of"),
    f"{ORG}organization": ("Mitglieder", "members"),
    f"{ORG}member": ("Mitglied in", "member of"), f"{ORG}role": ("Vergeben in", "role in"),
    f"{SDO}about": ("Beschrieben in", "described in"), f"{DCT}source": ("Quelle für", "source of"),
    f"{VOID}exampleResource": ("Beispiel in", "example in"),
    f"{ORG}postIn": ("Ämter", "posts"), f"{ORG}unitOf": ("Einheiten", "units"),
    f"{SDO}worksFor": ("Personen", "people"), f"{SDO}employee": ("Arbeitet für", "works for"),
    f"{SDO}areaServed": ("Tätig in diesem Gebiet", "active in this area"),
    f"{SDO}containedInPlace": ("Umfasst", "contains"),
    f"{SDO}provider": ("Leistungen", "services"), f"{SDO}category": ("Verwendet von", "used by"),
    f"{SKOS}inScheme": ("Begriffe", "concepts"), f"{SKOS}broader": ("Unterbegriffe", "narrower"),
    f"{RDFS}isDefinedBy": ("Definiert hier", "defines"), RDF_TYPE: ("Instanzen", "instances"),
    f"{DCT}publisher": ("Herausgeber von", "publisher of"),
    f"{SDO}publisher": ("Herausgeber von", "publisher of"), f"{SDO}isPartOf": ("Umfasst", "has part"),
    f"{ORG}hasUnit": ("Teil von", "unit of"), f"{SKOS}hasTopConcept": ("Oberbegriff in", "top concept of"),
    f"{SKOS}narrower": ("Oberbegriff", "broader"), f"{ORG}hasMembership": ("Mitglied", "member"),
}
TYPE_LABELS: dict[str, tuple[str, str]] = {
    f"{SDO}Organization": ("Organisation", "organisation"), f"{SDO}Person": ("Person", "person"),
    f"{SDO}GovernmentOrganization": ("Behörde", "government organisation"),
    f"{SDO}PostalAddress": ("Anschrift", "postal address"),
    f"{SDO}ContactPoint": ("Kontakt", "contact point"), f"{SDO}Service": ("Leistung", "service"),
    f"{SDO}AdministrativeArea": ("Gebiet", "administrative area"), f"{SDO}Place": ("Ort", "place"),
    f"{SDO}City": ("Stadt", "city"), f"{SDO}WebSite": ("Website", "website"),
    f"{SDO}Offer": ("Angebot", "offer"), f"{SDO}OfferCatalog": ("Leistungskatalog", "offer catalogue"),
    f"{SDO}Dataset": ("Datensatz", "dataset"), f"{SDO}WebPage": ("Webseite", "web page"),
    f"{SDO}DataCatalog": ("Datenkatalog", "data catalogue"),
    f"{ORG}Organization": ("Organisation", "organisation"),
    f"{ORG}FormalOrganization": ("Formale Organisation", "formal organisation"),
    f"{ORG}OrganizationalUnit": ("Organisationseinheit", "organisational unit"),
    f"{ORG}OrganizationalCollaboration": ("Verbund", "collaboration"),
    f"{ORG}Membership": ("Mitgliedschaft", "membership"), f"{ORG}Post": ("Amt", "post"),
    f"{ORG}Role": ("Rolle", "role"), f"{ORG}Site": ("Standort", "site"),
    f"{SKOS}Concept": ("Begriff", "concept"), f"{SKOS}ConceptScheme": ("Begriffsschema", "concept scheme"),
    f"{OWL}Ontology": ("Ontologie", "ontology"), f"{OWL}Class": ("Klasse", "class"),
    f"{RDFS}Class": ("Klasse", "class"), f"{OWL}ObjectProperty": ("Eigenschaft", "property"),
    f"{OWL}DatatypeProperty": ("Eigenschaft", "property"),
    f"{RDF}Property": ("Eigenschaft", "property"),
    f"{DCAT}Dataset": ("Datensatz", "dataset"),
    f"{DCAT}Catalog": ("Katalog", "catalogue"),
    f"{DCAT}Distribution": ("Distribution", "distribution"),
    f"{VOID}Dataset": ("Datensatz", "dataset"),
    f"{FOAF}Organization": ("Organisation", "organisation"),
    f"{FOAF}Person": ("Person", "person"),
    f"{PROV}Entity": ("Quelle", "source"),
}
