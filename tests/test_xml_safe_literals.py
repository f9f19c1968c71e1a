"""A literal holding a control character that XML 1.0 cannot carry (U+0001-U+0008, U+000B, U+000C,
U+000E-U+001F, U+FFFE, U+FFFF: XML 1.0 section 2.2, production Char; not even as a character
reference) is valid RDF, and Turtle writes it as ``\\u000B``. RDF/XML, and SPARQL's XML results,
then come out not well-formed: an RDF/XML client fails on the resource's page and on the page of
every resource that links to it. Such a character is almost always pasted in by mistake (a
vertical tab from a word processor), so validation names its file and line, and data holding one
is not served, as any invalid data."""

from __future__ import annotations

import json
from pathlib import Path

import rdflib

from test_validate_cli import validate

BAD = "Beta\\u000BKreis"  # as a steward's Turtle holds it: the escape of a vertical tab


def add_triple(site: Path, predicate_object: str) -> int:
    """``predicate_object`` for org/beta in data/orgs.ttl; returns its line."""
    orgs = site / "data" / "orgs.ttl"
    lines = orgs.read_text().splitlines()
    at = next(i for i, line in enumerate(lines) if 'schema:name "Beta-Kreis"@de ;' in line)
    lines.insert(at + 1, f"    {predicate_object} ;")
    orgs.write_text("\n".join(lines) + "\n")
    return at + 2


def insert_name(site: Path, text: str) -> int:
    """A schema:alternateName with ``text`` for org/beta; returns its line."""
    return add_triple(site, f'<https://schema.org/alternateName> "{text}"')


def test_a_control_character_xml_cannot_carry_is_a_violation_naming_file_and_line(mini_site: Path):
    line = insert_name(mini_site, BAD)
    result = validate(mini_site, "--lang", "en")
    assert "Traceback" not in result.stdout + result.stderr
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"data/orgs.ttl:{line}:" in result.stdout and "U+000B" in result.stdout, result.stdout
    german = validate(mini_site, "--lang", "de")
    assert f"data/orgs.ttl:{line}:" in german.stdout and "Steuerzeichen" in german.stdout
    report = json.loads(validate(mini_site, "--format", "json").stdout)
    assert report["conforms"] is False
    (found,) = [v for v in report["violations"] if v["path"] == "https://schema.org/alternateName"]
    assert found["severity"] == "Violation" and found["focus"].endswith("org/beta")
    shacl = rdflib.Graph().parse(data=validate(mini_site, "--format", "turtle").stdout, format="turtle")
    SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    results = list(shacl.subjects(SH.resultPath, rdflib.URIRef("https://schema.org/alternateName")))
    assert len(results) == 1 and shacl.value(results[0], SH.resultSeverity) == SH.Violation


def test_tab_newline_and_other_scripts_are_fine(mini_site: Path):
    insert_name(mini_site, "Beta\\tKreis\\nZeile ünd 北 \\u00A0 \\u2028")
    result = validate(mini_site)
    assert result.returncode == 0, result.stdout + result.stderr
