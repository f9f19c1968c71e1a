"""The person-data policy, applied in ONE place: ``public_quads`` (called by the store loader).

Rule (setting ``publish_persons``):

* **on** (default) — person data are published as the source page does (name, academic title,
  function, official phone and e-mail). Photos only with recorded consent (``rgo:photoConsent``):
  an image triple of a person without it is dropped whatever the setting (and a shape flags it).
* **off** — no person name, e-mail or phone may reach any output. Dropped are
  1. every quad of a person graph (files under ``data/people/``);
  2. every quad whose subject or object is a *personal node*: a person (typed ``schema:Person``,
     ``foaf:Person`` or ``vcard:Individual``, or under ``person/``), a node typed only in person
     data (a contact point), a node whose IRI starts with a person IRI or contains a person's
     slug (slugs are names), a person's ``mailto:``/``tel:`` IRI, and a blank node or own IRI
     reachable only through them;
  3. every quad whose literal mentions a person's name, family name, e-mail or phone number
     (labels copied into descriptions; checked with and without diacritics).
  This is deliberately conservative: a description that names a person is withheld whole.

Nothing here reads files or settings; ``sources.Sources.published_quads`` calls ``public_quads``.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

from regiold.rdf.namespaces import FOAF_NS as _FOAF
from regiold.rdf.namespaces import RDF_TYPE_NODE as _RDF_TYPE
from regiold.rdf.namespaces import RDFS_LABEL, SKOS_PREF_LABEL
from regiold.rdf.namespaces import SDO_NS as _SDO
from regiold.rdf.namespaces import VCARD_NS as _VCARD

PERSON_TYPES = frozenset(
    ox.NamedNode(i) for i in (f"{_SDO}Person", f"{_FOAF}Person", f"{_VCARD}Individual")
)
NAME_PREDICATES = frozenset(ox.NamedNode(i) for i in (
    f"{_SDO}name", f"{_SDO}alternateName", f"{_SDO}familyName", f"{_FOAF}name",
    f"{_FOAF}familyName", f"{_VCARD}fn", f"{_VCARD}family-name",
    RDFS_LABEL, SKOS_PREF_LABEL,
))
IMAGE_PREDICATES = frozenset(ox.NamedNode(i) for i in (
    f"{_SDO}image", f"{_SDO}photo", f"{_SDO}logo", f"{_FOAF}depiction", f"{_FOAF}img",
    f"{_VCARD}hasPhoto",
))
CONTACT_PREDICATES = frozenset(ox.NamedNode(i) for i in (
    f"{_SDO}email", f"{_SDO}telephone", f"{_SDO}faxNumber", f"{_FOAF}mbox", f"{_FOAF}phone",
    f"{_VCARD}hasEmail", f"{_VCARD}hasTelephone",
))
CONSENT_TERM = "def/photoConsent"  # relative to the base IRI, like every rgo: term
_MIN_TOKEN = 4  # shorter name parts ("Li") would match inside unrelated words


@dataclass
class PersonalData:
    """What counts as personal in one set of quads (computed once per load)."""

    persons: set[ox.NamedNode | ox.BlankNode] = field(default_factory=set)
    nodes: set[ox.NamedNode | ox.BlankNode] = field(default_factory=set)
    slugs: set[str] = field(default_factory=set)
    tokens: set[str] = field(default_factory=set)
    _first: frozenset[str] | None = field(default=None, repr=False)

    def mentioned_in(self, text: str) -> bool:
        """True when ``text`` names a person or holds one's e-mail or phone number.

        Set lookups, not a regex of alternatives: word n-grams of the folded text (names are up
        to four words, an e-mail is one) and digit runs with their separators removed.
        """
        if not self.tokens:
            return False
        if self._first is None:  # first words of the tokens: most words start no token
            self._first = frozenset(t.split(" ", 1)[0] for t in self.tokens)
        words = _WORD.findall(fold(text))
        for i, word in enumerate(words):
            if word in self._first:
                for size in range(1, _MAX_WORDS + 1):
                    if " ".join(words[i:i + size]) in self.tokens:
                        return True
        if _SIX_DIGITS.search(text):
            for run in _DIGIT_RUN.findall(_DIGIT_GLUE.sub("", text)):
                if run in self.tokens or run[-7:] in self.tokens:
                    return True
        return False


_WORD = re.compile(r"\w(?:[\w.@+'’-]*\w)?")
_DIGIT_GLUE = re.compile(r"(?<=\d)[\s/()\-.]+(?=\d)")
_DIGIT_RUN = re.compile(r"\d{6,}")
_SIX_DIGITS = re.compile(r"\d(?:[\s/()\-.]*\d){5}")
_MAX_WORDS = 4


def public_quads(quads: Sequence[ox.Quad], *, personal_graphs: Iterable[ox.NamedNode],
                 base_iri: str, include_persons: bool) -> list[ox.Quad]:
    """The quads that may be published under the person-data policy (see module doc)."""
    personal_graphs = set(personal_graphs)
    consent = ox.NamedNode(base_iri + CONSENT_TERM)
    without_photos = _drop_unconsented_photos(quads, personal_graphs, base_iri, consent)
    if include_persons:
        return without_photos if isinstance(without_photos, list) else list(without_photos)
    found = find_personal(without_photos, personal_graphs=personal_graphs, base_iri=base_iri)
    return [q for q in without_photos
            if q.graph_name not in personal_graphs and not mentions(q, found)]


def withholds_any(store: ox.Store, *, personal_graphs: Iterable[ox.NamedNode], base_iri: str,
                  include_persons: bool) -> bool:
    """Whether ``public_quads`` would drop anything from ``store``'s quads, asked of the store
    (no Python object per triple): with persons published, only a person's unconsented photo."""
    if not include_persons:
        return True
    consent = ox.NamedNode(base_iri + CONSENT_TERM)
    person_space = base_iri + "person/"
    for predicate in IMAGE_PREDICATES:
        for q in store.quads_for_pattern(None, predicate, None, None):
            subject = q.subject
            is_person = (isinstance(subject, ox.NamedNode) and subject.value.startswith(person_space)) \
                or any(t.object in PERSON_TYPES
                       for t in store.quads_for_pattern(subject, _RDF_TYPE, None, None))
            if is_person and next(store.quads_for_pattern(subject, consent, None, None), None) is None:
                return True
    return False


