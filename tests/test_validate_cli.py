"""`regiold validate` as a user runs it: a real subprocess, its exit code and its words."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import rdflib


def validate(site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "regiold", "validate", "--data", str(site), *args],
        capture_output=True, text=True, timeout=60,
        # PYTHONPATH kept: a worktree's src/ must be what runs, not the editable install's
        env={"PATH": "/usr/bin:/bin", **{k: v for k, v in os.environ.items() if k == "PYTHONPATH"}},
    )


def test_clean_data_exits_0_with_a_one_line_summary(mini_site: Path):
    result = validate(mini_site)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    assert "conforms" in lines[0] and "triples" in lines[0] and "nodes checked" in lines[0]


def test_syntax_error_exits_2_naming_the_place(mini_site: Path):
    (mini_site / "data" / "orgs.ttl").write_text("@prefix schema: <https://schema.org/> .\n"
                                                 "<org/x> schema:name \"unterminated .\n")
    result = validate(mini_site)
    assert result.returncode == 2
    assert "data/orgs.ttl:2:" in result.stderr


def test_ill_formed_rdf_xml_exits_2_naming_the_line(mini_site: Path):
    # pyoxigraph's RDF/XML error carries no place ("expected `</name>`, but `</nam>` was found")
    (mini_site / "data" / "extra.rdf").write_text(
        '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        '  <rdf:Description rdf:about="org/x">\n    <name xmlns="https://schema.org/">X</nam>\n'
        '  </rdf:Description>\n</rdf:RDF>\n')
    result = validate(mini_site)
    assert result.returncode == 2
    assert "data/extra.rdf:4:" in result.stderr, result.stderr


def test_violation_exits_1_grouped_by_focus_node_with_message_in_language(mini_site: Path):
    orgs = mini_site / "data" / "orgs.ttl"
    orgs.write_text(orgs.read_text().replace('schema:name "Beta-Kreis"@de ;', ""))
    result = validate(mini_site, "--lang", "en")
    assert result.returncode == 1
    assert "<https://w3id.org/regionen-nrw/org/beta>" in result.stdout
    assert "An organisation needs a German name." in result.stdout
    assert "data/orgs.ttl" in result.stdout
    german = validate(mini_site, "--lang", "de")
    assert "Eine Organisation braucht einen deutschen Namen." in german.stdout


def test_warnings_fail_only_when_strict(mini_site: Path):
    orgs = mini_site / "data" / "orgs.ttl"
    orgs.write_text(orgs.read_text().replace("<https://beta.example/>", "<ftp://beta.example/>"))
    assert validate(mini_site).returncode == 0
    strict = validate(mini_site, "--strict")
    assert strict.returncode == 1
    assert "Warning" in strict.stdout


def test_an_ill_typed_literal_is_a_warning_naming_file_and_line_not_a_traceback(mini_site: Path):
    # "gestern"^^xsd:date parses (RDF allows ill-typed literals); rdflib printed a traceback per
    # literal while pyshacl read it, naming neither file nor line, and the data "conformed".
    orgs = mini_site / "data" / "orgs.ttl"
    lines = orgs.read_text().splitlines()
    at = next(i for i, line in enumerate(lines) if 'schema:name "Beta-Kreis"@de ;' in line)
    date = '"gestern"^^<http://www.w3.org/2001/XMLSchema#date>'
    lines.insert(at + 1, f"    <https://schema.org/foundingDate> {date} ;")
    orgs.write_text("\n".join(lines) + "\n")
    result = validate(mini_site, "--lang", "en")
    assert "Traceback" not in result.stdout + result.stderr
    assert result.returncode == 0, result.stdout + result.stderr  # a warning
    assert f'data/orgs.ttl:{at + 2}: "gestern" is not a valid xsd:date' in result.stdout
    assert validate(mini_site, "--strict").returncode == 1
    # the SHACL report (--format turtle) lists it as a warning too, as sh:datatype would
    report = rdflib.Graph().parse(data=validate(mini_site, "--format", "turtle").stdout, format="turtle")
    SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    found = [r for r in report.subjects(SH.value, rdflib.Literal("gestern", datatype=rdflib.XSD.date))]
    assert len(found) == 1 and report.value(found[0], SH.resultSeverity) == SH.Warning
    assert report.value(found[0], SH.resultPath) == rdflib.URIRef("https://schema.org/foundingDate")


@pytest.mark.parametrize("fmt", ["json", "turtle"])
def test_machine_readable_reports(mini_site: Path, fmt: str):
    orgs = mini_site / "data" / "orgs.ttl"
    orgs.write_text(orgs.read_text().replace('schema:name "Beta-Kreis"@de ;', ""))
    result = validate(mini_site, "--format", fmt)
    assert result.returncode == 1
    if fmt == "json":
        report = json.loads(result.stdout)
        assert report["conforms"] is False
        assert report["violations"][0]["focus"].endswith("org/beta")
    else:
        assert "sh:ValidationReport" in result.stdout


def test_validate_does_not_write_into_the_data(mini_site: Path):
    before = sorted(p.relative_to(mini_site) for p in mini_site.rglob("*"))
    validate(mini_site)
    assert sorted(p.relative_to(mini_site) for p in mini_site.rglob("*")) == before


def test_a_violation_names_every_file_that_describes_the_focus_node(mini_site: Path):
    # Before, only the file that types the node was named: here data/orgs.ttl, where the
    # steward finds nothing wrong, while the offending English name sits in data/zz-copy.ttl.
    (mini_site / "data" / "zz-copy.ttl").write_text(
        '@prefix schema: <https://schema.org/> .\n<org/beta> schema:name "Beta-Kreis"@en .\n')
    result = validate(mini_site, "--lang", "en")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "<https://w3id.org/regionen-nrw/org/beta>  (data/orgs.ttl, data/zz-copy.ttl)" in \
        result.stdout


def test_an_rdf_file_regiold_does_not_read_is_named_not_skipped_in_silence(mini_site: Path):
    """A steward's `Partner.TTL` or `extra.owl` was skipped without a word: its partners never
    appeared. validate names each such file; a README beside them is no RDF and says nothing."""
    statement = '<https://w3id.org/regionen-nrw/org/x> <https://schema.org/name> "X" .\n'
    (mini_site / "data" / "Partner.TTL").write_text(statement)
    (mini_site / "ontology" / "extra.owl").write_text("<rdf:RDF/>")
    (mini_site / "data" / "README.md").write_text("notes")
    result = validate(mini_site)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "data/Partner.TTL is not read" in result.stderr, result.stderr
    assert "ontology/extra.owl is not read" in result.stderr, result.stderr
    assert "README" not in result.stderr and ".ttl" in result.stderr


def test_serving_logs_each_rdf_file_it_does_not_read(mini_site: Path, caplog):
    """`regiold serve` and every reload load the site through load_site: its log says it too."""
    import logging

    from regiold.publish.site_loader import load_site
    from regiold.settings import Settings

    (mini_site / "data" / "more.turtle").write_text("")
    with caplog.at_level(logging.WARNING, logger="regiold.site"):
        load_site(Settings.load({"site_dir": mini_site, "cache_dir": mini_site.parent / "c"},
                                environ={}))
    assert "data/more.turtle is not read" in caplog.text
