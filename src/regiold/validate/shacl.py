"""Run pyshacl over the sources: in the calling process, or split over forked worker processes.

SHACL results are the union of the results for each (shape, focus node) pair, so the pairs can
be shared out. Every worker builds the whole data graph (a focus node's checks reach its
neighbours), works out every shape's focus nodes the way pyshacl does, keeps every
``parts``-th of them (in a sorted order, so the shares do not overlap) as ``sh:targetNode``
lists in its copy of the shapes, and validates. The parent merges the results into one report
graph. The big rdflib graphs live only in the workers, so a serving process that validates
before it forks its own workers does not keep them.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field

import rdflib
from rdflib import BNode, Graph, Literal
from rdflib.namespace import RDF, RDFS, SH, SKOS

from regiold.ingest.sources import Sources
from regiold.rdf.namespaces import SDO
from regiold.validate.graph import IndexedGraph, rdflib_triples, same_objects

log = logging.getLogger(__name__)
_LABELS = (SDO.name, RDFS.label, SKOS.prefLabel)
_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)
_ADVANCED = (SH.target, SH.rule, SH.expression)  # what pyshacl's SHACL-AF mode is needed for
_ADVANCED_TYPES = (SH.SPARQLFunction, SH.JSFunction, SH.SPARQLTargetType, SH.JSTargetType)
_Term = rdflib.term.Node
TRIPLES_PER_WORKER = 10_000  # at 10^4 triples two processes already beat one (docs/performance.md)


@dataclass
class Outcome:
    """pyshacl's answer for the whole data, plus what the report needs from the data graph."""

    conforms: bool
    results: Graph  # one sh:ValidationReport
    labels: dict[_Term, str | None]  # focus node → its label
    nodes_checked: int


@dataclass
class _Share:
    conforms: bool
    triples: list[tuple[_Term, _Term, _Term]]  # the report graph's triples
    labels: dict[_Term, str | None]
    nodes_checked: int


@dataclass
class _Job:
    sources: Sources
    shapes: Graph
    built: dict[str, object] = field(default_factory=dict)  # per process: the data graph


_JOB: _Job | None = None  # what forked workers inherit


def worker_count(triples: int) -> int:
    """One process per CPU, but at most one per ``TRIPLES_PER_WORKER`` triples: below that,
    starting a process and building its graph costs more than the share saves."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, triples // TRIPLES_PER_WORKER))


def validate(sources: Sources, shapes: Graph, *, workers: int = 0) -> Outcome:
    """Validate ``sources`` against ``shapes`` with pyshacl in ``workers`` processes (0: see
    ``worker_count``). One worker, a platform without ``fork``, or shapes that cannot be split
    (implicit class targets) validate in this process."""
    import pyshacl  # noqa: F401 - first needed here (a cached report needs none of it: 0.3 s of a
    # command's start); imported before the workers fork, so that they inherit it
    workers = workers if workers > 0 else worker_count(sources.triple_count)
    job = _Job(sources, shapes)
    if workers == 1 or not _can_split(shapes):
        return _in_process(job)
    global _JOB
    _JOB = job
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            shares = list(pool.map(_forked_share, range(workers), [workers] * workers))
    except (BrokenProcessPool, OSError) as exc:  # a worker was killed (memory?) or none started
        log.warning("validation workers failed (%s); validating in this process instead", exc)
        return _in_process(job)
    finally:
        _JOB = None
    return _merge(shares, shapes)


def _in_process(job: _Job) -> Outcome:
    conforms, results, labels, nodes_checked = _validate_share(job, 0, 1)
    return Outcome(conforms, results, labels, nodes_checked)


def _can_split(shapes: Graph) -> bool:
    """Needs ``fork``, and no class in the shapes graph: a shape that is also a class targets
    its instances implicitly, which ``split_targets`` cannot take away from a share."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return False
    classes = {RDFS.Class, *shapes.transitive_subjects(RDFS.subClassOf, RDFS.Class)}
    return not any((None, RDF.type, cls) in shapes for cls in classes)


def _forked_share(part: int, parts: int) -> _Share:
    assert _JOB is not None, "runs in a worker forked by validate()"
    _skip_result_descriptions()
    _data_graph(_JOB)
    gc.freeze()  # the collector need not walk the graph again (the process ends after the share)
    conforms, results, labels, nodes_checked = _validate_share(_JOB, part, parts)
    return _Share(conforms, list(results), labels, nodes_checked)