def withheld_iris(everything: Iterable[ox.Quad], published: Iterable[ox.Quad], *,
                  base_iri: str) -> frozenset[str]:
    """Own IRIs that the data describe but the published quads do not (answered 451)."""
    public = {q.subject.value for q in published}
    return frozenset(q.subject.value for q in everything
                     if q.subject.value.startswith(base_iri) and q.subject.value not in public)


def find_personal(quads: Sequence[ox.Quad], *, personal_graphs: set[ox.NamedNode],
                  base_iri: str, only: set[str] | None = None) -> PersonalData:
    """Persons, the nodes that hang off them, and the text that identifies them.

    ``only`` restricts the search to these person IRIs (for ``forget``).
    """
    found = PersonalData()
    if only is None:
        found.persons = find_persons(quads, personal_graphs, base_iri)
        extra = _typed_only_in_person_data(quads, personal_graphs)
    else:
        found.persons, extra = {ox.NamedNode(i) for i in only}, set()
    found.slugs = {_slug(p.value) for p in found.persons if isinstance(p, ox.NamedNode)} - {""}
    found.nodes = found.persons | extra
    if found.slugs:
        named = {n for q in quads for n in (q.subject, q.object) if isinstance(n, ox.NamedNode)}
        found.nodes |= {n for n in named if _is_derived(n.value, found, base_iri)}
    found.nodes |= _reachable_only_from(found.nodes, quads, personal_graphs, base_iri)
    for q in quads:
        if q.subject in found.nodes:
            _collect_tokens(q, found)
    return found


def photo_problems(quads: Sequence[ox.Quad], *, personal_graphs: set[ox.NamedNode],
                   base_iri: str) -> list[str]:
    """Persons with an image but no recorded consent (for checks and the docs)."""
    consent = ox.NamedNode(base_iri + CONSENT_TERM)
    persons = find_persons(quads, personal_graphs, base_iri)
    consented = {q.subject for q in quads if q.predicate == consent}
    return sorted({q.subject.value for q in quads
                   if q.subject in persons and q.predicate in IMAGE_PREDICATES
                   and q.subject not in consented})


