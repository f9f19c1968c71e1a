"""Every fact of the partner page and the reference table, asked of the loaded data with SPARQL.

One test per fact of issue 2 §2. The queries run on the embedded store (union of all named
graphs, relative IRIs resolved against the base), exactly as the published data is queried.
"""

from __future__ import annotations

import re
from pathlib import Path

import phonenumbers
import pyoxigraph as ox
import pytest
import rdflib

from conftest import shared_dir
from model_support import PREFIXES
from page_people import Contact, page_contacts
from regiold.ingest import sources
from regiold.store import EmbeddedStore

ROOT = Path(__file__).resolve().parents[1]
BASE = "https://w3id.org/regionen-nrw/"
RM = "org/regionalmanagement-duesseldorf-kreis-mettmann"



@pytest.fixture(scope="module")
def loaded() -> sources.Sources:
    return sources.parse_site(ROOT, base_iri=BASE)


@pytest.fixture(scope="module")
def store(loaded: sources.Sources) -> EmbeddedStore:
    return EmbeddedStore.from_sources(loaded)


def ask(store: EmbeddedStore, query: str) -> bool:
    return store.ask(PREFIXES + query)


def select(store: EmbeddedStore, query: str) -> list[dict[str, str]]:
    return [{k: v.value for k, v in row.items()} for row in store.select(PREFIXES + query)]


def values(store: EmbeddedStore, query: str, var: str = "v") -> set[str]:
    return {row[var] for row in select(store, query) if var in row}


# ---------------------------------------------------------------- the organisation


def test_name_in_german_and_types_of_both_worlds(store):
    assert ask(store, f"""ASK {{
        <{RM}> schema:name "Regionalmanagement Düsseldorf – Kreis Mettmann"@de ;
            a rgo:Regionalmanagement , schema:Organization , org:Organization ,
              org:OrganizationalCollaboration . }}""")


def test_english_description(store):
    descriptions = values(store, f"""SELECT ?v {{ <{RM}> schema:description ?v .
        FILTER (LANG(?v) = "en") }}""")
    assert len(descriptions) == 1
    text = descriptions.pop()
    assert "youngest of the nine" in text and "North Rhine-Westphalia" in text


def test_description_of_its_role(store):
    (text,) = values(store, f"""SELECT ?v {{ <{RM}> schema:description ?v .
        FILTER (LANG(?v) = "de") }}""")
    assert "Lotsenfunktion" in text
    assert "Wirtschaftsraums Düsseldorf – Kreis Mettmann" in text
    assert "vorausschauend aktiv" in text


def test_youngest_of_the_nine_institutionalised_regional_managements(store):
    rows = select(store, f"""SELECT ?order (COUNT(DISTINCT ?m) AS ?members) {{
        <{RM}> rgo:institutionalisationOrder ?order .
        ?ms org:organization rm:regionen-nrw ; org:role role:mitglied ; org:member ?m .
        ?m a rgo:Regionalmanagement .
    }} GROUP BY ?order""")
    assert rows == [{"order": "9", "members": "9"}]
    # nobody is younger
    assert not ask(store, f"""ASK {{ ?other rgo:institutionalisationOrder ?o .
        <{RM}> rgo:institutionalisationOrder ?mine . FILTER (?o > ?mine) }}""")


def test_website(store):
    assert ask(store, f"ASK {{ <{RM}> schema:url <https://regionalmanagement-d-me.de/> }}")


CARRIERS = [
    ("landeshauptstadt-duesseldorf", "Landeshauptstadt Düsseldorf"),
    ("kreis-mettmann", "Kreis Mettmann"),
    ("ihk-duesseldorf", "Industrie- und Handelskammer zu Düsseldorf"),
]


@pytest.mark.parametrize(("slug", "name"), CARRIERS)
def test_each_carrier_is_an_organisation_of_its_own(store, slug, name):
    assert ask(store, f"""ASK {{
        rm:{slug} a schema:Organization , org:FormalOrganization ; schema:name "{name}"@de ;
            dct:source ?source .
        ?membership a org:Membership ; org:member rm:{slug} ; org:organization <{RM}> ;
            org:role role:traeger .
        <{RM}> schema:parentOrganization rm:{slug} .
        role:traeger a org:Role ; skos:prefLabel "Träger"@de . }}""")


