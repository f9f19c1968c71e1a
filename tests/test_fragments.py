"""The parts every page shares (publish/fragments.py: head links, site header, footer, format list)
are rendered once with a stand-in for the page's path and reused: every page must get exactly
what rendering them with its own path gives, whatever the path, language, link language and page."""

from __future__ import annotations

import pytest

from regiold.publish import fragments, render

PATHS = ["/org/x", "/", "/def/", "/org/x/post/y", "/org/a&b", '/org/"q"', "/org/<x>", "/org/ü",
         "/org/x?lang=en"]


def _context(path: str, lang: str, named: bool, page: int) -> tuple[fragments.Chrome, dict]:
    context = render.chrome(path, lang, query=render.page_query(page), default_lang="de",
                            sparql_link="/sparql", named=named)
    chrome = context.pop("chrome")
    context["alternates"] = render.alternates(path, page)
    return chrome, context


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize(("lang", "named"), [("de", False), ("de", True), ("en", False)])
@pytest.mark.parametrize("page", [1, 3])
def test_a_shared_part_prints_what_the_page_alone_would(path: str, lang: str, named: bool,
                                                       page: int) -> None:
    env = render.environment()
    chrome, context = _context(path, lang, named, page)
    for _ in range(2):  # the first call renders and keeps them, the second reuses them
        assert fragments.parts(env, chrome, context) == fragments.parts(env, chrome, context,
                                                                        shared=False)


def test_the_path_is_escaped_in_every_shared_part() -> None:
    env = render.environment()
    chrome, context = _context("/org/a&b", "de", False, 1)
    found = fragments.parts(env, chrome, context)
    assert '<link rel="alternate" hreflang="en" href="/org/a&amp;b?lang=en">' in found.head
    assert 'type="text/turtle" href="/org/a&amp;b.ttl"' in found.head
    assert '<a href="/org/a&amp;b?lang=en" hreflang="en" lang="en">English</a>' in found.header
    assert '<li><a href="/org/a&amp;b.ttl" type="text/turtle">Turtle</a></li>' in found.formats
    assert "a&b" not in "".join((found.head, found.header, found.formats))


def test_the_search_box_keeps_the_readers_text_escaped_and_unshared() -> None:
    env = render.environment()
    chrome, context = _context("/search", "de", False, 1)
    context["q"] = '"><script>x</script>'
    found = fragments.parts(env, chrome, context)
    assert 'value="&#34;&gt;&lt;script&gt;x&lt;/script&gt;"' in found.header
    del context["q"]
    assert "script" not in fragments.parts(env, chrome, context).header
