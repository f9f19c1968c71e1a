"""``regiold forget IRI``: the person leaves every data file; a tombstone without personal data stays."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from click.testing import CliRunner

from regiold import create_app
from regiold.cli import cli
from regiold.publish import changelog, tombstones
from regiold.steward import release

BASE = "https://w3id.org/regionen-nrw/"
PERSON = BASE + "person/anna-beispiel"


def _all_text(site: Path) -> str:
    return "\n".join(p.read_text("utf-8") for p in sorted(site.rglob("*"))
                     if p.is_file() and p.suffix in (".ttl", ".txt", ".md"))


def _prepare(site: Path) -> None:
    (site / "data" / "orgs.ttl").write_text(
        (site / "data" / "orgs.ttl").read_text("utf-8").replace(
            "@prefix rm: <org/> .", "@prefix rm: <org/> .\n# Anna Beispiel leads Alpha.", 1)
        + '\n<org/alpha/contact/anna-beispiel> a schema:ContactPoint ;'
          ' schema:email <mailto:anna@alpha.example> .\n'
          'rm:alpha schema:contactPoint <org/alpha/contact/anna-beispiel> .\n', encoding="utf-8")
    release.release(site, base_iri=BASE, today=dt.date(2026, 11, 1))


def test_forget_removes_the_person_everywhere_and_validates(mini_site: Path):
    _prepare(mini_site)
    assert PERSON in release.read_released(mini_site)
    result = CliRunner().invoke(cli, ["forget", "person/anna-beispiel", "--data", str(mini_site)])
    assert result.exit_code == 0, result.output
    assert "deleted data/people/staff.ttl" in result.output
    assert "rewrote data/orgs.ttl" in result.output and "conforms" in result.output
    text = _all_text(mini_site)
    for secret in ("anna", "Anna", "Beispiel", "alpha.example/anna"):
        assert secret not in text, secret
    assert "Regionalmanagement Alpha" in text and "https://alpha.example/" in text  # kept
    assert "@prefix rm: <org/> ." in (mini_site / "data" / "orgs.ttl").read_text("utf-8")
    released = release.read_released(mini_site)
    assert tombstones.iri_hash(PERSON) in released and PERSON not in released


def test_forgotten_iris_answer_410_without_personal_data(mini_site: Path, settings_for):
    _prepare(mini_site)
    CliRunner().invoke(cli, ["forget", PERSON, "--data", str(mini_site)])
    client = create_app(settings_for(mini_site)).test_client()
    for path in ("/person/anna-beispiel", "/org/alpha/contact/anna-beispiel"):
        response = client.get(path, headers={"Accept": "text/html"})
        assert response.status_code == 410, path
        body = response.get_data(as_text=True)
        assert "Beispiel" not in body and "anna@" not in body
    turtle = client.get("/person/anna-beispiel.ttl").get_data(as_text=True)
    assert "Beispiel" not in turtle and "deprecated" in turtle


def test_release_after_forget_keeps_its_promises(mini_site: Path):
    _prepare(mini_site)
    CliRunner().invoke(cli, ["forget", PERSON, "--data", str(mini_site)])
    result = release.release(mini_site, base_iri=BASE, today=dt.date(2026, 11, 28))
    assert result.version == "1.0.1"
    assert "Anna" not in changelog.changelog(mini_site)


def test_forget_refuses_what_is_not_a_person(mini_site: Path):
    before = _all_text(mini_site)
    result = CliRunner().invoke(cli, ["forget", "org/alpha", "--data", str(mini_site)])
    assert result.exit_code == 1 and "is not a person" in result.output
    assert _all_text(mini_site) == before


def test_forget_on_the_repository_data_validates_and_leaves_no_trace(tmp_path: Path):
    import shutil

    from conftest import ROOT, shared_dir
    from page_people import page_contacts

    site = tmp_path / "site"
    for folder in ("ontology", "data", "shapes", "releases"):
        shutil.copytree(ROOT / folder, site / folder)
    gone, stays = sorted(page_contacts(shared_dir()), key=lambda c: c.phone is None)
    result = CliRunner().invoke(cli, ["forget", f"person/{gone.slug}", "--data", str(site)])
    assert result.exit_code == 0, result.output
    assert f"deleted data/people/{gone.slug}.ttl" in result.output and "conforms" in result.output
    text = (_all_text(site / "data") + _all_text(site / "releases")).casefold()
    # nothing else in the repository holds them: shapes, docs and tests use invented people
    text += (_all_text(site / "shapes") + _all_text(ROOT / "docs")).casefold()
    for secret in (gone.family.casefold(), gone.slug.split("-")[-1], gone.e164[3:],
                   gone.email.casefold()):
        assert secret not in text, secret
    assert stays.name.casefold() in text  # the colleague stays
    assert tombstones.iri_hash(BASE + f"person/{gone.slug}") in release.read_released(site)
