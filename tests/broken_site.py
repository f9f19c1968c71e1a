"""A copy of the repository's site with every negative case of test_model_shapes applied at once:
data that breaks every constraint in shapes/, as files on disk (for tests and benchmarks that
need a report full of results, with blank-node focus nodes, SPARQL targets and nested shapes).

Each source file keeps its path stem (written as N-Triples, so the graph IRI stays the same) and
loses the triples the updates removed; added triples go to ``data/zz-broken.nt``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox

from model_support import PREFIXES
from regiold.ingest import sources

ROOT = Path(__file__).resolve().parents[1]
BASE = "https://w3id.org/regionen-nrw/"


def write_broken_site(target: Path, *, root: Path = ROOT) -> Path:
    """Write the broken copy of ``root``'s site into ``target`` (which must not exist)."""
    from test_model_shapes import CASES  # the cases are the test module's own table

    loaded = sources.parse_site(root, base_iri=BASE)
    before = {ox.Triple(q.subject, q.predicate, q.object) for q in loaded.quads}
    store = ox.Store()
    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in before)
    for case in CASES:
        store.update(PREFIXES + case.update, base_iri=BASE)
    after = {ox.Triple(q.subject, q.predicate, q.object) for q in store}
    by_graph: dict[str, list[ox.Triple]] = {f.graph: [] for f in loaded.files}
    for q in loaded.quads:
        triple = ox.Triple(q.subject, q.predicate, q.object)
        if triple in after:
            by_graph[q.graph_name.value].append(triple)
    shutil.copytree(root / "shapes", target / "shapes")
    for file in loaded.files:
        if file.kind != "shapes":
            _write(target / file.path.with_suffix(".nt"), by_graph[file.graph])
    _write(target / "data" / "zz-broken.nt", sorted(after - before, key=str))
    return target


def _write(path: Path, triples: list[ox.Triple]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"")
