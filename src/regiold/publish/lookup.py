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
from regiold.rdf import ntriples as nt
from regiold.rdf.namespaces import DCT_NS, PROV_NS
from regiold.store import EmbeddedStore, RemoteStore, Store
from regiold.store.naming import NamingTable

_TYPE = ox.NamedNode(RDF_TYPE)
_CITE_TERMS = frozenset({f"<{DCT_NS}source>", f"<{PROV_NS}wasDerivedFrom>"})  # as N-Triples terms
_ENTITY_OBJECT = f"<{PROV_NS}Entity> ."
_DERIVED = ox.NamedNode(PROV_NS + "wasDerivedFrom")
_GENERATED = ox.NamedNode(PROV_NS + "generatedAtTime")
_DEPENDENT_LINKS = frozenset(f"<{p}>" for p in DEPENDENT_LINKS)  # as terms in N-Triples lines
# Naming lines that make their subject labelled, or a membership (the object keeps its " .").
_LABEL_TERMS = frozenset(f"<{p}>" for p in LABEL_PROPERTIES)
_TYPE_TERM = f"<{RDF_TYPE}>"
_MEMBERSHIP_OBJECT = f"<{ORG}Membership> ."
_TERM_LABELS = frozenset(LABEL_PROPERTIES[:3])  # what describe._term_labels reads
_BLANK_LEVELS = 2  # blank nodes hanging off blank nodes, as describe._triples_of
# When each source was retrieved, per naming table (one per data version and store; the table is
# replaced when the store changes): a few hundred sources, each looked up once per process
# instead of once per page (a source's incoming links are every node that cites it).
_RETRIEVED: weakref.WeakKeyDictionary[NamingTable, dict[str, str | None]] = weakref.WeakKeyDictionary()
# The labels of the vocabulary's terms (predicates and classes), per naming table: a few hundred
# terms, the same on every page, read from the table once per process instead of once per page.
_TERMS: weakref.WeakKeyDictionary[NamingTable, dict[str, list[ox.Literal]]] = weakref.WeakKeyDictionary()
# The labels of the latest pages' ancestors (``org/x`` for ``org/x/board``), per naming table:
# neighbouring pages share them (a crawl and the static export go in IRI order). Emptied whole
# when it holds ANCESTORS_KEPT, so it stays small at any size of the data.
_ANCESTORS: weakref.WeakKeyDictionary[NamingTable, dict[str, list[ox.Literal]]] = weakref.WeakKeyDictionary()
ANCESTORS_KEPT = 1024


def describe(store: Store, iri: str, *, page: int = 1, page_size: int = 200) -> Description:
    """The description of ``iri`` (page ``page`` of its incoming links), from any store.

    :raises StoreUnavailable: the store cannot be reached or opened.
    """
    if isinstance(store, EmbeddedStore):
        return _Lookup(store).describe(iri, page=page, page_size=page_size)
    if isinstance(store, RemoteStore):
        with store.budget():  # the page's queries together within sparql_timeout
            return describe_mod.describe(store, iri, page=page, page_size=page_size)
    return describe_mod.describe(store, iri, page=page, page_size=page_size)


def some_resources(store: Store, count: int) -> list[str]:
    """A few IRIs under the base that name something (serve/warm.py renders them once at start);
    none for a remote store, which is read afresh on every request anyway."""
    if not isinstance(store, EmbeddedStore):
        return []
    return store.naming_table().first_iris(store.base_iri, count)


def incoming_size(store: Store, iri: str) -> int:
    """Bytes of the stored links to ``iri`` (N-Triples): what makes a page large, since most of a
    large page is its incoming links and the nodes and names they bring (web/gate.py). 0 where
    the store keeps no documents (a remote store, an in-memory table)."""
    if not isinstance(store, EmbeddedStore) or not store.naming_table().documents():
        return 0
    return store.naming_table().document_size("incoming", f"<{iri}>")


