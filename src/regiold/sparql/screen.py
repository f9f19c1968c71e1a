"""Screening: what the query text may contain, decided before the engine sees it."""


from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from regiold.errors import (
    PayloadTooLarge,
    QueryRefused,
    ReadOnlyEndpoint,
)

# The keyword SERVICE can only stand where the character before it is not part of a name, IRI
# path, variable or escape. Anything else - inside a string, a comment, anywhere - is treated as
# the keyword. Keywords cannot be written with \u escapes in pyoxigraph (checked in the tests).
_SERVICE = re.compile(r"(?<![\w:/#?$@\\-])SERVICE(?![\w:-])", re.IGNORECASE)
_UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
)
_FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})

# A lexer good enough to find the query form and dataset clauses (not used for safety: a wrong
# answer here only affects which default graph is used or which error message is shown). Every
# alternative is unambiguous, so it runs in linear time on any input (it runs before the time
# limit applies; tests/test_sparql_safety.py feeds it pathological text).
TOKEN = re.compile(
    r"""
      (?P<ws>\s+)
    | (?P<comment>\#[^\r\n]*)
    | (?P<long>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\")
    | (?P<short>'(?:[^'\\\r\n]|\\.)*'|"(?:[^"\\\r\n]|\\.)*")
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<var>[?$]\w+)
    | (?P<word>(?:[\w.\-]|\\.)+(?::(?:[\w.\-:%]|\\.)*)?|:(?:[\w.\-:%]|\\.)*)
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class Screened:
    """What the screening learnt about a query."""

    form: str | None  # SELECT | ASK | CONSTRUCT | DESCRIBE, None when not recognisable
    has_dataset_clause: bool  # FROM or FROM NAMED present


def screen(query: str, *, max_bytes: int) -> Screened:
    """Check a query before it runs.

    :raises PayloadTooLarge: the query is longer than ``max_bytes`` (UTF-8).
    :raises QueryRefused: the query uses (or could use) ``SERVICE``.
    :raises ReadOnlyEndpoint: the text is an update (``INSERT``, ``LOAD``, ``DROP`` …).
    """
    size = len(query.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise PayloadTooLarge(f"query of {size} bytes; this endpoint accepts at most {max_bytes}")
    found = _SERVICE.search(query)
    if found:
        line, column = _place(query, found.start())
        raise QueryRefused(
            f"SERVICE (federated query) is not allowed on this endpoint (line {line}, column "
            f"{column}). If the word is part of a string or comment, write it as servic\\u0065."
        )
    words = [w.upper() for w in _keywords(query)]
    first = next((w for w in words if w not in {"PREFIX", "BASE"}), None)
    if first in _UPDATE_KEYWORDS:
        raise ReadOnlyEndpoint(
            f"{first} is a SPARQL Update operation; this endpoint is read-only and never "
            "changes or loads data"
        )
    form = next((w for w in words if w in _FORMS), None)
    return Screened(form, "FROM" in words)


def _keywords(query: str) -> Iterator[str]:
    """Bare words outside strings, comments and IRIs (prefixed names and variables excluded)."""
    for match in TOKEN.finditer(query):
        if match.lastgroup == "word" and ":" not in match.group():
            yield match.group()


def _place(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1
