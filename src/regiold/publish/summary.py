"""The first screen of a page, for people: who it is, which area it serves, who carries it and how
to reach it; the modelling facts (types, sources) move to a "data" section at the end.

``arrange(view, base_iri)`` works on a finished ``view.PageView``: it moves rows out of the
page's sections into ``view.key`` (who, where, carried by whom), ``view.contact`` (address on one
line, phone, e-mail, website, contact persons with their phone and e-mail) and ``view.data``, so
nothing appears twice. Pages of organisations, people, areas and posts are arranged; vocabulary,
dataset and source pages keep their sections as they are (their modelling words are their content).
"""

from __future__ import annotations

import re

from regiold.publish.describe import Description
from regiold.publish.labels import UI
from regiold.publish.view import NodeView, PageView, Row, Section, Value, build_view
from regiold.rdf.namespaces import DCAT_NS as DCAT
from regiold.rdf.namespaces import DCT_NS as DCT
from regiold.rdf.namespaces import ORG_NS as ORG
from regiold.rdf.namespaces import OWL_NS as OWL
from regiold.rdf.namespaces import PROV_NS as PROV
from regiold.rdf.namespaces import RDF_TYPE
from regiold.rdf.namespaces import SDO_NS as SDO
from regiold.rdf.namespaces import VOID_NS as VOID

ARRANGED_KINDS = frozenset({"organization", "person", "area", "post"})

# The first screen, in order, per kind ("~" marks an incoming link, as in view.SECTIONS).
KEY_ROWS: dict[str, tuple[str, ...]] = {
    "organization": (f"{SDO}alternateName", f"{SDO}areaServed", f"{SDO}parentOrganization",
                     f"{ORG}subOrganizationOf", f"~{SDO}parentOrganization"),
    "person": (f"{SDO}jobTitle", f"{SDO}worksFor"),
    "area": (f"{SDO}containedInPlace", f"~{SDO}areaServed"),
    "post": (f"{ORG}postIn", f"{ORG}heldBy"),
}
ADDRESS_ROWS = (f"{SDO}address", f"{SDO}workLocation")
REACH_ROWS = ((f"{SDO}telephone", "telephone"), (f"{SDO}faxNumber", "fax"),
              (f"{SDO}email", "email"), (f"{SDO}url", "website"))
PEOPLE_ROWS = (f"{SDO}contactPoint", f"{SDO}employee", f"~{SDO}worksFor")
# Facts about the modelling and the provenance: the end of the page.
DATA_ROWS = (RDF_TYPE, f"{DCT}source", f"{PROV}wasDerivedFrom", f"~{VOID}exampleResource",
             "rgo:confidence", f"{SDO}sameAs", f"{SDO}mainEntityOfPage")
ADDRESS_PARTS = (f"{SDO}streetAddress", f"{SDO}postalCode", f"{SDO}addressLocality",
                 f"{SDO}addressRegion", f"{SDO}addressCountry")


# The last page view per language: the static export writes the default language's page twice in a
# row (links with lang= and clean), from one view. Each slot is replaced whole (threads check that
# it is theirs); views are never changed once arranged.
_last_view: dict[str, tuple[Description, str, PageView]] = {}


def page_view(description: Description, base_iri: str, lang: str) -> PageView:
    """The view of ``description`` in ``lang``, arranged for people (``arrange``)."""
    last = _last_view.get(lang)
    if last is not None and last[0] is description and last[1] == base_iri:
        return last[2]
    view = arrange(build_view(description, base_iri=base_iri, lang=lang), base_iri)
    _last_view[lang] = (description, base_iri, view)
    return view


def arrange(view: PageView, base_iri: str) -> PageView:
    """Move the first-screen facts and the data facts out of the sections (in place)."""
    rows = {row.key: row for section in view.sections for row in section.rows}
    if view.kind == "dataset" and f"{DCAT}distribution" in rows:
        return _dataset(view, rows)
    if view.kind not in ARRANGED_KINDS:
        return view
    taken: set[str] = set()

    def take(key: str) -> Row | None:
        key = key.replace("rgo:", f"{base_iri}def/", 1)
        row = rows.get(key)
        if row is not None:
            taken.add(key)
        return row

    ui = UI[view.lang]
    view.key = [row for key in KEY_ROWS[view.kind] if (row := take(key)) is not None]
    view.contact = _contact(view, take, ui)
    view.data = [row for key in DATA_ROWS if (row := take(key)) is not None]
    for section in view.sections:
        section.rows = [row for row in section.rows if row.key not in taken]
    view.sections = [section for section in view.sections if section.rows]
    if view.kind == "area":
        _area_services(view, ui)
    view.show_types = False
    return view


def _area_services(view: PageView, ui: dict[str, str]) -> None:
    """An area's first screen names the organisations active there; their services (which name
    the area too) follow in a section of their own."""
    for row in view.key:
        if row.key != f"~{SDO}areaServed":
            continue
        parts = [v for v in row.values if v.href and v.href.strip("/").count("/") > 1]
        if parts:
            row.values = [v for v in row.values if v not in parts]
            view.sections.insert(0, Section("services", ui["group_services"],
                                            [Row(f"~{SDO}areaServed#services", ui["group_services"],
                                                 parts)]))
    view.key = [row for row in view.key if row.values]


DATASET_KEY = (f"{DCT}license", "downloads", f"{VOID}sparqlEndpoint", f"{OWL}versionInfo",
               f"{DCT}modified", f"{DCT}publisher")
STATISTICS = (f"{VOID}triples", f"{VOID}entities", f"{VOID}classes", f"{VOID}properties",
              f"{VOID}distinctSubjects", f"{VOID}distinctObjects", f"{VOID}classPartition",
              f"{VOID}propertyPartition")
