"""Content-negotiation checks over real HTTP, shared by every way regiold is served: the Flask
server (live, on 127.0.0.1) and the static export behind nginx. Each check takes a base URL and a
resource path and asserts what a client would notice."""

from __future__ import annotations

import itertools
import re

import requests

from pages_support import BASE
from regiold.rdf.formats import RESOURCE

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"
ACCEPT_CASES = [  # the table of tests/test_conneg.py, over the wire
    (None, "text/html"), ("*/*", "text/html"), (BROWSER, "text/html"),
    ("text/turtle", "text/turtle"), ("application/x-turtle", "text/turtle"),
    ("application/ld+json", "application/ld+json"), ("application/json", "application/ld+json"),
    ("application/n-triples", "application/n-triples"), ("application/rdf+xml", "application/rdf+xml"),
    ("text/*", "text/html"), ("application/*", "application/ld+json"),
    ("application/rdf+xml;q=0.9, text/turtle", "text/turtle"),
    ("text/turtle;q=0.5, application/ld+json;q=0.8", "application/ld+json"),
    ("text/turtle;q=0, */*;q=0.1", "text/html"),
    ("text/html;q=0.1, application/n-triples;q=0.2, image/png", "application/n-triples"),
    ("this is ;;; not an accept header", "text/html"),
    # what rdflib's format names send (rdflib/parser.py): N-Triples, N3, TriG, N-Quads
    ("text/plain, */*;q=0.1", "application/n-triples"), ("text/n3, */*;q=0.1", "text/n3"),
    ("application/trig, */*;q=0.1", "application/trig"), ("application/n-quads", "application/n-quads"),
]
NOT_ACCEPTABLE = ["image/png", "text/turtle;q=0, text/html;q=0, application/*;q=0"]
FORMAT_PARAMS = [("ttl", "text/turtle"), ("turtle", "text/turtle"), ("jsonld", "application/ld+json"),
                 ("nt", "application/n-triples"), ("rdf", "application/rdf+xml"), ("html", "text/html"),
                 ("text/turtle", "text/turtle")]


def charset_content_type(media_type: str) -> str:
    """Text formats name their charset; JSON is UTF-8 by definition (RFC 8259) and pyld and
    jsonld.js take a body for JSON only under the bare type."""
    return media_type if media_type == "application/ld+json" else f"{media_type}; charset=utf-8"


def get(url: str, headers: dict[str, str] | None = None) -> requests.Response:
    session = requests.Session()
    session.headers.pop("Accept", None)  # requests sends */* by default; a case may want none
    session.headers["Accept-Encoding"] = "identity"
    response = session.get(url, headers=headers or {}, timeout=10, allow_redirects=False)
    session.close()
    return response


def vary(response: requests.Response) -> set[str]:
    return {v.strip() for v in response.headers.get("Vary", "").split(",") if v.strip()}


def check_accept(base: str, path: str) -> None:
    for accept, expected in ACCEPT_CASES:
        response = get(f"{base}{path}", {"Accept": accept} if accept is not None else None)
        where = f"{path} Accept={accept!r}"
        assert response.status_code == 200, (where, response.status_code)
        assert response.headers["Content-Type"].split(";")[0] == expected, (where, response.headers)
        assert response.headers["Content-Type"] == charset_content_type(expected), where
        key = next(f.key for f in RESOURCE if f.media_type == expected)
        assert response.headers["Content-Location"].split("?")[0] == f"{path}.{key}", where
        assert "Accept" in vary(response), where
        document = get(f"{base}{path}.{key}", {"Accept-Language": "de"}
                       if expected == "text/html" else None)
        assert response.content == document.content, f"{where}: body differs from {path}.{key}"


def check_not_acceptable(base: str, path: str) -> None:
    for accept in NOT_ACCEPTABLE:
        response = get(f"{base}{path}", {"Accept": accept})
        assert response.status_code == 406, (accept, response.status_code)
        assert response.headers["Content-Type"].startswith("application/problem+json"), accept
        for fmt in RESOURCE:
            assert fmt.media_type in response.text, (accept, response.text)
    response = get(f"{base}{path}?format=yaml")
    assert response.status_code == 406 and "text/turtle" in response.text


def check_documents(base: str, path: str) -> None:
    for fmt in RESOURCE:
        response = get(f"{base}{path}.{fmt.key}", {"Accept": "image/png"})
        assert response.status_code == 200, (fmt.key, response.status_code)
        assert response.headers["Content-Type"].split(";")[0] == fmt.media_type, fmt.key
        assert "Content-Location" not in response.headers, fmt.key
        assert "Accept" not in vary(response), fmt.key
        assert response.headers.get("Access-Control-Allow-Origin") == "*", fmt.key
        assert response.headers.get("ETag", "").startswith('"'), fmt.key  # strong validator


def check_format_param(base: str, path: str) -> None:
    for param, expected in FORMAT_PARAMS:
        response = get(f"{base}{path}?format={param}", {"Accept": "text/html"})
        assert response.status_code == 200, (param, response.status_code)
        assert response.headers["Content-Type"].split(";")[0] == expected, param


