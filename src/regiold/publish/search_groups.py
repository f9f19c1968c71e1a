"""Search results for people: grouped by kind, name matches first, and what was searched for.

``group(hits, base_iri=…, everything=…)`` sorts the hits of ``search.SearchIndex.search`` into
kinds (partners, networks, other organisations, people, areas, places, services, boards and posts).
Vocabulary terms, source records, memberships and dataset records stay out unless ``everything``
is asked for. A group whose best hit matched by name comes before groups that matched only in
labels or descriptions; otherwise the groups keep the order of ``KINDS``.
``spellings(query)`` lists the spellings the folded search also matches (ü, ue and u …).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from regiold.publish.search import Hit, fold
from regiold.rdf.namespaces import DCAT_NS as DCAT
from regiold.rdf.namespaces import ORG_NS as ORG
from regiold.rdf.namespaces import SDO_NS as SDO
from regiold.rdf.namespaces import VOID_NS as VOID

# (kind, shown without ``everything``), in the order groups are listed.
KINDS: tuple[tuple[str, bool], ...] = (
    ("partners", True), ("networks", True), ("organisations", True), ("people", True),
    ("areas", True), ("places", True), ("services", True), ("parts", True),
    ("terms", False), ("sources", False), ("other", False),
)
_SHOWN = {kind for kind, shown in KINDS if shown}
_FIELD_RANK = {"name": 0, "label": 1, "description": 2}


@dataclass
class Group:
    key: str
    hits: list[Hit] = field(default_factory=list)


def kind_of(hit: Hit, base_iri: str) -> str:
    """The kind of a hit from its types and where its IRI lives (docs/ARCHITECTURE.md, IRIs)."""
    path = hit.iri.removeprefix(base_iri) if hit.iri.startswith(base_iri) else ""
    types = set(hit.types)
    if path.startswith(("def/", "shapes/")) or not path:
        return "terms" if path else "other"
    if path.startswith("source/"):
        return "sources"
    if f"{ORG}Membership" in types:
        return "other"
    if f"{base_iri}def/Regionalmanagement" in types:
        return "partners"
    if f"{ORG}Post" in types or (path.startswith("org/") and path.count("/") > 1
                                 and f"{SDO}Service" not in types):
        return "parts"  # boards, posts and other dependent nodes of an organisation
    if f"{SDO}Service" in types:
        return "services"
    if f"{ORG}OrganizationalCollaboration" in types:
        return "networks"
    if path.startswith("org/"):
        return "organisations"
    if path.startswith("person/"):
        return "people"
    if f"{SDO}AdministrativeArea" in types or path.startswith("area/"):
        return "areas"
    if f"{SDO}Place" in types or f"{SDO}City" in types:
        return "places"
    if types & {f"{DCAT}Dataset", f"{DCAT}Catalog", f"{VOID}Dataset"}:
        return "other"
    return "other"


def group(hits: list[Hit], *, base_iri: str, everything: bool = False) -> list[Group]:
    """The hits by kind; groups with a name match first (then ``KINDS`` order), each best first."""
    groups: dict[str, Group] = {kind: Group(kind) for kind, _ in KINDS}
    for hit in hits:
        kind = kind_of(hit, base_iri)
        if everything or kind in _SHOWN:
            groups[kind].hits.append(hit)
    order = [kind for kind, _ in KINDS]
    found = [g for g in groups.values() if g.hits]
    for g in found:
        g.hits.sort(key=lambda h: (_FIELD_RANK.get(h.field, 3), -h.score, h.label.casefold()))
    return sorted(found, key=lambda g: (_FIELD_RANK.get(g.hits[0].field, 3), order.index(g.key)))


_UMLAUTS = {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"}
_PLAIN = {"ä": "a", "ö": "o", "ü": "u", "Ä": "A", "Ö": "O", "Ü": "U"}
_BACK = {"ae": "ä", "oe": "ö", "ue": "ü", "Ae": "Ä", "Oe": "Ö", "Ue": "Ü"}


def spellings(query: str) -> list[str]:
    """The spellings of ``query`` the folded search treats as the same: Düsseldorf, Duesseldorf,
    Dusseldorf (ß and ss likewise). Empty when the query has no such letters."""
    text = " ".join(query.split())
    variants = [text]
    umlauts = "".join(_UMLAUTS.get(c, c) for c in text)
    variants += [umlauts, "".join(_PLAIN.get(c, c) for c in text).replace("ß", "ss")]
    if re.search(r"(?<=[^aeiouAEIOU\W])(ae|oe|ue)|^(Ae|Oe|Ue)", text):
        back = re.sub(r"(?:(?<=[^aeiouAEIOU\W])|^|(?<=\s))(ae|oe|ue|Ae|Oe|Ue)",
                      lambda m: _BACK[m.group(1)], text)
        variants += [back, "".join(_PLAIN.get(c, c) for c in back)]
    variants = [v.replace("ß", "ss") if i > 0 else v for i, v in enumerate(variants)]
    unique = list(dict.fromkeys(v for v in variants if fold(v) == fold(text)))
    return unique if len(unique) > 1 else []
