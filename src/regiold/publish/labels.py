"""Words for people: UI strings and de/en labels for the terms of the shared vocabularies.

The project's own terms (``rgo:``, roles, service kinds) bring their labels in the data; these
tables cover schema.org, ORG, SKOS, RDFS, DCT and friends, which the store does not hold.
"""

from __future__ import annotations

from regiold.rdf.namespaces import DCAT_NS as DCAT
from regiold.rdf.namespaces import DCATDE_NS as DCATDE
from regiold.rdf.namespaces import DCT_NS as DCT
from regiold.rdf.namespaces import FOAF_NS as FOAF
from regiold.rdf.namespaces import ORG_NS as ORG
from regiold.rdf.namespaces import OWL_NS as OWL
from regiold.rdf.namespaces import PROV_NS as PROV
from regiold.rdf.namespaces import RDF_NS as RDF
from regiold.rdf.namespaces import RDF_TYPE
from regiold.rdf.namespaces import RDFS_NS as RDFS
from regiold.rdf.namespaces import SD_NS as SD
from regiold.rdf.namespaces import SDO_NS as SDO
from regiold.rdf.namespaces import SKOS_NS as SKOS
from regiold.rdf.namespaces import SPDX_NS as SPDX
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

# ---------------------------------------------------------------- pages for people (issue 15)
# Kept as a block of its own so that other work adding words merges cleanly.