def test_exactly_three_carriers(store):
    carriers = values(store, f"""SELECT ?v {{ ?m org:organization <{RM}> ;
        org:role role:traeger ; org:member ?v }}""")
    assert carriers == {f"{BASE}org/{slug}" for slug, _ in CARRIERS}


BOARD_POSTS = [
    ("landeshauptstadt-duesseldorf/post/oberbuergermeister", "landeshauptstadt-duesseldorf",
     "Oberbürgermeister der Landeshauptstadt Düsseldorf"),
    ("kreis-mettmann/post/landrat", "kreis-mettmann", "Landrat des Kreises Mettmann"),
    ("ihk-duesseldorf/post/hauptgeschaeftsfuehrer", "ihk-duesseldorf",
     "Hauptgeschäftsführer der Industrie- und Handelskammer zu Düsseldorf"),
]


@pytest.mark.parametrize(("post", "carrier", "label"), BOARD_POSTS)
def test_board_post_held_ex_officio_in_a_carrier(store, post, carrier, label):
    assert ask(store, f"""ASK {{
        <org/{post}> a org:Post ; org:postIn rm:{carrier} ; rdfs:label "{label}"@de .
        ?membership org:member <org/{post}> ; org:organization <{RM}/board> ;
            org:role role:mitglied-kraft-amtes .
        <{RM}/board> a org:OrganizationalUnit , schema:Organization ; org:unitOf <{RM}> ;
            schema:name "Aufsichtsgremium des Regionalmanagements Düsseldorf – Kreis Mettmann"@de .
        # the office is held in one of the carrying bodies
        ?carrierMembership org:member rm:{carrier} ; org:organization <{RM}> ;
            org:role role:traeger . }}""")


def test_board_has_exactly_three_members_and_names_no_person(store):
    members = values(store, f"SELECT ?v {{ ?m org:organization <{RM}/board> ; org:member ?v }}")
    assert members == {f"{BASE}org/{post}" for post, _, _ in BOARD_POSTS}
    assert not ask(store, "ASK { ?post a org:Post ; org:heldBy ?someone }")


SERVICES = [
    ("lotsenfunktion", "netzwerkkoordination", "Lotsenfunktion"),
    ("konzepte-und-projekte", "konzept-und-projektentwicklung", "Konzepten und Projekten"),
    ("foerderprogramme", "foerdermittelberatung", "EFRE-Strukturfonds"),
    ("schnittstelle-land-und-bund", "schnittstellenfunktion", "Schnittstellenfunktion zu Land und Bund"),
    ("landes-und-bundesinitiativen", "initiativenbeteiligung", "Landes- und Bundesinitiativen"),
]


@pytest.mark.parametrize(("service", "kind", "words"), SERVICES)
def test_service(store, service, kind, words):
    iri = f"{RM}/service/{service}"
    assert ask(store, f"""ASK {{
        <{iri}> a schema:Service ; schema:provider <{RM}> ; schema:category sk:{kind} ;
            schema:name ?de , ?en .
        FILTER (LANG(?de) = "de" && LANG(?en) = "en" && CONTAINS(STR(?de), "{words}"))
        sk:{kind} skos:inScheme <def/service-kind> ; skos:prefLabel ?kde , ?ken .
        FILTER (LANG(?kde) = "de" && LANG(?ken) = "en") }}""")


def test_exactly_five_services(store):
    assert len(values(store, f"SELECT ?v {{ ?v schema:provider <{RM}> }}")) == 5


def test_funding_service_reaches_from_advice_to_own_application(store):
    (text,) = values(store, f"""SELECT ?v {{ <{RM}/service/foerderprogramme>
        schema:description ?v . FILTER (LANG(?v) = "de") }}""")
    assert "von der Beratung über die Begleitung bis hin zur eigenen Antragstellung" in text


def test_what_it_does_not_do(store):
    assert ask(store, f"""ASK {{
        <{RM}> rgo:doesNotPerform sk:fachamtsaufgabe .
        sk:fachamtsaufgabe skos:prefLabel "Kernaufgaben der Fachämter"@de ; rdfs:comment ?c .
        FILTER (CONTAINS(STR(?c), "Planungsämter") && CONTAINS(STR(?c), "Wirtschaftsförderungen")
                && CONTAINS(STR(?c), "in Abstimmung mit den Fachämtern")) }}""")
    # and it is not offered as a service anywhere
    assert not ask(store, "ASK { ?s a schema:Service ; schema:category sk:fachamtsaufgabe }")


