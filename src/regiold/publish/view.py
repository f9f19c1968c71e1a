"""The view model of a resource page: what the templates print, already chosen, labelled and sorted.

``build_view(description, base_iri=…, lang=…)`` reads a ``describe.Description`` and returns a
``PageView``: the title, description text, breadcrumbs, and sections of rows (property label →
values). Values are links (local IRIs become ``/{path}`` on the serving host), external links,
``tel:``/``mailto:`` links with national phone numbers, texts, or nested dependent nodes. Templates
only loop and print (docs/SERVING.md lists the context). ``schema_org`` builds the embedded
schema.org JSON-LD from the same view, so it says only what the page shows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache

import phonenumbers
import pyoxigraph as ox

from regiold.publish.describe import LABEL_PROPERTIES, Description, ancestors
from regiold.publish.labels import INVERSE_LABELS, LANGS, PROPERTY_LABELS, TYPE_LABELS, UI
from regiold.rdf.namespaces import DCAT_NS as DCAT
from regiold.rdf.namespaces import DCT_NS as DCT
from regiold.rdf.namespaces import FOAF_NAME, PREFIXES, RDF_TYPE
from regiold.rdf.namespaces import FOAF_NS as FOAF
from regiold.rdf.namespaces import ORG_NS as ORG
from regiold.rdf.namespaces import OWL_NS as OWL
from regiold.rdf.namespaces import RDF_NS as RDF
from regiold.rdf.namespaces import RDFS_NS as RDFS
from regiold.rdf.namespaces import REGORG_NS as REGORG
from regiold.rdf.namespaces import SDO_NS as SDO
from regiold.rdf.namespaces import SKOS_NS as SKOS
from regiold.rdf.namespaces import VCARD_NS as VCARD
from regiold.rdf.namespaces import VOID_NS as VOID
from regiold.rdf.serialize import stable_order

MAX_NESTING = 3

# Sections of a page, in order: (key, de title, en title, properties). "rgo:" is the site's def/.
SECTIONS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("overview", "Überblick", "Overview", (
        RDF_TYPE, f"{SDO}alternateName", f"{SDO}legalName", f"{SDO}honorificPrefix",
        f"{SDO}givenName", f"{SDO}familyName", f"{SDO}worksFor", f"{SDO}url", f"{SDO}foundingDate",
        "rgo:institutionalisationOrder", f"{SDO}areaServed", f"{SDO}jobTitle",
        f"{ORG}postIn", f"{ORG}heldBy", f"{ORG}holds", f"{ORG}classification", f"{SKOS}inScheme",
        f"{SKOS}broader", f"{SKOS}altLabel", f"{RDFS}subClassOf", f"{RDFS}subPropertyOf",
        f"{RDFS}domain", f"{RDFS}range", f"{SDO}containedInPlace")),
    ("carriers", "Träger", "Carried by", (f"{SDO}parentOrganization", f"{ORG}subOrganizationOf",
                                          "~" + f"{SDO}parentOrganization")),
    ("board", "Gremien und Ämter", "Boards and posts", (f"{ORG}hasUnit", f"{ORG}hasPost",
                                                         "~" + f"{ORG}postIn", "~" + f"{ORG}unitOf")),
    ("services", "Leistungen", "Services", (
        f"{SDO}makesOffer", f"{SDO}hasOfferCatalog", "~" + f"{SDO}provider", f"{SDO}knowsAbout",
        "rgo:doesNotPerform", f"{ORG}purpose")),
    ("memberships", "Mitgliedschaften", "Memberships", (
        f"{SDO}memberOf", f"{ORG}memberOf", f"{ORG}hasMembership", "~" + f"{ORG}member")),
    ("members", "Mitglieder", "Members", (
        f"{SDO}member", f"{ORG}hasMember", "~" + f"{SDO}memberOf", "~" + f"{ORG}memberOf",
        "~" + f"{ORG}organization")),
    ("contact", "Kontakt", "Contact", (
        f"{SDO}address", f"{SDO}telephone", f"{SDO}faxNumber", f"{SDO}email", f"{SDO}contactPoint",
        f"{SDO}employee", "~" + f"{SDO}worksFor", f"{SDO}workLocation", f"{VCARD}hasTelephone",
        f"{VCARD}hasEmail")),
    ("concepts", "Begriffe", "Concepts", (f"{SKOS}hasTopConcept", f"{SKOS}narrower",
                                          "~" + f"{SKOS}inScheme", "~" + f"{SKOS}broader")),
)
DESCRIPTION_PROPERTIES = (f"{SDO}description", f"{SKOS}definition", f"{RDFS}comment",
                          f"{DCT}description")
HIDDEN_IN_ROWS = frozenset({f"{SDO}name", f"{SKOS}prefLabel", f"{RDFS}label", f"{DCT}title",
                            FOAF_NAME, f"{VCARD}fn"})  # the title shows it
PHONE_PROPERTIES = frozenset({f"{SDO}telephone", f"{SDO}faxNumber", f"{VCARD}hasTelephone",
                              f"{VCARD}tel"})
ORGANIZATION_TYPES = frozenset({
    f"{SDO}Organization", f"{SDO}GovernmentOrganization", f"{SDO}NGO", f"{SDO}Corporation",
    f"{ORG}Organization", f"{ORG}FormalOrganization", f"{ORG}OrganizationalUnit",
    f"{ORG}OrganizationalCollaboration", f"{REGORG}RegisteredOrganization",
    "rgo:Regionalmanagement"})
KIND_BY_TYPE: tuple[tuple[frozenset[str], str], ...] = (
    (ORGANIZATION_TYPES, "organization"),
    (frozenset({f"{SDO}Person", f"{FOAF}Person"}), "person"),
    (frozenset({f"{ORG}Post"}), "post"),
    (frozenset({f"{SDO}AdministrativeArea", f"{SDO}Place", f"{SDO}City"}), "area"),
    (frozenset({f"{SKOS}Concept", f"{SKOS}ConceptScheme"}), "concept"),
    (frozenset({f"{OWL}Ontology", f"{OWL}Class", f"{RDFS}Class", f"{OWL}ObjectProperty",
                f"{OWL}DatatypeProperty", f"{RDF}Property"}),
     "term"),
    (frozenset({f"{DCAT}Dataset", f"{VOID}Dataset",
                f"{DCAT}Catalog", f"{SDO}Dataset"}), "dataset"),
)


@dataclass
class Value:
    """One value in a row. ``kind``: link | external | tel | mailto | text | node."""

    kind: str
    text: str
    href: str | None = None
    lang: str | None = None  # language of ``text`` when it differs from the page's
    node: NodeView | None = None
    note: str | None = None  # e.g. the type of a linked resource


COLLAPSE_NODES = 6  # more nested nodes than this in one row: each shows as a closed <details>


@dataclass
class Row:
    key: str  # property IRI, "~IRI" for incoming links
    label: str
    values: list[Value]

    @property
    def collapsed(self) -> bool:
        return sum(1 for v in self.values if v.kind == "node") > COLLAPSE_NODES


@dataclass
class NodeView:
    """A dependent node shown inside its owner's page (an address, a service, a membership)."""

    iri: str
    anchor: str
    title: str
    types: list[str]
    text: str | None
    rows: list[Row]
    summary: str = ""  # one line for a folded node: its title, else its first fact