def check_links(base: str, path: str, canonical: str) -> None:
    link = get(f"{base}{path}", {"Accept": "text/turtle"}).headers["Link"]
    assert f'<{canonical}>; rel="canonical"' in link
    # one rel="alternate" alone (JSON-LD, which JSON-LD processors follow); the others list a
    # second relation, so that pyld and jsonld.js do not get several links under one key
    assert f'<{path}.jsonld>; rel="alternate"; type="application/ld+json"' in link
    assert link.count('rel="alternate"') == 1
    for fmt in RESOURCE:
        if fmt.key != "jsonld":
            assert f'<{path}.{fmt.key}>; rel="alternate describedby"; type="{fmt.media_type}"' in link


def check_language(base: str, path: str) -> None:
    english = get(f"{base}{path}", {"Accept": "text/html", "Accept-Language": "en-GB,en;q=0.9"})
    assert english.headers["Content-Language"] == "en"
    assert english.headers["Content-Location"] == f"{path}.html?lang=en"
    assert {"Accept", "Accept-Language"} <= vary(english)
    german = get(f"{base}{path}.html", {"Accept-Language": "de"})
    by_param = get(f"{base}{path}.html?lang=en", {"Accept-Language": "de"})
    assert english.content == by_param.content != german.content
    assert 'lang="en"' in by_param.text and 'lang="de"' in german.text


def check_not_found(base: str) -> None:
    for accept in (BROWSER, "text/turtle"):
        response = get(f"{base}/org/does-not-exist", {"Accept": accept})
        assert response.status_code == 404, (accept, response.status_code)
        assert "Traceback" not in response.text