def test_member_of_regionen_nrw(store):
    assert ask(store, f"""ASK {{
        <{RM}> schema:memberOf rm:regionen-nrw .
        ?m a org:Membership ; org:member <{RM}> ; org:organization rm:regionen-nrw ;
            org:role role:mitglied .
        rm:regionen-nrw schema:name "regionen.NRW"@de , "regionen.NRW"@en ;
            a org:OrganizationalCollaboration . }}""")


MINISTRY = ("Ministerium für Wirtschaft, Innovation, Digitalisierung und Energie des Landes "
            "Nordrhein-Westfalen")


def test_represented_in_the_rounds_at_the_state_ministry(store):
    assert ask(store, f"""ASK {{
        ?m org:member <{RM}> ; org:organization rm:runde-regionale-entwicklungsorganisationen ;
            org:role role:vertretung .
        <{RM}> schema:memberOf rm:runde-regionale-entwicklungsorganisationen .
        rm:runde-regionale-entwicklungsorganisationen
            schema:name "Runden der Regionalen Entwicklungsorganisationen"@de ;
            org:linkedTo rm:mwide-nrw .
        rm:mwide-nrw a schema:GovernmentOrganization ; schema:name "{MINISTRY}"@de . }}""")


# ---------------------------------------------------------------- contacts


@pytest.fixture(scope="module")
def contacts() -> list[Contact]:
    found = page_contacts(shared_dir())
    assert len(found) == 2  # the page lists two contacts
    return found


def test_contacts_with_academic_title_apart_from_the_name(store, contacts):
    for c in contacts:
        title = f'schema:honorificPrefix "{c.title}"' if c.title else ""
        assert ask(store, f"""ASK {{
            person:{c.slug} a schema:Person ; schema:givenName "{c.given}" ;
                schema:familyName "{c.family}" ; schema:name "{c.name}" ; schema:contactPoint ?cp .
            {f"person:{c.slug} {title} ." if title else ""}
            <{RM}> schema:contactPoint ?cp . ?cp schema:name "{c.shown}" }}""")
        if not c.title:
            assert not ask(store, f"ASK {{ person:{c.slug} schema:honorificPrefix ?t }}")
    assert any(c.title for c in contacts)  # one of them has an academic title


def test_contacts_are_not_stated_as_employees(store):
    """The page lists contacts; who employs them it does not say (city e-mail addresses)."""
    assert not ask(store, "ASK { ?p a schema:Person ; schema:worksFor ?org }")


def test_office_address(store, contacts):
    people = " ".join(f"person:{c.slug} schema:workLocation ?address ." for c in contacts)
    rows = select(store, f"""SELECT ?address ?street ?code ?city ?country {{
        <{RM}> schema:address ?address .
        ?address a schema:PostalAddress ; schema:streetAddress ?street ; schema:postalCode ?code ;
            schema:addressLocality ?city ; schema:addressCountry ?country .
        {people} }}""")
    assert rows == [{"address": f"{BASE}{RM}/address/auf-m-hennekamp-45",
                     "street": "Auf'm Hennekamp 45", "code": "40225", "city": "Düsseldorf",
                     "country": "DE"}]


def test_telephone_stored_in_e164_and_displayed_in_national_form(store, contacts):
    (with_phone,) = [c for c in contacts if c.phone]
    (phone,) = values(store, f"""SELECT ?v {{ person:{with_phone.slug} schema:contactPoint ?cp .
        ?cp schema:telephone ?v }}""")
    assert phone == with_phone.e164 and phone.startswith("+49")
    number = phonenumbers.parse(phone)
    assert phonenumbers.is_valid_number(number)
    assert phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL) \
        == with_phone.phone  # as the page writes it


def test_email_as_mailto_iri(store, contacts):
    for c in contacts:
        assert ask(store, f"""ASK {{ person:{c.slug} schema:contactPoint ?cp .
            ?cp a schema:ContactPoint ; schema:email <mailto:{c.email}> . }}""")
    assert not ask(store, "ASK { ?cp schema:email ?e . FILTER (!isIRI(?e)) }")