@dataclass
class Section:
    key: str
    title: str
    rows: list[Row]


@dataclass
class Crumb:
    label: str
    href: str | None  # None: the current page


@dataclass(frozen=True)
class AsOf:
    """One source of the page's statements and the day it was retrieved ("Stand")."""

    date: str  # YYYY-MM-DD
    label: str
    href: str | None


@dataclass
class PageView:
    iri: str
    path: str  # "/org/x": the page on the serving host
    lang: str
    kind: str  # organization | person | post | area | concept | term | dataset | resource
    title: str
    title_lang: str | None
    types: list[str]
    text: str | None  # the description in the page's language
    text_lang: str | None
    sections: list[Section]
    breadcrumbs: list[Crumb]
    page: int = 1
    pages: int = 1
    schema_org: dict[str, object] = field(default_factory=dict)
    as_of: list[AsOf] = field(default_factory=list)  # newest first
    # Filled by publish/summary.py for pages about organisations, people, areas and posts:
    key: list[Row] = field(default_factory=list)  # the first screen: who, where, carried by whom
    contact: list[Row] = field(default_factory=list)  # how to reach: address, phone, e-mail, web
    data: list[Row] = field(default_factory=list)  # modelling facts: types, sources, examples
    show_types: bool = True  # the type line under the heading (vocabulary pages keep it)
    lead_first: bool = False  # the description before the first-screen facts (the dataset page)