_PAGE_UI: dict[str, dict[str, str]] = {
    "de": {
        "search": "Suche", "search_label": "Suchbegriff", "search_button": "Suchen",
        "search_site": "Verzeichnis durchsuchen", "results_for": "Treffer für",
        "one_result_for": "Treffer für", "no_results": "Keine Treffer für",
        "tried": "Gesucht in den Schreibweisen", "show_all": "Auch Vokabular und Quellen zeigen",
        "show_fewer": "Nur Organisationen, Personen und Gebiete zeigen",
        "group_partners": "Partner", "group_networks": "Verbünde",
        "group_organisations": "Träger und weitere Organisationen", "group_people": "Personen",
        "group_areas": "Gebiete", "group_places": "Orte", "group_services": "Leistungen",
        "group_parts": "Gremien und Ämter", "group_terms": "Vokabular",
        "group_sources": "Quellen", "group_other": "Weiteres",
        "key_facts": "Auf einen Blick", "contact": "Kontakt", "address": "Anschrift",
        "telephone": "Telefon", "fax": "Fax", "email": "E-Mail", "website": "Website",
        "contact_persons": "Ansprechpersonen", "data": "Daten", "data_intro":
            "Wie dieser Eintrag modelliert ist und woher seine Angaben stammen.",
        "downloads": "Herunterladen", "licence": "Lizenz", "statistics": "Statistik",
        "size": "Größe", "dataset_what": "Was ist das?", "dataset_endpoint": "Abfragen",
        "sparql_title": "SPARQL-Endpunkt",
        "sparql_intro": "Nur lesender SPARQL-1.1-Zugang zum Partnerverzeichnis",
        "sparql_post_form": "POST-Formular", "service_description": "Dienstbeschreibung",
        "limits": "Grenzen", "rows_triples": "Zeilen/Tripel", "bytes": "Bytes",
        "no_service": "kein", "no_update": "keine Änderungen", "sparql_search": "Suche in SPARQL",
        "fulltext": "Volltextsuche", "query": "Abfrage", "result_format": "Ergebnisformat",
        "html_table": "HTML-Tabelle", "run_query": "Abfrage ausführen", "result": "Ergebnis",
        "truncated": "Gekürzt", "rows": "Zeile(n)", "triples": "Tripel",
        "download": "Herunterladen", "examples": "Beispielabfragen", "endpoint": "SPARQL-Endpunkt",
        "editor_query": "SPARQL-Abfrage bearbeiten", "truncated_rows":
            "das Ergebnis hatte mehr als {max} {what}; gezeigt werden die ersten {count}.",
        "truncated_what_rows": "Zeilen", "truncated_what_triples": "Tripel",
        "changes": "Änderungen", "error_detail": "Technische Angabe",
        "error_400": "Ungültige Anfrage", "error_403": "Nicht erlaubt",
        "error_404": "Nicht gefunden", "error_405": "Methode nicht erlaubt",
        "error_406": "Format nicht verfügbar", "error_410": "Nicht mehr vorhanden",
        "error_413": "Anfrage zu groß", "error_414": "Adresse zu lang",
        "error_415": "Format der Anfrage nicht unterstützt", "error_429": "Zu viele Anfragen",
        "error_451": "Aus rechtlichen Gründen nicht verfügbar", "error_500": "Interner Fehler",
        "error_503": "Vorübergehend nicht verfügbar",
        "error_lead_404": "Unter dieser Adresse gibt es im Verzeichnis keinen Eintrag.",
        "error_lead": "Die Anfrage konnte nicht beantwortet werden.",
    },
    "en": {
        "search": "Search", "search_label": "Search for", "search_button": "Search",
        "search_site": "Search the directory", "results_for": "results for",
        "one_result_for": "result for", "no_results": "No results for",
        "tried": "Searched in the spellings", "show_all": "Also show vocabulary and sources",
        "show_fewer": "Only show organisations, people and areas",
        "group_partners": "Partners", "group_networks": "Networks",
        "group_organisations": "Carriers and other organisations", "group_people": "People",
        "group_areas": "Areas", "group_places": "Places", "group_services": "Services",
        "group_parts": "Boards and posts", "group_terms": "Vocabulary",
        "group_sources": "Sources", "group_other": "Other",
        "key_facts": "At a glance", "contact": "Contact", "address": "Address",
        "telephone": "Telephone", "fax": "Fax", "email": "E-mail", "website": "Website",
        "contact_persons": "Contact persons", "data": "Data", "data_intro":
            "How this entry is modelled and where its facts come from.",
        "downloads": "Downloads", "licence": "Licence", "statistics": "Statistics",
        "size": "Size", "dataset_what": "What is this?", "dataset_endpoint": "Querying",
        "sparql_title": "SPARQL endpoint",
        "sparql_intro": "Read-only SPARQL 1.1 access to the partner directory",
        "sparql_post_form": "POST form", "service_description": "Service description",
        "limits": "Limits", "rows_triples": "rows/triples", "bytes": "bytes",
        "no_service": "no", "no_update": "no updates", "sparql_search": "Search in SPARQL",
        "fulltext": "full-text search", "query": "Query", "result_format": "Result format",
        "html_table": "HTML table", "run_query": "Run query", "result": "Result",
        "truncated": "Truncated", "rows": "row(s)", "triples": "triples",
        "download": "Download", "examples": "Example queries", "endpoint": "SPARQL endpoint",
        "editor_query": "Edit the SPARQL query", "truncated_rows":
            "the result had more than {max} {what}; the first {count} are shown.",
        "truncated_what_rows": "rows", "truncated_what_triples": "triples",
        "changes": "Changes", "error_detail": "Technical detail",
        "error_400": "Bad request", "error_403": "Forbidden", "error_404": "Not found",
        "error_405": "Method not allowed", "error_406": "Format not available",
        "error_410": "Gone", "error_413": "Request too large", "error_414": "Address too long",
        "error_415": "Request format not supported", "error_429": "Too many requests",
        "error_451": "Unavailable for legal reasons", "error_500": "Internal error",
        "error_503": "Temporarily unavailable",
        "error_lead_404": "The directory has no entry at this address.",
        "error_lead": "The request could not be answered.",
    },
}
for _lang in LANGS:
    UI[_lang].update(_PAGE_UI[_lang])


