"""The static export renders a page in the default language once for its two URLs (``/org/x?lang=de``
keeps ``lang=`` in its links, ``/org/x`` has clean links: publish/render.py, ``page_twice``). Each
must be exactly the page the server sends for that URL, also when the data prints the text the
one rendering uses as marks."""

from __future__ import annotations

from pathlib import Path

import pytest

from pages_support import BASE, DME, copy_site, make_app
from regiold.errors import NotFound
from regiold.export.build import resource_paths
from regiold.publish import render
from regiold.publish.site import Site
from regiold.rdf.formats import HTML

# Text a rendering for two URLs puts in place of the language in links and of the shared parts.
MARK_TEXTS = ("?lang=%01", "&lang=%01", "\\u0002header\\u0002", "\\u0002footer\\u0002")


def _site(tmp: Path, extra: dict[str, str] | None = None, **settings: object) -> Site:
    app = make_app(copy_site(tmp / "site", extra), sparql_link="", **settings)
    return app.extensions["regiold"].site


def _served(site: Site, iri: str) -> tuple[bytes, bytes]:
    named = render.representation(site, iri, HTML, "de", named=True).body
    clean = render.representation(site, iri, HTML, None).body
    return named, clean


def test_every_page_of_the_site_equals_the_servers_two_pages(tmp_path: Path) -> None:
    site = _site(tmp_path)
    compared = 0
    for path in resource_paths(site)[0]:
        try:
            pair = render.default_pages(site, BASE + path)
        except NotFound:
            continue
        assert pair == _served(site, BASE + path), path
        assert b"?lang=de" in pair[0] and pair[0] != pair[1]  # the two differ in their links
        compared += 1
    assert compared > 10


@pytest.mark.parametrize("text", MARK_TEXTS)
def test_data_that_prints_a_marks_text_is_shown_as_it_is(tmp_path: Path, text: str) -> None:
    """A name holding what the one rendering uses as a mark: both pages still equal the server's,
    and show the name (its ``&`` escaped, as every text is)."""
    extra = {"data/marks.ttl": f'<{DME}> <https://schema.org/alternateName> "Also{text}known" .\n'}
    # U+0002 is a control character XML cannot carry: validation refuses it (test_xml_safe_literals),
    # so such data is served only with allow_invalid, where the marks must still hold
    site = _site(tmp_path, extra, allow_invalid="\\u0002" in text)
    named, clean = render.default_pages(site, DME)
    assert (named, clean) == _served(site, DME)
    shown = text.replace("&", "&amp;").replace("\\u0002", "\x02").encode()
    assert b"Also" + shown + b"known" in named
    assert b"Also" + shown + b"known" in clean
