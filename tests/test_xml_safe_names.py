"""RDF/XML writes a property as an element, and a node's class as its element too, named by the
end of the IRI: an IRI that ends in no XML name (``…/ns/123``, ``…/ns/``, ``urn:x:1``) cannot be
written (RDF 1.1 XML Syntax, section 2.2: some graphs cannot be serialized). pyoxigraph then
writes ``<oxprefix:>``, which no XML parser reads, on the resource's page and in every RDF/XML
answer holding the triple. Validation names such a property or class with file and line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from test_validate_cli import validate
from test_xml_safe_literals import add_triple


@pytest.mark.parametrize("triple", ['<http://example.org/ns/123> "x"', '<urn:x:1> "x"',
                                    "a <http://example.org/ns/>"])
def test_a_property_or_class_rdf_xml_cannot_name_is_a_violation(mini_site: Path, triple: str):
    line = add_triple(mini_site, triple)
    result = validate(mini_site, "--lang", "en")
    assert "Traceback" not in result.stdout + result.stderr
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"data/orgs.ttl:{line}:" in result.stdout and "RDF/XML" in result.stdout, result.stdout
    report = json.loads(validate(mini_site, "--format", "json").stdout)
    iri = triple.split("<")[1].split(">")[0]
    assert [v["severity"] for v in report["violations"] if v["value"] == f"<{iri}>"] == ["Violation"]


def test_names_rdf_xml_can_write_are_fine(mini_site: Path):
    add_triple(mini_site, '<http://example.org/ns/a-1> "x" ; <urn:isbn:abc> "y" ; '
                          '<http://example.org/ns#Ä> "z"')
    result = validate(mini_site)
    assert result.returncode == 0, result.stdout + result.stderr