class Words(dict[str, str]):
    """The interface words of one language: a dict whose words templates also read as attributes
    (``ui.site``). Jinja tries an attribute before an item; on a plain dict every ``ui.x`` first
    raises and catches an AttributeError, most of the cost of printing a word. The instance's
    attribute dict is the dict itself, so an attribute is found at once. (A word named like a dict
    method, e.g. "items", would hide that method: none is.)"""

    def __init__(self, words: dict[str, str]) -> None:
        super().__init__(words)
        self.__dict__ = self


for _lang in LANGS:
    UI[_lang] = Words(UI[_lang])

PROPERTY_LABELS.update({
    f"{SKOS}note": ("Anmerkung", "note"), f"{SKOS}scopeNote": ("Anwendungshinweis", "scope note"),
    f"{SDO}inLanguage": ("Sprache", "language"), f"{SDO}encodingFormat": ("Dateiformat", "file format"),
    f"{SDO}relatedLink": ("Weiterführender Link", "related link"),
    f"{PROV}generatedAtTime": ("Abgerufen am", "retrieved on"),
    f"{FOAF}name": ("Name", "name"), f"{FOAF}homepage": ("Webseite", "website"),
    f"{DCT}conformsTo": ("Entspricht", "conforms to"),
    f"{DCT}format": ("Format", "format"), f"{DCT}hasVersion": ("Versionen", "versions"),
    f"{DCT}isVersionOf": ("Version von", "version of"), f"{DCT}issued": ("Veröffentlicht", "issued"),
    f"{DCT}language": ("Sprache", "language"), f"{DCT}accessRights": ("Zugang", "access rights"),
    f"{DCT}rights": ("Rechte", "rights"), f"{DCT}temporal": ("Zeitraum", "time period"),
    f"{DCT}accrualPeriodicity": ("Aktualisierung", "update frequency"),
    f"{DCT}references": ("Verweist auf", "references"), f"{DCT}type": ("Typ", "type"),
    f"{VOID}class": ("Klasse", "class"), f"{VOID}classPartition": ("Klassen im Datensatz", "class partition"),
    f"{VOID}classes": ("Anzahl Klassen", "number of classes"),
    f"{VOID}dataDump": ("Download", "data dump"),
    f"{VOID}distinctObjects": ("Verschiedene Objekte", "distinct objects"),
    f"{VOID}distinctSubjects": ("Verschiedene Subjekte", "distinct subjects"),
    f"{VOID}entities": ("Anzahl Ressourcen", "number of entities"),
    f"{VOID}properties": ("Anzahl Eigenschaften", "number of properties"),
    f"{VOID}property": ("Eigenschaft", "property"),
    f"{VOID}propertyPartition": ("Eigenschaften im Datensatz", "property partition"),
    f"{VOID}sparqlEndpoint": ("SPARQL-Endpunkt", "SPARQL endpoint"),
    f"{VOID}triples": ("Anzahl Tripel", "number of triples"),
    f"{VOID}uriSpace": ("Adressraum", "URI space"), f"{VOID}vocabulary": ("Vokabular", "vocabulary"),
    f"{VOID}feature": ("Merkmal", "feature"), f"{VOID}subset": ("Teilmenge", "subset"),
    f"{SPDX}algorithm": ("Verfahren", "algorithm"), f"{SPDX}checksum": ("Prüfsumme", "checksum"),
    f"{SPDX}checksumValue": ("Prüfwert", "checksum value"),
    f"{DCAT}accessService": ("Zugangsdienst", "access service"),
    f"{DCAT}accessURL": ("Zugangsadresse", "access URL"),
    "http://data.europa.eu/r5r/availability": ("Verfügbarkeit", "availability"),
    f"{VCARD}hasURL": ("Webseite", "website"),
    f"{DCAT}byteSize": ("Größe in Bytes", "size in bytes"),
    f"{DCAT}compressFormat": ("Komprimierung", "compression"), f"{DCAT}dataset": ("Datensätze", "datasets"),
    f"{DCAT}distribution": ("Distributionen", "distributions"),
    f"{DCAT}downloadURL": ("Download-Adresse", "download URL"),
    f"{DCAT}endpointDescription": ("Beschreibung des Endpunkts", "endpoint description"),
    f"{DCAT}endpointURL": ("Adresse des Endpunkts", "endpoint URL"),
    f"{DCAT}keyword": ("Schlagwort", "keyword"), f"{DCAT}mediaType": ("Medientyp", "media type"),
    f"{DCAT}servesDataset": ("Stellt bereit", "serves dataset"), f"{DCAT}service": ("Dienste", "services"),
    f"{DCAT}theme": ("Thema", "theme"), f"{DCAT}version": ("Datenstand", "data state"),
    f"{DCAT}contactPoint": ("Kontakt", "contact point"), f"{DCAT}landingPage": ("Startseite", "landing page"),
    f"{DCAT}spatialResolutionInMeters": ("Räumliche Auflösung", "spatial resolution"),
    f"{DCAT}themeTaxonomy": ("Themenschema", "theme taxonomy"),
    f"{DCAT}hasVersion": ("Versionen", "versions"), f"{DCAT}isVersionOf": ("Version von", "version of"),
    f"{DCATDE}politicalGeocodingLevelURI": ("Geokodierungsebene", "geocoding level"),
    f"{DCATDE}politicalGeocodingURI": ("Geokodierung", "political geocoding"),
    f"{DCATDE}contributorID": ("Beitragende Stelle", "contributor"),
    f"{DCATDE}licenseAttributionByText": ("Namensnennung", "attribution"),
})
PROPERTY_LABELS[f"{VOID}exampleResource"] = ("Beispielressource", "example resource")
INVERSE_LABELS.update({
    f"{RDFS}domain": ("Eigenschaften", "properties"), f"{RDFS}range": ("Wertebereich von", "range of"),
    f"{RDFS}subClassOf": ("Unterklassen", "subclasses"),
    f"{RDFS}subPropertyOf": ("Untereigenschaften", "subproperties"),
    f"{VOID}class": ("Klassenpartition", "class partition"),
    f"{VOID}property": ("Eigenschaftspartition", "property partition"),
    f"{VOID}vocabulary": ("Verwendet in", "used in"),
    f"{DCAT}dataset": ("In Katalog", "in catalogue"),
    f"{DCAT}servesDataset": ("Bereitgestellt durch", "served by"),
    f"{DCAT}accessService": ("Zugangsdienst für", "access service for"),
    f"{DCAT}service": ("In Katalog", "in catalogue"),
    f"{DCT}isVersionOf": ("Versionen", "versions"), f"{DCT}hasVersion": ("Version von", "version of"),
    f"{DCAT}hasVersion": ("Version von", "version of"), f"{DCAT}isVersionOf": ("Versionen", "versions"),
    f"{PROV}wasDerivedFrom": ("Grundlage für", "source of"),
    f"{DCT}rights": ("Rechtehinweis für", "rights statement of"),
    f"{SDO}relatedLink": ("Verlinkt von", "linked from"),
})
TYPE_LABELS.update({
    f"{DCT}Location": ("Ort", "location"), f"{SPDX}Checksum": ("Prüfsumme", "checksum"),
    f"{SPDX}ChecksumAlgorithm": ("Prüfverfahren", "checksum algorithm"),
    f"{DCAT}DataService": ("Datendienst", "data service"),
    f"{SD}Function": ("SPARQL-Funktion", "SPARQL function"),
    f"{SDO}CreativeWork": ("Werk", "creative work"), f"{SDO}DigitalDocument": ("Dokument", "document"),
    f"{DCT}LicenseDocument": ("Lizenz", "licence"), f"{DCT}Standard": ("Standard", "standard"),
    f"{FOAF}Agent": ("Akteur", "agent"), f"{DCT}MediaTypeOrExtent": ("Medientyp", "media type"),
})
