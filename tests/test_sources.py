from pathlib import Path

import pytest

from regiold.errors import SourceError
from regiold.ingest import sources

BASE = "https://w3id.org/regionen-nrw/"


def test_relative_iris_resolve_against_the_configured_base(mini_site: Path):
    loaded = sources.parse_site(mini_site, base_iri="https://example.org/x/")
    subjects = {q.subject.value for q in loaded.quads}
    assert "https://example.org/x/org/alpha" in subjects


def test_each_file_is_its_own_named_graph(mini_site: Path):
    loaded = sources.parse_site(mini_site, base_iri=BASE)
    graphs = {f.path.as_posix(): f.graph for f in loaded.files}
    assert graphs["data/orgs.ttl"] == BASE + "graph/data/orgs"
    people = [f for f in loaded.files if f.personal]
    assert [f.path.as_posix() for f in people] == ["data/people/staff.ttl"]


def test_person_data_can_be_withheld(mini_site: Path):
    loaded = sources.parse_site(mini_site, base_iri=BASE)
    withheld = loaded.published_quads(include_persons=False)
    assert len(withheld) < len(loaded.quads)
    assert not any("anna" in q.subject.value for q in withheld)


def test_syntax_error_names_file_line_and_column(mini_site: Path):
    bad = mini_site / "data" / "broken.ttl"
    bad.write_text('@prefix schema: <https://schema.org/> .\n\n<org/x> schema:name "X" "Y" .\n')
    with pytest.raises(SourceError) as info:
        sources.parse_site(mini_site, base_iri=BASE)
    assert info.value.path == "data/broken.ttl"
    assert info.value.line == 3
    assert str(info.value).startswith("data/broken.ttl:3:")


def test_version_changes_with_content_and_base(mini_site: Path):
    first = sources.parse_site(mini_site, base_iri=BASE).version
    assert sources.parse_site(mini_site, base_iri=BASE).version == first
    assert sources.parse_site(mini_site, base_iri="https://example.org/").version != first
    (mini_site / "data" / "orgs.ttl").write_text(
        (mini_site / "data" / "orgs.ttl").read_text() + "\n# edited\n")
    assert sources.parse_site(mini_site, base_iri=BASE).version != first


def test_missing_folder_is_named(tmp_path: Path):
    with pytest.raises(SourceError, match="missing folder ontology/"):
        sources.parse_site(tmp_path, base_iri=BASE)


def test_loading_never_writes_to_the_inputs(mini_site: Path):
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in mini_site.rglob("*.ttl")}
    sources.parse_site(mini_site, base_iri=BASE)
    after = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in mini_site.rglob("*.ttl")}
    assert before == after


@pytest.mark.parametrize("suffix", [".ttl", ".nt"])
def test_a_byte_order_mark_is_named_not_shown_as_an_invisible_character(mini_site: Path,
                                                                        suffix: str):
    # Windows editors save UTF-8 with a byte order mark; Turtle and N-Triples are UTF-8 text
    # whose grammar has no place for U+FEFF (RDF 1.1 Turtle 6, N-Triples 7). Before, the error
    # read "data/orgs.ttl:1:1: \ufeff is not a valid subject or graph name": the culprit invisible.
    bom = mini_site / "data" / f"bom{suffix}"
    bom.write_bytes(b"\xef\xbb\xbf<http://example.org/x> <http://example.org/p> \"v\" .\n")
    with pytest.raises(SourceError) as info:
        sources.parse_site(mini_site, base_iri=BASE)
    assert str(info.value).startswith(f"data/bom{suffix}:1:1: ")
    assert "byte order mark" in info.value.message and "\ufeff" not in info.value.message
