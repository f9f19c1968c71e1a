"""``regiold import``: partner pages (the source page and variants) → drafts in the model of data/."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from conftest import ROOT, shared_dir
from page_people import page_contacts
from pages_support import to_rdflib
from regiold import validate
from regiold.cli import cli
from regiold.ingest import sources
from regiold.steward import importer

BASE = "https://w3id.org/regionen-nrw/"

if not (ROOT / "data" / "partners").is_dir():
    pytest.skip("the repository's data/ has not landed yet", allow_module_level=True)
FIXTURES = Path(__file__).parent / "fixtures" / "import"
WHEN = dt.datetime(2026, 11, 27, 5, 0, tzinfo=dt.UTC)
ORG = BASE + "org/regionalmanagement-duesseldorf-kreis-mettmann"


def source_page() -> Path:
    return shared_dir() / "sources" / "000_c7d2e0839efadfda.txt"


def _facts(path: Path, site: Path | None = None) -> importer.Facts:
    known = importer.Known.from_site(site, base_iri=BASE)
    return importer.understand(importer.parse(importer.read_page(path)), known)


def _draft(path: Path, site: Path | None = ROOT) -> importer.Draft:
    return importer.import_page(path, site_dir=site, base_iri=BASE, retrieved=WHEN)


def _pairs(text: str) -> set[tuple[str, str]]:
    """(subject, predicate) pairs: the structure of a file, independent of wording."""
    return {(t.subject.value, t.predicate.value)
            for t in ox.parse(text.encode(), format=ox.RdfFormat.TURTLE, base_iri=BASE)}


# ---------------------------------------------------------------- the source page


def test_source_page_facts():
    facts = _facts(source_page(), ROOT)
    assert facts.name == "Regionalmanagement Düsseldorf – Kreis Mettmann"
    assert [name for name, _ in facts.carriers] == [
        "Landeshauptstadt Düsseldorf", "Kreis Mettmann", "Industrie- und Handelskammer zu Düsseldorf"]
    assert [(o.title, o.body) for o in facts.board] == [
        ("Oberbürgermeister", "Landeshauptstadt Düsseldorf"), ("Landrat", "Kreises Mettmann"),
        ("Hauptgeschäftsführer", "Industrie- und Handelskammer zu Düsseldorf")]
    assert facts.order == 9
    assert set(facts.services) == set(importer.SERVICE_KINDS)
    first, second = facts.contacts
    listed, plain = page_contacts(shared_dir())  # as the page lists them (test helper, not the importer)
    assert (first.title, first.given, first.family) == (listed.title, listed.given, listed.family)
    assert (first.street, first.postal_code, first.city) == ("Auf'm Hennekamp 45", "40225", "Düsseldorf")
    assert first.phones == [listed.e164] and first.emails == [listed.email]
    assert first.urls == ["https://regionalmanagement-d-me.de/"]
    assert (second.title, second.phones, second.emails) == (None, [], [plain.email])


def test_source_page_notes_name_the_lines():
    notes = {(n.line, n.reason) for n in _draft(source_page()).notes}
    assert notes == {(1, "link without an address in the page"),
                     (2, "link without an address in the page"),
                     (18, "repaired a missing ')' (check the draft)"),
                     (43, "link without an address in the page")}


def test_source_page_draft_has_the_structure_of_data():
    draft = _draft(source_page())
    assert list(draft.files) == ["data/partners/duesseldorf-kreis-mettmann.ttl",
                                 *(f"data/people/{c.slug}.ttl" for c in page_contacts(shared_dir()))]
    drafted = set().union(*(_pairs(text) for text in draft.files.values()))
    existing = set().union(*(_pairs((ROOT / rel).read_text("utf-8")) for rel in draft.files))
    imported = {(s, p) for s, p in drafted if s.startswith(BASE + "source/import-")}
    assert existing - drafted == set()
    assert drafted - existing == imported and imported  # only the provenance of this import


def test_source_page_draft_validates_in_place_of_the_partner_files(tmp_path: Path):
    site = tmp_path / "site"
    for kind in ("ontology", "data", "shapes"):
        shutil.copytree(ROOT / kind, site / kind)
    draft = _draft(source_page())
    for rel, text in draft.files.items():
        (site / rel).write_text(text, encoding="utf-8")
    report = validate.run(sources.parse_site(site, base_iri=BASE))
    assert not report.fails(), report.text("en")
    graph = to_rdflib(sources.parse_site(site, base_iri=BASE).quads)
    import rdflib

    org = rdflib.URIRef(ORG)
    assert str(graph.value(org, rdflib.URIRef("https://schema.org/url"))) == \
        "https://regionalmanagement-d-me.de/"
    retrieved = list(graph.objects(None, rdflib.URIRef("http://www.w3.org/ns/prov#generatedAtTime")))
    assert any(str(r).startswith("2026-11-27T05:00:00") for r in retrieved)


# ---------------------------------------------------------------- variants


def test_html_variant_with_navigation_nbsp_and_three_contacts():
    facts = _facts(FIXTURES / "musterland.html", ROOT)
    assert facts.name == "Regionalmanagement Musterland"  # the <h1>, &nbsp; as a space
    assert facts.order == 1
    assert [n for n, _ in facts.carriers] == ["Stadt Musterstadt", "Kreis Musterkreis",
                                              "Handwerkskammer Musterland"]
    erika, maximilian, anna = facts.contacts
    assert (erika.title, erika.family, erika.phones, erika.faxes) == (
        "Prof. Dr.", "Mustermann", ["+49251123456"], ["+49251123457"])
    assert (erika.street, erika.postal_code, erika.city) == ("Hauptstraße 12a", "48143", "Münster")
    assert (maximilian.given, maximilian.family, maximilian.phones) == ("Max", "von Beispiel", [])
    assert anna.phones == ["+492519876543"]
    text = "\n".join(s.text for s in facts.description)
    assert "Falsch" not in text and "Facebook" not in text and "\xa0" not in text


def test_html_variant_reports_unmapped_sentence_with_its_line():
    notes = _draft(FIXTURES / "musterland.html").notes
    page = (FIXTURES / "musterland.html").read_text("utf-8").splitlines()
    unmapped = [n for n in notes if n.reason == "sentence not mapped to any fact"]
    assert [n.text for n in unmapped] == ["Die Geschäftsstelle ist montags geschlossen."]
    assert "montags geschlossen" in page[unmapped[0].line - 1]
    repaired = next(n for n in notes if n.reason.startswith("repaired"))
    assert "(insbesondere EFRE" in page[repaired.line - 1]


def test_html_variant_draft_links_carriers_created_once_and_validates():
    draft = _draft(FIXTURES / "musterland.html")
    org_file = draft.files["data/partners/regionalmanagement-musterland.ttl"]
    assert "kreises-musterkreis" not in org_file  # "des Kreises Musterkreis" is the carrier
    assert "<https://www.facebook.com/regionen.nrw>" in org_file  # outbound link kept
    assert "<mailto:erika.mustermann@musterland.example>" in draft.files[
        "data/people/erika-mustermann.ttl"]
    report = importer.check_draft(draft, ROOT, base_iri=BASE)
    assert not report.fails(), report.text("en")


def test_text_variant_blank_lines_other_city_and_a_missing_membership():
    draft = _draft(FIXTURES / "bergisch.txt")
    facts = _facts(FIXTURES / "bergisch.txt", ROOT)
    assert facts.name == "Regionalmanagement Bergische Probe"
    assert [c.city for c in facts.contacts] == ["Solingen"]
    assert facts.contacts[0].phones == ["+492122906100"]
    org_file = next(iter(draft.files.values()))
    assert "rm:stadt-wuppertal" in org_file  # a known carrier keeps its IRI from data/
    assert "(insbesondere EFRE)." in org_file
    report = importer.check_draft(draft, ROOT, base_iri=BASE)
    assert report.fails()  # the page names no network membership: validation says so
    assert any("regionen.NRW" in v.message("en") for v in report.violations)


def test_page_without_running_text_is_refused(tmp_path: Path):
    page = tmp_path / "empty.html"
    page.write_text("<html><body><nav>Start</nav></body></html>", encoding="utf-8")
    with pytest.raises(importer.ImportError_, match="no running text"):
        importer.parse(importer.read_page(page))


def test_slugs_follow_the_iri_scheme():
    assert importer.slugify("Auf'm Hennekamp 45") == "auf-m-hennekamp-45"
    assert importer.slugify("Düsseldorf – Kreis Mettmann") == "duesseldorf-kreis-mettmann"
    assert "." not in importer.slugify("regionen.NRW e.V.")


# ---------------------------------------------------------------- the command


def test_cli_never_overwrites_without_force(tmp_path: Path):
    out = tmp_path / "data" / "partners" / "x.ttl"
    out.parent.mkdir(parents=True)
    out.write_text("# mine\n", encoding="utf-8")
    runner = CliRunner()
    args = ["import", str(source_page()), "--out", str(out), "--data", str(ROOT),
            "--retrieved", "2026-11-27T05:00:00"]
    refused = runner.invoke(cli, args)
    assert refused.exit_code == 2 and "not overwriting" in refused.output
    assert out.read_text() == "# mine\n"
    assert not (tmp_path / "data" / "people").exists()  # nothing written at all
    done = runner.invoke(cli, [*args, "--force"])
    assert done.exit_code == 0, done.output
    assert "conforms" in done.output
    assert "rm:regionalmanagement-duesseldorf-kreis-mettmann" in out.read_text("utf-8")
    assert (tmp_path / "data" / "people" / f"{page_contacts(shared_dir())[0].slug}.ttl").is_file()
    assert f"{source_page()}:18: repaired a missing ')'" in done.output


def test_cli_exits_1_when_the_draft_does_not_validate():
    result = CliRunner().invoke(cli, ["import", str(FIXTURES / "bergisch.txt"), "--data", str(ROOT)])
    assert result.exit_code == 1
    assert "# ==> data/partners/regionalmanagement-bergische-probe.ttl <==" in result.output
    assert "regionen.NRW" in result.output
