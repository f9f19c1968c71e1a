"""SHACL validation of the sources with pyshacl, cached by content hash.

Returns a ``Report``; printing, exit codes and HTTP statuses belong to the callers.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH

from regiold.ingest.sources import Sources, to_rdflib_term
from regiold.validate import literals, shape_errors
from regiold.validate import shacl as shacl_run

CACHE_FORMAT = 6  # 2: ill-typed literals are warnings (validate/literals.py); 3: also in results_turtle;
# 4: literals XML cannot carry are violations; 5: so are properties and classes RDF/XML cannot name;
# 6: a violation names every file describing its focus node


@dataclass(frozen=True)
class Violation:
    focus: str
    focus_label: str | None
    path: str | None
    value: str | None
    severity: str  # "Violation" | "Warning" | "Info"
    messages: dict[str, str]  # language tag ("" when untagged) → message
    constraint: str  # the constraint component, e.g. sh:MinCountConstraintComponent
    shape: str | None
    file: str | None  # the files that describe the focus node, the defining one first

    def message(self, lang: str = "de") -> str:
        for key in (lang, "en", "de", ""):
            if key in self.messages:
                return self.messages[key]
        return next(iter(self.messages.values()), self.constraint.rsplit("#", 1)[-1])


@dataclass
class Report:
    conforms: bool
    violations: list[Violation]
    files: int
    triples: int
    nodes_checked: int
    seconds: float
    version: str
    results_turtle: str = field(default="", repr=False)
    cached: bool = False

    def count(self, severity: str) -> int:
        return sum(1 for v in self.violations if v.severity == severity)

    def fails(self, *, strict: bool = False) -> bool:
        """Violations always fail; warnings only when ``strict``."""
        return self.count("Violation") > 0 or (strict and self.count("Warning") > 0)

    def summary(self) -> str:
        state = "conforms" if not self.fails() else (
            f"{self.count('Violation')} violation(s), {self.count('Warning')} warning(s)")
        extra = f", {self.count('Warning')} warning(s)" if not self.fails() and self.count(
            "Warning") else ""
        return (f"{state}{extra}: {self.files} files, {self.triples} triples, "
                f"{self.nodes_checked} nodes checked, {self.seconds:.2f} s"
                f"{' (cached)' if self.cached else ''}")

    def text(self, lang: str = "de") -> str:
        """Human-readable report grouped by focus node, then one line per path/message."""
        groups: dict[str, list[Violation]] = defaultdict(list)
        for v in self.violations:
            groups[v.focus].append(v)
        lines = []
        for focus, items in groups.items():
            first = items[0]
            label = f"{first.focus_label} " if first.focus_label else ""
            lines.append(f"{label}<{focus}>  ({first.file or 'unknown file'})")
            for v in items:
                path = f"{_short(v.path)}: " if v.path else ""
                value = f" [value: {v.value}]" if v.value is not None else ""
                lines.append(f"  {v.severity}: {path}{v.message(lang)}{value}")
        lines.append(self.summary())
        return "\n".join(lines)

    def as_json(self) -> dict[str, object]:
        return {
            "conforms": self.conforms,
            "summary": self.summary(),
            "version": self.version,
            "violations": [asdict(v) for v in self.violations],
        }


def run(sources: Sources, *, cache_dir: Path | None = None, workers: int = 0) -> Report:
    """Validate ontology + data against shapes/. Reuses a cached report for unchanged files.

    ``workers`` forked processes share a first validation (0: one per CPU and 10,000 triples;
    1: this process only); the report is the same for any number (``shacl_run``).
    """
    cached = _read_cache(cache_dir, sources.version)
    if cached is not None:
        return cached
    start = time.perf_counter()
    shape_errors.check(sources)
    with shape_errors.applying(sources):
        shapes = inline_sparql_targets(sources.shapes_graph(), sources.dataset)
        literals.quiet_rdflib()
        outcome = shacl_run.validate(sources, shapes, workers=workers)
    found = [(literals.not_xml(sources), NOT_XML), (literals.unnamed_terms(sources), UNNAMED),
             (literals.ill_typed(sources), ILL_TYPED)]
    violations = _violations(outcome.results, outcome.labels, sources)
    for hits, check in found:
        violations += _literal_violations(hits, check)
        _add_literal_results(outcome.results, hits, check)
    report = Report(
        conforms=outcome.conforms and not any(v.severity == "Violation" for v in violations),
        violations=violations,
        files=len(sources.files),
        triples=sources.triple_count,
        nodes_checked=outcome.nodes_checked,
        seconds=time.perf_counter() - start,
        version=sources.version,
        results_turtle=outcome.results.serialize(format="turtle"),
    )
    _write_cache(cache_dir, report)
    return report


def inline_sparql_targets(shapes: Graph, data: ox.Store) -> Graph:
    """Evaluate each ``sh:SPARQLTarget`` once with pyoxigraph and list its nodes as ``sh:targetNode``.

    The same SELECT over the same data, run by a faster engine: pyshacl evaluates these targets
    with rdflib's SPARQL, which took over half of the validation time (docs/performance.md). Targets
    with ``sh:prefixes`` get their declarations; parameterised target types are left to pyshacl.
    """
    targets = [(shape, target) for shape, target in shapes.subject_objects(SH.target)
               if (target, RDF.type, SH.SPARQLTarget) in shapes and shapes.value(target, SH.select)]
    if not targets:
        return shapes
    out = Graph()
    for triple in shapes:
        out.add(triple)
    for shape, target in targets:
        query = _prefix_declarations(shapes, target) + str(shapes.value(target, SH.select))
        nodes = [row["this"] for row in data.query(query, use_default_graph_as_union=True)
                 if row["this"] is not None]
        out.remove((shape, SH.target, target))
        for node in nodes:
            out.add((shape, SH.targetNode, to_rdflib_term(node)))
    return out


def _prefix_declarations(shapes: Graph, target: object) -> str:
    lines = []
    for source in shapes.objects(target, SH.prefixes):  # type: ignore[arg-type]
        for declaration in shapes.objects(source, SH.declare):
            prefix, namespace = shapes.value(declaration, SH.prefix), shapes.value(declaration, SH.namespace)
            if prefix is not None and namespace is not None:
                lines.append(f"PREFIX {prefix}: <{namespace}>\n")
    return "".join(lines)


def _violations(results: Graph, labels: dict, sources: Sources) -> list[Violation]:
    out = []
    for result in results.subjects(SH.resultSeverity, None):
        focus = results.value(result, SH.focusNode)
        value = results.value(result, SH.value)
        path = results.value(result, SH.resultPath)
        messages = dict(sorted((m.language or "", str(m))  # one order, however results came
                               for m in results.objects(result, SH.resultMessage)
                               if isinstance(m, Literal)))
        out.append(Violation(
            focus=str(focus),
            focus_label=labels.get(focus),
            path=str(path) if isinstance(path, URIRef) else (None if path is None else str(path)),
            value=None if value is None else str(value),
            severity=str(results.value(result, SH.resultSeverity)).rsplit("#", 1)[-1],
            messages=messages,
            constraint=str(results.value(result, SH.sourceConstraintComponent)),
            shape=_opt(results.value(result, SH.sourceShape)),
            file=", ".join(p.as_posix() for p in sources.describing_files(str(focus))) or None,
        ))
    order = {"Violation": 0, "Warning": 1, "Info": 2}
    return sorted(out, key=lambda v: (order.get(v.severity, 3), v.focus, v.path or "",
                                      v.constraint, v.shape or "", v.value or "",
                                      sorted(v.messages.items())))


@dataclass(frozen=True)
class _LiteralCheck:
    """A check of literals outside SHACL (validate/literals.py) and how its findings read."""
    severity: URIRef  # sh:Violation or sh:Warning
    constraint: str  # the report's constraint name (text and JSON)
    component: URIRef  # the SHACL constraint component a shape would report it under
    de: str  # messages, formatted with place, value, datatype and character
    en: str


ILL_TYPED = _LiteralCheck(SH.Warning, "ill-typed literal", SH.DatatypeConstraintComponent,
                          '{place}: "{value}" ist kein gültiger Wert für {datatype}',
                          '{place}: "{value}" is not a valid {datatype}')
NOT_XML = _LiteralCheck(SH.Violation, "character XML cannot carry", SH.PatternConstraintComponent,
                        "{place}: der Text enthält das Steuerzeichen {char}, das XML (RDF/XML, "
                        "SPARQL-XML-Ergebnisse) nicht darstellen kann; bitte entfernen",
                        "{place}: the text holds the control character {char}, which XML (RDF/XML, "
                        "SPARQL XML results) cannot carry; remove it")
UNNAMED = _LiteralCheck(SH.Violation, "IRI RDF/XML cannot write", SH.NodeKindConstraintComponent,
                        "{place}: <{value}> kann in RDF/XML nicht geschrieben werden: als Eigenschaft "
                        "oder Klasse muss die IRI auf einen Namen enden (Buchstabe oder _ nach dem "
                        "letzten / oder #)",
                        "{place}: <{value}> cannot be written in RDF/XML: as a property or class its "
                        "IRI must end in a name (a letter or _ after the last / or #)")


def _literal_violations(found: list[literals.IllTyped], check: _LiteralCheck) -> list[Violation]:
    return [Violation(focus=subject.value, focus_label=None, path=predicate.value, value=str(literal),
                      severity=_short(str(check.severity)),
                      messages=_literal_messages(literal, _place(path, line), check),
                      constraint=check.constraint, shape=None, file=_place(path, line))
            for subject, predicate, literal, path, line in found]


def _add_literal_results(results: Graph, found: list[literals.IllTyped], check: _LiteralCheck) -> None:
    """The findings in the SHACL results graph (``--format turtle``), as a shape would report
    them: the text and JSON reports list them, so must this one."""
    report = results.value(predicate=RDF.type, object=SH.ValidationReport)
    if report is None:
        return
    if found and check.severity == SH.Violation:
        results.set((report, SH.conforms, Literal(False)))
    for subject, predicate, literal, path, line in found:
        result = BNode()
        results.add((report, SH.result, result))
        messages = _literal_messages(literal, _place(path, line), check)
        for p, o in ((RDF.type, SH.ValidationResult), (SH.resultSeverity, check.severity),
                     (SH.focusNode, to_rdflib_term(subject)), (SH.resultPath, to_rdflib_term(predicate)),
                     (SH.value, to_rdflib_term(literal)), (SH.sourceConstraintComponent, check.component),
                     *((SH.resultMessage, Literal(text, lang=lang)) for lang, text in messages.items())):
            results.add((result, p, o))


def _place(path: Path, line: int | None) -> str:
    return f"{path.as_posix()}:{line}" if line else path.as_posix()


def _literal_messages(literal: ox.Literal, place: str, check: _LiteralCheck) -> dict[str, str]:
    datatype = literal.datatype.value if isinstance(literal, ox.Literal) else ""
    values = {"place": place, "value": literal.value, "char": literals.first_not_xml(literal.value),
              "datatype": "xsd:" + datatype.rsplit("#", 1)[-1]}
    return {"de": check.de.format(**values), "en": check.en.format(**values)}


def _opt(value: object) -> str | None:
    return None if value is None else str(value)


def _short(iri: str) -> str:
    return iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1] if "://" in iri else iri


def _cache_file(cache_dir: Path, version: str) -> Path:
    # pyshacl's version from its package metadata: importing pyshacl for it would cost a cached
    # start 0.3 s (shacl.validate imports it when it validates)
    return cache_dir / f"validation-{version}-{metadata.version('pyshacl')}-{CACHE_FORMAT}.json"


def _read_cache(cache_dir: Path | None, version: str) -> Report | None:
    if cache_dir is None:
        return None
    try:
        raw = json.loads(_cache_file(cache_dir, version).read_text())
        raw["violations"] = [Violation(**v) for v in raw["violations"]]
        return Report(**{**raw, "cached": True})
    except (OSError, ValueError, TypeError, KeyError):
        return None  # no cache, or one from another version: validate again


def _write_cache(cache_dir: Path | None, report: Report) -> None:
    if cache_dir is None:
        return
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        target = _cache_file(cache_dir, report.version)
        tmp = target.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(report)))
        tmp.replace(target)
    except OSError:
        pass  # a read-only checkout still validates, just without the cache
