"""The documents name the tests that prove their claims: every named test exists.

A reference is ``tests/test_x.py::test_name`` or, after one, ``::test_name`` (same file), or a
test file alone; a renamed or deleted test leaves a claim unproven, so it fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
REFERENCE = re.compile(r"(tests/[\w/]+\.py)?(?:::(\w+))?")


def references(text: str) -> list[tuple[str, str | None]]:
    """(file, test or None) for each reference, ``::name`` resolved against the last file named."""
    found, current = [], None
    for match in re.finditer(r"tests/[\w/]+\.py(?:::\w+)?|::\w+", text):
        file, test = REFERENCE.fullmatch(match.group()).groups()
        current = file or current
        if current is not None:
            found.append((current, test))
    return found


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.name)
def test_every_test_a_document_names_exists(document: Path):
    missing = []
    for file, test in references(document.read_text(encoding="utf-8")):
        path = ROOT / file
        if not path.is_file():
            missing.append(file)
        elif test and not re.search(rf"^(?:(?:async )?def {test}\(|class {test}\b)", path.read_text(),
                                    re.M):  # a test, or a helper the document points to
            missing.append(f"{file}::{test}")
    assert missing == [], f"{document.name} names tests that do not exist"


def test_every_bare_test_name_exists_somewhere():
    """Names without a file (`test_x`, as in docs/SECURITY.md's SPARQL table) exist in tests/."""
    defined = {name for path in (ROOT / "tests").glob("test_*.py")
               for name in re.findall(r"^(?:async )?def (test_\w+)\(", path.read_text(), re.M)}
    named = {name for document in DOCUMENTS
             for name in re.findall(r"`(test_\w+)`", document.read_text(encoding="utf-8"))}
    assert named and named - defined == set()


def test_references_are_read_in_context():
    text = "`tests/test_a.py::test_one`, `::test_two` and `tests/test_b.py`, then `::test_three`"
    assert references(text) == [("tests/test_a.py", "test_one"), ("tests/test_a.py", "test_two"),
                                ("tests/test_b.py", None), ("tests/test_b.py", "test_three")]
