"""Document URLs are `/{path}.{ext}` with exactly the suffixes docs/SERVING.md lists (`.html`,
`.ttl`, `.jsonld`, `.nt`, `.rdf`, `.n3`, `.trig`, `.nq`); aliases and other spellings belong to
`?format=`. The server answered `/org/x.TTL`, `/org/x.turtle` or `/org/x.json` with 200 (one
more URL for the same bytes, without a Content-Location naming the real one), where nginx and
Apache serving the static export answer 404 (RFC 3986 §6.2.2.1: the path is case-sensitive)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pages_support import copy_site, make_app

DOCUMENT_SUFFIXES = ("html", "ttl", "jsonld", "nt", "rdf", "n3", "trig", "nq")  # docs/SERVING.md


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    return make_app(copy_site(tmp_path_factory.mktemp("suffixes") / "site")).test_client()


def test_each_documented_suffix_is_a_document(client):
    for ext in DOCUMENT_SUFFIXES:
        assert client.get(f"/org/dme.{ext}").status_code == 200, ext
    assert client.get("/def/.ttl").status_code == 200


@pytest.mark.parametrize("ext", ["TTL", "Ttl", "HTML", "turtle", "json", "xml", "htm", "ntriples",
                                 "nquads", "rdfxml", "json-ld"])
def test_other_spellings_are_no_document_urls(client, ext: str):
    assert client.get(f"/org/dme.{ext}").status_code == 404
    assert client.get(f"/org/dme.{ext}", headers={"Accept": "text/turtle"}).status_code == 404


@pytest.mark.parametrize("name", ["TTL", "turtle", "json", "text/turtle"])
def test_format_parameter_keeps_taking_aliases_in_any_case(client, name: str):
    response = client.get("/org/dme", query_string={"format": name})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/turtle" if "t" in name.lower()[:1]
                                                       else "application/ld+json")


def test_a_tombstoned_iri_answers_only_its_documented_documents(tmp_path: Path):
    """The 410 of a forgotten resource follows the same URL set."""
    from click.testing import CliRunner

    from regiold.cli import cli

    site = copy_site(tmp_path / "site")
    result = CliRunner().invoke(cli, ["-s", "cache_dir", str(tmp_path / "c"), "forget",
                                      "person/erika-mustermann", "--data", str(site)])
    assert result.exit_code == 0, result.output
    forgotten = make_app(site).test_client()
    assert forgotten.get("/person/erika-mustermann.ttl").status_code == 410
    assert forgotten.get("/person/erika-mustermann.TTL").status_code == 404
