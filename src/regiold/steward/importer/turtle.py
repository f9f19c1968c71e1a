"""Facts → Turtle: one file for the organisation (``data/partners/{slug}.ttl``) and one per person
(``data/people/{slug}.ttl``), with relative IRIs and the unmapped notes as a header comment."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, PROV, RDF, RDFS, XSD

from regiold.rdf.namespaces import SDO
from regiold.steward.importer.facts import KIND_LABELS, SERVICE_KINDS, Facts, Office
from regiold.steward.importer.known import Known, name_key, slugify
from regiold.steward.importer.page import Page
from regiold.steward.importer.sections import Note


@dataclass
class Draft:
    files: dict[str, str]  # path relative to the site → Turtle; the first is the organisation's
    notes: list[Note]
    org_iri: str
    slug: str


def build(facts: Facts, known: Known, page: Page, *, retrieved: dt.datetime,
          source_url: str | None = None) -> Draft:
    """The Turtle files of one partner page."""
    b = known.base_iri
    org_iri = known.find_org(facts.name) or b + "org/" + slugify(facts.name)
    slug = org_iri.removeprefix(b + "org/")
    g = _graph(b)
    org = URIRef(org_iri)
    page_iri, import_record = _provenance(g, facts, known, page, org, retrieved, source_url)
    sources = (page_iri, import_record)
    kinds = [SDO.Organization, ORG.Organization, URIRef(b + "def/Regionalmanagement")]
    if len(facts.carriers) > 1:
        kinds.append(ORG.OrganizationalCollaboration)
    for kind in kinds:
        g.add((org, RDF.type, kind))
    g.add((org, SDO.name, Literal(facts.name, lang="de")))
    g.add((org, SDO.name, Literal(facts.name, lang="en")))
    if facts.description:
        g.add((org, SDO.description, Literal(" ".join(s.text for s in facts.description), lang="de")))
    else:
        facts.notes.append(Note(facts.name_line, facts.name, "no description sentence found"))
    if facts.order:
        g.add((org, URIRef(b + "def/institutionalisationOrder"), Literal(facts.order)))
    areas = _areas(facts.name, known)
    for area in areas:
        g.add((org, SDO.areaServed, URIRef(area)))
    _add_sources(g, org, sources)
    _carriers(g, facts, known, org, slug, sources)
    _board(g, facts, known, org, slug, sources)
    _services(g, facts, known, org, slug, areas, sources)
    _memberships(g, facts, known, org, slug, sources)
    people = _contacts_turtle(g, facts, known, org, slug, sources)
    org_file = known.files.get(org_iri) or f"data/partners/{slug}.ttl"  # replaces the org's file
    files = {org_file: _turtle(g, b, _header(page, retrieved, facts.notes))}
    files.update({path: _turtle(pg, b, _header(page, retrieved, [])) for path, pg in people.items()})
    return Draft(files, facts.notes, org_iri, slug)


def _graph(base_iri: str) -> Graph:
    g = Graph()
    for prefix, local in (("rm", "org/"), ("area", "area/"), ("src", "source/"), ("rgo", "def/"),
                          ("role", "def/role/"), ("sk", "def/service-kind/"),
                          ("person", "person/")):
        g.bind(prefix, base_iri + local)
    for prefix, ns in (("schema", SDO), ("org", ORG), ("dct", DCTERMS), ("prov", PROV),
                       ("rdfs", RDFS), ("xsd", XSD)):
        g.bind(prefix, ns)
    return g


def _provenance(g: Graph, facts: Facts, known: Known, page: Page, org: URIRef,
                retrieved: dt.datetime, source_url: str | None) -> tuple[URIRef, URIRef]:
    b = known.base_iri
    slug = slugify(facts.name.replace("Regionalmanagement", "")) or "partner"
    page_iri = URIRef(b + f"source/partner-page-{slug}")
    if str(page_iri) not in known.subjects:
        g.add((page_iri, RDF.type, SDO.WebPage))
        g.add((page_iri, RDF.type, PROV.Entity))
        g.add((page_iri, SDO.name, Literal(f"regionen.NRW – Verbundpartner: {facts.name}", lang="de")))
        g.add((page_iri, SDO.name, Literal(f"regionen.NRW – network partner: {facts.name}", lang="en")))
        g.add((page_iri, SDO.inLanguage, Literal("de")))
        g.add((page_iri, SDO.about, org))
        if network := known.find_org("regionen.NRW"):
            g.add((page_iri, SDO.publisher, URIRef(network)))
    if source_url:
        g.add((page_iri, SDO.url, URIRef(source_url)))
    mapped = {u for c in facts.contacts for u in c.urls}
    for link in facts.links:
        if link.href in mapped:
            continue  # the website, already the organisation's schema:url
        if link.href and re.match(r"^https?://", link.href) and not _same_site(link.href, source_url):
            g.add((page_iri, SDO.relatedLink, URIRef(link.href)))
        elif link.href is None:
            facts.notes.append(Note(link.line, link.text, "link without an address in the page"))
    digest = hashlib.sha256(page.content).hexdigest()[:16]
    import_record = URIRef(b + f"source/import-{digest}")
    g.add((import_record, RDF.type, SDO.DigitalDocument))
    g.add((import_record, RDF.type, PROV.Entity))
    g.add((import_record, SDO.name, Literal(f"Import der Partnerseite {facts.name}", lang="de")))
    g.add((import_record, SDO.name, Literal(f"Import of the partner page {facts.name}", lang="en")))
    g.add((import_record, DCTERMS.identifier, Literal(page.path.name)))
    g.add((import_record, SDO.encodingFormat, Literal("text/html" if page.html else "text/plain")))
    g.add((import_record, PROV.wasDerivedFrom, page_iri))
    g.add((import_record, PROV.generatedAtTime,
           Literal(retrieved.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), datatype=XSD.dateTime)))
    g.add((import_record, SDO.about, org))
    return page_iri, import_record


def _same_site(href: str, source_url: str | None) -> bool:
    if not source_url:
        return False
    host = re.sub(r"^https?://([^/]+).*$", r"\1", source_url)
    return re.sub(r"^https?://([^/]+).*$", r"\1", href) == host


def _add_sources(g: Graph, node: URIRef, sources: tuple[URIRef, URIRef]) -> None:
    g.add((node, DCTERMS.source, sources[0]))


def _areas(name: str, known: Known) -> list[str]:
    folded = f" {name_key(name)} "
    return sorted({iri for area_name, iri in known.areas.items()
                   if len(area_name) > 3 and f" {area_name} " in folded})


def _org_for(name: str, line: int, g: Graph, known: Known, sources: tuple[URIRef, URIRef]) -> URIRef:
    iri = known.find_org(name)
    if iri is not None:
        return URIRef(iri)
    node = URIRef(known.base_iri + "org/" + slugify(name))
    known.orgs.setdefault(name_key(name), str(node))  # later mentions ("des Kreises …") find it
    if (node, RDF.type, SDO.Organization) not in g:
        g.add((node, RDF.type, SDO.Organization))
        g.add((node, RDF.type, ORG.Organization))
        g.add((node, SDO.name, Literal(name, lang="de")))
        _add_sources(g, node, sources)
    return node


def _membership(g: Graph, iri: str, label: tuple[str, str], member: URIRef, organisation: URIRef,
                role: str, known: Known, sources: tuple[URIRef, URIRef]) -> None:
    role_iri = known.base_iri + f"def/role/{role}"
    node = URIRef(known.memberships.get((str(member), str(organisation), role_iri), iri))
    g.add((node, RDF.type, ORG.Membership))
    g.add((node, RDFS.label, Literal(label[0], lang="de")))
    g.add((node, RDFS.label, Literal(label[1], lang="en")))
    g.add((node, ORG.member, member))
    g.add((node, ORG.organization, organisation))
    g.add((node, ORG.role, URIRef(role_iri)))
    _add_sources(g, node, sources)


def _carriers(g: Graph, facts: Facts, known: Known, org: URIRef, slug: str,
              sources: tuple[URIRef, URIRef]) -> None:
    for name, line in facts.carriers:
        carrier = _org_for(name, line, g, known, sources)
        local = str(carrier).removeprefix(known.base_iri + "org/")
        display = known.label(str(carrier), "de") or name
        g.add((org, SDO.parentOrganization, carrier))
        _membership(g, f"{org}/membership/traeger-{local}", (f"{display} als Träger",
                    f"{known.label(str(carrier), 'en') or display} as carrier"), carrier, org,
                    "traeger", known, sources)


def _board(g: Graph, facts: Facts, known: Known, org: URIRef, slug: str,
           sources: tuple[URIRef, URIRef]) -> None:
    if not facts.board:
        return
    board = URIRef(f"{org}/board")
    for kind in (SDO.Organization, ORG.Organization, ORG.OrganizationalUnit):
        g.add((board, RDF.type, kind))
    g.add((board, SDO.name, Literal(f"Aufsichtsgremium – {facts.name}", lang="de")))
    g.add((board, SDO.name, Literal(f"Supervisory board – {facts.name}", lang="en")))
    if facts.board_sentence:
        g.add((board, SDO.description, Literal(facts.board_sentence.text, lang="de")))
    g.add((board, ORG.unitOf, org))
    g.add((board, SDO.parentOrganization, org))
    g.add((org, ORG.hasUnit, board))
    _add_sources(g, board, sources)
    for office in facts.board:
        post = _post(office, g, known, sources)
        local = str(post).rsplit("/", 1)[-1]
        _membership(g, f"{org}/membership/aufsichtsgremium-{local}",
                    (f"{office.label} im Aufsichtsgremium (kraft Amtes)",
                     f"{known.label(str(post), 'en') or office.label} on the supervisory board "
                     "(ex officio)"), post, board, "mitglied-kraft-amtes", known, sources)


def _post(office: Office, g: Graph, known: Known, sources: tuple[URIRef, URIRef]) -> URIRef:
    existing = known.posts.get(name_key(office.label))
    if existing:
        return URIRef(existing)
    body = _org_for(office.body, office.line, g, known, sources) if office.body else None
    owner = str(body) if body is not None else known.base_iri + "org/unknown"
    post = URIRef(f"{owner}/post/{slugify(office.title)}")
    g.add((post, RDF.type, ORG.Post))
    g.add((post, RDFS.label, Literal(office.label, lang="de")))
    if body is not None:
        g.add((post, ORG.postIn, body))
    _add_sources(g, post, sources)
    return post


def _services(g: Graph, facts: Facts, known: Known, org: URIRef, slug: str, areas: list[str],
              sources: tuple[URIRef, URIRef]) -> None:
    for kind, service in facts.services.items():
        node = URIRef(f"{org}/service/{SERVICE_KINDS[kind][1]}")
        concept = known.base_iri + f"def/service-kind/{kind}"
        g.add((node, RDF.type, SDO.Service))
        g.add((node, SDO.name, Literal(known.label(concept, "de") or KIND_LABELS[kind][0], lang="de")))
        g.add((node, SDO.name, Literal(known.label(concept, "en") or KIND_LABELS[kind][1], lang="en")))
        g.add((node, SDO.description,
               Literal(" ".join(dict.fromkeys(s.text for s in service.sentences)), lang="de")))
        g.add((node, SDO.category, URIRef(concept)))
        g.add((node, SDO.provider, org))
        for area in areas:
            g.add((node, SDO.areaServed, URIRef(area)))
        _add_sources(g, node, sources)
    if facts.not_performed:
        g.add((org, URIRef(known.base_iri + "def/doesNotPerform"),
               URIRef(known.base_iri + "def/service-kind/fachamtsaufgabe")))


def _memberships(g: Graph, facts: Facts, known: Known, org: URIRef, slug: str,
                 sources: tuple[URIRef, URIRef]) -> None:
    for target, role, _line in facts.memberships:
        local = target.removeprefix(known.base_iri + "org/")
        g.add((org, SDO.memberOf, URIRef(target)))
        label = known.label(target, "de") or local
        english = known.label(target, "en") or label
        text = ((f"Mitglied im Verbund {label}", f"Member of the network {english}")
                if role == "mitglied" else
                (f"Vertretung der Region in: {label}", f"Representation of the region in: {english}"))
        _membership(g, f"{org}/membership/{local}", text, org, URIRef(target), role, known, sources)


def _contacts_turtle(g: Graph, facts: Facts, known: Known, org: URIRef, slug: str,
                     sources: tuple[URIRef, URIRef]) -> dict[str, Graph]:
    people: dict[str, Graph] = {}
    website = next((u for c in facts.contacts for u in c.urls), None)
    if website:
        g.add((org, SDO.url, URIRef(website)))
    address = _address(g, facts, org, sources)
    for contact in facts.contacts:
        person_slug = slugify(contact.name)
        pg = _graph(known.base_iri)
        person = URIRef(known.base_iri + f"person/{person_slug}")
        point = URIRef(f"{org}/contact/{person_slug}")
        pg.add((person, RDF.type, SDO.Person))
        if contact.title:
            pg.add((person, SDO.honorificPrefix, Literal(contact.title)))
        pg.add((person, SDO.givenName, Literal(contact.given)))
        pg.add((person, SDO.familyName, Literal(contact.family)))
        pg.add((person, SDO.name, Literal(contact.name)))
        # no schema:worksFor: a partner page lists contacts, not who employs them (docs/MODEL.md)
        if address is not None:
            pg.add((person, SDO.workLocation, address))
        pg.add((person, SDO.contactPoint, point))
        _add_sources(pg, person, sources)
        pg.add((point, RDF.type, SDO.ContactPoint))
        titled = f"{contact.title} {contact.name}" if contact.title else contact.name
        pg.add((point, SDO.name, Literal(titled)))  # as the page shows it, untagged like data/
        pg.add((point, SDO.contactType, Literal("Ansprechpartner", lang="de")))
        pg.add((point, SDO.contactType, Literal("contact person", lang="en")))
        for phone in contact.phones:
            pg.add((point, SDO.telephone, Literal(phone)))
        for fax in contact.faxes:
            pg.add((point, SDO.faxNumber, Literal(fax)))
        for email in contact.emails:
            pg.add((point, SDO.email, URIRef("mailto:" + email)))
        for url in contact.urls:
            pg.add((point, SDO.url, URIRef(url)))
        if not contact.phones and not contact.emails:
            facts.notes.append(Note(contact.line, contact.name, "contact without telephone or e-mail"))
        _add_sources(pg, point, sources)
        g.add((org, SDO.contactPoint, point))  # the organisation's file links its contacts
        people[known.files.get(str(person)) or f"data/people/{person_slug}.ttl"] = pg
    return people


def _address(g: Graph, facts: Facts, org: URIRef, sources: tuple[URIRef, URIRef]) -> URIRef | None:
    first = next((c for c in facts.contacts if c.street and c.postal_code), None)
    if first is None:
        if facts.contacts:
            facts.notes.append(Note(facts.contacts[0].line, facts.contacts[0].name,
                                    "no complete postal address (street, postal code, city)"))
        return None
    node = URIRef(f"{org}/address/{slugify(first.street or '')}")
    g.add((node, RDF.type, SDO.PostalAddress))
    g.add((node, SDO.streetAddress, Literal(first.street)))
    g.add((node, SDO.postalCode, Literal(first.postal_code)))
    g.add((node, SDO.addressLocality, Literal(first.city)))
    g.add((node, SDO.addressCountry, Literal("DE")))
    _add_sources(g, node, sources)
    g.add((org, SDO.address, node))
    others = {(c.street, c.postal_code) for c in facts.contacts if c.street} - {
        (first.street, first.postal_code)}
    for street, _code in sorted(others, key=str):
        facts.notes.append(Note(0, street or "", "a second address; only the first is mapped"))
    return node


def _header(page: Page, retrieved: dt.datetime, notes: list[Note]) -> str:
    lines = [f"# Draft imported by `regiold import` from {page.path.name} "
             f"(retrieved {retrieved.astimezone(dt.UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}).",
             "# Review before committing; see docs/STEWARDS.md."]
    if notes:
        lines.append("# Not mapped (page line: reason: text):")
        lines += [f"#   {n}"[:200] for n in sorted(notes, key=lambda n: n.line)]
    return "\n".join(lines) + "\n"


def _turtle(g: Graph, base_iri: str, header: str) -> str:
    """Turtle with relative IRIs (like data/): the base is cut from every IRI and prefix."""
    text = g.serialize(format="turtle")
    text = text.replace(f"<{base_iri}", "<")
    return header + "\n" + text