DATASET_DATA = (RDF_TYPE, f"{DCAT}distribution", f"{VOID}dataDump", f"{DCAT}version",
                f"{PROV}wasDerivedFrom", f"{VOID}exampleResource", f"{VOID}uriSpace",
                f"{VOID}vocabulary")


def _dataset(view: PageView, rows: dict[str, Row]) -> PageView:
    """The dataset page for people: what it is, its licence and the downloads first; the
    statistics after the descriptive facts; distributions in detail with the data facts."""
    ui = UI[view.lang]
    # a distribution nested elsewhere first (the page shows each node once) is a link here
    nested = {view.path + node.iri[len(view.iri):]: node for node in _nodes(view.sections)
              if node.iri.startswith(view.iri)}
    found = [v.node or nested.get(v.href or "") for v in rows[f"{DCAT}distribution"].values]
    rows["downloads"] = Row("downloads", ui["downloads"], [
        _download(node) for node in sorted(filter(None, found), key=lambda n: n.title.casefold())])
    view.key = [rows[key] for key in DATASET_KEY if key in rows]
    view.data = [rows[key] for key in DATASET_DATA if key in rows]
    statistics = [rows[key] for key in STATISTICS if key in rows]
    taken = {row.key for row in [*view.key, *view.data, *statistics]}
    for section in view.sections:
        section.rows = [row for row in section.rows if row.key not in taken]
    view.sections = [section for section in view.sections if section.rows]
    if statistics:
        view.sections.append(Section("statistics", ui["statistics"], statistics))
    view.show_types = False
    view.lead_first = True
    return view


def _nodes(sections: list[Section]) -> list[NodeView]:
    """Every node nested anywhere in ``sections``."""
    found: list[NodeView] = []
    todo = [row for section in sections for row in section.rows]
    while todo:
        for value in todo.pop().values:
            if value.node is not None:
                found.append(value.node)
                todo += value.node.rows
    return found


def _download(node: NodeView) -> Value:
    """"Gesamtabzug als Turtle (114 KB)", linked to its download URL."""
    parts = {row.key: row.values[0] for row in node.rows if row.values}
    link = parts.get(f"{DCAT}downloadURL") or parts.get(f"{DCAT}accessURL")
    size = parts.get(f"{DCAT}byteSize")
    kilobytes = f" ({max(1, round(int(size.text) / 1024))} KB)" if size and size.text.isdigit() else ""
    return Value("link", f"{node.title or (link.text if link else '')}{kilobytes}",
                 link.href if link else None)


def _contact(view: PageView, take, ui: dict[str, str]) -> list[Row]:  # noqa: ANN001 - a closure
    """Address on one line, then phone, fax, e-mail, website, then the contact persons."""
    out: list[Row] = []
    addresses = [value for key in ADDRESS_ROWS if (row := take(key)) for value in row.values]
    lines = [_address_line(v.node) if v.node else v.text for v in addresses]
    if lines := [line for line in dict.fromkeys(lines) if line]:
        out.append(Row("address", ui["address"], [Value("text", line) for line in lines]))
    reach = {name: list(row.values) for key, name in REACH_ROWS if (row := take(key))}
    people = _people(take, reach)
    for _key, name in REACH_ROWS:
        if reach.get(name):
            out.append(Row(name, ui[name], [_short(v) for v in reach[name]]))
    if people:
        out.append(Row("people", ui["contact" if view.kind == "person" else "contact_persons"], people))
    return out


def _short(value: Value) -> Value:
    """A website as people write it: ``regionalmanagement-d-me.de`` (the link keeps the URL)."""
    if value.kind != "external" or value.text != value.href:
        return value
    text = re.sub(r"^https?://(www\.)?", "", value.text).rstrip("/")
    return Value(value.kind, text, value.href, value.lang, value.node, value.note)


def _address_line(node: NodeView) -> str:
    """"Auf'm Hennekamp 45, 40225 Düsseldorf, DE": one line, as on a letter."""
    parts = {row.key: " ".join(v.text for v in row.values) for row in node.rows}
    street = parts.get(f"{SDO}streetAddress", "")
    place = " ".join(p for p in (parts.get(f"{SDO}postalCode"), parts.get(f"{SDO}addressLocality"))
                     if p)
    country = parts.get(f"{SDO}addressCountry", "")
    return ", ".join(p for p in (street, place, parts.get(f"{SDO}addressRegion", ""), country) if p)


def _people(take, reach: dict[str, list[Value]]) -> list[Value]:  # noqa: ANN001 - a closure
    """Contact points as a name with its phone and e-mail (``kind`` "reach"); people linked
    to the organisation give the name its link and are not listed again. A contact point without
    a name gives its phone and e-mail to the page itself."""
    points, links = [], []
    for key in PEOPLE_ROWS:
        row = take(key)
        for value in row.values if row else []:
            (points if value.kind == "node" and value.node else links).append(value)
    websites = {v.href for v in reach.get("website", [])}
    people: list[Value] = []
    for point in points:
        node = point.node
        assert node is not None
        ways = [v for row in node.rows for v in row.values
                if v.kind in ("tel", "mailto") or (v.kind == "external" and v.href not in websites)]
        if not node.title:
            for v in ways:
                reach.setdefault("telephone" if v.kind == "tel" else "email", []).append(v)
            continue
        person = next((link for link in links if link.text and link.text in node.title), None)
        if person is not None:
            links.remove(person)
        people.append(Value("reach", node.title, person.href if person else None,
                            node=NodeView(node.iri, node.anchor, node.title, [], None,
                                          [Row("ways", "", ways)] if ways else [])))
    return people + links