def check_cached_revalidation(base: str, path: str) -> None:
    first = get(f"{base}{path}.ttl")
    again = get(f"{base}{path}.ttl", {"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.content == b""


def check_content_location_has_the_same_bytes(base: str, path: str) -> None:
    """A negotiated answer's Content-Location names a document that answers with the very same
    bytes (RFC 9110 8.7): the plain German page (clean links) is /x.html, not /x.html?lang=de,
    whose links keep lang=de."""
    for target, query in itertools.product((path, "/"), ("", "?lang=de", "?lang=en")):
        for headers in ({"Accept": "text/html"}, {"Accept": "text/html", "Accept-Language": "en"},
                        {"Accept": "text/turtle"}):
            negotiated = get(f"{base}{target}{query}", headers)
            location = negotiated.headers.get("Content-Location")
            if location is None:  # none is allowed (/ is the document itself), a wrong one is not
                continue
            document = get(f"{base}{location}", {"Accept-Language": headers.get("Accept-Language", "de")})
            assert document.status_code == 200, (query, headers, location)
            assert document.content == negotiated.content, (query, headers, location)


def check_preflight(base: str, path: str) -> None:
    """The Fetch standard's CORS-preflight check, as a browser runs it before a GET that carries
    a header outside the safelist (Accept-Profile, If-None-Match): the answer is a 2xx that allows
    the origin and names every such header."""
    asked = ["accept-profile", "if-none-match"]
    for target in (path, f"{path}.ttl"):
        preflight = requests.options(f"{base}{target}", timeout=10, headers={
            "Origin": "https://app.example", "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": ",".join(asked)})
        assert 200 <= preflight.status_code < 300, (target, preflight.status_code)
        assert preflight.headers.get("Access-Control-Allow-Origin") in ("*", "https://app.example")
        listed = preflight.headers.get("Access-Control-Allow-Headers", "")
        allowed = {h.strip().lower() for h in listed.split(",")}
        assert "*" in allowed or set(asked) <= allowed, (target, preflight.headers)


def check_canonical_agrees_with_the_page(base: str, path: str) -> None:
    """An HTML answer names one canonical URL: a ``Link: rel="canonical"`` header says what the
    page's own ``<link rel="canonical">`` says. The English page is canonically ``{iri}?lang=en``;
    a header naming the German ``{iri}`` for it is the conflicting signal Google's guide on
    canonical URLs warns against ("don't specify different URLs as canonical for the same page
    using different canonicalization techniques"), and may fold the English page into the German."""
    cases = [(f"{path}{query}", headers) for query in ("", "?lang=de", "?lang=en")
             for headers in ({"Accept": "text/html"}, {"Accept": "text/html", "Accept-Language": "en"})]
    cases += [(f"{path}.html?lang=en", {}), (f"{path}.html", {"Accept-Language": "en"})]
    for target, headers in cases:
        response = get(f"{base}{target}", headers)
        assert response.status_code == 200, (target, headers, response.status_code)
        in_page = re.findall(r'<link rel="canonical" href="([^"]+)">', response.text)
        in_header = re.findall(r'<([^>]+)>; rel="canonical"', response.headers.get("Link", ""))
        assert len(in_page) == 1, (target, headers)
        assert in_header in ([], in_page), (target, headers, in_header, in_page)


def check_scripts_may_read_the_linked_data_headers(base: str, path: str) -> None:
    """A script on another origin reads only the CORS-safelisted response headers and those named
    in Access-Control-Expose-Headers (Fetch standard); the alternates in Link, the document in
    Content-Location, the profile and the ETag to revalidate with must be among them, for the
    negotiated resource and for a document URL alike (docs/SERVING.md)."""
    for target, headers in ((path, {"Accept": "text/turtle"}), (f"{path}.ttl", {})):
        response = get(f"{base}{target}", {**headers, "Origin": "https://app.example"})
        assert response.headers.get("Access-Control-Allow-Origin") in ("*", "https://app.example")
        listed = response.headers.get("Access-Control-Expose-Headers", "")
        exposed = {h.strip().lower() for h in listed.split(",")}
        needed = {"etag", "link"} | ({"content-location"} if target == path else set())
        assert "*" in exposed or needed <= exposed, (target, response.headers)


def check_slash_redirects(base: str, path: str) -> None:
    """A typed URL that differs from a resource's IRI only by its trailing slash is sent there
    with a permanent redirect (RFC 9110 15.4.2), its query kept: ``{path}/`` to ``{path}`` and
    ``/def`` to the ontology ``/def/``. The Location is a path on this host or the IRI itself:
    never a host taken from the Host header. A resource below ``{path}`` (its memberships) stays
    a resource of its own."""
    elsewhere = {"Host": "elsewhere.example", "Accept": "text/turtle"}
    for typed, target in ((f"{path}/", path), (f"{path}/?lang=en", f"{path}?lang=en"),
                          ("/def", "/def/"), ("/def?format=ttl", "/def/?format=ttl")):
        response = get(f"{base}{typed}", elsewhere)
        assert response.status_code in (301, 308), (typed, response.status_code)
        location = response.headers["Location"]  # a path, or the IRI (Apache: docs/STATIC.md)
        assert location in (target, BASE + target[1:]), (typed, location)
    below = get(f"{base}{path}/membership/network", {"Accept": "text/turtle"})
    assert below.status_code == 200, below.status_code
    assert get(f"{base}/org/does-not-exist/", {"Accept": "text/turtle"}).status_code == 404


def check_void_urls(base: str, path: str) -> None:
    """``/.well-known/void`` is one URL with ``?format=`` for each format (docs/DATASET.md): its
    ``Content-Location`` names that URL, which answers with the same bytes; suffixed names
    (``/.well-known/void.ttl``) are no URL of the site, on the server and the export alike."""
    for accept, key in (("text/turtle", "ttl"), ("application/ld+json", "jsonld"), ("*/*", "ttl")):
        negotiated = get(f"{base}/.well-known/void", {"Accept": accept})
        location = negotiated.headers.get("Content-Location")
        assert negotiated.status_code == 200 and location == f"/.well-known/void?format={key}", (
            accept, negotiated.status_code, location)
        assert get(f"{base}{location}").content == negotiated.content, accept
    for key in ("ttl", "jsonld", "nt", "de.html"):
        assert get(f"{base}/.well-known/void.{key}").status_code == 404, key
    # a browser is sent to the dataset page: on this host or the IRI, never one named by Host
    browser = get(f"{base}/.well-known/void", {"Accept": BROWSER, "Host": "elsewhere.example"})
    assert browser.status_code == 303, browser.status_code
    assert browser.headers["Location"] in ("/dataset", f"{BASE}dataset"), browser.headers["Location"]


def check_index_is_a_page_like_the_others(base: str, path: str) -> None:
    """``/`` is an HTML document chosen by language only, as ``{path}.html`` is: both name their
    language (``Content-Language``, RFC 9110 8.5) and, being the document itself, no other URL in
    ``Content-Location`` (RFC 9110 8.7)."""
    for query, browser, lang in (("", "de", "de"), ("", "en", "en"), ("?lang=en", "de", "en"),
                                 ("?lang=de", "en", "de")):
        for target in ("/", f"{path}.html"):
            response = get(f"{base}{target}{query}", {"Accept": BROWSER, "Accept-Language": browser})
            where = (target, query, browser)
            assert response.status_code == 200, where
            assert response.headers.get("Content-Language") == lang, (where, response.headers)
            assert "Content-Location" not in response.headers, (where, response.headers)
            assert "Accept-Language" in vary(response), where


ALL_CHECKS = (check_accept, check_not_acceptable, check_documents, check_format_param,
              check_language, check_cached_revalidation, check_preflight,
              check_content_location_has_the_same_bytes, check_canonical_agrees_with_the_page,
              check_scripts_may_read_the_linked_data_headers, check_slash_redirects,
              check_void_urls, check_index_is_a_page_like_the_others)


def run_all(base: str, path: str, canonical: str) -> None:
    for check in ALL_CHECKS:
        check(base, path)
    check_links(base, path, canonical)
    check_not_found(base)