class _Lookup:
    """Pattern lookups on one embedded store (union of its graphs, duplicates removed), on
    N-Triples lines (rdf/ntriples.py): a description is collected as text and parsed once."""

    def __init__(self, store: EmbeddedStore) -> None:
        self.store = store  # its RocksDB is opened only when a lookup needs it (not per page)
        self.base = store.base_iri
        self.table = store.naming_table()
        self.retrieved = _RETRIEVED.setdefault(self.table, {})
        self.terms = _TERMS.setdefault(self.table, {})
        self.ancestors = _ANCESTORS.setdefault(self.table, {})
        # on the RocksDB snapshot a first lookup of a node decodes blocks and terms (0.1-0.3 ms
        # for an organisation); one SQLite row of the table's documents is ~10 us
        self.documents = self.table.documents()
        self.own = "<" + self.base  # the documents keep the incoming links of these only

    def out(self, key: str) -> str:
        """The N-Triples document of a node's own triples; ``key``: the node in N-Triples form."""
        if self.documents:
            return self.table.document_nt("outgoing", key).decode()
        return _document(self.store.db.quads_for_pattern(nt.node(key), None, None, None))

    def inc(self, key: str) -> str:
        """The N-Triples document of the links to an IRI; ``key``: ``<iri>``."""
        if self.documents and key.startswith(self.own):
            return self.table.document_nt("incoming", key).decode()
        return _document(self.store.db.quads_for_pattern(None, None, nt.node(key), None))

    def outs(self, keys: list[str]) -> list[str]:
        """``out`` of several nodes, in the order given: one query for all of them."""
        if not self.documents:
            return [self.out(key) for key in keys]
        found = self.table.documents_nt("outgoing", keys) if keys else {}
        return [found.get(key, b"").decode() for key in keys]

    def incs(self, keys: list[str]) -> list[str]:
        """``inc`` of several IRIs, in the order given."""
        if not self.documents:
            return [self.inc(key) for key in keys]
        own = [key for key in keys if key.startswith(self.own)]
        found = self.table.documents_nt("incoming", own) if own else {}
        return [found.get(key, b"").decode() if key.startswith(self.own) else self.inc(key) for key in keys]

    def out_triples(self, node: ox.NamedNode) -> list[ox.Triple]:
        return self.table.outgoing(node) if self.documents else nt.triples(self.out(str(node)))

    def describe(self, iri: str, *, page: int, page_size: int) -> Description:
        try:
            ox.NamedNode(iri)
        except ValueError:  # not an IRI (e.g. /org/%ff%fe): the store holds nothing about it
            return Description(iri, [], frozenset({iri}), page=page)
        root_in = self.inc(f"<{iri}>")
        dependents, own = self._dependents(iri, root_in)
        own += self._blank_closure(own)
        subjects, total = _page_of(root_in, dependents, page=page, page_size=page_size)
        core = "".join([*own, self._incoming(root_in, subjects)])
        named = self.table.naming_nt(sorted(nt.node_iris(core) - dependents)).decode()
        lines = sorted(set(nt.lines(core + named)))  # serialize.stable_order's order
        text = nt.document(lines)
        ordered = nt.LazyTriples(len(lines), lambda: nt.triples(text))  # one parse for every reader
        pages = max(1, -(-total // page_size)) if page_size > 0 else 1
        return Description(iri, ordered, frozenset(dependents), page=page, pages=pages,  # type: ignore[arg-type]
                           incoming_total=total,
                           stable=nt.Document(ordered, text),
                           term_labels=_Lazy(lambda: self._term_labels(iri, text)),  # type: ignore[arg-type]
                           source_dates=_Lazy(lambda: self._source_dates(text, dependents)))  # type: ignore[arg-type]

    def _source_dates(self, text: str, nodes: set[str]) -> dict[str, str]:
        """describe.source_dates by lookups: when each source cited by ``nodes`` was retrieved.
        What they cite is read from the description's ``text``, which holds their own lines
        (and no other lines with them as subject): no table lookup per node."""
        sources: set[str] = set()
        for line in nt.lines(text):
            subject, predicate, obj = line.split(" ", 2)  # the object keeps its " ."
            if predicate in _CITE_TERMS:
                if obj[0] == "<" and obj[1] != "<" and subject[1:-1] in nodes:
                    sources.add(obj[1:-3])
            elif predicate == _TYPE_TERM and obj == _ENTITY_OBJECT and subject[1:-1] in nodes:
                sources.add(subject[1:-1])
        found: dict[str, str] = {}
        for source in sources:
            if source not in self.retrieved:
                self.retrieved[source] = self._retrieved(ox.NamedNode(source))
            date = self.retrieved[source]
            if date is not None:
                found[source] = date
        return found

    def _retrieved(self, source: ox.NamedNode) -> str | None:
        """The latest ``prov:generatedAtTime`` of ``source`` and of the copies derived from it."""
        copies = [q.subject for q in self.store.db.quads_for_pattern(None, _DERIVED, source, None)]
        dates = [t.object.value for node in dict.fromkeys((source, *copies))
                 for t in self.out_triples(node)  # type: ignore[arg-type]
                 if t.predicate == _GENERATED and isinstance(t.object, ox.Literal)]
        return max(dates) if dates else None

    def _dependents(self, iri: str, root_in: str) -> tuple[set[str], list[str]]:
        """The resource and its dependent IRIs (describe._dependents), with their own documents."""
        stem = iri.rstrip("/#")
        under = (stem + "/", stem + "#")
        found, own = {iri}, []
        frontier = [iri]
        for depth in range(MAX_DEPTH + 1):
            reached: list[str] = []
            keys = [f"<{node}>" for node in frontier]
            outs = self.outs(keys)  # each level's documents in one query, not one per node
            own += outs
            if depth == MAX_DEPTH:
                break  # their triples belong to the page; their links reach no further
            incs = self.incs(keys) if depth else [root_in]  # below the resource, never itself
            for outgoing, incoming in zip(outs, incs, strict=True):
                for predicate, value in nt.object_iris(outgoing):
                    if value not in found and (value.startswith(under) or predicate in _DEPENDENT_LINKS):
                        found.add(value)
                        reached.append(value)
                for value in nt.subject_iris(incoming):
                    if value not in found and value.startswith(under):
                        found.add(value)
                        reached.append(value)
            frontier = reached
            if not frontier:
                break
        return found, own

    def _blank_closure(self, own: list[str]) -> list[str]:
        out: list[str] = []
        seen: set[str] = set()
        level = [blank for text in own for blank in nt.blank_objects(text)]
        for depth in range(_BLANK_LEVELS):
            below: list[str] = []
            for blank in level:
                if blank in seen:
                    continue
                seen.add(blank)
                text = self.out(blank)
                out.append(text)
                if depth + 1 < _BLANK_LEVELS:
                    below += nt.blank_objects(text)
            level = below
        return out

    def _incoming(self, root_in: str, subjects: list[str]) -> str:
        """The links of the page's subjects; memberships and unlabelled subjects (relations made
        into nodes) bring their IRI links too (describe._incoming_triples)."""
        on_page = set(subjects)
        out = [nt.with_subjects(root_in, on_page)]
        heads = [line.split(" ", 2) for line in nt.lines(self.table.naming_nt(subjects).decode())]
        labelled = {subject[1:-1] for subject, predicate, _ in heads if predicate in _LABEL_TERMS}
        memberships = {subject[1:-1] for subject, predicate, obj in heads
                       if predicate == _TYPE_TERM and obj == _MEMBERSHIP_OBJECT}
        relations = [f"<{subject}>" for subject in sorted(memberships | (on_page - labelled))]
        out.append(nt.with_iri_objects("".join(self.outs(relations))))
        return "".join(out)

    def _term_labels(self, iri: str, text: str) -> dict[str, list[ox.Literal]]:
        """Labels of predicates, classes and ancestors (describe._term_labels) of a description
        (its N-Triples ``text``: no triples built); those of the vocabulary's terms from the
        per-version memo, ancestors (resources) from the table."""
        heads = [line.split(" ", 2) for line in nt.lines(text)]  # the object keeps its " ."
        terms = {predicate[1:-1] for _, predicate, _ in heads}
        terms.update([obj[1:-3] for _, predicate, obj in heads
                      if predicate == _TYPE_TERM and obj[0] == "<" and obj[1] != "<"])
        missing = terms - self.terms.keys()
        if missing:
            found = self._labels(missing)
            for term in missing:
                self.terms[term] = found.get(term, [])
        out = {term: list(self.terms[term]) for term in terms if self.terms[term]}
        return out | self._ancestor_labels([a for a in ancestors(iri, self.base) if a not in terms])

    def _ancestor_labels(self, iris: list[str]) -> dict[str, list[ox.Literal]]:
        """``_labels`` of ancestors, through the small per-table memo."""
        kept = self.ancestors
        found = {a: kept.get(a) for a in iris}
        missing = {a for a, labels in found.items() if labels is None}
        if missing:
            read = self._labels(missing)
            if len(kept) + len(missing) > ANCESTORS_KEPT:
                kept.clear()
            for a in missing:
                found[a] = kept[a] = read.get(a, [])
        return {a: list(labels) for a, labels in found.items() if labels}

    def _labels(self, iris: set[str]) -> dict[str, list[ox.Literal]]:
        out: dict[str, list[ox.Literal]] = {}
        for t in self.table.naming(sorted(iris)):
            if t.predicate.value in _TERM_LABELS and isinstance(t.object, ox.Literal):
                out.setdefault(t.subject.value, []).append(t.object)
        return out


def _document(quads: Iterator[ox.Quad]) -> str:
    """The N-Triples document of quads from the store (the union of its graphs, no line twice)."""
    return nt.of_triples(dict.fromkeys(q.triple for q in quads))


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


def _page_of(root_in: str, dependents: set[str], *, page: int,
             page_size: int) -> tuple[list[str], int]:
    """Distinct IRIs (not dependents) linking to the resource: one sorted page, and the total."""
    subjects = sorted(set(nt.subject_iris(root_in)) - dependents)
    if page_size <= 0:
        return subjects, len(subjects)
    start = (max(page, 1) - 1) * page_size
    return subjects[start:start + page_size], len(subjects)
