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

from .sources import to_rdflib_term

_Term = rdflib.term.Node
_Triple = tuple[_Term, _Term, _Term]
_Index = dict[_Term, dict[_Term, dict[_Term, None]]]


class IndexedGraph(rdflib.Graph):
    """An in-memory rdflib graph without named-graph bookkeeping, for pyshacl.

    Lookups yield in insertion order, as rdflib's ``Memory`` store does. Namespace bindings are
    rdflib's defaults, as for a new ``rdflib.Graph()``.
    """

    def __init__(self, triples: Iterable[_Triple] = ()) -> None:
        super().__init__()
        self._spo: _Index = {}
        self._pos: _Index = {}
        self._osp: _Index = {}
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
                                     (self._osp, (o, s, p))):
                del index[a][b][c]
                if not index[a][b]:
                    del index[a][b]
                    if not index[a]:
                        del index[a]
            self._size -= 1
        return self

    def triples(self, triple: tuple) -> Iterator[_Triple]:  # type: ignore[override]
        s, p, o = triple
        if isinstance(p, RdfPath):
            for subject, obj in p.eval(self, s, o):
                yield subject, p, obj
        elif s is not None:
            yield from _match(self._spo, s, p, o, lambda a, b, c: (a, b, c))
        elif p is not None:
            yield from _match(self._pos, p, o, None, lambda a, b, c: (c, a, b))
        elif o is not None:
            yield from _match(self._osp, o, None, None, lambda a, b, c: (b, c, a))
        else:
            for first in list(self._spo):
                yield from _match(self._spo, first, None, None, lambda a, b, c: (a, b, c))


def _match(index: _Index, first: _Term, second: _Term | None, third: _Term | None,
           order: object) -> Iterator[_Triple]:
    """Triples under ``index[first]``, narrowed by ``second`` and ``third`` when given; ``order``
    puts the index's key order back into (subject, predicate, object). Lists are copied so that a
    caller may change the graph while iterating, as with rdflib's stores."""
    seconds = index.get(first)
    if seconds is None:
        return
    for key in ([second] if second is not None else list(seconds)):
        thirds = seconds.get(key)
        if thirds is None:
            continue
        if third is not None:
            if third in thirds:
                yield order(first, key, third)  # type: ignore[operator]
        else:
            for value in list(thirds):
                yield order(first, key, value)  # type: ignore[operator]


def rdflib_triples(quads: Iterable[ox.Quad | ox.Triple]) -> Iterator[_Triple]:
    """The quads' triples as rdflib terms; a term that repeats (predicates, classes, areas) is
    converted once and shared."""
    converted: dict[object, _Term] = {}

    def term(node: ox.NamedNode | ox.BlankNode | ox.Literal) -> _Term:
        found = converted.get(node)
        if found is None:
            found = converted[node] = to_rdflib_term(node)
        return found

    for q in quads:
        yield term(q.subject), term(q.predicate), term(q.object)  # type: ignore[arg-type]
