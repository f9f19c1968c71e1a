"""``regiold release`` and ``regiold diff``: version stamp, released-IRIs list, changelog."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest
import rdflib
from click.testing import CliRunner
from rdflib.namespace import DCTERMS, PROV

from pages_support import to_rdflib
from regiold import validate
from regiold.cli import cli
from regiold.ingest import sources
from regiold.publish import changelog, tombstones
from regiold.steward import diff, release

BASE = "https://w3id.org/regionen-nrw/"
DCAT_VERSION = rdflib.URIRef("http://www.w3.org/ns/dcat#version")  # DCAT 3 (rdflib's DCAT predates it)
DAY1, DAY2 = dt.date(2026, 11, 1), dt.date(2026, 11, 27)


def _release(site: Path, **options: object) -> release.ReleaseResult:
    return release.release(site, base_iri=BASE, **options)  # type: ignore[arg-type]


def _remove_beta(site: Path) -> None:
    orgs = site / "data" / "orgs.ttl"
    text = orgs.read_text(encoding="utf-8")
    orgs.write_text(text[: text.index("rm:beta")], encoding="utf-8")


def test_first_release_stamps_version_and_lists_every_iri(mini_site: Path):
    result = _release(mini_site, today=DAY1)
    assert result.version == "1.0.0" and result.previous is None
    released = release.read_released(mini_site)
    assert released == sorted(released)
    for path in ("org/alpha", "org/beta", "person/anna-beispiel", "def/Regionalmanagement",
                 "dataset", "dataset/version/1-0-0"):
        assert BASE + path in released
    assert not any(i.startswith("mailto:") or i.startswith("https://alpha") for i in released)
    loaded = sources.parse_site(mini_site, base_iri=BASE)
    assert not validate.run(loaded).fails()
    graph = to_rdflib(loaded.quads)
    assert str(graph.value(rdflib.URIRef(BASE + "dataset"), DCAT_VERSION)) == "1.0.0"
    assert str(graph.value(rdflib.URIRef(BASE + "dataset"), DCTERMS.modified)) == "2026-11-01"


def test_changelog_lists_labels_but_counts_persons(mini_site: Path):
    _release(mini_site, today=DAY1)
    log = changelog.changelog(mini_site)
    assert "## 1.0.0 — 2026-11-01" in log
    assert "Regionalmanagement Alpha (`org/alpha`)" in log
    assert "1 person record(s)" in log and "Anna" not in log and "anna-beispiel" not in log


def test_removing_a_released_resource_without_tombstone_is_refused(mini_site: Path):
    _release(mini_site, today=DAY1)
    _remove_beta(mini_site)
    with pytest.raises(release.ReleaseError, match=r"org/beta: was released, is gone"):
        _release(mini_site, today=DAY2)
    assert release.versions(mini_site, base_iri=BASE)[-1].version == "1.0.0"  # nothing written


def test_second_release_is_a_revision_of_the_first(mini_site: Path):
    _release(mini_site, today=DAY1)
    _remove_beta(mini_site)
    tombstones.append(mini_site, tombstones.Tombstone(
        BASE + "org/beta", types=["https://schema.org/Organization"], labels={"de": "Beta-Kreis"},
        removed="2026-11-20", replaced_by=BASE + "org/alpha"), base_iri=BASE)
    result = _release(mini_site, today=DAY2, since=str(_copy_of_day1(mini_site)))
    assert (result.version, result.previous) == ("1.0.1", "1.0.0")
    graph = to_rdflib(sources.parse_site(mini_site, base_iri=BASE).quads)
    dataset = rdflib.URIRef(BASE + "dataset")
    assert graph.value(dataset, PROV.wasRevisionOf) == rdflib.URIRef(BASE + "dataset/version/1-0-0")
    assert str(graph.value(dataset, DCAT_VERSION)) == "1.0.1"
    assert BASE + "org/beta" in release.read_released(mini_site)  # kept forever
    log = changelog.changelog(mini_site)
    assert log.index("## 1.0.1") < log.index("## 1.0.0")
    entry = changelog.changelog_entries(mini_site)[0][1]
    assert "### Removed\n- Beta-Kreis (`org/beta`)" in entry
    assert "`org/beta` → `org/alpha` (301)" in entry




def _copy_of_day1(site: Path) -> Path:
    """The site as released on day 1: today's copy with beta put back."""
    copy = site.parent / "day1"
    shutil.copytree(site, copy)
    (copy / "data" / "orgs.ttl").write_text(
        (Path(__file__).parent / "fixtures" / "site" / "data" / "orgs.ttl").read_text("utf-8"))
    return copy


