"""bench/gen.py: scale data that is valid with the real shapes, deterministic, and loads."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from regiold import validate
from regiold.ingest import sources
from regiold.store import EmbeddedStore

ROOT = Path(__file__).resolve().parents[1]
BASE = "https://w3id.org/regionen-nrw/"
MEMBERS = """SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE {
    ?ms <http://www.w3.org/ns/org#organization> <org/regionen-nrw> ;
        <http://www.w3.org/ns/org#member> ?m }"""

pytestmark = pytest.mark.skipif(not (ROOT / "data" / "partners").is_dir(),
                                reason="needs the real model (data/partners/)")


def gen():
    spec = importlib.util.spec_from_file_location("gen", ROOT / "bench" / "gen.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["gen"] = module  # dataclasses resolve string annotations through sys.modules
    spec.loader.exec_module(module)
    return module


def members(site: Path) -> int:
    store = EmbeddedStore.from_sources(sources.parse_site(site, base_iri=BASE))
    return int(store.select(MEMBERS)[0]["n"].value)


def test_generated_partners_are_valid_with_the_real_shapes(tmp_path: Path):
    gen().generate(ROOT, tmp_path / "site", orgs=6, seed=3)
    parsed = sources.parse_site(tmp_path / "site", base_iri=BASE)
    report = validate.run(parsed)
    assert not report.fails(), report.text("en")
    assert members(tmp_path / "site") == members(ROOT) + 6


def test_generation_is_deterministic_and_the_seed_matters(tmp_path: Path):
    module = gen()
    outputs = {}
    for name, seed in (("a", 1), ("b", 1), ("c", 2)):
        module.generate(ROOT, tmp_path / name, orgs=40, seed=seed)
        outputs[name] = sources.parse_site(tmp_path / name, base_iri=BASE).version
    assert outputs["a"] == outputs["b"] != outputs["c"]


def test_generated_files_use_relative_iris(tmp_path: Path):
    gen().generate(ROOT, tmp_path / "site", orgs=2)
    text = (tmp_path / "site" / "data" / "generated" / "partners-00000.ttl").read_text()
    assert "<org/" in text and BASE not in text
