"""The one read path from IRI to ``Description``, for every store.

An embedded store (in memory or the RocksDB snapshot) is read with its own pattern lookups
(``quads_for_pattern``): no SPARQL text per request, no query planning, no VALUES blocks. What every
page needs and what is the same for every request — the types and labels of linked IRIs — comes
from the per-version naming table (store/naming.py). A remote store is read with SPARQL
(``describe.describe``).

Both produce the same description, triple for triple (tests/test_lookup.py compares them on
every resource of the test sites), so a page, its static export and a SPARQL DESCRIBE agree.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator, Mapping
from typing import Generic, TypeVar

import pyoxigraph as ox

from regiold.publish import describe as describe_mod
from regiold.publish.describe import (
    DEPENDENT_LINKS,
    LABEL_PROPERTIES,
    MAX_DEPTH,
    ORG,
    RDF_TYPE,
    Description,
    ancestors,
)
from regiold.rdf.namespaces import DCT_NS, PROV_NS
from regiold.store import EmbeddedStore, Store
from regiold.store.naming import NamingTable

_TYPE = ox.NamedNode(RDF_TYPE)
_MEMBERSHIP = ox.NamedNode(f"{ORG}Membership")
_CITES = frozenset({ox.NamedNode(DCT_NS + "source"), ox.NamedNode(PROV_NS + "wasDerivedFrom")})
_DERIVED = ox.NamedNode(PROV_NS + "wasDerivedFrom")
_GENERATED = ox.NamedNode(PROV_NS + "generatedAtTime")
_ENTITY = ox.NamedNode(PROV_NS + "Entity")
_LABELS = frozenset(LABEL_PROPERTIES)
_TERM_LABELS = frozenset(LABEL_PROPERTIES[:3])  # what describe._term_labels reads
_BLANK_LEVELS = 2  # blank nodes hanging off blank nodes, as describe._triples_of
# When each source was retrieved, per naming table (one per data version and store; the table is
# replaced when the store changes): a few hundred sources, each looked up once per process
# instead of once per page (a source's incoming links are every node that cites it).
_RETRIEVED: weakref.WeakKeyDictionary[NamingTable, dict[str, str | None]] = weakref.WeakKeyDictionary()
# The labels of the vocabulary's terms (predicates and classes), per naming table: a few hundred
# terms, the same on every page, read from the table once per process instead of once per page.
_TERMS: weakref.WeakKeyDictionary[NamingTable, dict[str, list[ox.Literal]]] = weakref.WeakKeyDictionary()


def describe(store: Store, iri: str, *, page: int = 1, page_size: int = 200) -> Description:
    """The description of ``iri`` (page ``page`` of its incoming links), from any store.

    :raises StoreUnavailable: the store cannot be reached or opened.
    """
    if isinstance(store, EmbeddedStore):
        return _Lookup(store).describe(iri, page=page, page_size=page_size)
    return describe_mod.describe(store, iri, page=page, page_size=page_size)


class _Lookup:
    """Pattern lookups on one embedded store (union of its graphs, duplicates removed)."""

    def __init__(self, store: EmbeddedStore) -> None:
        self.store = store
        self.base = store.base_iri
        table = store.naming_table()
        self.naming = table.naming
        self.retrieved = _RETRIEVED.setdefault(table, {})
        self.terms = _TERMS.setdefault(table, {})
        if table.documents():
            self._use_documents(table)

    @property
    def db(self) -> ox.Store:
        # Read only when the tables do not answer: a worker that never needs the snapshot's
        # RocksDB never opens it (5 MB of its own per process at 10^6, docs/performance.md).
        return self.store.db

    def out(self, node: ox.NamedNode | ox.BlankNode) -> list[ox.Triple]:
        return list(dict.fromkeys(q.triple for q in self.db.quads_for_pattern(node, None, None, None)))

    def inc(self, node: ox.NamedNode) -> list[ox.Triple]:
        return list(dict.fromkeys(q.triple for q in self.db.quads_for_pattern(None, None, node, None)))

    def _use_documents(self, table: NamingTable) -> None:
        """Read nodes from the table's documents: on the RocksDB snapshot a first lookup of a
        node decodes blocks and terms (0.1-0.3 ms for an organisation); one SQLite row is ~10 us."""
        lookup = self.inc
        own = self.base

        def incoming(node: ox.NamedNode) -> list[ox.Triple]:
            # the table keeps the incoming links of IRIs under the base only (store/naming.py)
            return table.incoming(node) if node.value.startswith(own) else lookup(node)

        self.out = table.outgoing  # type: ignore[method-assign]
        self.inc = incoming  # type: ignore[method-assign]

    def describe(self, iri: str, *, page: int, page_size: int) -> Description:
        try:
            root = ox.NamedNode(iri)
        except ValueError:  # not an IRI (e.g. /org/%ff%fe): the store holds nothing about it
            return Description(iri, [], frozenset({iri}), page=page)
        root_in = self.inc(root)
        dependents, own = self._dependents(root, root_in)
        own += self._blank_closure(own)
        subjects, total = _page_of(root_in, dependents, page=page, page_size=page_size)
        incoming = self._incoming(root_in, subjects)
        core = list(dict.fromkeys([*own, *incoming]))
        linked = {term.value for t in core for term in (t.subject, t.object)
                  if isinstance(term, ox.NamedNode)} - dependents
        triples = list(dict.fromkeys([*core, *self.naming(sorted(linked))]))
        pages = max(1, -(-total // page_size)) if page_size > 0 else 1
        return Description(iri, triples, frozenset(dependents), page=page, pages=pages,
                           incoming_total=total,
                           term_labels=_Lazy(lambda: self._term_labels(iri, triples)),  # type: ignore[arg-type]
                           source_dates=_Lazy(lambda: self._source_dates(dependents)))  # type: ignore[arg-type]

    def _source_dates(self, nodes: set[str]) -> dict[str, str]:
        """describe.source_dates by lookups: when each source cited by ``nodes`` was retrieved."""
        sources: set[ox.NamedNode] = set()
        for node in nodes:
            subject = ox.NamedNode(node)
            for t in self.out(subject):
                if t.predicate in _CITES and isinstance(t.object, ox.NamedNode):
                    sources.add(t.object)
                elif t.predicate == _TYPE and t.object == _ENTITY:
                    sources.add(subject)
        found: dict[str, str] = {}
        for source in sources:
            if source.value not in self.retrieved:
                self.retrieved[source.value] = self._retrieved(source)
            date = self.retrieved[source.value]
            if date is not None:
                found[source.value] = date
        return found

    def _retrieved(self, source: ox.NamedNode) -> str | None:
        """The latest ``prov:generatedAtTime`` of ``source`` and of the copies derived from it."""
        copies = [q.subject for q in self.db.quads_for_pattern(None, _DERIVED, source, None)]
        dates = [t.object.value for node in dict.fromkeys((source, *copies)) for t in self.out(node)
                 if t.predicate == _GENERATED and isinstance(t.object, ox.Literal)]
        return max(dates) if dates else None

    def _dependents(self, root: ox.NamedNode,
                    root_in: list[ox.Triple]) -> tuple[set[str], list[ox.Triple]]:
        """The resource and its dependent IRIs (describe._dependents), with their own triples."""
        stem = root.value.rstrip("/#")
        under = (stem + "/", stem + "#")
        found, own = {root.value}, []
        frontier: list[ox.NamedNode] = [root]
        for depth in range(MAX_DEPTH + 1):
            reached: list[ox.NamedNode] = []
            for node in frontier:
                outgoing = self.out(node)
                own += outgoing
                if depth == MAX_DEPTH:
                    continue  # their triples belong to the page; their links reach no further
                for t in outgoing:
                    obj = t.object
                    if isinstance(obj, ox.NamedNode) and obj.value not in found and (
                            obj.value.startswith(under) or t.predicate.value in DEPENDENT_LINKS):
                        found.add(obj.value)
                        reached.append(obj)
                for t in root_in if node is root else self.inc(node):
                    subject = t.subject
                    if isinstance(subject, ox.NamedNode) and subject.value not in found \
                            and subject.value.startswith(under):
                        found.add(subject.value)
                        reached.append(subject)
            frontier = reached
            if not frontier:
                break
        return found, own

    def _blank_closure(self, own: list[ox.Triple]) -> list[ox.Triple]:
        out: list[ox.Triple] = []
        seen: set[ox.BlankNode] = set()
        level = [t.object for t in own if isinstance(t.object, ox.BlankNode)]
        for depth in range(_BLANK_LEVELS):
            below: list[ox.BlankNode] = []
            for blank in level:
                if blank in seen:
                    continue
                seen.add(blank)
                triples = self.out(blank)
                out += triples
                if depth + 1 < _BLANK_LEVELS:
                    below += [t.object for t in triples if isinstance(t.object, ox.BlankNode)]
            level = below
        return out

    def _incoming(self, root_in: list[ox.Triple], subjects: list[str]) -> list[ox.Triple]:
        """The links of the page's subjects; memberships and unlabelled subjects (relations made
        into nodes) bring their IRI links too (describe._incoming_triples)."""
        on_page = set(subjects)
        out = [t for t in root_in if isinstance(t.subject, ox.NamedNode) and t.subject.value in on_page]
        named = self.naming(subjects)
        labelled = {t.subject.value for t in named if t.predicate.value in _LABELS}
        memberships = {t.subject.value for t in named if t.predicate == _TYPE and t.object == _MEMBERSHIP}
        for subject in sorted(memberships | (on_page - labelled)):
            out += [t for t in self.out(ox.NamedNode(subject)) if isinstance(t.object, ox.NamedNode)]
        return out

    def _term_labels(self, iri: str, triples: list[ox.Triple]) -> dict[str, list[ox.Literal]]:
        """Labels of predicates, classes and ancestors (describe._term_labels); those of the
        vocabulary's terms from the per-version memo, ancestors (resources) from the table."""
        terms = {t.predicate.value for t in triples}
        terms |= {t.object.value for t in triples if t.predicate == _TYPE
                  and isinstance(t.object, ox.NamedNode)}
        missing = terms - self.terms.keys()
        if missing:
            found = self._labels(missing)
            for term in missing:
                self.terms[term] = found.get(term, [])
        out = {term: list(self.terms[term]) for term in terms if self.terms[term]}
        return out | self._labels(set(ancestors(iri, self.base)) - terms)

    def _labels(self, iris: set[str]) -> dict[str, list[ox.Literal]]:
        out: dict[str, list[ox.Literal]] = {}
        for t in self.naming(sorted(iris)):
            if t.predicate.value in _TERM_LABELS and isinstance(t.object, ox.Literal):
                out.setdefault(t.subject.value, []).append(t.object)
        return out