def test_same_version_twice_is_refused(mini_site: Path):
    _release(mini_site, version="2026.1", today=DAY1)
    with pytest.raises(release.ReleaseError, match="released already"):
        _release(mini_site, version="2026.1", today=DAY2)


def test_invalid_data_is_never_released(mini_site: Path):
    orgs = mini_site / "data" / "orgs.ttl"
    orgs.write_text(orgs.read_text().replace('"Beta-Kreis"@de', '"Beta-Kreis"@en'))
    with pytest.raises(release.ReleaseError, match="does not validate"):
        _release(mini_site, today=DAY1)
    assert not (mini_site / release.RELEASED_IRIS).exists()


def test_diff_of_two_folders_names_resources_with_labels(mini_site: Path, tmp_path: Path):
    old = tmp_path / "old"
    shutil.copytree(mini_site, old)
    orgs = mini_site / "data" / "orgs.ttl"
    orgs.write_text(orgs.read_text().replace("https://beta.example/", "https://beta.example/neu")
                    + '\n<org/delta> a schema:Organization ; schema:name "Delta"@de .\n')
    (mini_site / "data" / "people" / "staff.ttl").unlink()
    changes = diff.diff(diff.resources_at(old, base_iri=BASE, repo=tmp_path),
                        diff.resources_at(mini_site, base_iri=BASE, repo=tmp_path))
    text = changes.text(base_iri=BASE)
    assert "+ org/delta  Delta" in text
    assert "- person/anna-beispiel  Anna Beispiel" in text
    assert "~ org/beta  Beta-Kreis (+1 -1 statements)" in text
    assert "org/alpha" not in text  # unchanged
    assert text.endswith("1 added, 1 removed, 1 changed")


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org",
                    *args], check=True, capture_output=True)


def test_diff_of_git_revisions_through_the_cli(mini_site: Path):
    _git(mini_site, "init", "-q")
    _git(mini_site, "add", ".")
    _git(mini_site, "commit", "-qm", "one")
    _remove_beta(mini_site)
    _git(mini_site, "commit", "-qam", "two")
    result = CliRunner().invoke(cli, ["diff", "HEAD~1", "HEAD", "--data", str(mini_site)])
    assert result.exit_code == 0, result.output
    assert "- org/beta  Beta-Kreis" in result.output
    assert "0 added, 1 removed, 0 changed" in result.output
    bad = CliRunner().invoke(cli, ["diff", "no-such-rev", "HEAD", "--data", str(mini_site)])
    assert bad.exit_code == 2 and "neither a directory nor a git revision" in bad.output


def test_release_uses_the_tag_of_the_previous_release(mini_site: Path):
    _git(mini_site, "init", "-q")
    runner = CliRunner()
    first = runner.invoke(cli, ["release", "--data", str(mini_site)])
    assert first.exit_code == 0, first.output
    assert "released 1.0.0" in first.output and "git tag release-1.0.0" in first.output
    _git(mini_site, "add", ".")
    _git(mini_site, "commit", "-qm", "release 1.0.0")
    _git(mini_site, "tag", "release-1.0.0")
    orgs = mini_site / "data" / "orgs.ttl"
    orgs.write_text(orgs.read_text().replace('"Beta-Kreis"@de', '"Beta-Kreis Neu"@de'))
    second = runner.invoke(cli, ["release", "--data", str(mini_site)])
    assert second.exit_code == 0, second.output
    assert "~ org/beta  Beta-Kreis Neu" in second.output
    assert "### Changed\n- Beta-Kreis Neu (`org/beta`)" in changelog.changelog(mini_site)


def test_dataset_page_shows_the_changelog_escaped(mini_site: Path, settings_for):
    from regiold import create_app

    orgs = mini_site / "data" / "orgs.ttl"
    orgs.write_text(orgs.read_text().replace('"Beta-Kreis"@de', '"Beta <b>Kreis</b>"@de'))
    _release(mini_site, today=DAY1)
    client = create_app(settings_for(mini_site)).test_client()
    page = client.get("/dataset", headers={"Accept": "text/html"}).get_data(as_text=True)
    section = page[page.index('class="changelog"'):]
    assert "<h3>1.0.0 — 2026-11-01</h3>" in section
    assert "<li>Regionalmanagement Alpha (org/alpha)</li>" in section
    assert "Beta &lt;b&gt;Kreis&lt;/b&gt; (org/beta)" in section and "<b>Kreis" not in section
    english = client.get("/dataset?lang=en", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert '<h2 id="s-changelog">Changes</h2>' in english
    assert 'class="changelog"' not in client.get("/org/alpha").get_data(as_text=True)
