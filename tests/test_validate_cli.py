"""`regiold validate` as a user runs it: a real subprocess, its exit code and its words."""

import json
import subprocess
import sys
from pathlib import Path

import pytest


def validate(site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "regiold", "validate", "--data", str(site), *args],
        capture_output=True, text=True, timeout=60, env={"PATH": "/usr/bin:/bin"},
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