class _Index:
    """The description's triples indexed by subject and by object, in one pass, with what the page
    asks of them again and again (labels, formatted phone numbers) looked up once per language."""

    def __init__(self, description: Description, base: str) -> None:
        self.base = base
        self.tables = _tables(base)
        out: dict[str, dict[str, list[ox.NamedNode | ox.BlankNode | ox.Literal]]] = {}
        inc: dict[str, dict[str, list[str]]] = {}
        # In one order whichever store answered (lookup.py's stable document, or sorted): the
        # page lists values in this order and nests a node shared by several parents (the
        # dataset's publisher) under the first that names it, so a remote store's answer, in
        # the store's own order, gave other HTML than the embedded store.
        stable = description.stable
        for t in stable.triples if stable is not None else stable_order(description.triples):
            subject, obj, predicate = t.subject, t.object, t.predicate.value
            value = subject.value
            props = out.get(f"_:{value}" if isinstance(subject, ox.BlankNode) else value)
            if props is None:
                props = out[f"_:{value}" if isinstance(subject, ox.BlankNode) else value] = {}
            found = props.get(predicate)
            if found is None:
                props[predicate] = [obj]
            else:
                found.append(obj)
            if isinstance(obj, ox.NamedNode):
                links = inc.get(obj.value)
                if links is None:
                    links = inc[obj.value] = {}
                subjects = links.get(predicate)
                if subjects is None:
                    links[predicate] = [value]
                else:
                    subjects.append(value)
        self.out, self.inc = out, inc
        self.term_labels = description.term_labels
        self.dependents = description.dependents
        self._labels: dict[tuple[str, str], ox.Literal | None] = {}
        self._phones: dict[str, tuple[str, str]] = {}

    def types(self, node: str) -> list[str]:
        return [t.value for t in self.out.get(node, {}).get(RDF_TYPE, []) if isinstance(t, ox.NamedNode)]

    def label(self, node: str, lang: str) -> ox.Literal | None:
        """``label_of``, once per node and language."""
        key = (node, lang)
        if key in self._labels:
            return self._labels[key]
        found = self._labels[key] = _first_literal(self, node, lang, LABEL_PROPERTIES)
        return found

    def phone(self, text: str) -> tuple[str, str]:
        """``format_phone``, once per number (the row and the schema.org markup show the same)."""
        found = self._phones.get(text)
        if found is None:
            found = self._phones[text] = format_phone(text)
        return found


@dataclass(frozen=True)
class _Tables:
    """What the pages of one base IRI share, with ``rgo:`` resolved to the base's ``def/``: the
    sections' keys, the kinds' types, the rank of each row key in a nested node. Worked out once
    per base IRI instead of on every page."""

    sections: tuple[tuple[str, str, str, tuple[str, ...]], ...]
    kinds: tuple[tuple[frozenset[str], str], ...]
    row_rank: dict[str, int]
    unranked: int  # after every ranked key


@cache
def _tables(base: str) -> _Tables:
    def rgo(iri: str) -> str:
        return iri.replace("rgo:", f"{base}def/", 1) if iri.startswith("rgo:") else iri

    sections = tuple((key, de, en, tuple(rgo(p) if not p.startswith("~") else "~" + rgo(p[1:])
                                         for p in props)) for key, de, en, props in SECTIONS)
    kinds = tuple((frozenset(rgo(k) for k in types), name) for types, name in KIND_BY_TYPE)
    order = [*NODE_ORDER, *(rgo(p) for _, _, _, props in SECTIONS for p in props)]
    rank: dict[str, int] = {}
    for position, key in enumerate(order):
        rank.setdefault(key, position)  # the first place of a key, as list.index finds it
    return _Tables(sections, kinds, rank, len(order))


