"""Screening: what a query may contain, decided before the engine evaluates it.

``screen`` works on the text (size, nesting depth, update keywords, query form).
``refuse_service`` decides on the engine's own parse whether the query uses ``SERVICE``.
"""


from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from regiold.errors import (
    PayloadTooLarge,
    QueryRefused,
    QuerySyntaxError,
    ReadOnlyEndpoint,
)

MAX_NESTING = 128  # levels of { ( [ ; pyoxigraph's recursive parser overflows its stack at ~2,000
_SERVICE_WORD = re.compile("service", re.IGNORECASE)
_ENGINE_PLACE = re.compile(r"error at (\d+):(\d+): ?(.*)", re.DOTALL)
_OPENERS, _CLOSERS = frozenset("{(["), frozenset("})]")
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
# TOKEN with only its words captured: ``findall`` lists the bare words in one pass in C ("" for
# every other token), where a Python loop over ``finditer`` took 15-50 us of a query's screen.
_WORDS = re.compile(re.sub(r"\(\?P<(?!word>)\w+>", "(?:", TOKEN.pattern).replace("(?P<word>", "("),
                    re.VERBOSE | re.DOTALL)


@dataclass(frozen=True)
class Screened:
    """What the screening learnt about a query."""

    form: str | None  # SELECT | ASK | CONSTRUCT | DESCRIBE, None when not recognisable
    has_dataset_clause: bool  # FROM or FROM NAMED present


def screen(query: str, *, max_bytes: int) -> Screened:
    """Check a query before it runs.

    :raises PayloadTooLarge: the query is longer than ``max_bytes`` (UTF-8).
    :raises QueryRefused: groups nested deeper than ``MAX_NESTING``.
    :raises ReadOnlyEndpoint: the text is an update (``INSERT``, ``LOAD``, ``DROP`` …).
    """
    size = len(query.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise PayloadTooLarge(f"query of {size} bytes; this endpoint accepts at most {max_bytes}")
    if sum(map(query.count, _OPENERS)) > MAX_NESTING:  # fewer openers cannot nest deeper
        _check_nesting(query)
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
    for word in _WORDS.findall(query):
        if word and ":" not in word:
            yield word


def _check_nesting(query: str) -> None:
    """Refuse deep nesting before the parser, whose recursion would overflow the stack."""
    depth = 0
    for match in TOKEN.finditer(query):
        char = match.group()
        if match.lastgroup != "other":
            continue
        if char in _OPENERS:
            depth += 1
            if depth > MAX_NESTING:
                line, column = _place(query, match.start())
                raise QueryRefused(f"groups or expressions nested deeper than {MAX_NESTING} "
                                   f"levels (line {line}, column {column})")
        elif char in _CLOSERS:
            depth = max(0, depth - 1)


def refuse_service(query: str, parse: Callable[[str], object]) -> None:
    """Refuse the query if the engine's parser reads ``SERVICE`` (federation) in it.

    pyoxigraph exposes no parsed algebra, so its parser decides by difference: every "service"
    in the text, whatever the case, loses its last letter to x/X. Letters stay letters, so names,
    variables, IRIs, strings, language tags and comments keep their tokens, and the result
    contains no "service" at all (even an eager ASK of it cannot fetch). If ``parse`` (the
    engine, on an empty store) accepts that text, no SERVICE keyword existed; if it stops, at or
    right after such a word, the original needed it as the keyword. ``parse`` runs in the
    sandboxed worker, under the time limit.

    :raises QueryRefused: SERVICE is used (line and column of the word).
    :raises QuerySyntaxError: the query does not parse for another reason (line and column).
    """
    if not _SERVICE_WORD.search(query):
        return
    neutral = _SERVICE_WORD.sub(lambda m: m.group()[:-1] + ("X" if m.group()[-1] == "E" else "x"),
                                query)
    try:
        parse(neutral)
    except SyntaxError as exc:
        offset = _engine_offset(neutral, str(exc))
        for word in _SERVICE_WORD.finditer(query):
            if word.start() <= offset and re.fullmatch(r"(?:\s|#[^\n]*\n)*.?",
                                                        query[word.end():offset], re.DOTALL):
                line, column = _place(query, word.start())
                raise QueryRefused(f"SERVICE (federated query) is not allowed on this endpoint "
                                   f"(line {line}, column {column})") from None
        raise QuerySyntaxError(syntax_message(str(exc))) from None


def syntax_message(engine_text: str) -> str:
    """The parser's message as regiold words: line and column first."""
    found = _ENGINE_PLACE.match(engine_text)
    if found is None:
        return "the query is not valid SPARQL 1.1"
    detail = found.group(3).splitlines()[0][:300] if found.group(3) else ""
    return (f"SPARQL syntax error at line {found.group(1)}, column {found.group(2)}"
            + (f": {detail}" if detail else ""))


def _engine_offset(text: str, engine_text: str) -> int:
    found = _ENGINE_PLACE.match(engine_text)
    if found is None:
        return len(text)
    line, column = int(found.group(1)), int(found.group(2))
    start = 0
    for _ in range(line - 1):
        start = text.find("\n", start) + 1
    return start + column - 1


def _place(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1