def fold(text: str) -> str:
    """Lower case without diacritics; umlauts also as ``ue`` etc. are matched separately."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _drop_unconsented_photos(quads: Sequence[ox.Quad], personal_graphs: set[ox.NamedNode],
                             base_iri: str, consent: ox.NamedNode) -> Sequence[ox.Quad]:
    images = [q for q in quads if q.predicate in IMAGE_PREDICATES]
    if not images:
        return quads  # the common case costs one pass and no copy
    persons = find_persons(quads, personal_graphs, base_iri)
    consented = {q.subject for q in quads if q.predicate == consent}
    banned = {q for q in images if q.subject in persons and q.subject not in consented}
    return [q for q in quads if q not in banned] if banned else quads


def find_persons(quads: Sequence[ox.Quad], personal_graphs: set[ox.NamedNode],
             base_iri: str) -> set[ox.NamedNode | ox.BlankNode]:
    """Typed as a person anywhere, or named under ``person/``."""
    person_space = base_iri + "person/"
    found: set[ox.NamedNode | ox.BlankNode] = set()
    for q in quads:
        if q.predicate == _RDF_TYPE and q.object in PERSON_TYPES:
            found.add(q.subject)
        for node in (q.subject, q.object):
            if isinstance(node, ox.NamedNode) and node.value.startswith(person_space):
                found.add(node)
    return found


def _typed_only_in_person_data(quads: Sequence[ox.Quad], personal_graphs: set[ox.NamedNode]
                               ) -> set[ox.NamedNode | ox.BlankNode]:
    """Nodes (a person's contact point) typed in person data and nowhere else.

    The organisation a person file links to its contact is typed elsewhere, so it stays public;
    the linking triple itself is withheld with the person graph.
    """
    inside: set[ox.NamedNode | ox.BlankNode] = set()
    outside: set[ox.NamedNode | ox.BlankNode] = set()
    for q in quads:
        if q.predicate == _RDF_TYPE:
            (inside if q.graph_name in personal_graphs else outside).add(q.subject)
    return inside - outside


def _slug(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1].split("#")[-1].lower()


def _is_derived(iri: str, found: PersonalData, base_iri: str) -> bool:
    """A node named after a person: a path segment (or fragment) of its IRI is a person's slug."""
    if not iri.startswith(base_iri) or not found.slugs:
        return False
    return any(part in found.slugs for part in re.split(r"[/#]", iri[len(base_iri):].lower()))


def _reachable_only_from(personal: set[ox.NamedNode | ox.BlankNode], quads: Sequence[ox.Quad],
                         personal_graphs: set[ox.NamedNode],
                         base_iri: str) -> set[ox.NamedNode | ox.BlankNode]:
    """Blank nodes and own IRIs whose every incoming link comes from a personal node.

    A node typed outside person data stays public (e.g. the organisation a person works for, or
    a contact point of the office); its personal e-mail or phone is still dropped by the text rule.
    """
    typed_publicly = {q.subject for q in quads
                      if q.predicate == _RDF_TYPE and q.graph_name not in personal_graphs}
    incoming: dict[ox.NamedNode | ox.BlankNode, set] = defaultdict(set)
    outgoing: dict[object, set] = defaultdict(set)
    for q in quads:
        if isinstance(q.object, ox.BlankNode | ox.NamedNode) and q.predicate != _RDF_TYPE \
                and q.object not in typed_publicly and _own(q.object, base_iri):
            incoming[q.object].add(q.subject)
            outgoing[q.subject].add(q.object)
    added: set[ox.NamedNode | ox.BlankNode] = set()
    frontier = set(personal)
    for _ in range(64):  # dependent chains are short; the bound keeps a cycle from looping
        candidates = {o for s in frontier for o in outgoing.get(s, ())}
        known = personal | added
        new = {node for node in candidates if node not in known and incoming[node] <= known}
        if not new:
            break
        added |= new
        frontier = new
    return added


def _own(node: ox.NamedNode | ox.BlankNode, base_iri: str) -> bool:
    return isinstance(node, ox.BlankNode) or node.value.startswith(base_iri) or \
        node.value.startswith(("mailto:", "tel:"))


def _collect_tokens(q: ox.Quad, found: PersonalData) -> None:
    obj = q.object
    if isinstance(obj, ox.NamedNode) and obj.value.startswith(("mailto:", "tel:")):
        found.nodes.add(obj)
        found.tokens.update(_contact_tokens(obj.value.split(":", 1)[1]))
    elif isinstance(obj, ox.Literal):
        if q.predicate in NAME_PREDICATES and q.subject in found.persons:
            found.tokens.update(_name_tokens(obj.value))
        elif q.predicate in CONTACT_PREDICATES:
            found.tokens.update(_contact_tokens(obj.value))


def _name_tokens(name: str) -> set[str]:
    """The full name and each part long enough not to match inside common words."""
    parts = [p for p in re.split(r"[\s,]+", name.strip()) if p and not p.endswith(".")]
    candidates = {name.strip(), *(p for p in parts if len(p) >= _MIN_TOKEN)}
    if len(parts) >= 2:
        candidates.add(" ".join(parts))
    tokens: set[str] = set()
    for c in candidates:
        tokens.add(fold(c))
        tokens.add(fold(_umlaut_ascii(c)))
    return {t for t in tokens if len(t) >= _MIN_TOKEN}


def _contact_tokens(value: str) -> set[str]:
    value = value.strip()
    if "@" in value:
        return {fold(value)}
    digits = re.sub(r"\D", "", value)
    if len(digits) < 6:
        return set()
    national = "0" + digits[2:] if value.startswith("+") and digits.startswith("49") else digits
    return {digits, national, digits[-7:]}


def _umlaut_ascii(text: str) -> str:
    table = {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"}
    return "".join(table.get(c, c) for c in text)


def mentions(q: ox.Quad, found: PersonalData) -> bool:
    if q.subject in found.nodes or q.object in found.nodes:
        return True
    return isinstance(q.object, ox.Literal) and found.mentioned_in(q.object.value)


def scan(text: str, found: PersonalData) -> list[str]:
    """The personal tokens occurring anywhere in ``text`` (substring search, for leak tests)."""
    folded, digits = fold(text), re.sub(r"[\s/()\-.+]", "", text)
    return sorted(t for t in found.tokens if t in folded or t in digits)
