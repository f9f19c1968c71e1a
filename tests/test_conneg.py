"""Content negotiation and HTTP behaviour of resource URLs (Flask test client)."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

import conneg_checks
from pages_support import copy_site, make_app
from regiold.rdf.formats import RESOURCE

ORG = "/org/dme"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory):
    app = make_app(copy_site(tmp_path_factory.mktemp("conneg") / "site"))
    return app.test_client()


@pytest.mark.parametrize(("accept", "expected"), [
    (None, "text/html"),
    ("*/*", "text/html"),
    (BROWSER, "text/html"),
    ("text/turtle", "text/turtle"),
    ("application/x-turtle", "text/turtle"),
    ("application/ld+json", "application/ld+json"),
    ("application/json", "application/ld+json"),
    ("application/n-triples", "application/n-triples"),
    ("application/rdf+xml", "application/rdf+xml"),
    ("text/*", "text/html"),
    ("application/*", "application/ld+json"),
    ("application/rdf+xml;q=0.9, text/turtle", "text/turtle"),
    ("text/turtle;q=0.5, application/ld+json;q=0.8", "application/ld+json"),
    ("text/turtle;q=0, */*;q=0.1", "text/html"),
    ("text/html;q=0.1, application/n-triples;q=0.2, image/png", "application/n-triples"),
    ("this is ;;; not an accept header", "text/html"),
])
def test_accept_header_chooses_the_format(client, accept: str | None, expected: str) -> None:
    headers = {"Accept": accept} if accept is not None else {}
    response = client.get(ORG, headers=headers)
    assert response.status_code == 200
    assert response.mimetype == expected
    assert response.headers["Content-Type"] == conneg_checks.charset_content_type(expected)
    suffix = next(f.key for f in RESOURCE if f.media_type == expected)
    assert response.headers["Content-Location"].split("?")[0] == f"{ORG}.{suffix}"
    assert "Accept" in [v.strip() for v in response.headers["Vary"].split(",")]


@pytest.mark.parametrize("accept", ["image/png", "text/turtle;q=0, text/html;q=0, application/*;q=0"])
def test_nothing_acceptable_gives_406_listing_the_alternatives(client, accept: str) -> None:
    response = client.get(ORG, headers={"Accept": accept})
    assert response.status_code == 406
    assert "Accept" in response.headers["Vary"]  # a cache must not serve this to other clients
    detail = response.get_json(force=True)["detail"]
    for fmt in RESOURCE:
        assert fmt.media_type in detail


@pytest.mark.parametrize("fmt", RESOURCE, ids=lambda f: f.key)
def test_a_client_naming_the_content_type_it_was_sent_gets_it(client, fmt) -> None:
    # The Content-Type of the document URL, charset and all, sent back as Accept: werkzeug
    # matched a range with parameters only on equal parameters, so this was 406.
    sent = client.get(f"{ORG}.{fmt.key}").headers["Content-Type"]
    response = client.get(ORG, headers={"Accept": sent})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == sent


@pytest.mark.parametrize("profile", ["http://www.w3.org/ns/json-ld#compacted", "https://example.org/unknown"])
def test_a_json_ld_profile_parameter_never_makes_json_ld_unacceptable(client, profile: str) -> None:
    # IANA application/ld+json: a server honours the profiles it recognises and MUST ignore the rest.
    accept = f'application/ld+json;profile="{profile}", text/html;q=0.1'
    response = client.get(ORG, headers={"Accept": accept})
    assert response.status_code == 200 and response.mimetype == "application/ld+json"


@pytest.mark.parametrize("fmt", RESOURCE, ids=lambda f: f.key)
def test_document_url_serves_one_format_whatever_the_accept(client, fmt) -> None:
    response = client.get(f"{ORG}.{fmt.key}", headers={"Accept": "image/png"})
    assert response.status_code == 200
    assert response.mimetype == fmt.media_type
    assert "Content-Location" not in response.headers  # it is the document itself
    assert "Accept," not in response.headers["Vary"] + ","


@pytest.mark.parametrize(("param", "expected"), [
    ("ttl", "text/turtle"), ("turtle", "text/turtle"), ("jsonld", "application/ld+json"),
    ("nt", "application/n-triples"), ("rdf", "application/rdf+xml"), ("html", "text/html"),
    ("text/turtle", "text/turtle"),
])
def test_format_parameter_overrides_accept(client, param: str, expected: str) -> None:
    response = client.get(f"{ORG}?format={param}", headers={"Accept": "text/html"})
    assert response.status_code == 200 and response.mimetype == expected


def test_unknown_format_parameter_gives_406(client) -> None:
    response = client.get(f"{ORG}?format=yaml")
    assert response.status_code == 406
    assert "text/turtle" in response.get_json(force=True)["detail"]


def test_link_header_lists_every_format_and_the_canonical_iri(client) -> None:
    link = client.get(ORG, headers={"Accept": "text/turtle"}).headers["Link"]
    assert '<https://w3id.org/regionen-nrw/org/dme>; rel="canonical"' in link
    assert f'<{ORG}.jsonld>; rel="alternate"; type="application/ld+json"' in link
    assert link.count('rel="alternate"') == 1  # the layout: conneg_checks.check_links


def test_html_varies_on_language_and_names_it(client) -> None:
    response = client.get(ORG, headers={"Accept": "text/html", "Accept-Language": "en-GB,en;q=0.9"})
    assert response.headers["Content-Language"] == "en"
    assert response.headers["Content-Location"] == f"{ORG}.html?lang=en"
    vary = {v.strip() for v in response.headers["Vary"].split(",")}
    assert {"Accept", "Accept-Language", "Accept-Encoding"} <= vary


def test_head_sends_headers_without_body(client) -> None:
    get = client.get(ORG, headers={"Accept": "text/turtle"})
    head = client.head(ORG, headers={"Accept": "text/turtle"})
    assert head.status_code == 200 and head.data == b""
    for name in ("Content-Type", "ETag", "Content-Location", "Link", "Vary"):
        assert head.headers[name] == get.headers[name]
    assert int(head.headers["Content-Length"]) == len(get.data)


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
def test_unsupported_methods_get_405(client, method: str) -> None:
    response = getattr(client, method)(ORG)
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert "Traceback" not in response.get_data(as_text=True)


def test_cors_on_data_responses(client) -> None:
    response = client.get(ORG, headers={"Accept": "application/ld+json", "Origin": "https://x.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers


def test_unknown_iri_is_404_html_for_browsers_and_problem_json_for_others(client) -> None:
    html = client.get("/org/does-not-exist", headers={"Accept": BROWSER})
    assert html.status_code == 404 and html.mimetype == "text/html"
    assert "<h1>404" in html.get_data(as_text=True)
    machine = client.get("/org/does-not-exist", headers={"Accept": "text/turtle"})
    assert machine.status_code == 404 and machine.mimetype == "application/problem+json"
    assert machine.get_json()["status"] == 404


@pytest.mark.parametrize("path", ["/org/dme.yaml", "/org/../../etc/passwd", "/org/%00", "/" + "x" * 3000,
                                  "/org/a%3Eb", "/org/%7Bx%7D", "/org/a%5Cb", "/org/a%20b", "/org/a%22b",
                                  "/org/dme?page=abc", "/org/dme?page=99"])
def test_bad_paths_and_parameters_are_client_errors(client, path: str) -> None:
    response = client.get(path, headers={"Accept": "text/turtle"})
    assert 400 <= response.status_code < 500
    assert "Traceback" not in response.get_data(as_text=True)


# ---------------------------------------------------------------- conditional requests, gzip


def test_strong_etag_and_304_on_if_none_match(client) -> None:
    first = client.get(ORG, headers={"Accept": "text/turtle"})
    etag = first.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    again = client.get(ORG, headers={"Accept": "text/turtle", "If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag
    weak = client.get(ORG, headers={"Accept": "text/turtle", "If-None-Match": f'"nope", W/{etag}'})
    assert weak.status_code == 304
    other = client.get(ORG, headers={"Accept": "text/turtle", "If-None-Match": '"something-else"'})
    assert other.status_code == 200 and other.data == first.data


def test_if_match_and_if_unmodified_since_are_preconditions(client) -> None:
    # RFC 9110 13.1.1, 13.1.4, 13.2.2: a false precondition on a GET is 412, never the body
    first = client.get(ORG, headers={"Accept": "text/turtle"})
    tag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    for headers, status in [({"If-Match": tag}, 200), ({"If-Match": f'"other", {tag}'}, 200),
                            ({"If-Match": "*"}, 200), ({"If-Match": '"other"'}, 412),
                            ({"If-Match": f"W/{tag}"}, 412),  # If-Match compares strongly
                            ({"If-Unmodified-Since": modified}, 200),
                            ({"If-Unmodified-Since": "Sat, 01 Jan 2000 00:00:00 GMT"}, 412)]:
        response = client.get(ORG, headers={"Accept": "text/turtle", **headers})
        assert response.status_code == status, (headers, response.status_code)
        if status == 200:
            assert response.data == first.data


def test_each_representation_has_its_own_etag(client) -> None:
    tags = {client.get(f"{ORG}.{fmt.key}").headers["ETag"] for fmt in RESOURCE}
    tags.add(client.get(f"{ORG}.html?lang=en").headers["ETag"])
    assert len(tags) == len(RESOURCE) + 1


def test_if_modified_since(client) -> None:
    first = client.get(ORG, headers={"Accept": "text/turtle"})
    stamp = first.headers["Last-Modified"]
    assert client.get(ORG, headers={"Accept": "text/turtle", "If-Modified-Since": stamp}).status_code == 304
    old = "Mon, 01 Jan 2001 00:00:00 GMT"
    assert client.get(ORG, headers={"Accept": "text/turtle", "If-Modified-Since": old}).status_code == 200
    garbage = {"Accept": "text/turtle", "If-Modified-Since": "garbage"}
    assert client.get(ORG, headers=garbage).status_code == 200
    assert "max-age" in first.headers["Cache-Control"]


def test_gzip_when_asked(client) -> None:
    plain = client.get(f"{ORG}.html")
    zipped = client.get(f"{ORG}.html", headers={"Accept-Encoding": "gzip, deflate"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.data) == plain.data
    assert len(zipped.data) < len(plain.data)
    assert zipped.headers["ETag"] != plain.headers["ETag"]
    assert "Accept-Encoding" in zipped.headers["Vary"]
    assert "Content-Encoding" not in plain.headers


def test_context_document_is_served(client) -> None:
    response = client.get("/context.jsonld")
    assert response.status_code == 200 and response.mimetype == "application/ld+json"
    terms = response.get_json()["@context"]
    assert terms["schema"] == "https://schema.org/" and terms["name"] == "schema:name"
    assert terms["member"] == {"@id": "schema:member", "@type": "@id"}
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_no_file_is_written_by_serving(tmp_path: Path) -> None:
    site = copy_site(tmp_path / "site")
    inputs = [p for d in ("ontology", "data", "shapes") for p in (site / d).rglob("*")]
    before = {p: p.stat().st_mtime_ns for p in inputs}
    client = make_app(site).test_client()
    for fmt in RESOURCE:
        client.get(f"{ORG}.{fmt.key}")
    assert {p: p.stat().st_mtime_ns for p in inputs} == before


def test_an_unknown_lang_parameter_falls_back_to_the_default_language(client) -> None:
    """``?lang=`` counts only when it names a language of the site (de, en); anything else is
    ignored, as if it were absent."""
    for value in ("fr", "EN-x", "../de", ""):
        response = client.get(f"/org/alpha?lang={value}", headers={"Accept": "text/html"})
        assert response.status_code == 200, value
        assert response.headers["Content-Language"] == "de", value
        assert '<html lang="de">' in response.get_data(as_text=True), value
    english = client.get("/org/alpha?lang=EN", headers={"Accept": "text/html"})
    assert english.headers["Content-Language"] == "en"