def test_contact_website(store, contacts):
    (with_phone,) = [c for c in contacts if c.phone]
    assert ask(store, f"""ASK {{ person:{with_phone.slug} schema:contactPoint ?cp .
        ?cp schema:url <https://regionalmanagement-d-me.de/> }}""")


def test_links_whose_url_is_not_in_the_text_are_not_guessed(store):
    """The page links the network's Facebook page and the ministry's website without URLs."""
    assert not ask(store, "ASK { rm:mwide-nrw schema:url ?u }")
    assert not ask(store, "ASK { rm:regionen-nrw schema:url ?u }")
    assert not ask(store, """ASK { ?s ?p ?o . FILTER (isIRI(?o)
        && CONTAINS(LCASE(STR(?o)), "facebook")) }""")
    # ... but the page's description records that it links them
    assert ask(store, f"""ASK {{ <{RM}> dct:source ?page . ?page schema:description ?d .
        FILTER (LANG(?d) = "de" && CONTAINS(?d, "Facebook-Seite des Verbunds")
                && CONTAINS(?d, "Webseite des Ministeriums")) }}""")


def test_person_data_live_only_in_data_people(loaded: sources.Sources, contacts):
    """Persons and their contact points (names, e-mail, phone) are described only in
    data/people/; other files link to them by IRI alone."""
    people_graphs = {f.graph for f in loaded.files if f.personal}
    assert {f.path.as_posix() for f in loaded.files if f.personal} == {
        f"data/people/{c.slug}.ttl" for c in contacts}
    words = "|".join(re.escape(w) for c in contacts for w in (c.family, c.email)
                     + ((c.e164[3:],) if c.e164 else ()))
    for quad in loaded.quads:
        subject, value = quad.subject.value, quad.object.value
        personal = "/person/" in subject or "/contact/" in subject \
            or value.startswith(("mailto:", "tel:")) \
            or (not isinstance(quad.object, ox.NamedNode) and re.search(words, value))
        if personal:
            assert quad.graph_name.value in people_graphs, quad


def test_withholding_person_data_leaves_no_trace(loaded: sources.Sources, contacts):
    store = EmbeddedStore.from_sources(loaded, include_persons=False)
    dump = " ".join(f"{q.subject.value} {q.predicate.value} {q.object.value}"
                    for q in store.db.quads_for_pattern(None, None, None, None))
    names = [w for c in contacts for w in (c.family, c.slug, c.email)]
    phones = [c.e164[3:] for c in contacts if c.e164]
    for needle in (*names, *phones, "mailto:", "/person/", "/contact/"):
        assert needle not in dump
    # the organisation itself is still complete
    assert store.ask(PREFIXES + f"ASK {{ <{RM}> schema:url ?u ; schema:address ?a }}")


# ---------------------------------------------------------------- the network's nine members

MEMBERS = [
    # slug, name, website, confidence (None = stated), number of carriers
    ("regionalmanagement-duesseldorf-kreis-mettmann", "Regionalmanagement Düsseldorf – Kreis Mettmann",
     "https://regionalmanagement-d-me.de/", None, 3),
    ("bergische-gesellschaft", "Bergische Struktur- und Wirtschaftsförderungsgesellschaft mbH",
     "https://bergische-gesellschaft.de/", None, 7),
    ("muensterland-ev", "Münsterland e.V.", "https://www.muensterland.com/", "press", 0),
    ("standort-niederrhein", "Standort Niederrhein GmbH", None, "press", 6),
    ("ostwestfalenlippe-gmbh", "OstWestfalenLippe GmbH", "https://www.ostwestfalenlippe.de/",
     "press", 8),
    ("region-koeln-bonn", "Region Köln/Bonn e.V.", "https://region-koeln-bonn.de/", None, 16),
    ("regionalverband-ruhr", "Regionalverband Ruhr", "https://www.rvr.ruhr/", "press", 15),
    ("suedwestfalen-agentur", "Südwestfalen Agentur GmbH", "https://www.suedwestfalen-agentur.com/",
     None, 6),
    ("region-aachen", "Region Aachen – Zweckverband", None, None, 0),
]


def test_the_network_has_exactly_nine_members(store):
    members = values(store, """SELECT ?v { ?m org:organization rm:regionen-nrw ;
        org:role role:mitglied ; org:member ?v . ?v schema:memberOf rm:regionen-nrw }""")
    assert members == {f"{BASE}org/{slug}" for slug, *_ in MEMBERS}