def _validate_share(job: _Job, part: int, parts: int) -> tuple[bool, Graph, dict, int]:
    import pyshacl  # imported by validate() already

    data = _data_graph(job)
    shapes = job.shapes if parts == 1 else split_targets(job.shapes, data, part, parts)
    _index_constraint_parameters()
    conforms, results, _ = pyshacl.validate(
        data, shacl_graph=IndexedGraph(same_objects(shapes, _terms(job))), inference="none",
        advanced=_needs_advanced(shapes), allow_warnings=True, inplace=True,
    )
    labels = {focus: _label(data, focus) for focus in set(results.objects(None, SH.focusNode))}
    nodes_checked = _nodes_checked(data, job.shapes) if part == 0 else 0
    return bool(conforms), results, labels, nodes_checked


def _data_graph(job: _Job) -> IndexedGraph:
    """The sources as one rdflib graph, built once per process. The collector is paused while
    the millions of index dicts are made: none of them is garbage."""
    if "data" not in job.built:
        collecting = gc.isenabled()
        gc.disable()
        try:
            quads = (quad for source in job.sources.files if source.kind != "shapes"
                     for quad in job.sources.graph_quads(source))
            job.built["data"] = IndexedGraph(rdflib_triples(quads, _terms(job).values()))
        finally:
            if collecting:
                gc.enable()
    return job.built["data"]  # type: ignore[return-value]


def _terms(job: _Job) -> dict[_Term, _Term]:
    """One object for each IRI that pyshacl, the shapes and the data share (pyshacl's constants
    first): most of pyshacl's lookups then find their key by identity."""
    if "terms" not in job.built:
        from pyshacl import consts

        terms = {v: v for v in vars(consts).values() if isinstance(v, rdflib.URIRef)}
        for _ in same_objects(job.shapes, terms):
            pass
        job.built["terms"] = terms
    return job.built["terms"]  # type: ignore[return-value]


def split_targets(shapes: Graph, data: Graph, part: int, parts: int) -> Graph:
    """A copy of ``shapes`` whose targets select only share ``part`` of ``parts``.

    Named shapes get explicit ``sh:targetNode`` lists: their focus nodes in a fixed order, every
    ``parts``-th, continuing the count from shape to shape so that the shares stay even. A blank
    shape (pyshacl copies it, targets and all, into its results) or one with a custom target is
    left whole to share 0.
    """
    out = IndexedGraph(shapes)
    count = 0
    for shape in _shapes_with_targets(shapes):
        whole = isinstance(shape, BNode) or (shape, SH.target, None) in shapes
        if whole and part == 0:
            continue
        nodes = [] if whole else sorted(focus_nodes(shapes, data, shape), key=_order)
        for target in _TARGETS:
            out.remove((shape, target, None))
        for index, node in enumerate(nodes, start=count):
            if index % parts == part:
                out.add((shape, SH.targetNode, node))
        count += len(nodes)
    return out


def focus_nodes(shapes: Graph, data: Graph, shape: _Term) -> set[_Term]:
    """The nodes a shape's targets select in ``data``, as pyshacl finds them (SHACL 2.1.3)."""
    nodes: set[_Term] = set(shapes.objects(shape, SH.targetNode))  # type: ignore[arg-type]
    for cls in shapes.objects(shape, SH.targetClass):  # type: ignore[arg-type]
        for sub in data.transitive_subjects(RDFS.subClassOf, cls):  # cls itself first
            nodes.update(data.subjects(RDF.type, sub))
    for predicate in shapes.objects(shape, SH.targetSubjectsOf):  # type: ignore[arg-type]
        nodes.update(data.subjects(predicate, None))  # type: ignore[arg-type]
    for predicate in shapes.objects(shape, SH.targetObjectsOf):  # type: ignore[arg-type]
        nodes.update(data.objects(None, predicate))  # type: ignore[arg-type]
    return nodes


def _shapes_with_targets(shapes: Graph) -> list[_Term]:
    found: dict[_Term, None] = {}
    for target in _TARGETS:
        found.update(dict.fromkeys(shapes.subjects(target, None)))
    return sorted(found, key=_order)


