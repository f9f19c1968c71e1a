"""N-Triples lines as text: what the read path walks instead of pyoxigraph terms.

The per-version documents (store/naming.py) hold each node's triples as N-Triples written by
pyoxigraph, one canonical line per triple. Building a pyoxigraph term costs a Python object and a
copy of its text at every access, so a description is collected as lines (``S P O .``, without
the newline), compared, deduplicated and sorted as plain strings, and parsed into triples once.

Two facts make the text safe to work on:
- subjects and predicates hold no space (IRIs and blank node labels cannot), so the object is
  everything after the second space, up to the final `` .``;
- equal triples have equal lines, and sorting the lines gives ``serialize.stable_order``'s order
  (its key is the same text without `` .``, and no term's text is a proper prefix of another's
  followed by a character below the space).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import overload

import pyoxigraph as ox


def lines(text: str) -> list[str]:
    """The lines of an N-Triples document, each ``S P O .`` without its newline."""
    return text.split("\n")[:-1] if text else []


def document(lines: Iterable[str]) -> str:
    """The N-Triples document of lines (in the order given)."""
    joined = "\n".join(lines)
    return f"{joined}\n" if joined else ""


def of_triples(triples: Iterable[ox.Triple]) -> str:
    """The N-Triples document of ``triples``: the same text as stored documents."""
    return "".join(f"{triple} .\n" for triple in triples)


# Each function below looks at a line's first two spaces and its end only: a literal object can be
# long (an organisation's description), and scanning it character by character (a regex per
# document) costs more than the whole rest of a line.

def object_iris(text: str) -> list[tuple[str, str]]:
    """(predicate in N-Triples form, object IRI) of each line of a document whose object is an IRI."""
    found = []
    for line in text.split("\n"):
        if line.endswith("> ."):  # an IRI, or a literal with a datatype
            object_start = _object_start(line)
            if line[object_start] == "<" and line[object_start + 1] != "<":
                found.append((line[line.find(" ") + 1:object_start - 1], line[object_start + 1:-3]))
    return found


def _object_start(line: str) -> int:
    """Where a line's object begins: after the second space (subjects and predicates hold none)."""
    return line.find(" ", line.find(" ") + 1) + 1


def subject_iris(text: str) -> list[str]:
    """The subject IRI of each line of a document (blank nodes left out)."""
    return [line[1:line.find(">")] for line in text.split("\n") if line[:1] == "<"]


def blank_objects(text: str) -> list[str]:
    """The blank-node objects (``_:label``) of a document's lines."""
    if " _:" not in text:
        return []
    found = []
    for line in text.split("\n"):
        object_start = _object_start(line)
        if line.startswith("_:", object_start):
            found.append(line[object_start:-2])
    return found


def with_subjects(text: str, subjects: set[str]) -> str:
    """The lines of a document whose subject is one of the IRIs ``subjects``."""
    return "".join(f"{line}\n" for line in text.split("\n")
                   if line[:1] == "<" and line[1:line.find(">")] in subjects)


def with_iri_objects(text: str) -> str:
    """The lines of a document whose object is an IRI."""
    out = []
    for line in text.split("\n"):
        if line.endswith("> ."):
            object_start = _object_start(line)
            if line[object_start] == "<" and line[object_start + 1] != "<":
                out.append(f"{line}\n")
    return "".join(out)


def node_iris(text: str) -> set[str]:
    """The IRIs a document's lines have as subject or object (not predicates, not datatypes)."""
    return _nodes(_heads(text))


def iris(text: str) -> set[str]:
    """Every IRI of a document's lines as subject, predicate or object (not datatypes)."""
    heads = _heads(text)
    return _nodes(heads).union([predicate[1:-1] for _, predicate, _ in heads])


def _heads(text: str) -> list[list[str]]:
    return [line.split(" ", 2) for line in text.split("\n")[:-1]]  # the object keeps its " ."


def _nodes(heads: list[list[str]]) -> set[str]:
    found = {subject[1:-1] for subject, _, _ in heads if subject[0] == "<"}
    found.update([obj[1:-3] for _, _, obj in heads if obj[0] == "<" and obj[1] != "<"])
    return found


class LazyTriples(Sequence[ox.Triple]):
    """A description's triples, parsed from its N-Triples when first used: N-Triples is served
    from the text itself, and parsing is most of what a description costs besides reading it."""

    def __init__(self, count: int, load: Callable[[], list[ox.Triple]]) -> None:
        self._count, self._load = count, load
        self._items: list[ox.Triple] | None = None

    @property
    def parsed(self) -> bool:
        """Whether the triples were built already (by a reader before this one)."""
        return self._items is not None

    def _loaded(self) -> list[ox.Triple]:
        items = self._items
        if items is None:  # two threads may both parse it: the same list either way
            items = self._items = self._load()
        return items

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> ox.Triple: ...

    @overload
    def __getitem__(self, index: slice) -> list[ox.Triple]: ...

    def __getitem__(self, index: int | slice) -> ox.Triple | list[ox.Triple]:
        return self._loaded()[index]

    def __iter__(self) -> Iterator[ox.Triple]:
        return iter(self._loaded())


class Document:
    """A description's triples in ``serialize.stable_order`` and as that N-Triples document; its
    IRIs as subject, predicate or object (what ``serialize.used_prefixes`` looks at) are found
    when first asked for (Turtle and RDF/XML only)."""

    __slots__ = ("_iris", "text", "triples")

    def __init__(self, triples: Sequence[ox.Triple], text: str) -> None:
        self.triples, self.text = triples, text
        self._iris: frozenset[str] | None = None

    @property
    def iris(self) -> frozenset[str]:
        if self._iris is None:
            self._iris = frozenset(iris(self.text))
        return self._iris

    def for_writer(self) -> Iterable[ox.Triple | ox.Quad]:
        """The triples for one pass of a serialiser, in order: the list when a reader built it
        already (the HTML page's view), else pyoxigraph's parser fed straight into the writer,
        with no list of triples built (a median page's Turtle: 0.07 ms against 0.13 ms to parse
        a list and write it; docs/performance.md, "Fifth pass")."""
        if isinstance(self.triples, LazyTriples) and not self.triples.parsed:
            return _parsed(self.text)
        return self.triples


def node(term: str) -> ox.NamedNode | ox.BlankNode:
    """The pyoxigraph node of a subject in N-Triples form (``<iri>`` or ``_:label``)."""
    return ox.BlankNode(term[2:]) if term.startswith("_:") else ox.NamedNode(term[1:-1])


def triples(text: str | bytes) -> list[ox.Triple]:
    """The triples of N-Triples text that pyoxigraph wrote from parsed data: the IRIs need no
    second check (``lenient``, about half the cost of parsing)."""
    if not text:
        return []
    return [q.triple for q in _parsed(text)]


def _parsed(text: str | bytes) -> Iterator[ox.Quad]:
    """The triples of N-Triples text as pyoxigraph's parser gives them (quads in the default
    graph), one at a time."""
    data = text.encode() if isinstance(text, str) else text
    return ox.parse(data, format=ox.RdfFormat.N_TRIPLES, lenient=True)