@pytest.mark.parametrize(("slug", "name", "website", "confidence", "carriers"), MEMBERS,
                         ids=[m[0] for m in MEMBERS])
def test_member(store, slug, name, website, confidence, carriers):
    assert ask(store, f"""ASK {{ rm:{slug} a rgo:Regionalmanagement ; schema:name "{name}"@de ;
        dct:source ?source . ?source a prov:Entity }}""")
    urls = values(store, f"SELECT ?v {{ rm:{slug} schema:url ?v }}")
    assert urls == ({website} if website else set())
    levels = values(store, f"SELECT ?v {{ rm:{slug} rgo:confidence ?v }}")
    assert levels == ({f"{BASE}def/source-confidence/{confidence}"} if confidence else set())
    found = values(store, f"""SELECT ?v {{ ?m org:organization rm:{slug} ; org:role role:traeger ;
        org:member ?v ; dct:source ?src . rm:{slug} schema:parentOrganization ?v .
        ?v schema:name ?n }}""")
    assert len(found) == carriers


def test_carrier_facts_carry_the_confidence_of_their_source(store):
    """P rows: every carrier membership is marked 'press'; S rows: unmarked."""
    rows = select(store, """SELECT ?org (COUNT(?m) AS ?n) (COUNT(?level) AS ?marked) {
        ?m org:organization ?org ; org:role role:traeger . OPTIONAL { ?m rgo:confidence ?level }
    } GROUP BY ?org""")
    marked = {r["org"].rsplit("/", 1)[-1]: (r["n"], r["marked"]) for r in rows}
    for slug, *_, confidence, carriers in MEMBERS:
        if carriers:
            expected = carriers if confidence == "press" else 0
            assert marked[slug] == (str(carriers), str(expected)), slug


def test_weak_member_is_stated_by_the_network_and_its_weak_facts_left_out(store):
    """The reference marks Region Aachen W; a regionen.NRW page names it among the nine."""
    assert ask(store, """ASK { rm:region-aachen dct:source src:regionen-nrw-sommerfest ;
        skos:editorialNote ?de , ?en . FILTER (LANG(?de) = "de" && LANG(?en) = "en")
        ?m org:member rm:region-aachen ; org:organization rm:regionen-nrw ;
           dct:source src:regionen-nrw-sommerfest }""")
    assert not ask(store, "ASK { rm:region-aachen rgo:confidence ?level }")
    # its weakly supported carriers and website are left out
    assert not ask(store, "ASK { ?m org:organization rm:region-aachen ; org:role role:traeger }")


def test_unconfirmed_cooperation_is_not_stated_as_carriers(store):
    assert not ask(store, "ASK { rm:muensterland-ev schema:parentOrganization ?x }")
    assert ask(store, """ASK { rm:muensterland-ev skos:note ?n .
        FILTER (CONTAINS(STR(?n), "nicht belegt")) }""")


@pytest.mark.parametrize(("carrier", "carried"), [
    ("rhein-kreis-neuss", {"standort-niederrhein", "region-koeln-bonn"}),
    ("kreis-wesel", {"standort-niederrhein", "regionalverband-ruhr"}),
])
def test_overlapping_carriers_have_one_iri(store, carrier, carried):
    found = values(store, f"""SELECT ?v {{ ?m org:member rm:{carrier} ; org:role role:traeger ;
        org:organization ?v }}""")
    assert found == {f"{BASE}org/{slug}" for slug in carried}


def test_rvr_address_from_the_reference(store):
    assert ask(store, """ASK { rm:regionalverband-ruhr schema:address ?a .
        ?a schema:streetAddress "Kronprinzenstraße 35" ; schema:postalCode "45128" ;
           schema:addressLocality "Essen" ; rgo:confidence conf:press }""")


# ---------------------------------------------------------------- areas


def test_duesseldorf(store):
    assert ask(store, """ASK { area:duesseldorf a schema:AdministrativeArea ;
        schema:name "Düsseldorf"@de ; rgo:districtKey "05111" ; rgo:municipalityKey "05111000" ;
        rgo:nutsCode "DEA11" ; schema:sameAs <http://www.wikidata.org/entity/Q1718> ;
        rgo:politicalGeocoding <http://dcat-ap.de/def/politicalGeocoding/districtKey/05111> ;
        schema:containedInPlace area:nordrhein-westfalen }""")