_V = TypeVar("_V")


class _Lazy(Mapping[str, _V], Generic[_V]):
    """A mapping read when first used: term labels and source dates serve only the HTML view; a
    Turtle or JSON-LD rendering, or a SPARQL DESCRIBE, would pay table lookups for nothing (the
    source dates read the incoming links of every cited source: most of a DESCRIBE's cost)."""

    def __init__(self, load: Callable[[], dict[str, _V]]) -> None:
        self._load: Callable[[], dict[str, _V]] | None = load
        self._data: dict[str, _V] = {}

    def _loaded(self) -> dict[str, _V]:
        if self._load is not None:
            self._data, self._load = self._load(), None
        return self._data

    def __getitem__(self, key: str) -> _V:
        return self._loaded()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._loaded())

    def __len__(self) -> int:
        return len(self._loaded())


def _page_of(root_in: list[ox.Triple], dependents: set[str], *, page: int,
             page_size: int) -> tuple[list[str], int]:
    """Distinct IRIs (not dependents) linking to the resource: one sorted page, and the total."""
    subjects = sorted({t.subject.value for t in root_in if isinstance(t.subject, ox.NamedNode)}
                      - dependents)
    if page_size <= 0:
        return subjects, len(subjects)
    start = (max(page, 1) - 1) * page_size
    return subjects[start:start + page_size], len(subjects)
