"""The rdflib graphs pyshacl reads during validation, built for reading fast.

pyshacl spends most of its time in ``Graph.triples`` lookups. On rdflib's default ``Memory`` store
each lookup also formats the graph's context as a string and checks every matched triple's
contexts; ``IndexedGraph`` keeps the same three indexes (subject, predicate, object first) as
plain dicts without contexts. With it, validation took half the CPU time (docs/performance.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import pyoxigraph as ox
import rdflib
from rdflib.paths import Path as RdfPath

from regiold.ingest.sources import to_rdflib_term

_Term = rdflib.term.Node
_Triple = tuple[_Term, _Term, _Term]
_Index = dict[_Term, dict[_Term, dict[_Term, None]]]
_EMPTY: dict = {}


class IndexedGraph(rdflib.Graph):
    """An in-memory rdflib graph without named-graph bookkeeping, for pyshacl.

    Lookups yield in insertion order, as rdflib's ``Memory`` store does. Namespace bindings are
    rdflib's defaults, as for a new ``rdflib.Graph()``.
    """

    def __init__(self, triples: Iterable[_Triple] = ()) -> None:
        super().__init__()
        self._spo: _Index = {}
        self._pos: _Index = {}
        self._osp: _Index | None = None  # object first: made on first use (pyshacl rarely asks)
        self._size = 0
        for triple in triples:
            self.add(triple)

    def __len__(self) -> int:
        return self._size

    def add(self, triple: _Triple) -> IndexedGraph:  # type: ignore[override]
        s, p, o = triple
        objects = self._spo.setdefault(s, {}).setdefault(p, {})
        if o not in objects:
            objects[o] = None
            self._pos.setdefault(p, {}).setdefault(o, {})[s] = None
            if self._osp is not None:
                self._osp.setdefault(o, {}).setdefault(s, {})[p] = None
            self._size += 1
        return self

    def addN(self, quads: Iterable[tuple]) -> IndexedGraph:  # type: ignore[override]  # noqa: N802
        for s, p, o, _ in quads:
            self.add((s, p, o))
        return self

    def remove(self, triple: tuple) -> IndexedGraph:  # type: ignore[override]
        for s, p, o in list(self.triples(triple)):
            for index, (a, b, c) in ((self._spo, (s, p, o)), (self._pos, (p, o, s)),
                                     (self._object_index(), (o, s, p))):
                del index[a][b][c]
                if not index[a][b]:
                    del index[a][b]
                    if not index[a]:
                        del index[a]
            self._size -= 1
        return self

    def _object_index(self) -> _Index:
        if self._osp is None:
            self._osp = {}
            for s, by_predicate in self._spo.items():
                for p, objects in by_predicate.items():
                    for o in objects:
                        self._osp.setdefault(o, {}).setdefault(s, {})[p] = None
        return self._osp

    def triples(self, triple: tuple) -> Iterator[_Triple]:  # type: ignore[override]
        s, p, o = triple
        if isinstance(p, RdfPath):
            for subject, obj in p.eval(self, s, o):
                yield subject, p, obj
        elif s is not None:
            if p is not None:  # the common lookups, spelled out: they are most of pyshacl's time
                objects = self._spo.get(s, _EMPTY).get(p)
                if objects is not None:
                    if o is None:
                        for value in list(objects):
                            yield s, p, value
                    elif o in objects:
                        yield s, p, o
            else:
                for predicate, objects in list(self._spo.get(s, _EMPTY).items()):
                    for value in ([o] if o in objects else []) if o is not None else list(objects):
                        yield s, predicate, value
        elif p is not None:
            subjects_by_object = self._pos.get(p, _EMPTY)
            for value in [o] if o is not None else list(subjects_by_object):
                for subject in list(subjects_by_object.get(value, ())):
                    yield subject, p, value
        elif o is not None:
            for subject, predicates in list(self._object_index().get(o, _EMPTY).items()):
                for predicate in list(predicates):
                    yield subject, predicate, o
        else:
            for subject, by_predicate in list(self._spo.items()):
                for predicate, objects in list(by_predicate.items()):
                    for value in list(objects):
                        yield subject, predicate, value

    def objects(self, subject: _Term | None = None, predicate: _Term | None = None,  # type: ignore[override]
                unique: bool = False) -> Iterator[_Term]:
        if subject is None or predicate is None or isinstance(predicate, RdfPath):
            yield from super().objects(subject, predicate, unique)  # type: ignore[arg-type]
        else:  # one lookup instead of a triples() generator per call: pyshacl's most common ask
            yield from list(self._spo.get(subject, _EMPTY).get(predicate, ()))


def rdflib_triples(quads: Iterable[ox.Quad | ox.Triple],
                   shared: Iterable[_Term] = ()) -> Iterator[_Triple]:
    """The quads' triples as rdflib terms; a term that repeats (predicates, classes, areas) is
    converted once and shared. IRIs in ``shared`` are used as they are: a dict lookup with the
    very key object skips rdflib's Python-level ``__eq__``."""
    converted: dict[object, _Term] = {
        ox.NamedNode(str(t)): t for t in shared if isinstance(t, rdflib.URIRef)}

    def term(node: ox.NamedNode | ox.BlankNode | ox.Literal) -> _Term:
        found = converted.get(node)
        if found is None:
            found = converted[node] = to_rdflib_term(node)
        return found

    for q in quads:
        yield term(q.subject), term(q.predicate), term(q.object)  # type: ignore[arg-type]


def same_objects(triples: Iterable[_Triple], terms: dict[_Term, _Term]) -> Iterator[_Triple]:
    """``triples`` with every term replaced by its equal in ``terms`` (added when new), so that
    equal terms of several graphs are one object."""
    for triple in triples:
        yield tuple(terms.setdefault(t, t) for t in triple)  # type: ignore[misc]
