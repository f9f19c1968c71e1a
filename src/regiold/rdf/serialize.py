"""The one RDF serializer: pyoxigraph's writers with one prefix policy.

Every RDF document regiold writes with pyoxigraph for people to read (resource descriptions, the
dataset's description and dumps, SPARQL CONSTRUCT/DESCRIBE results, the service description,
tombstones) goes through ``serialize``; N-Triples/N-Quads for machines only (store loading,
snapshots) call pyoxigraph directly, as they have no prefixes. The prefix rule, the same everywhere:

* the candidates are the site prefixes (``site_prefixes(base_iri)``) plus ``sd:`` and
  ``formats:`` for the service description;
* a candidate is declared only if the triples use it, and only if every IRI under it then has a
  plain local name (none of ``/ # ? & = .`` after the namespace): ``rm:x\\/board`` is valid Turtle
  but unreadable, so such a namespace is left out and its IRIs are written in full;
* only Turtle, TriG and RDF/XML take prefixes; N-Triples and N-Quads have none, and JSON-LD is
  pyoxigraph's plain expanded form (the compacted resource JSON-LD is ``publish/render.py``'s).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from functools import lru_cache
from typing import IO

import pyoxigraph as ox

from regiold.rdf.formats import Format
from regiold.rdf.namespaces import FORMATS_NS, SD_NS, site_prefixes

_PREFIXED_FORMATS = frozenset({ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML})
_NOT_PLAIN = re.compile(r"[/#?&=.]")


@lru_cache(maxsize=8)
def candidate_prefixes(base_iri: str) -> dict[str, str]:
    """The prefixes an output may declare (callers must not change the dict)."""
    return {**site_prefixes(base_iri), "sd": SD_NS, "formats": FORMATS_NS}


@lru_cache(maxsize=8)
def _matcher(base_iri: str) -> tuple[re.Pattern[str], dict[str, list[tuple[str, str]]]]:
    """A regex finding the longest candidate namespace an IRI starts with (one C-speed match per
    IRI, not one test per candidate), and per namespace the shorter candidates it lies under."""
    by_ns = {ns: name for name, ns in candidate_prefixes(base_iri).items()}
    longest_first = sorted(by_ns, key=len, reverse=True)
    pattern = re.compile("|".join(re.escape(ns) for ns in longest_first))
    under = {ns: [(by_ns[outer], outer) for outer in longest_first
                  if outer != ns and ns.startswith(outer)] for ns in by_ns}
    return pattern, {by_ns[ns]: outers for ns, outers in under.items()}


def used_prefixes(triples: Iterable[ox.Triple | ox.Quad], base_iri: str) -> dict[str, str]:
    """The candidate prefixes that the rule above declares for ``triples``."""
    return prefixes_of({term.value for t in triples for term in (t.subject, t.predicate, t.object)
                        if isinstance(term, ox.NamedNode)}, base_iri)


def prefixes_of(iris: Collection[str], base_iri: str) -> dict[str, str]:
    """``used_prefixes`` of triples given by the IRIs they hold (rdf/ntriples.Document.iris)."""
    judge = _judges(base_iri)
    verdicts = set(map(judge.get, iris))  # a handful of distinct verdicts for a page's IRIs
    if None in verdicts:
        verdicts.discard(None)
        for iri in iris:
            verdict = judge.get(iri)
            if verdict is None:
                if len(judge) >= _JUDGED:
                    judge.clear()  # bounded; refilled by the next documents
                verdict = judge[iri] = _judge(iri, base_iri)
            verdicts.add(verdict)
    used: set[str] = set()
    spoilt: set[str] = set()
    for verdict in verdicts:
        used.update(verdict[0])  # type: ignore[index]
        spoilt.update(verdict[1])  # type: ignore[index]
    return {name: ns for name, ns in candidate_prefixes(base_iri).items()
            if name in used and name not in spoilt}


_JUDGED = 1 << 16  # IRIs whose verdict is remembered, per base IRI (they recur from page to page)


@lru_cache(maxsize=8)
def _judges(base_iri: str) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    return {}


def _judge(iri: str, base_iri: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The candidate prefixes ``iri`` lies under with a plain local name, and those without."""
    pattern, outers = _matcher(base_iri)
    found = pattern.match(iri)
    if found is None:
        return (), ()
    name = {ns: name for name, ns in candidate_prefixes(base_iri).items()}[found.group()]
    used: list[str] = []
    spoilt: list[str] = []
    for outer_name, outer in [(name, found.group()), *outers[name]]:
        (spoilt if _NOT_PLAIN.search(iri, len(outer)) else used).append(outer_name)
    return tuple(used), tuple(spoilt)


def stable_order(triples: Iterable[ox.Triple]) -> list[ox.Triple]:
    """``triples`` sorted by subject, predicate, object in N-Triples form: equal graphs give equal
    bytes and a subject's triples are grouped. The key is the triple's own N-Triples text (one call
    into pyoxigraph per triple): the same order as sorting by the three terms, because no term's
    text is a proper prefix of another's followed by a character below the separating space
    (control characters are escaped, IRIs end with ``>``, literals with a quote or a suffix)."""
    return sorted(triples, key=str)


def serialize(triples: Iterable[ox.Triple] | Iterable[ox.Quad], fmt: Format, base_iri: str, *,
              stable: bool = False, output: str | IO[bytes] | None = None,
              graph: str | None = None, prefixes: dict[str, str] | None = None) -> bytes:
    """``triples`` (or quads) in ``fmt``, an RDF format. ``stable``: sorted first
    (``stable_order``). ``output``: a path or binary file to write to instead (then ``b""`` is
    returned). ``graph``: in TriG and N-Quads, the triples go into the graph of that name (a
    description in its named graph, docs/SERVING.md). ``prefixes``: ``used_prefixes`` of these
    triples when the caller has them already (one description in several formats). ``triples``
    may be an iterator, read once (rdf/ntriples.Document.for_writer: parsed into the writer).

    :raises ValueError: ``fmt`` is not an RDF format.
    """
    if fmt.oxigraph is None:
        raise ValueError(f"{fmt.label} is not an RDF format")
    if stable:
        triples = stable_order(triples)  # type: ignore[arg-type]
    if graph is not None and fmt.quads:
        name = ox.NamedNode(graph)
        triples = [ox.Quad(t.subject, t.predicate, t.object, name) for t in triples]
    if fmt.oxigraph not in _PREFIXED_FORMATS:
        prefixes = None
    elif prefixes is None:
        triples = triples if isinstance(triples, Sequence) else list(triples)  # read twice
        prefixes = used_prefixes(triples, base_iri)
    if output is not None:
        ox.serialize(triples, output, fmt.oxigraph, prefixes=prefixes)
        return b""
    return ox.serialize(triples, format=fmt.oxigraph, prefixes=prefixes) or b""