def _order(node: _Term) -> tuple[str, str, str, str]:
    return (type(node).__name__, str(node), str(getattr(node, "datatype", "") or ""),
            str(getattr(node, "language", "") or ""))


def _merge(shares: list[_Share], shapes: Graph) -> Outcome:
    """One report graph from the shares' graphs, as a single pyshacl run would have made it."""
    results = Graph(bind_namespaces="core")
    for prefix, namespace in shapes.namespace_manager.namespaces():
        results.namespace_manager.bind(prefix, namespace)
    report = BNode()
    conforms = all(share.conforms for share in shares)
    results.add((report, RDF.type, SH.ValidationReport))
    results.add((report, SH.conforms, Literal(conforms)))
    labels: dict[_Term, str | None] = {}
    for share in shares:
        reports = {s for s, p, o in share.triples if p == RDF.type and o == SH.ValidationReport}
        for s, p, o in share.triples:
            if s not in reports:
                results.add((s, p, o))
            elif p == SH.result:
                results.add((report, p, o))
        labels.update(share.labels)
    return Outcome(conforms, results, labels, sum(share.nodes_checked for share in shares))


def _needs_advanced(shapes: Graph) -> bool:
    """SHACL-AF only for what needs it: its mode costs about a tenth of the time, and the SPARQL
    targets have been inlined already (validate.inline_sparql_targets)."""
    return any((None, p, None) in shapes for p in _ADVANCED) or any(
        (None, RDF.type, t) in shapes for t in _ADVANCED_TYPES)


class _ParameterList(list):  # type: ignore[type-arg]
    """pyshacl's list of constraint parameters, with membership tests by hash.

    pyshacl asks ``predicate in CONSTRAINT_PARAMETERS`` for every predicate of a shape each time
    it evaluates the shape, nested shapes once per value node; on a list that is ~60 Python-level
    ``URIRef.__eq__`` calls each time, about a fifth of all validation time.
    """

    def __init__(self, items: list[_Term]) -> None:
        super().__init__(items)
        self._members = set(items)

    def __contains__(self, item: object) -> bool:
        return item in self._members

    def copy(self) -> _ParameterList:  # type: ignore[override]
        return _ParameterList(self)

    def append(self, item: _Term) -> None:
        super().append(item)
        self._members.add(item)


def _index_constraint_parameters() -> None:
    """Put a ``_ParameterList`` where pyshacl caches its parameter list (``pyshacl.shape`` sets
    ``CONSTRAINT_PARAMS`` on first use). Same members, same order; does nothing if a pyshacl
    version keeps them elsewhere."""
    from pyshacl import shape as shape_module

    try:
        from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS, CONSTRAINT_PARAMETERS_MAP
    except ImportError:
        return
    cached = getattr(shape_module, "CONSTRAINT_PARAMS", None)
    if isinstance(ALL_CONSTRAINT_PARAMETERS, list) and not isinstance(
            cached and cached[0], _ParameterList):
        shape_module.CONSTRAINT_PARAMS = (  # type: ignore[attr-defined]
            _ParameterList(ALL_CONSTRAINT_PARAMETERS), CONSTRAINT_PARAMETERS_MAP)


def _skip_result_descriptions() -> None:
    """In a worker only (the change ends with its process): pyshacl writes a text description of
    every result it makes, nested ones that an sh:or or a qualified shape drops included, for
    the text report that ``validate()`` never reads. About a fifth of the validation time."""
    from pyshacl.constraints.constraint_component import ConstraintComponent

    if hasattr(ConstraintComponent, "make_v_result_description"):
        ConstraintComponent.make_v_result_description = _no_description  # type: ignore[method-assign]


def _no_description(*_args: object, **_kwargs: object) -> str:
    return ""


def _label(graph: Graph, node: object) -> str | None:
    for prop in _LABELS:
        labels = list(graph.objects(node, prop))  # type: ignore[arg-type]
        for lit in sorted(labels, key=lambda x: (getattr(x, "language", "") != "de", str(x))):
            return str(lit)
    return None


def _nodes_checked(data: Graph, shapes: Graph) -> int:
    """Distinct nodes that a shape targets by class (the nodes the report speaks for)."""
    targets: set[object] = set()
    for cls in set(shapes.objects(None, SH.targetClass)):
        targets.update(data.subjects(predicate=None, object=cls, unique=True))
    return len(targets)

