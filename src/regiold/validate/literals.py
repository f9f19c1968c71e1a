"""Ill-typed literals: a lexical form its XSD datatype does not allow (``"gestern"^^xsd:dateTime``).

RDF parses them, and a shape with ``sh:datatype`` reports them only where one applies. Elsewhere
the steward saw nothing but rdflib's traceback, once per literal, naming neither the file nor the
line. They are reported here as warnings (``--strict`` fails on them) with the file and line,
found by one query in pyoxigraph: its cast of an ill-typed lexical form is an error.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pyoxigraph as ox

from regiold.ingest.sources import Sources
from regiold.rdf.namespaces import RDF_TYPE, XSD_NS

# The XSD datatypes pyoxigraph casts to (a cast of an ill-typed form fails)
CHECKED = ("boolean", "integer", "decimal", "float", "double", "dateTime", "date", "time",
           "gYear", "gYearMonth", "duration")
RDFLIB_LOGGER = "rdflib.term"


# subject, predicate, literal, file, line
IllTyped = tuple[ox.NamedNode | ox.BlankNode, ox.NamedNode, ox.Literal, Path, int | None]


def ill_typed(sources: Sources) -> list[IllTyped]:
    """(subject, predicate, literal, file, line) of every ill-typed literal, in file order."""
    clauses = " || ".join(f'(datatype(?o) = xsd:{name} && !COALESCE(isLiteral(xsd:{name}(STR(?o))), false))'
                          for name in CHECKED)
    query = (f"PREFIX xsd: <{XSD_NS}> SELECT ?g ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
             f"FILTER(isLiteral(?o) && ({clauses})) }}")
    return _found(sources, query)


# Characters XML 1.0 cannot carry, not even as a character reference (XML 1.0 2.2, Char): a
# literal holding one makes RDF/XML and SPARQL XML results not well-formed. Tab, newline and
# carriage return are allowed; NUL no RDF parser here accepts.
NOT_XML = "\u0001-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF"
_NOT_XML = re.compile(f"[{NOT_XML}]")


def not_xml(sources: Sources) -> list[IllTyped]:
    """(subject, predicate, literal, file, line) of every literal holding a character XML cannot
    carry (``NOT_XML``), in file order."""
    query = ("SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } "
             f'FILTER(isLiteral(?o) && REGEX(STR(?o), "[{NOT_XML}]")) }}')
    return _found(sources, query)


# The end of an IRI RDF/XML names an element by (XML 1.0 NameStartChar, then NameChars, no ":"):
# each property, and the class a node is typed with. An IRI without one cannot be written.
_START = ("A-Z_a-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C\u200D"
          "\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\U00010000-\U000EFFFF")
_XML_NAME_END = re.compile(f"[{_START}][-.0-9\u00B7\u0300-\u036F\u203F\u2040{_START}]*$")


def unnamed_terms(sources: Sources) -> list[IllTyped]:
    """(subject, predicate, term, file, line): the first use of each property and each class of a
    node whose IRI ends in no XML name, so that RDF/XML cannot write it (pyoxigraph writes the
    element ``<oxprefix:>``, which no XML parser reads)."""
    found = []
    for query, variable in ((_DISTINCT_PREDICATES, "p"), (_DISTINCT_CLASSES, "c")):
        for row in sources.dataset.query(query):  # type: ignore[union-attr]
            term = row[variable]
            if isinstance(term, ox.NamedNode) and not _XML_NAME_END.search(term.value):
                predicate = term.value if variable == "p" else RDF_TYPE
                pattern = f"?s <{term.value}> ?x" if variable == "p" else f"?s <{RDF_TYPE}> <{term.value}>"
                found += _found(sources, f"SELECT ?g ?s ?p ?o WHERE {{ GRAPH ?g {{ {pattern} }} "
                                         f"BIND(<{predicate}> AS ?p) BIND(<{term.value}> AS ?o) }} LIMIT 1")
    return sorted(found, key=lambda hit: (str(hit[3]), hit[4] or 0, hit[0].value, hit[1].value))


_DISTINCT_PREDICATES = "SELECT DISTINCT ?p WHERE { GRAPH ?g { ?s ?p ?o } }"
_DISTINCT_CLASSES = f"SELECT DISTINCT ?c WHERE {{ GRAPH ?g {{ ?s <{RDF_TYPE}> ?c }} }}"


def first_not_xml(lexical: str) -> str:
    """The first character of ``lexical`` XML cannot carry, as ``U+000B``."""
    found = _NOT_XML.search(lexical)
    return f"U+{ord(found.group()):04X}" if found else ""


def _found(sources: Sources, query: str) -> list[IllTyped]:
    files = {source.graph: source.path for source in sources.files}
    found = []
    for row in sources.dataset.query(query):  # type: ignore[union-attr]
        path = files.get(row["g"].value)
        if path is None:
            continue
        found.append((row["s"], row["p"], row["o"], path,
                      _line(sources.site_dir / path, row["o"].value)))
    return sorted(found, key=lambda hit: (str(hit[3]), hit[4] or 0, hit[0].value, hit[1].value))


def _line(path: Path, lexical: str) -> int | None:
    """The first line of ``path`` holding the quoted lexical form (Turtle, TriG, JSON-LD), as
    it is or with its control characters written as ``\\uXXXX`` escapes."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    escaped = [_NOT_XML.sub(lambda m, f=form: f.format(ord(m.group())), lexical)
               for form in ("\\u{:04X}", "\\u{:04x}")]
    for quoted in (f'"{lexical}"', f"'{lexical}'", *(f'"{e}' for e in escaped), lexical):
        at = text.find(quoted)
        if at >= 0:
            return text.count("\n", 0, at) + 1
    return None


class QuietIllTyped(logging.Filter):
    """Drops rdflib's traceback for a literal it cannot convert: ``ill_typed`` reports them."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Failed to convert Literal lexical form")


def quiet_rdflib() -> None:
    logger = logging.getLogger(RDFLIB_LOGGER)
    if not any(isinstance(f, QuietIllTyped) for f in logger.filters):
        logger.addFilter(QuietIllTyped())