def test_kreis_mettmann(store):
    assert ask(store, """ASK { area:kreis-mettmann a schema:AdministrativeArea ;
        schema:name "Kreis Mettmann"@de ; rgo:districtKey "05158" ; rgo:nutsCode "DEA1C" ;
        rgo:politicalGeocoding <http://dcat-ap.de/def/politicalGeocoding/districtKey/05158> ;
        schema:containedInPlace area:nordrhein-westfalen }""")


def test_nordrhein_westfalen(store):
    assert ask(store, """ASK { area:nordrhein-westfalen a schema:AdministrativeArea ;
        schema:name "Nordrhein-Westfalen"@de , "North Rhine-Westphalia"@en ; rgo:stateKey "05" ;
        rgo:politicalGeocoding <http://dcat-ap.de/def/politicalGeocoding/stateKey/05> .
        FILTER NOT EXISTS { area:nordrhein-westfalen schema:containedInPlace ?up } }""")


def test_only_the_verified_wikidata_link_is_given(store):
    assert values(store, "SELECT ?v { ?a schema:sameAs ?v }") == {
        "http://www.wikidata.org/entity/Q1718"}


def test_areas_served_by_the_partner(store):
    assert values(store, f"SELECT ?v {{ <{RM}> schema:areaServed ?v }}") == {
        f"{BASE}area/duesseldorf", f"{BASE}area/kreis-mettmann"}
    assert ask(store, "ASK { rm:regionen-nrw schema:areaServed area:nordrhein-westfalen }")


# ---------------------------------------------------------------- provenance and licence


def test_every_organisation_names_its_source(store):
    assert not ask(store, """ASK { ?o a schema:Organization .
        FILTER NOT EXISTS { ?o dct:source ?s . ?s a prov:Entity } }""")
    assert ask(store, f"""ASK {{ <{RM}> dct:source ?page . ?page a schema:WebPage ;
        schema:about <{RM}> ; schema:publisher rm:regionen-nrw . }}""")


def test_source_page_has_no_guessed_url_and_a_retrieval_time(store):
    assert not ask(store, f"ASK {{ <{RM}> dct:source ?page . ?page schema:url ?u }}")
    rows = select(store, f"""SELECT ?when ?file {{ <{RM}> dct:source ?page .
        ?snapshot prov:wasDerivedFrom ?page ; prov:generatedAtTime ?when ;
                  dct:identifier ?file ; skos:editorialNote ?note . }}""")
    assert {r["file"] for r in rows} == {"sources/000_c7d2e0839efadfda.txt"}
    assert all(r["when"].startswith("2026-11-27") for r in rows)


def test_snapshot_identifier_names_the_shared_source_file(store):
    for file in values(store, "SELECT ?v { ?s a prov:Entity ; dct:identifier ?v }"):
        assert (shared_dir() / file).is_file(), file


def test_dataset_licence_is_an_open_licence_of_dcat_ap_de(store):
    (licence,) = values(store, "SELECT ?v { <dataset> a dcat:Dataset , void:Dataset ; dct:license ?v }")
    assert licence == "http://dcat-ap.de/def/licenses/dl-by-de/2.0"
    listed = rdflib.Graph().parse(
        shared_dir() / "vocab" / "dcat-ap-de-3.0" / "dcat-ap-de-licenses-open.rdf")
    assert (rdflib.URIRef(licence), rdflib.RDF.type, rdflib.SKOS.Concept) in listed


def test_dataset_and_catalog(store):
    assert ask(store, """ASK { <dataset> dct:title ?tde , ?ten ; dct:description ?dde , ?den ;
            prov:wasDerivedFrom ?src .
        FILTER (LANG(?tde) = "de" && LANG(?ten) = "en" && LANG(?dde) = "de" && LANG(?den) = "en")
        <catalog> a dcat:Catalog ; dcat:dataset <dataset> .
        rm:regionen-nrw a foaf:Organization ; foaf:name ?n . }""")
    # no source says who publishes the dataset: the publisher is a setting (docs/DATASET.md)
    assert not ask(store, "ASK { VALUES ?s { <dataset> <catalog> } ?s dct:publisher ?p }")
