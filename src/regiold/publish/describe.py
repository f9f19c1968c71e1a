"""IRI → ``Description``: the triples served for one resource, the same in every format.

A description holds
- the resource's own triples and those of its *dependent nodes*: IRIs under ``{iri}/…`` or
  ``{iri}#…`` (docs/ARCHITECTURE.md), nodes reached through ``DEPENDENT_LINKS`` (address, contact points,
  memberships, posts, services) and blank nodes hanging off any of them;
- the labels and types of every IRI those triples link to;
- incoming links (``?s ?p <iri>``: a network's members, what a carrier carries), sorted by subject
  and paged (``page_size`` subjects per page); unlabelled linking nodes (an ``org:Membership``)
  bring their own outgoing links so that a page can say who the member is.

This module reads it with SPARQL through the narrow ``Store`` protocol (SELECT and CONSTRUCT): the
path of remote stores. Embedded stores are read by pattern lookups in ``lookup.py``, which gives
the same description triple for triple (tests/test_lookup.py); callers use ``lookup.describe``.
The presentation (labels in a language, sorted links, sections) is ``view.build_view``.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

from regiold.publish.page_query import (
    DEPENDENT,
    INCOMING,
    ON_PAGE,
    RETRIEVED,
    TERM_LABEL_PROPERTIES,
    page_construct,
)
from regiold.rdf import ntriples
from regiold.rdf.namespaces import DCT_NS as DCT
from regiold.rdf.namespaces import ORG_NS as ORG
from regiold.rdf.namespaces import PROV_NS as PROV
from regiold.rdf.namespaces import RDF_TYPE
from regiold.rdf.namespaces import SDO_NS as SDO
from regiold.rdf.namespaces import VCARD_NS as VCARD
from regiold.store import Store
from regiold.store.naming import LABEL_PROPERTIES, NAMING_PROPERTIES

Term = ox.NamedNode | ox.BlankNode | ox.Literal

# Values reached through these belong to the resource even when their IRIs live elsewhere.
DEPENDENT_LINKS: frozenset[str] = frozenset({
    f"{SDO}address", f"{SDO}contactPoint", f"{SDO}hasOfferCatalog", f"{SDO}makesOffer",
    f"{SDO}itemOffered", f"{SDO}hasCredential", f"{SDO}workLocation",
    f"{ORG}hasMembership", f"{ORG}hasPost", f"{ORG}hasSite", f"{ORG}siteAddress",
    f"{ORG}hasPrimarySite", f"{ORG}hasRegisteredSite", f"{VCARD}hasAddress",
    f"{VCARD}hasTelephone", f"{VCARD}hasEmail",
})
MAX_DEPTH = 4  # dependents of dependents …; bounded so a cycle in the data cannot run away
Node = ox.NamedNode | ox.BlankNode
NAMING = frozenset(NAMING_PROPERTIES)  # a linked IRI's type and labels
LABELS = frozenset(LABEL_PROPERTIES)
TERM_LABELS = frozenset(TERM_LABEL_PROPERTIES)
_TYPE = ox.NamedNode(RDF_TYPE)
_MEMBERSHIP = ox.NamedNode(f"{ORG}Membership")
_VALUES_CHUNK = 400  # IRIs per VALUES block, to keep each query a reasonable size


@dataclass
class Description:
    """The served triples of one resource (one page of its incoming links)."""

    iri: str
    triples: list[ox.Triple]
    dependents: frozenset[str]  # the resource and its dependent IRIs
    page: int = 1
    pages: int = 1
    incoming_total: int = 0  # distinct subjects linking here (all pages)
    term_labels: dict[str, list[ox.Literal]] = field(default_factory=dict)  # predicates, classes
    source_dates: dict[str, str] = field(default_factory=dict)  # cited source → retrieved (ISO)
    # The triples in serialize.stable_order and as that N-Triples document, when the reader
    # collected them as text (lookup.py): the RDF formats need not sort or scan them again.
    stable: ntriples.Document | None = field(default=None, repr=False)

    @property
    def nbytes(self) -> int:
        """About the memory this holds (site.MemoCache weighs it): pyoxigraph triples cost ~430
        bytes each in a worker's RSS (measured on the pages fixture, 2,100 descriptions), counted
        whether or not a reader parsed them yet; the text as Python stores it (two bytes a
        character once it holds an umlaut: ``len`` counted half of it, and a parsed description
        held 1.18x its weight; bench/memo_weights.py, docs/performance.md "Fifth pass")."""
        return 1024 + 450 * len(self.triples) + (sys.getsizeof(self.stable.text) + 8 * len(self.triples)
                                                  if self.stable is not None else 0)

    @property
    def exists(self) -> bool:
        if not self.triples:
            return False  # also for text that is no IRI (the node could not even be built)
        if self.stable is not None:  # a line starting with the resource
            text, head = self.stable.text, f"<{self.iri}> "
            return text.startswith(head) or f"\n{head}" in text
        subject = ox.NamedNode(self.iri)
        return any(t.subject == subject for t in self.triples)


def describe(store: Store, iri: str, *, page: int = 1, page_size: int = 200) -> Description:
    """Collect the description of ``iri`` (page ``page`` of its incoming links) with one query.

    Returns a Description whose ``exists`` is False when the store says nothing about ``iri``.

    :raises StoreUnavailable: the store cannot be reached.
    """
    if not is_iri(iri):  # e.g. /org/%ff%fe: the store can hold nothing about it
        return Description(iri, [], frozenset({iri}), page=page)
    if not getattr(store, "evaluates_page_query", True):
        return describe_by_queries(store, iri, page=page, page_size=page_size)
    def query(*, blanks: bool) -> list[ox.Triple]:
        return store.construct(page_construct(
            iri, dependent_links=DEPENDENT_LINKS, max_depth=MAX_DEPTH, page=page,
            page_size=page_size, term_iris=ancestors(iri, store.base_iri), blanks=blanks))

    found = query(blanks=False)
    if any(isinstance(t.object, ox.BlankNode) for t in found):  # a second request, for them
        found += query(blanks=True)
    return _Found(found).description(iri, store.base_iri, page=page, page_size=page_size)


class _Found:
    """The page query's answer, indexed by subject, with its markers taken apart."""

    def __init__(self, triples: Iterable[ox.Triple]) -> None:
        self.out: dict[Node, dict[ox.Triple, None]] = {}
        self.dependents: set[str] = set()
        self.on_page: set[str] = set()
        self.total = 0
        self.dates: dict[str, str] = {}
        for t in triples:
            predicate = t.predicate.value
            if predicate == DEPENDENT:
                self.dependents.add(t.subject.value)
            elif predicate == ON_PAGE:
                self.on_page.add(t.subject.value)
            elif predicate == INCOMING:
                self.total = int(t.object.value)
            elif predicate == RETRIEVED:
                source = t.subject.value
                self.dates[source] = max(self.dates.get(source, ""), t.object.value)
            else:
                self.out.setdefault(t.subject, {})[t] = None

    def of(self, node: Node) -> list[ox.Triple]:
        return list(self.out.get(node, ()))

    def description(self, iri: str, base: str, *, page: int, page_size: int) -> Description:
        """The same walk as ``lookup.py`` over the answer (which holds all that walk reads)."""
        root = ox.NamedNode(iri)
        own = [t for d in sorted(self.dependents) for t in self.of(ox.NamedNode(d))]
        own += self._blank_closure(own)
        subjects = sorted(self.on_page - self.dependents)
        on_page = set(subjects)
        incoming = [t for s in subjects for t in self.of(ox.NamedNode(s)) if t.object == root]
        named = [t for s in subjects for t in self.of(ox.NamedNode(s)) if t.predicate.value in NAMING]
        labelled = {t.subject.value for t in named if t.predicate.value in LABELS}
        memberships = {t.subject.value for t in named
                       if t.predicate == _TYPE and t.object == _MEMBERSHIP}
        for subject in sorted(memberships | (on_page - labelled)):
            incoming += [t for t in self.of(ox.NamedNode(subject)) if isinstance(t.object, ox.NamedNode)]
        core = _unique([*own, *incoming])
        linked = _linked_iris(core) - self.dependents
        triples = _unique([*core, *(t for x in sorted(linked) for t in self.of(ox.NamedNode(x))
                                    if t.predicate.value in NAMING)])
        pages = max(1, -(-self.total // page_size)) if page_size > 0 else 1
        return Description(iri, triples, frozenset(self.dependents or {iri}), page=page,
                           pages=pages, incoming_total=self.total,
                           term_labels=self._term_labels(triples, ancestors(iri, base)),
                           source_dates=dict(self.dates))

    def _blank_closure(self, own: list[ox.Triple]) -> list[ox.Triple]:
        """Triples of blank nodes hanging off the dependents (two levels, as lookup.py)."""
        out: list[ox.Triple] = []
        seen: set[ox.BlankNode] = set()
        level = [t.object for t in own if isinstance(t.object, ox.BlankNode)]
        for _ in range(2):
            below: list[ox.BlankNode] = []
            for blank in level:
                if blank not in seen:
                    seen.add(blank)
                    out += self.of(blank)
                    below += [t.object for t in self.of(blank) if isinstance(t.object, ox.BlankNode)]
            level = below
        return out

    def _term_labels(self, triples: list[ox.Triple], extra: Iterable[str]) -> dict[str, list[ox.Literal]]:
        """Labels of predicates, classes and ``extra`` IRIs (for the HTML view, not served as triples)."""
        terms = {t.predicate.value for t in triples} | set(extra)
        terms |= {t.object.value for t in triples if t.predicate == _TYPE
                  and isinstance(t.object, ox.NamedNode)}
        out: dict[str, list[ox.Literal]] = {}
        for term in sorted(terms):
            found = [t.object for t in self.of(ox.NamedNode(term))
                     if t.predicate.value in TERM_LABELS and isinstance(t.object, ox.Literal)]
            if found:
                out[term] = found
        return out


def ancestors(iri: str, base: str) -> list[str]:
    """The IRIs of the path prefixes of ``iri`` under ``base`` (``org/x`` for ``org/x/board``)."""
    if not iri.startswith(base):
        return []
    parts = iri[len(base):].strip("/").split("/")
    out = [base + "/".join(parts[:n]) for n in range(1, len(parts))]
    if parts[0] == "def" and len(parts) > 1:
        out.insert(1, base + "def/")  # the ontology IRI ends with a slash
    return out


_NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')  # one scan in C, not a Python call per character


def is_iri(text: str) -> bool:
    """Whether ``text`` can be an IRI (and so a SPARQL IRIREF): no spaces, controls or ``<>"{}|^`\\``."""
    return _NOT_IN_IRI.search(text) is None


def _linked_iris(triples: Iterable[ox.Triple]) -> set[str]:
    """Every IRI the triples mention as subject or object (not predicates)."""
    return {term.value for t in triples for term in (t.subject, t.object)
            if isinstance(term, ox.NamedNode)}


def describe_by_queries(store: Store, iri: str, *, page: int = 1, page_size: int = 200) -> Description:
    """The description query by query (about eight small queries): for SPARQL stores that cannot
    evaluate the page query (Virtuoso 7, see ``RemoteStore.evaluates_page_query``).

    Returns a Description whose ``exists`` is False when the store says nothing about ``iri``.

    :raises StoreUnavailable: the store cannot be reached.
    """
    dependents = _dependents(store, iri)
    own = _triples_of(store, dependents)
    subjects, total = _incoming_subjects(store, iri, dependents, page=page, page_size=page_size)
    incoming = _incoming_triples(store, iri, subjects)
    core = _unique([*own, *incoming])
    linked = _linked_iris(core) - dependents
    labels = _labels_and_types(store, linked)
    triples = _unique([*core, *labels])
    pages = max(1, -(-total // page_size)) if page_size > 0 else 1
    return Description(iri, triples, frozenset(dependents), page=page, pages=pages,
                       incoming_total=total,
                       term_labels=_term_labels(store, triples, ancestors(iri, store.base_iri)),
                       source_dates=source_dates(store, dependents))


def source_dates(store: Store, nodes: set[str]) -> dict[str, str]:
    """When each source cited by ``nodes`` was retrieved: its own ``prov:generatedAtTime``, else the
    latest of the text snapshots taken from it (the partner page is dated by its snapshot).

    A source shown on its own page is dated too. Not part of the served triples: it is what a page
    shows as "Stand" / "as of".
    """
    found: dict[str, str] = {}
    for chunk in _chunks(sorted(nodes)):
        rows = store.select(f"""
            PREFIX dct: <{DCT}> PREFIX prov: <{PROV}>
            SELECT ?source (MAX(STR(?when)) AS ?retrieved) WHERE {{
              VALUES ?node {{ {_values(chunk)} }}
              {{ ?node dct:source|prov:wasDerivedFrom ?source }}
              UNION {{ ?node a prov:Entity BIND(?node AS ?source) }}
              {{ ?source prov:generatedAtTime ?when }}
              UNION {{ ?copy prov:wasDerivedFrom ?source ; prov:generatedAtTime ?when }}
            }} GROUP BY ?source""")
        for row in rows:
            source, retrieved = row.get("source"), row.get("retrieved")
            if isinstance(source, ox.NamedNode) and isinstance(retrieved, ox.Literal):
                found[source.value] = max(found.get(source.value, ""), retrieved.value)
    return found


def _values(iris: Iterable[str]) -> str:
    return " ".join(f"<{_safe_iri(i)}>" for i in iris)


def _safe_iri(iri: str) -> str:
    """An IRI fit for a SPARQL IRIREF (the store holds only valid IRIs; requests may not).

    :raises ValueError: ``iri`` cannot be an IRI.
    """
    if not is_iri(iri):
        raise ValueError(f"not an IRI: {iri!r}")
    return iri


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), _VALUES_CHUNK):
        yield items[start:start + _VALUES_CHUNK]


def _dependents(store: Store, iri: str) -> set[str]:
    """The resource and every IRI that belongs to it (breadth-first, bounded depth)."""
    found, frontier = {iri}, [iri]
    stem = iri.rstrip("/#")
    under = (f"(STRSTARTS(STR(?d), {_lit(stem + '/')}) || STRSTARTS(STR(?d), {_lit(stem + '#')}))")
    links = _values(sorted(DEPENDENT_LINKS))
    for _ in range(MAX_DEPTH):
        if not frontier:
            break
        rows = []
        for chunk in _chunks(sorted(frontier)):
            rows += store.select(
                f"SELECT DISTINCT ?d WHERE {{ VALUES ?n {{ {_values(chunk)} }} "
                f"{{ ?n ?l ?d . FILTER(isIRI(?d) && ({under} "
                f"|| ?l IN ({links.replace(' ', ', ')}))) }} UNION "
                f"{{ ?d ?l ?n . FILTER(isIRI(?d) && {under}) }} }}")
        frontier = [r["d"].value for r in rows if r["d"].value not in found]
        found.update(frontier)
    return found


def _lit(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _triples_of(store: Store, nodes: set[str]) -> list[ox.Triple]:
    """Outgoing triples of ``nodes`` plus blank nodes hanging off them (two levels)."""
    out: list[ox.Triple] = []
    for chunk in _chunks(sorted(nodes)):
        values = f"VALUES ?s {{ {_values(chunk)} }}"
        out += store.construct(
            f"CONSTRUCT {{ ?s ?p ?o . ?b ?bp ?bo . ?c ?cp ?co }} WHERE {{ "
            f"{{ {values} ?s ?p ?o }} UNION "
            f"{{ {values} ?s ?p0 ?b . FILTER(isBlank(?b)) ?b ?bp ?bo }} UNION "
            f"{{ {values} ?s ?p0 ?b . FILTER(isBlank(?b)) ?b ?p1 ?c . FILTER(isBlank(?c)) "
            "?c ?cp ?co } }")
    return out


def _incoming_subjects(store: Store, iri: str, dependents: set[str], *, page: int,
                       page_size: int) -> tuple[list[str], int]:
    """Distinct IRIs (not dependents) linking to ``iri``: one sorted page and the total count."""
    rows = store.select(f"SELECT DISTINCT ?s WHERE {{ ?s ?p <{_safe_iri(iri)}> . FILTER(isIRI(?s)) }}")
    subjects = sorted(r["s"].value for r in rows if r["s"].value not in dependents)
    if page_size <= 0:
        return subjects, len(subjects)
    start = (max(page, 1) - 1) * page_size
    return subjects[start:start + page_size], len(subjects)


def _incoming_triples(store: Store, iri: str, subjects: list[str]) -> list[ox.Triple]:
    """``?s ?p <iri>`` for the page's subjects. Memberships and unlabelled subjects (relations
    made into nodes) bring their IRI links too, so the page can name the other party and role.

    Three plain lookups rather than one query with OPTIONAL/UNION/NOT EXISTS: the engine evaluated
    that one as a scan of every triple (80 s per page at 10^5 triples, docs/performance.md).
    """
    out: list[ox.Triple] = []
    target = f"<{_safe_iri(iri)}>"
    labels = ", ".join(f"<{p}>" for p in LABEL_PROPERTIES)
    for chunk in _chunks(subjects):
        values = f"VALUES ?s {{ {_values(chunk)} }}"
        out += store.construct(f"CONSTRUCT {{ ?s ?p {target} }} WHERE {{ {values} ?s ?p {target} }}")
        labelled = {r["s"].value for r in store.select(
            f"SELECT DISTINCT ?s WHERE {{ {values} ?s ?lp ?label . FILTER(?lp IN ({labels})) }}")}
        memberships = {r["s"].value for r in store.select(
            f"SELECT ?s WHERE {{ {values} ?s a <{ORG}Membership> }}")}
        relations = sorted(memberships | (set(chunk) - labelled))
        if relations:
            out += store.construct(
                f"CONSTRUCT {{ ?s ?q ?o }} WHERE {{ VALUES ?s {{ {_values(relations)} }} "
                "?s ?q ?o . FILTER(isIRI(?o)) }")
    return out


def _labels_and_types(store: Store, iris: set[str]) -> list[ox.Triple]:
    props = ", ".join(f"<{p}>" for p in (RDF_TYPE, *LABEL_PROPERTIES))
    out: list[ox.Triple] = []
    for chunk in _chunks(sorted(iris)):
        out += store.construct(
            f"CONSTRUCT {{ ?x ?p ?v }} WHERE {{ VALUES ?x {{ {_values(chunk)} }} "
            f"?x ?p ?v . FILTER(?p IN ({props})) }}")
    return out


def _term_labels(store: Store, triples: list[ox.Triple],
                 extra: Iterable[str] = ()) -> dict[str, list[ox.Literal]]:
    """Labels of predicates, classes and ``extra`` IRIs (for the HTML view, not served as triples)."""
    terms = {t.predicate.value for t in triples} | set(extra)
    terms |= {t.object.value for t in triples if t.predicate.value == RDF_TYPE
              and isinstance(t.object, ox.NamedNode)}
    out: dict[str, list[ox.Literal]] = {}
    # One VALUES plus a FILTER on the predicate: a second VALUES made the engine scan every triple.
    props = ", ".join(f"<{p}>" for p in LABEL_PROPERTIES[:3])
    for chunk in _chunks(sorted(terms)):
        for row in store.select(f"SELECT ?x ?l WHERE {{ VALUES ?x {{ {_values(chunk)} }} "
                                f"?x ?p ?l . FILTER(?p IN ({props}) && isLiteral(?l)) }}"):
            out.setdefault(row["x"].value, []).append(row["l"])  # type: ignore[arg-type]
    return out


def _unique(triples: Iterable[ox.Triple]) -> list[ox.Triple]:
    return list(dict.fromkeys(triples))