def _key(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
    return f"_:{term.value}" if isinstance(term, ox.BlankNode) else term.value  # type: ignore[union-attr]


def pick_literal(literals: Iterable[ox.Literal], lang: str) -> ox.Literal | None:
    """The literal in ``lang``, else German, English, untagged, else any (sorted for stability:
    the first of the smallest (rank, text), as ``sorted`` would put it)."""
    if not isinstance(literals, list):
        literals = list(literals)
    if len(literals) < 2:
        return literals[0] if literals else None
    return min(literals, key=lambda lit: (_lang_rank(lit.language, lang), lit.value))


@lru_cache(maxsize=1024)
def _lang_rank(tag: str | None, lang: str) -> int:
    tag = (tag or "").lower()
    if tag.split("-")[0] == lang:
        return 0
    return {"de": 1, "en": 2, "": 3}.get(tag.split("-")[0], 4)


def label_of(index: _Index, node: str, lang: str) -> ox.Literal | None:
    return index.label(node, lang)


def _first_literal(index: _Index, node: str, lang: str, properties: Iterable[str]) -> ox.Literal | None:
    """The literal in ``lang`` (or the best fallback) of the first of ``properties`` that has one."""
    props = index.out.get(node)
    if not props:
        return None
    for prop in properties:
        values = props.get(prop)
        if values:
            literals = [v for v in values if isinstance(v, ox.Literal)]
            if literals:
                return pick_literal(literals, lang)
    return None


_LANG_INDEX = {code: position for position, code in enumerate(LANGS)}


def term_label(index: _Index, iri: str, lang: str, table: dict[str, tuple[str, str]]) -> str:
    entry = table.get(iri)
    if entry is not None:
        return entry[_LANG_INDEX.get(lang, 0)]
    found = pick_literal(index.term_labels.get(iri, []), lang)
    if found is not None:
        return found.value
    return _local_name(iri)


@lru_cache(maxsize=4096)
def _local_name(iri: str) -> str:
    """An unlabelled term's local name as words: ``hasMembership`` → ``has membership``."""
    local = re.split(r"[/#]", iri.rstrip("/#"))[-1]
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", local).lower() or iri


def local_href(iri: str, base: str) -> str | None:
    """``/{path}`` for an IRI under the base (links point to the serving host), else None."""
    return "/" + iri[len(base):] if iri.startswith(base) else None


def format_phone(text: str) -> tuple[str, str]:
    """(display in national form, tel: href) for a stored E.164 number."""
    raw = text.removeprefix("tel:")
    try:
        number = phonenumbers.parse(raw, "DE")
    except phonenumbers.NumberParseException:
        return raw, "tel:" + re.sub(r"[^+\d]", "", raw)
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return national, "tel:" + phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# The index of the last description viewed: the static export writes each page in both languages
# in a row, and indexes its triples once. One slot, replaced whole (threads check it is theirs).
_last_index: tuple[Description, str, _Index] | None = None


def _index_of(description: Description, base_iri: str) -> _Index:
    global _last_index
    last = _last_index
    if last is not None and last[0] is description and last[1] == base_iri:
        return last[2]
    index = _Index(description, base_iri)
    _last_index = (description, base_iri, index)
    return index


def build_view(description: Description, *, base_iri: str, lang: str) -> PageView:
    """The page of ``description`` in ``lang`` (de or en)."""
    index = _index_of(description, base_iri)
    iri = description.iri
    title = label_of(index, iri, lang)
    text = _text(index, iri, lang)
    types = index.types(iri)
    shown: set[str] = {iri}
    sections = _sections(index, iri, lang, shown)
    kind = _kind(index, types)
    view = PageView(
        iri=iri, path=local_href(iri, base_iri) or iri, lang=lang, kind=kind,
        title=_with_prefix(index, iri, title.value) if title else _fallback_title(iri, base_iri),
        title_lang=_other_lang(title, lang), types=_type_labels(index, types, lang),
        text=text.value if text else None, text_lang=_other_lang(text, lang), sections=sections,
        breadcrumbs=_breadcrumbs(index, iri, base_iri, lang, title),
        page=description.page, pages=description.pages,
        as_of=_as_of(index, description.source_dates, lang),
    )
    view.schema_org = schema_org(index, view)
    return view


def _as_of(index: _Index, dates: dict[str, str], lang: str) -> list[AsOf]:
    """The page's sources with their retrieval day, newest first (then by label)."""
    found = [AsOf(when[:10], _name(index, source, lang), local_href(source, index.base))
             for source, when in dates.items()]
    return sorted(found, key=lambda a: (a.date, a.label), reverse=True)


def _with_prefix(index: _Index, iri: str, name: str) -> str:
    """A person's name with the academic title kept apart in the data ("Dr." + "Erika Mustermann")."""
    prefixes = [v.value for v in index.out.get(iri, {}).get(f"{SDO}honorificPrefix", [])
                if isinstance(v, ox.Literal)]
    return f"{prefixes[0]} {name}" if prefixes and not name.startswith(prefixes[0]) else name


def _other_lang(literal: ox.Literal | None, lang: str) -> str | None:
    if literal is None or not literal.language or literal.language.split("-")[0] == lang:
        return None
    return literal.language


def _fallback_title(iri: str, base: str) -> str:
    return iri[len(base):] if iri.startswith(base) and iri != base else iri


def _text(index: _Index, node: str, lang: str) -> ox.Literal | None:
    return _first_literal(index, node, lang, DESCRIPTION_PROPERTIES)


def _kind(index: _Index, types: list[str]) -> str:
    for kinds, name in index.tables.kinds:
        if not kinds.isdisjoint(types):
            return name
    return "resource"


def _type_labels(index: _Index, types: list[str], lang: str) -> list[str]:
    return sorted({term_label(index, t, lang, TYPE_LABELS) for t in types}, key=str.casefold)


MEMBERSHIP_SIDES = {f"{ORG}organization": f"{ORG}member", f"{ORG}member": f"{ORG}organization"}


@dataclass
class _Page:
    """State while one page is built: what is already shown, so nothing appears twice."""

    index: _Index
    lang: str
    main: str  # the page's resource
    shown: set[str]  # nodes rendered (the page itself, nested nodes)
    linked: set[str] = field(default_factory=set)  # IRIs shown as links
    forward: set[str] = field(default_factory=set)  # nodes nested where a property leads to them


def _forward_nested(index: _Index, main: str) -> set[str]:
    """The nodes the page nests by following properties from ``main`` (up to MAX_NESTING): a node
    shared by several parents is shown there, not under a parent that it merely links back to
    (the dataset's SPARQL service under its distribution, not under the publisher they share)."""
    found: set[str] = set()
    layer = [main]
    for _ in range(MAX_NESTING):
        layer = [key for node in layer for objects in index.out.get(node, {}).values()
                 for obj in objects if not isinstance(obj, ox.Literal)
                 for key in (_key(obj),)
                 if (isinstance(obj, ox.BlankNode) or key in index.dependents)
                 and key not in found and key != main]
        found.update(layer)
    return found


def _sections(index: _Index, node: str, lang: str, shown: set[str]) -> list[Section]:
    page = _Page(index, lang, node, shown, forward=_forward_nested(index, node))
    rows = _rows(page, node, main=True, depth=0)
    out: list[Section] = []
    for key, de, en, wanted in index.tables.sections:
        picked = [rows.pop(p) for p in wanted if p in rows]
        if picked:
            out.append(Section(key, de if lang == "de" else en, picked))
    if rows:
        rest = sorted(rows.values(), key=lambda r: (r.key.startswith("~"), r.label.casefold()))
        out.append(Section("more", UI[lang]["more"], rest))
    return out


def _rows(page: _Page, node: str, *, main: bool, depth: int) -> dict[str, Row]:
    """Outgoing rows, then incoming ones (all on the main node; dependents only when nested),
    then memberships that link to ``node`` (naming the other party, not the membership)."""
    index, lang = page.index, page.lang
    rows: dict[str, Row] = {}
    out = index.out.get(node, {})
    description_prop = next((p for p in DESCRIPTION_PROPERTIES if p in out), None)
    for prop, objects in out.items():
        if prop in HIDDEN_IN_ROWS or prop == description_prop:
            continue
        values = _values(page, prop, objects, depth)
        if values:
            rows[prop] = Row(prop, _capital(term_label(index, prop, lang, PROPERTY_LABELS)), values)
    for prop, subjects in index.inc.get(node, {}).items():
        if prop in MEMBERSHIP_SIDES:
            continue
        values = _incoming_values(page, subjects, main=main, depth=depth)
        if values:
            rows["~" + prop] = Row("~" + prop, _capital(_inverse(index, prop, lang)), _sorted(values))
    for prop, other in MEMBERSHIP_SIDES.items():
        values = _membership_values(page, index.inc.get(node, {}).get(prop, []), other)
        if values:
            rows["~" + prop] = Row("~" + prop, _capital(_inverse(index, prop, lang)), _sorted(values))
    return rows


def _capital(label: str) -> str:
    return label[:1].upper() + label[1:]


def _name(index: _Index, iri: str, lang: str) -> str:
    label = label_of(index, iri, lang)
    return label.value if label else term_label(index, iri, lang, {})


def _inverse(index: _Index, prop: str, lang: str) -> str:
    if prop in INVERSE_LABELS:
        return INVERSE_LABELS[prop][LANGS.index(lang)]
    label = term_label(index, prop, lang, PROPERTY_LABELS)
    return f"„{label}“ von" if lang == "de" else f"is “{label}” of"


def _incoming_values(page: _Page, subjects: list[str], *, main: bool, depth: int) -> list[Value]:
    values: list[Value] = []
    for subject in dict.fromkeys(subjects):
        if subject in page.shown:
            continue
        if subject in page.index.dependents:
            if depth < MAX_NESTING and not (depth and subject in page.forward):
                page.shown.add(subject)
                values.append(Value("node", "", node=_node_view(page, subject, depth + 1)))
        elif main and subject not in page.linked:  # a link the page already shows says enough
            values.append(_link(page, subject))
        elif subject == page.main:
            continue
    return values


def _membership_values(page: _Page, memberships: list[str], other: str) -> list[Value]:
    """A membership linking here, as a link to the other party with the role as a note; parties
    already linked elsewhere on the page (a carrier under "Träger") are not repeated."""
    values: list[Value] = []
    for membership in dict.fromkeys(memberships):
        props = page.index.out.get(membership, {})
        for party in props.get(other, []):
            if not isinstance(party, ox.NamedNode) or party.value in page.linked \
                    or party.value in page.shown:
                continue
            value = _link(page, party.value)
            roles = [_name(page.index, r.value, page.lang) for r in props.get(f"{ORG}role", [])
                     if isinstance(r, ox.NamedNode)]
            value.note = ", ".join(sorted(roles)) or value.note
            values.append(value)
        page.shown.add(membership)
    return values


def _values(page: _Page, prop: str, objects: list[ox.NamedNode | ox.BlankNode | ox.Literal],
            depth: int) -> list[Value]:
    index, lang = page.index, page.lang
    if depth > 0 and prop != RDF_TYPE:  # a nested node: leave out what the page says already
        inherited = set(index.out.get(page.main, {}).get(prop, []))
        objects = [o for o in objects if o not in inherited and _key(o) != page.main]
    literals = [o for o in objects if isinstance(o, ox.Literal)]
    values = [_literal_value(index, prop, lit, lang) for lit in _best_literals(literals, lang)]
    for obj in objects:
        if isinstance(obj, ox.Literal):
            continue
        key = _key(obj)
        nested = isinstance(obj, ox.BlankNode) or key in index.dependents
        if nested and key not in page.shown and depth < MAX_NESTING:
            page.shown.add(key)
            values.append(Value("node", "", node=_node_view(page, key, depth + 1)))
        elif isinstance(obj, ox.NamedNode):
            values.append(_iri_value(page, prop, obj.value))
    return _sorted(values)


def _best_literals(literals: list[ox.Literal], lang: str) -> list[ox.Literal]:
    """Untagged literals, plus the tagged ones of the best available language."""
    tagged = [lit for lit in literals if lit.language]
    best = pick_literal(tagged, lang)
    keep = [lit for lit in tagged if best is not None and lit.language == best.language]
    return [lit for lit in literals if not lit.language] + keep


def _literal_value(index: _Index, prop: str, literal: ox.Literal, lang: str) -> Value:
    text = literal.value
    if prop in PHONE_PROPERTIES:
        national, href = index.phone(text)
        return Value("tel", national, href)
    if prop == f"{SDO}email" and "@" in text:
        return Value("mailto", text.removeprefix("mailto:"), "mailto:" + text.removeprefix("mailto:"))
    return Value("text", text, lang=_other_lang(literal, lang))


def _iri_value(page: _Page, prop: str, iri: str) -> Value:
    index, lang = page.index, page.lang
    if iri.startswith("mailto:"):
        return Value("mailto", iri.removeprefix("mailto:"), iri)
    if iri.startswith("tel:") or prop in PHONE_PROPERTIES:
        national, href = index.phone(iri)
        return Value("tel", national, href)
    if prop == RDF_TYPE:
        href = local_href(iri, index.base)
        return Value("link" if href else "text", term_label(index, iri, lang, TYPE_LABELS), href)
    return _link(page, iri)


def _link(page: _Page, iri: str) -> Value:
    index, lang = page.index, page.lang
    page.linked.add(iri)
    label = label_of(index, iri, lang)
    href = local_href(iri, index.base)
    if href is None:
        return Value("external", label.value if label else _known_name(iri), iri,
                     _other_lang(label, lang))
    text = label.value if label else _fallback_title(iri, index.base)
    return Value("link", text, href, _other_lang(label, lang))


def _known_name(iri: str) -> str:
    """An unlabelled outside IRI: its prefixed name (``skos:Concept``) when it is a term of a
    well-known vocabulary, else the IRI itself (web pages)."""
    for prefix, namespace in PREFIXES.items():
        local = iri.removeprefix(namespace)
        if local != iri and re.fullmatch(r"[A-Za-z][\w-]*", local):
            return f"{prefix}:{local}"  # unambiguous: schema:Organization is not org:Organization
    return iri


def _node_view(page: _Page, key: str, depth: int) -> NodeView:
    index, lang = page.index, page.lang
    title = label_of(index, key, lang)
    types = _type_labels(index, index.types(key), lang)
    rows = _rows(page, key, main=False, depth=depth)
    rows.pop(RDF_TYPE, None)  # shown as the node's subtitle
    text = _text(index, key, lang)
    anchor = _NOT_ANCHOR.sub("-", key.rsplit("/", 2)[-1] if not key.startswith("_:")
                    else key[2:])
    rank, last = index.tables.row_rank, index.tables.unranked
    ordered = sorted(rows.values(), key=lambda r: (rank.get(r.key, last), r.key))
    shown_title = title.value if title else (types[0] if types else "")
    lead = f"{shown_title} – " if shown_title else ""
    first = next((f"{lead}{r.label}: {r.values[0].text}" for r in ordered
                  if r.values and r.values[0].kind != "node"), shown_title)
    return NodeView(key, anchor, shown_title, types, text.value if text else None, ordered,
                    summary=shown_title if title else first)


_NOT_ANCHOR = re.compile(r"[^A-Za-z0-9_-]")
NODE_ORDER = (f"{SDO}streetAddress", f"{SDO}postalCode", f"{SDO}addressLocality",
              f"{SDO}addressRegion", f"{SDO}addressCountry", f"{SDO}contactType", f"{SDO}telephone",
              f"{SDO}faxNumber", f"{SDO}email", f"{SDO}url")


def _sorted(values: list[Value]) -> list[Value]:
    """Links and texts by their text, nested nodes last; equal values once."""
    unique = {(v.kind, v.text, v.href, id(v.node) if v.node else None): v for v in values}
    return sorted(unique.values(), key=lambda v: (v.kind == "node", v.text.casefold()))


def _breadcrumbs(index: _Index, iri: str, base: str, lang: str,
                 title: ox.Literal | None) -> list[Crumb]:
    crumbs = [Crumb(UI[lang]["home"], "/")]
    for parent in ancestors(iri, base):
        label = label_of(index, parent, lang) or pick_literal(index.term_labels.get(parent, []), lang)
        if label is not None:
            crumbs.append(Crumb(label.value, local_href(parent, base)))
    crumbs.append(Crumb(title.value if title else _fallback_title(iri, base), None))
    return crumbs


# ---------------------------------------------------------------- embedded schema.org

SCHEMA_TYPES = {"organization": "Organization", "person": "Person", "area": "AdministrativeArea",
                "dataset": "Dataset", "concept": "DefinedTerm", "term": "DefinedTerm"}


def schema_org(index: _Index, view: PageView) -> dict[str, object]:
    """schema.org JSON-LD for the page's main entity, from what the page shows."""
    iri = view.iri
    kind = view.kind
    types = index.types(iri)
    schema_type = next((t.removeprefix(SDO) for t in sorted(types) if t.startswith(SDO)), None)
    data: dict[str, object] = {"@context": "https://schema.org",
                               "@type": schema_type or SCHEMA_TYPES.get(kind, "Thing"),
                               "@id": iri, "name": view.title}
    if view.text:
        data["description"] = view.text
    props = index.out.get(iri, {})
    websites = [o.value for o in props.get(f"{SDO}url", []) if isinstance(o, ox.NamedNode)]
    data["url"] = websites[0] if websites else iri
    logos = [o.value for o in props.get(f"{SDO}logo", []) if isinstance(o, ox.NamedNode)]
    if logos:
        data["logo"] = logos[0]
    same = sorted(o.value for o in props.get(f"{SDO}sameAs", []) if isinstance(o, ox.NamedNode))
    if same:
        data["sameAs"] = same
    if kind in ("organization", "person"):
        _schema_contact(index, iri, view.lang, data)
    alternates = _best_literals(
        [v for v in props.get(f"{SDO}alternateName", []) if isinstance(v, ox.Literal)], view.lang)
    if alternates:
        data["alternateName"] = sorted(v.value for v in alternates)
    if kind == "organization":
        _schema_relations(index, iri, view.lang, data)
        areas = [{"@type": "AdministrativeArea", "@id": a.value, "name": name.value}
                 for a in sorted(props.get(f"{SDO}areaServed", []), key=str)
                 if isinstance(a, ox.NamedNode) and (name := label_of(index, a.value, view.lang))]
        if areas:
            data["areaServed"] = areas
    if kind == "person":
        _schema_person(index, iri, view.lang, data)
    if kind == "dataset":
        _schema_dataset(index, iri, view.lang, data, types)
    return data


def _schema_dataset(index: _Index, iri: str, lang: str, data: dict[str, object], types: set[str]) -> None:
    """What Google's Dataset structured data reads, as the page shows it: a catalog is a
    DataCatalog with its datasets; a dataset has its licence, each download (a DataDownload with
    its URL and media type), its keywords and its catalog."""
    props = index.out.get(iri, {})
    if f"{DCAT}Catalog" in types and f"{DCAT}Dataset" not in types:
        data["@type"] = "DataCatalog"
        _put(data, "dataset", _named(index, _iris(props, f"{DCAT}dataset"), "Dataset", lang), single=False)
        return
    _put(data, "license", sorted(_iris(props, f"{DCT}license")))
    downloads = []
    for dist in sorted(_iris(props, f"{DCAT}distribution")):
        parts = index.out.get(dist, {})
        media = next(iter(_iris(parts, f"{DCAT}mediaType")), "")
        downloads += [{"@type": "DataDownload", "contentUrl": url,
                       "encodingFormat": media.rsplit("/media-types/", 1)[-1]}
                      for url in _iris(parts, f"{DCAT}downloadURL")[:1]]
    _put(data, "distribution", downloads, single=False)
    keywords = _best_literals([o for o in props.get(f"{DCAT}keyword", []) if isinstance(o, ox.Literal)], lang)
    _put(data, "keywords", sorted(k.value for k in keywords), single=False)
    catalogs = _named(index, index.inc.get(iri, {}).get(f"{DCAT}dataset", []), "DataCatalog", lang)
    _put(data, "includedInDataCatalog", catalogs)


def _iris(props: dict[str, list[ox.NamedNode | ox.BlankNode | ox.Literal]], prop: str) -> list[str]:
    return [o.value for o in props.get(prop, []) if isinstance(o, ox.NamedNode)]


def _named(index: _Index, targets: list[str], schema_type: str, lang: str) -> list[dict[str, object]]:
    """Each labelled target as a typed, named reference (the page links only labelled ones)."""
    return [{"@type": schema_type, "@id": t, "name": label.value} for t in sorted(set(targets))
            if (label := label_of(index, t, lang)) is not None]


def _put(data: dict[str, object], key: str, values: list, *, single: bool = True) -> None:  # type: ignore[type-arg]
    """``values`` under ``key`` if any; one value alone unless ``single`` is False."""
    if values:
        data[key] = values[0] if single and len(values) == 1 else values


def _schema_person(index: _Index, iri: str, lang: str, data: dict[str, object]) -> None:
    props = index.out.get(iri, {})
    label = label_of(index, iri, lang)
    if label is not None:
        data["name"] = label.value  # the title shows "Dr. Name"; schema.org keeps them apart
    for prop in ("honorificPrefix", "givenName", "familyName", "jobTitle"):
        literal = pick_literal([v for v in props.get(SDO + prop, []) if isinstance(v, ox.Literal)], lang)
        if literal is not None:
            data[prop] = literal.value
    employers = []
    for org in sorted(o.value for o in props.get(f"{SDO}worksFor", []) if isinstance(o, ox.NamedNode)):
        name = label_of(index, org, lang)
        if name is not None:
            employers.append({"@type": "Organization", "@id": org, "name": name.value})
    if employers:
        data["worksFor"] = employers


def _schema_contact(index: _Index, iri: str, lang: str, data: dict[str, object]) -> None:
    props = index.out.get(iri, {})
    address = next((_key(o) for o in props.get(f"{SDO}address", []) if not isinstance(o, ox.Literal)), None)
    if address:
        fields = {"streetAddress", "postalCode", "addressLocality", "addressRegion", "addressCountry"}
        postal = {"@type": "PostalAddress"} | {
            f: lit.value for f in sorted(fields)
            if (lit := pick_literal([v for v in index.out.get(address, {}).get(SDO + f, [])
                                     if isinstance(v, ox.Literal)], lang)) is not None}
        data["address"] = postal
    phone, email = _phone_email(index, iri)
    if phone:
        data["telephone"] = phone
    if email:
        data["email"] = email
    points = []
    for node in [_key(o) for o in props.get(f"{SDO}contactPoint", []) if not isinstance(o, ox.Literal)]:
        point: dict[str, object] = {"@type": "ContactPoint"}
        label = label_of(index, node, lang)
        if label:
            point["name"] = label.value
        phone, email = _phone_email(index, node)
        point |= {k: v for k, v in (("telephone", phone), ("email", email)) if v}
        if len(point) > 1:
            points.append(point)
    if points:
        data["contactPoint"] = points


def _phone_email(index: _Index, node: str) -> tuple[str | None, str | None]:
    props = index.out.get(node, {})
    phones = sorted(v.value for v in props.get(f"{SDO}telephone", []))
    emails = sorted(v.value.removeprefix("mailto:") for v in props.get(f"{SDO}email", []))
    phone = None
    if phones:
        _, href = index.phone(phones[0])
        phone = href.removeprefix("tel:")
    return phone, emails[0] if emails else None


def _schema_relations(index: _Index, iri: str, lang: str, data: dict[str, object]) -> None:
    props = index.out.get(iri, {})
    inc = index.inc.get(iri, {})
    relations = {
        "parentOrganization": [o.value for o in props.get(f"{SDO}parentOrganization", [])
                               if isinstance(o, ox.NamedNode)],
        "subOrganization": [o.value for o in props.get(f"{SDO}subOrganization", [])
                            if isinstance(o, ox.NamedNode)] + inc.get(f"{SDO}parentOrganization", []),
        "memberOf": [o.value for o in props.get(f"{SDO}memberOf", []) if isinstance(o, ox.NamedNode)],
        "member": [o.value for o in props.get(f"{SDO}member", []) if isinstance(o, ox.NamedNode)]
        + inc.get(f"{SDO}memberOf", []),
    }
    for name, targets in relations.items():
        entries = []
        for target in sorted(set(targets)):
            label = label_of(index, target, lang)
            if label is None:
                continue  # the page shows only labelled links; say no more than it
            entries.append({"@type": "Organization", "@id": target, "name": label.value})
        if entries:
            data[name] = entries
