"""``regiold import`` on a partner's own page (tests/fixtures/import/beispielregion.html, invented):
one-line addresses, e-mail written against harvesting, extensions and "+49 (0)", function lines
before and after a name, contacts without e-mail, inflected role words, English labels that are
English, and a summary that counts each file once."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from conftest import ROOT
from regiold.cli import cli
from regiold.steward import importer

BASE = "https://w3id.org/regionen-nrw/"
PAGE = Path(__file__).parent / "fixtures" / "import" / "beispielregion.html"
WHEN = dt.datetime(2026, 12, 4, 8, 0, tzinfo=dt.UTC)
SDO = "https://schema.org/"

pytestmark = pytest.mark.skipif(not (ROOT / "data" / "partners").is_dir(),
                                reason="needs the repository's data (data/partners/)")


@pytest.fixture(scope="module")
def draft() -> importer.Draft:
    return importer.import_page(PAGE, site_dir=ROOT, base_iri=BASE, retrieved=WHEN)


def triples(draft: importer.Draft) -> list[ox.Triple]:
    return [t for text in draft.files.values()
            for t in ox.parse(text.encode(), format=ox.RdfFormat.TURTLE, base_iri=BASE)]


def values(found: list[ox.Triple], subject: str, predicate: str) -> list[str]:
    return sorted(t.object.value for t in found
                  if t.subject.value == BASE + subject and t.predicate.value == predicate)


def test_every_contact_line_is_understood(draft) -> None:
    assert not [n for n in draft.notes if "contact" in n.reason or "address" in n.reason], draft.notes
    found = triples(draft)
    contact = "org/regionalmanagement-beispielregion/contact/"
    assert values(found, contact + "beate-beispiel", SDO + "email") == [
        "mailto:beate.beispiel@beispielregion.example"]  # [at]
    assert values(found, contact + "max-muster", SDO + "email") == [
        "mailto:max.muster@beispielregion.example"]  # (at)
    assert values(found, contact + "beate-beispiel", SDO + "telephone") == ["+491234567890"]
    assert values(found, contact + "max-muster", SDO + "telephone") == ["+491234567812"]  # +49 (0)
    assert values(found, contact + "erna-exempel", SDO + "telephone") == ["+49123456780"]
    assert values(found, contact + "erna-exempel", SDO + "email") == []  # no e-mail: still a contact
    address = "org/regionalmanagement-beispielregion/address/musterallee-7-9"
    assert values(found, address, SDO + "streetAddress") == ["Musterallee 7-9"]
    assert values(found, address, SDO + "postalCode") == ["12345"]
    assert values(found, address, SDO + "addressLocality") == ["Beispielstadt"]


def test_function_lines_before_and_after_a_name_become_job_titles(draft) -> None:
    found = triples(draft)
    assert values(found, "person/beate-beispiel", SDO + "jobTitle") == ["Geschäftsführerin"]  # before
    assert values(found, "person/max-muster", SDO + "jobTitle") == ["Projektmanager"]  # after
    assert values(found, "person/erna-exempel", SDO + "jobTitle") == ["Sekretariat"]
    names = values(found, "person/beate-beispiel", SDO + "name")
    assert names == ["Beate Beispiel"]


def test_role_words_lose_their_inflection(draft) -> None:
    found = triples(draft)
    posts = sorted({t.subject.value.removeprefix(BASE) for t in found if "/post/" in t.subject.value})
    assert posts == ["org/handwerkskammer-beispielland/post/praesident",
                     "org/kreis-musterkreis/post/landrat",
                     "org/stadt-beispielstadt/post/buergermeister"]
    labels = values(found, "org/handwerkskammer-beispielland/post/praesident",
                    "http://www.w3.org/2000/01/rdf-schema#label")
    assert "Präsident der Handwerkskammer Beispielland" in labels


def test_english_labels_are_english(draft) -> None:
    english = [t.object.value for t in triples(draft)
               if isinstance(t.object, ox.Literal) and t.object.language == "en"]
    german = re.compile(r"\b(der|des|dem|als|im|Stadt|Kreis|Kreises|Präsident\w*|Bürgermeister|"
                        r"Landrat|Handwerkskammer|Aufsichtsgremium)\b")
    mixed = [text for text in english if german.search(text.replace("Regionalmanagement Beispielregion", ""))]
    assert not mixed, mixed
    assert "Mayor of the City of Beispielstadt on the supervisory board (ex officio)" in english


def test_the_summary_counts_each_file_once(tmp_path: Path) -> None:
    site = tmp_path / "site"
    for kind in ("ontology", "data", "shapes"):
        shutil.copytree(ROOT / kind, site / kind)
    out = site / "data" / "partners" / "beispiel.ttl"  # another name than the draft's own
    imported = CliRunner().invoke(cli, ["import", str(PAGE), "--data", str(site), "--out", str(out),
                                        "--retrieved", "2026-12-04"])
    summary = re.search(r"draft in place of [^:]*: (conforms): (\d+) files, (\d+) triples", imported.output)
    assert summary, imported.output
    checked = CliRunner().invoke(cli, ["validate", "--data", str(site)])  # the site as written
    expected = re.search(r"(\d+) files, (\d+) triples", checked.output)
    assert expected and summary.group(2, 3) == expected.group(1, 2), (imported.output, checked.output)
    files = sum(1 for kind in ("ontology", "data", "shapes") for _ in (site / kind).rglob("*.ttl"))
    assert int(summary.group(2)) == files
