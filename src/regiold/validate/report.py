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

CACHE_FORMAT = 4  # 2: ill-typed literals are warnings (validate/literals.py); 3: also in results_turtle;
# 4: a violation names every file describing its focus node


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
    ill_typed = literals.ill_typed(sources)
    violations = _violations(outcome.results, outcome.labels, sources) + _ill_typed(ill_typed)
    _add_ill_typed_results(outcome.results, ill_typed)
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


def _ill_typed(found: list[literals.IllTyped]) -> list[Violation]:
    return [Violation(focus=subject.value, focus_label=None, path=predicate.value, value=str(literal),
                      severity="Warning", messages=_ill_typed_messages(literal, _place(path, line)),
                      constraint="ill-typed literal", shape=None, file=_place(path, line))
            for subject, predicate, literal, path, line in found]


def _add_ill_typed_results(results: Graph, found: list[literals.IllTyped]) -> None:
    """The ill-typed literals as warnings in the SHACL results graph (``--format turtle``), as
    ``sh:datatype`` would report them: the text and JSON reports list them, so must this one."""
    report = results.value(predicate=RDF.type, object=SH.ValidationReport)
    if report is None:
        return
    for subject, predicate, literal, path, line in found:
        result = BNode()
        results.add((report, SH.result, result))
        messages = _ill_typed_messages(literal, _place(path, line))
        for p, o in ((RDF.type, SH.ValidationResult), (SH.resultSeverity, SH.Warning),
                     (SH.focusNode, to_rdflib_term(subject)), (SH.resultPath, to_rdflib_term(predicate)),
                     (SH.value, to_rdflib_term(literal)),
                     (SH.sourceConstraintComponent, SH.DatatypeConstraintComponent),
                     *((SH.resultMessage, Literal(text, lang=lang)) for lang, text in messages.items())):
            results.add((result, p, o))


def _place(path: Path, line: int | None) -> str:
    return f"{path.as_posix()}:{line}" if line else path.as_posix()


def _ill_typed_messages(literal: ox.Literal, place: str) -> dict[str, str]:
    datatype = "xsd:" + literal.datatype.value.rsplit("#", 1)[-1]
    return {"de": f"{place}: \"{literal.value}\" ist kein gültiger Wert für {datatype}",
            "en": f"{place}: \"{literal.value}\" is not a valid {datatype}"}


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
