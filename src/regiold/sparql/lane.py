"""The fast lane: queries proven small answered in the serving process, without the worker's IPC.

A query costs the round trip to a sandboxed worker (pickling, two wake-ups, the worker's own
bookkeeping) on top of the engine, which for a lookup of one resource is several times the
engine's own 30-40 µs. The lane skips that trip only for queries whose work is bounded before
they run, and proves the bound from its own parse of the query, not from the engine:

- **The text.** No backslash (SPARQL decodes ``\\u`` escapes before parsing, so an escape could
  hide a keyword) and no word ``service`` in any case or position.
- **The shape** (:class:`_Parser`, a strict parse of the tokens that accepts this grammar and
  nothing else)::

      (PREFIX pname: <absolute IRI>)*
      ( SELECT [DISTINCT|REDUCED] ( * | ( ?v | (COUNT([DISTINCT] ?v|*) AS ?v) )+ ) | ASK ) [WHERE]
      { ( triples | FILTER(expression) ) ... }
      [GROUP BY ?v+] [ORDER BY (?v | ASC(?v) | DESC(?v))+] [LIMIT n] [OFFSET n]

  Terms are variables, absolute IRIs or declared prefixed names, plain strings (with a language
  tag or datatype) and integers; an expression joins
  variables, literals, IRIs and calls of linear-time built-ins (``_FUNCTIONS``: STR, LCASE,
  CONTAINS, STRSTARTS …) with ``||``, ``&&``, ``=``, ``!=``, ``!``. No OPTIONAL, UNION, GRAPH,
  SERVICE, BIND, VALUES, subqueries, property paths, blank nodes, REGEX, casts or calls by IRI,
  FROM: nothing that can fetch, call code or grow with anything but the solutions. At most
  ``MAX_TOKENS`` tokens, so an expression costs at most that much per solution.
- **No abort.** pyoxigraph's sort aborts the whole process on values it cannot order (mixed
  dates, NaN; docs/SECURITY.md), and here the process is the server: ORDER BY keys must be
  totally ordered, known from the parse and the statistics (:func:`_sortable`).
- **The work** (:func:`within_bound`). Every solution the engine builds for a group of triple
  patterns, final or intermediate (index lookups and joins), combines one matching quad per
  pattern, so there are at most the product over the patterns of their matching quads. That
  product is counted on the store of the data version being served, by each pattern's IRIs
  (subject, predicate, object; variables and literals match anything), each count stopped past
  the bound and kept for that version (the query service lives as long as its Site), and must
  not exceed ``work``; that product times the FILTER expressions' tokens (plus one) must not
  exceed ``work × FILTER_FACTOR``. FILTER only drops solutions; grouping and sorting handle at
  most that many. Time and memory are then bounded: with the defaults at most about a page
  rendering's CPU (about 1 ms on this project's machine), spent in the serving process instead
  of a worker at lower priority.
- **The run.** The usual serialisation with the row cap (``sparql_max_rows``) and, besides the
  bound, a deadline checked as the rows stream; a query past it is given to the worker instead.

Anything else, and any failure (a parse error, a term the engine rejects, the deadline), goes to
the sandboxed worker as before, which runs it under its time and memory limits and words every
error (400 with line:column, no engine or OS strings). The lane itself never answers an error.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

import pyoxigraph as ox

from regiold.rdf.namespaces import RDF_TYPE
from regiold.sparql.messages import Job
from regiold.sparql.runner import serialize_result

MAX_COUNTS = 4096  # pattern counts a service keeps per data version
WORK = 1000  # solutions (final or intermediate) a lane query may build at most
FILTER_FACTOR = 16  # solutions × FILTER tokens a lane query may evaluate: WORK × this
DEADLINE = 0.02  # seconds; past it the query is handed to the worker (the bound makes it rare)
_FORBIDDEN = re.compile(r"\\|service", re.IGNORECASE)
_ABSOLUTE = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_PNAME = re.compile(r"((?:[A-Za-z][A-Za-z0-9_\-]*)?):([A-Za-z0-9_](?:[A-Za-z0-9_\-.]*[A-Za-z0-9_\-])?)?",
                    re.ASCII)
_LANGTAG = re.compile(r"[A-Za-z]+(?:-[A-Za-z0-9]+)*", re.ASCII)
_INTEGER = re.compile(r"[0-9]+", re.ASCII)
_VAR = re.compile(r"[?$][A-Za-z0-9_]+", re.ASCII)
MAX_TOKENS = 256  # tokens of a lane query: bounds the patterns and each solution's expression work
# Built-ins whose cost is linear in their arguments (no REGEX, REPLACE, hashes, casts, IRI calls)
_FUNCTIONS = frozenset({"STR", "LCASE", "UCASE", "STRLEN", "STRSTARTS", "STRENDS", "CONTAINS",
                        "LANG", "LANGMATCHES", "BOUND", "ISIRI", "ISURI", "ISLITERAL", "ISBLANK",
                        "SAMETERM", "DATATYPE"})
Token = tuple[str, str]  # (TOKEN group, text), white space and comments left out


@dataclass(frozen=True)
class Pattern:
    """One triple pattern: its IRIs (None: a variable or a literal, counted as matching anything),
    and the variable in object position (not part of the pattern's identity: its count)."""

    subject: str | None
    predicate: str | None
    object: str | None
    object_var: str | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Plan:
    """What the lane's parse learnt: the patterns, the ORDER BY variables, the variables bound
    by COUNT and those that appear as a subject (always IRIs or blank nodes)."""

    patterns: list[Pattern]
    order_keys: list[str]
    counted: set[str]
    subjects: set[str]
    filter_tokens: int  # the FILTER expressions' size: their work per solution


Stats = tuple[int, bool]  # (matching quads, capped; every matched object is an IRI)


def plan(query: str, tokens: tuple[Token, ...], prefixes: dict[str, str]) -> Plan | None:
    """What a query of the lane's grammar (module docstring) does, else None."""
    if _FORBIDDEN.search(query):
        return None
    try:
        return _Parser(tokens, prefixes).query()
    except _NotInLane:
        return None


def within_bound(db: ox.Store, found: Plan, work: int,
                 counts: dict[Pattern, Stats] | None = None) -> bool:
    """True when the product of the patterns' matching quads (in any graph) is at most ``work``
    and every ORDER BY key is totally ordered (:func:`_sortable`).

    ``counts``: the statistics already known for this data version (each count capped at
    ``work + 1``), completed here; the caller keeps it for as long as the store does not change.
    """
    known = {} if counts is None else counts
    total = 1
    for pattern in found.patterns:
        stats = known.get(pattern)
        if stats is None:
            if len(known) >= MAX_COUNTS:
                known.clear()  # bounded; refilled by the next queries
            stats = known[pattern] = _count(db, pattern, work + 1)
        total *= stats[0]
        if total > work:
            return False
    return total * (1 + found.filter_tokens) <= work * FILTER_FACTOR and _sortable(found, known)


def _sortable(found: Plan, known: dict[Pattern, Stats]) -> bool:
    """ORDER BY only over keys whose values are totally ordered: the engine's sort aborts the
    process on values it cannot order (mixed dates, NaN: docs/SECURITY.md), and here that process
    is the server. A COUNT is an integer; a subject is an IRI or a blank node; an object is safe
    when every quad its pattern matches has an IRI there."""
    iri_objects = {p.object_var for p in found.patterns if p.object_var and known[p][1]}
    return all(key in found.counted or key in found.subjects or key in iri_objects
               for key in found.order_keys)


def answer(db: ox.Store, job: Job, tokens: tuple[Token, ...], *, work: int = WORK,
           deadline: float = DEADLINE,
           counts: dict[Pattern, Stats] | None = None) -> dict[str, object] | None:
    """The reply to ``job`` computed here, or None: not provably small, or it failed (the worker
    then runs it and words any error)."""
    if job.default_graphs or job.named_graphs or not job.union_default:
        return None
    found = plan(job.query, tokens, job.prefixes)
    started = time.perf_counter()
    try:
        if found is None or not within_bound(db, found, work, counts):
            return None
        result = db.query(job.query, base_iri=job.base_iri, prefixes=job.prefixes,
                          use_default_graph_as_union=True)
        reply = serialize_result(result, job, deadline=time.monotonic() + deadline)
    except Exception:  # noqa: BLE001 - any failure: the worker runs it and words the error
        return None
    except BaseException as exc:  # pyoxigraph's PanicException
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        return None
    reply["elapsed"] = time.perf_counter() - started
    return reply


def _count(db: ox.Store, pattern: Pattern, stop: int) -> Stats:
    found, iris = 0, True
    for quad in db.quads_for_pattern(*(None if iri is None else ox.NamedNode(iri) for iri in
                                       (pattern.subject, pattern.predicate, pattern.object)),
                                     None):
        found += 1
        iris = iris and isinstance(quad.object, ox.NamedNode)
        if found >= stop:
            break
    return found, iris


class _NotInLane(Exception):
    pass


class _Parser:
    """Recursive descent over the tokens for exactly the lane's grammar; raises _NotInLane."""

    def __init__(self, tokens: tuple[Token, ...], prefixes: dict[str, str]) -> None:
        if len(tokens) > MAX_TOKENS:
            raise _NotInLane  # bounds the expression work per solution too
        self.tokens, self.at = tokens, 0
        self.prefixes = dict(prefixes)
        self.patterns: list[Pattern] = []
        self.order_keys: list[str] = []
        self.counted: set[str] = set()
        self.subjects: set[str] = set()
        self.filter_tokens = 0

    def query(self) -> Plan:
        while self._keyword("PREFIX"):
            name = self._take("word")
            iri = self._iri_token()
            if not name.endswith(":") or _PNAME.fullmatch(name) is None:
                raise _NotInLane
            self.prefixes[name[:-1]] = iri
        if self._keyword("SELECT"):
            _ = self._keyword("DISTINCT") or self._keyword("REDUCED")
            if not self._other("*"):
                self._projection()
                while self._peek()[0] == "var" or self._peek() == ("other", "("):
                    self._projection()
        elif not self._keyword("ASK"):
            raise _NotInLane
        self._keyword("WHERE")
        self._group()
        self._modifiers()
        if self.at != len(self.tokens):
            raise _NotInLane
        return Plan(self.patterns, self.order_keys, self.counted, self.subjects,
                    self.filter_tokens)

    def _projection(self) -> None:
        if self._other("("):  # ( COUNT ( [DISTINCT] ?v | * ) AS ?v )
            if not self._keyword("COUNT"):
                raise _NotInLane
            self._expect("(")
            self._keyword("DISTINCT")
            if not self._other("*"):
                self._var()
            self._expect(")")
            if not self._keyword("AS"):
                raise _NotInLane
            self.counted.add(self._var())
            self._expect(")")
        else:
            self._var()

    def _modifiers(self) -> None:
        if self._keyword("GROUP"):
            self._by()
            self._var()
            while self._peek()[0] == "var":
                self._var()
        if self._keyword("ORDER"):
            self._by()
            self._order_condition()
            while self._peek()[0] == "var" or self._at("ASC") or self._at("DESC"):
                self._order_condition()
        seen: set[str] = set()
        while any(self._at(word) for word in {"LIMIT", "OFFSET"} - seen):
            seen.add(self._word())
            if _INTEGER.fullmatch(self._take("word")) is None:
                raise _NotInLane

    def _by(self) -> None:
        if not self._keyword("BY"):
            raise _NotInLane

    def _order_condition(self) -> None:
        if self._keyword("ASC") or self._keyword("DESC"):
            self._expect("(")
            self.order_keys.append(self._var())
            self._expect(")")
        else:
            self.order_keys.append(self._var())

    def _group(self) -> None:
        self._expect("{")
        while not self._other("}"):
            if self._keyword("FILTER"):
                start = self.at
                self._expect("(")
                self._expression()
                self._expect(")")
                self.filter_tokens += self.at - start
                self._dot()
                continue
            if self._peek()[0] == "var":
                self.subjects.add(self._peek()[1][1:])
            subject = self._term()
            self._predicate_objects(subject)
            if not self._dot() and not self._at("FILTER"):
                self._expect("}")
                return

    def _predicate_objects(self, subject: str | None) -> None:
        while True:
            predicate = self._predicate()
            self.patterns.append(Pattern(subject, predicate, *self._object()))
            while self._other(","):
                self.patterns.append(Pattern(subject, predicate, *self._object()))
            if not self._other(";"):
                return
            while self._other(";"):
                pass
            if self._peek() in {("word", "."), ("other", "}")} or self._at("FILTER"):
                return

    def _predicate(self) -> str | None:
        if self._peek() == ("word", "a"):
            self.at += 1
            return RDF_TYPE
        return self._term()

    def _term(self) -> str | None:
        """A variable (None) or a constant IRI (expanded)."""
        if self._peek()[0] == "var":
            self._var()
            return None
        return self._constant()

    def _object(self) -> tuple[str | None, str | None]:
        """(IRI, variable name): at most one of them; neither for a literal."""
        if self._literal():
            return None, None
        if self._peek()[0] == "var":
            return None, self._var()
        return self._constant(), None

    def _literal(self) -> bool:
        """A plain string (with language tag or datatype) or an integer, consumed: True."""
        kind, text = self._peek()
        if kind == "short":
            self.at += 1
            if self._other("@"):
                if _LANGTAG.fullmatch(self._take("word")) is None:
                    raise _NotInLane
            elif self._other("^"):
                self._expect("^")
                self._constant()
            return True
        if kind == "word" and _INTEGER.fullmatch(text):
            self.at += 1
            return True
        return False

    def _expression(self) -> None:
        """Operands joined by ``||``, ``&&``, ``=`` or ``!=`` (no ``<``/``>``: an IRI's
        brackets); each a variable, literal, IRI, ``!`` operand, parenthesised expression or a
        call of one of the linear-time built-ins in ``_FUNCTIONS``."""
        self._operand()
        while True:
            if self._other("|"):
                self._expect("|")
            elif self._other("&"):
                self._expect("&")
            elif self._other("!"):
                self._expect("=")
            elif not self._other("="):
                return
            self._operand()

    def _operand(self) -> None:
        if self._other("!"):
            self._operand()
        elif self._other("("):
            self._expression()
            self._expect(")")
        elif self._peek()[0] == "var":
            self._var()
        elif self._literal():
            pass
        elif any(self._at(name) for name in _FUNCTIONS):
            self.at += 1
            self._expect("(")
            self._expression()
            while self._other(","):
                self._expression()
            self._expect(")")
        else:
            self._constant()
            if self._peek() == ("other", "("):
                raise _NotInLane  # a function named by IRI (casts, extensions)

    def _constant(self) -> str:
        """An absolute IRI or a prefixed name with a declared prefix, expanded."""
        kind, text = self._peek()
        if kind == "iri":
            return self._iri_token()
        found = _PNAME.fullmatch(text) if kind == "word" else None
        if found is None or found.group(1) not in self.prefixes:
            raise _NotInLane
        self.at += 1
        return self.prefixes[found.group(1)] + (found.group(2) or "")

    def _iri_token(self) -> str:
        iri = self._take("iri")[1:-1]
        if not _ABSOLUTE.match(iri):
            raise _NotInLane  # a relative IRI: resolution is the engine's; stay out of it
        return iri

    def _var(self) -> str:
        """A variable's name (without ? or $)."""
        text = self._take("var")
        if _VAR.fullmatch(text) is None:
            raise _NotInLane
        return text[1:]

    def _word(self) -> str:
        return self._take("word").upper()

    def _peek(self) -> Token:
        return self.tokens[self.at] if self.at < len(self.tokens) else ("end", "")

    def _take(self, kind: str) -> str:
        found_kind, text = self._peek()
        if found_kind != kind:
            raise _NotInLane
        self.at += 1
        return text

    def _at(self, word: str) -> bool:
        kind, text = self._peek()
        return kind == "word" and text.upper() == word

    def _keyword(self, word: str) -> bool:
        if self._at(word):
            self.at += 1
            return True
        return False

    def _other(self, char: str) -> bool:
        if self._peek() == ("other", char):
            self.at += 1
            return True
        return False

    def _dot(self) -> bool:
        """The triples separator, which the lexer reads as a word (it may start a number)."""
        if self._peek() == ("word", "."):
            self.at += 1
            return True
        return False

    def _expect(self, char: str) -> None:
        if not self._other(char):
            raise _NotInLane
