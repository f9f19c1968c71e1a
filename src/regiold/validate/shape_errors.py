"""Shapes that cannot be applied, named before pyshacl meets them.

A typo in a shape (``sh:pattern "([a-z"``, a literal as ``sh:path``) made pyshacl raise a Python
error (re.error, ShapeLoadError) that named neither the file nor the shape: a steward got a
traceback from `regiold validate`, and a reload let it out of the reload hook. ``check`` names
the file and the shape for the typos it knows; ``applying`` turns any other failure of pyshacl
into the same kind of error, naming the shapes files.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pyoxigraph as ox

from regiold.errors import RegioldError, SourceError
from regiold.ingest.sources import Sources

SH = "http://www.w3.org/ns/shacl#"
_FLAGS = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE}


def check(sources: Sources) -> None:
    """Refuse a ``sh:pattern`` that is no regular expression and a ``sh:path`` that is a literal
    (SHACL 2.3.1: a path is an IRI or a blank node).

    :raises SourceError: naming the shapes file, the shape and what is wrong.
    """
    files = {f.graph: f.path.as_posix() for f in sources.files}
    for quad in sources.shape_quads:
        predicate = quad.predicate.value
        if predicate == f"{SH}path" and isinstance(quad.object, ox.Literal):
            problem = f"sh:path {quad.object.value!r} is a literal, not a property or a path"
        elif predicate == f"{SH}pattern":
            problem = _pattern_problem(sources, quad)
        else:
            continue
        if problem:
            where = files.get(quad.graph_name.value, "shapes/")  # type: ignore[union-attr]
            raise SourceError(where, None, None, f"shape {_shape_name(sources, quad)}: {problem}")


@contextmanager
def applying(sources: Sources) -> Iterator[None]:
    """pyshacl's failures on the shapes as a SourceError naming the shapes files."""
    try:
        yield
    except RegioldError:
        raise
    except Exception as exc:  # pyshacl raises plain Python errors for shapes it cannot use
        names = ", ".join(f.path.as_posix() for f in sources.files if f.kind == "shapes")
        first = (str(exc).strip().splitlines() or [""])[0]
        raise SourceError(names or "shapes/", None, None,
                          f"the shapes cannot be applied: {type(exc).__name__}: {first}") from exc


def _pattern_problem(sources: Sources, quad: ox.Quad) -> str | None:
    flags = 0
    for found in sources.shape_quads:
        if found.subject == quad.subject and found.predicate.value == f"{SH}flags":
            for letter in found.object.value:
                flags |= _FLAGS.get(letter, 0)
    try:
        re.compile(quad.object.value, flags)
    except re.error as exc:
        return f"sh:pattern {quad.object.value!r} is no regular expression: {exc}"
    return None


def _shape_name(sources: Sources, quad: ox.Quad) -> str:
    """The shape's IRI relative to the base, or that of the node shape holding this property shape."""
    node = quad.subject
    if isinstance(node, ox.BlankNode):
        node = next((q.subject for q in sources.shape_quads
                     if q.predicate.value == f"{SH}property" and q.object == node), node)
    if isinstance(node, ox.NamedNode):
        return node.value.removeprefix(sources.base_iri)
    return "(a blank node)"
