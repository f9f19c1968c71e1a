"""The IRI scheme of docs/ARCHITECTURE.md and docs/MODEL.md, held by every file of the model."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from regiold.ingest import sources

ROOT = Path(__file__).resolve().parents[1]
BASE = "https://w3id.org/regionen-nrw/"
OTHER = "http://localhost:8080/x/"
SLUG = r"[a-z0-9]+(?:-[a-z0-9]+)*"
PATHS = re.compile(rf"""^(?:
      org/{SLUG}(?:/board|/(?:post|membership|service|contact|address)/{SLUG})?
    | person/{SLUG}
    | area/{SLUG}
    | source/{SLUG}
    | def/(?:[A-Za-z][A-Za-z0-9]*|{SLUG}|{SLUG}/{SLUG})?
    | dataset | catalog
    | dataset/version/{SLUG}
    | shapes/[A-Za-z][A-Za-z0-9-]*
)$""", re.X)
MODEL_FILES = sorted(p for kind in ("ontology", "data", "shapes") for p in (ROOT / kind).rglob("*.ttl"))


@pytest.fixture(scope="module")
def loaded() -> sources.Sources:
    return sources.parse_site(ROOT, base_iri=BASE)


def under_base(loaded: sources.Sources, base: str) -> set[str]:
    quads = [*loaded.quads, *loaded.shape_quads]
    return {t.value[len(base):] for q in quads for t in (q.subject, q.predicate, q.object)
            if t.value.startswith(base) and "/graph/" not in f"/{t.value[len(base):]}"}


def test_every_iri_under_the_base_follows_the_scheme(loaded: sources.Sources):
    paths = under_base(loaded, BASE)
    assert {p for p in paths if not PATHS.match(p)} == set()
    assert any(p.startswith("org/") for p in paths) and any(p.startswith("def/") for p in paths)


@pytest.mark.parametrize("path", MODEL_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_files_use_relative_iris_only(path: Path):
    code = re.sub(r'"""(?:.|\n)*?"""|"[^"\n]*"', '""', path.read_text())  # strings out
    code = re.sub(r"(?m)(^|\s)#.*$", "", code)  # comments out (IRIs have no " #")
    assert "@base" not in code and "BASE " not in code.upper()
    assert "w3id.org" not in code, "the canonical base is written into the file: use a relative IRI"


def test_the_same_files_publish_under_another_base(loaded: sources.Sources):
    other = sources.parse_site(ROOT, base_iri=OTHER)
    assert len(other.quads) == len(loaded.quads)
    assert under_base(other, OTHER) == under_base(loaded, BASE)
    assert not any(BASE in t.value for q in other.quads for t in (q.subject, q.predicate, q.object))


def test_dependent_nodes_belong_to_an_organisation_that_exists(loaded: sources.Sources):
    subjects = {q.subject.value for q in loaded.quads}
    for path in under_base(loaded, BASE):
        match = re.match(rf"^(org/{SLUG})/", path)
        if match:
            assert BASE + match.group(1) in subjects, path
