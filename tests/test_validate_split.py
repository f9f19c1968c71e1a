"""A first validation split over forked workers reports exactly what one process reports, and
both report what plain pyshacl on rdflib's own graph finds (the engine's shortcuts change
nothing a user sees)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pyshacl
import pytest
from rdflib import BNode, Graph
from rdflib.namespace import SH
from rdflib.term import Node

from broken_site import BASE, write_broken_site
from regiold import validate
from regiold.ingest import sources
from regiold.validate import shacl as shacl_run
from regiold.validate.graph import IndexedGraph, rdflib_triples


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> sources.Sources:
    return sources.parse_site(write_broken_site(tmp_path_factory.mktemp("broken") / "site"),
                        base_iri=BASE)


@pytest.fixture(scope="module")
def single(broken: sources.Sources) -> validate.Report:
    return validate.run(broken, workers=1)


def test_the_broken_site_has_results_of_every_kind(single: validate.Report):
    assert single.count("Violation") > 150 and single.count("Warning") > 0
    assert any(not v.focus.startswith("http") for v in single.violations), "blank focus nodes"
    assert len({v.constraint for v in single.violations}) >= 12


@pytest.mark.parametrize("workers", [2, 3])
def test_workers_report_exactly_what_one_process_reports(broken: sources.Sources,
                                                         single: validate.Report, workers: int):
    split = validate.run(broken, workers=workers)
    assert split.violations == single.violations
    assert (split.conforms, split.nodes_checked, split.triples, split.files) == (
        single.conforms, single.nodes_checked, single.triples, single.files)
    assert _content(_graph(split.results_turtle)) == _content(_graph(single.results_turtle))


def test_a_killed_worker_means_validating_in_this_process(broken: sources.Sources,
                                                          single: validate.Report,
                                                          monkeypatch: pytest.MonkeyPatch,
                                                          caplog: pytest.LogCaptureFixture):
    monkeypatch.setattr(shacl_run, "_skip_result_descriptions", lambda: os._exit(9))
    assert validate.run(broken, workers=2).violations == single.violations
    assert "validating in this process instead" in caplog.text


def test_one_process_reports_what_plain_pyshacl_reports(broken: sources.Sources,
                                                        single: validate.Report):
    shapes = validate.inline_sparql_targets(broken.shapes_graph(), broken.dataset)
    data = sources.to_rdflib_graph(broken.quads)
    _, plain, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none",
                                   advanced=True, allow_warnings=True)
    assert _content(_graph(single.results_turtle)) == _content(plain)


def test_shares_split_every_shapes_focus_nodes_without_overlap(broken: sources.Sources):
    shapes = validate.inline_sparql_targets(broken.shapes_graph(), broken.dataset)
    data = IndexedGraph(rdflib_triples(broken.quads))
    shares = [shacl_run.split_targets(shapes, data, part, 3) for part in range(3)]
    for shape in set(shapes.subjects(SH.targetClass, None)) | set(
            shapes.subjects(SH.targetNode, None)):
        if isinstance(shape, BNode):
            continue
        expected = shacl_run.focus_nodes(shapes, data, shape)
        taken = [set(share.objects(shape, SH.targetNode)) for share in shares]
        assert set().union(*taken) == expected, shape
        assert sum(len(t) for t in taken) == len(expected), f"{shape}: a node in two shares"
        assert all(len(t) >= len(expected) // 3 for t in taken), f"{shape}: uneven shares"


def test_indexed_graph_answers_every_pattern_as_rdflib_does(broken: sources.Sources):
    triples = list(rdflib_triples(broken.quads))
    plain, indexed = Graph(), IndexedGraph(triples)
    for triple in triples:
        plain.add(triple)
    assert len(indexed) == len(plain)
    s, p, o = triples[7]
    for pattern in [(s, p, o), (s, p, None), (s, None, o), (s, None, None), (None, p, o),
                    (None, p, None), (None, None, o), (None, None, None)]:
        assert list(indexed.triples(pattern)) == list(plain.triples(pattern)) or set(
            indexed.triples(pattern)) == set(plain.triples(pattern)), pattern
    assert list(indexed.objects(s, p)) == list(plain.objects(s, p))
    assert list(indexed.objects(None, p)) == list(plain.objects(None, p))
    indexed.remove((s, None, None))
    plain.remove((s, None, None))
    assert set(indexed) == set(plain)


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_cli_prints_the_same_report_with_any_number_of_workers(mini_site: Path, fmt: str):
    orgs = mini_site / "data" / "orgs.ttl"
    orgs.write_text(orgs.read_text().replace('schema:name "Beta-Kreis"@de ;', ""))
    outputs = [_validate_cli(mini_site, workers, fmt) for workers in ("1", "2")]
    assert outputs[0] == outputs[1]
    assert "org/beta" in outputs[0]


def _validate_cli(site: Path, workers: str, fmt: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "regiold", "-s", "validate_workers", workers, "validate",
         "--data", str(site), "--format", fmt],
        capture_output=True, text=True, timeout=60, env={"PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 1, result.stderr
    # the time taken differs, and the blank-node labels of each parse
    return re.sub(r"\d+\.\d\d s", "N s", re.sub(r'"[0-9a-f]{20,32}"', '"_:b"', result.stdout))


def _graph(turtle: str) -> Graph:
    return Graph().parse(data=turtle, format="turtle")


def _content(results: Graph) -> list[str]:
    """A report graph as sorted text, blank nodes written out as the trees they are (their labels
    change with each Turtle round trip), so that equal text means equal graphs."""

    def node(term: Node, seen: frozenset[Node] = frozenset()) -> str:
        if not isinstance(term, BNode):
            return term.n3()
        if term in seen:
            return "[cycle]"
        return "[" + "; ".join(sorted(f"{p.n3()} {node(o, seen | {term})}"
                                      for p, o in results.predicate_objects(term))) + "]"

    objects = set(results.objects())
    return sorted([node(s) for s in set(results.subjects()) if isinstance(s, BNode)
                   and s not in objects] + [f"{s.n3()} {p.n3()} {node(o)}" for s, p, o in results
                                            if not isinstance(s, BNode)])
