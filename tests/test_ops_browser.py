"""The Content-Security-Policy breaks nothing: headless Chromium loads the pages and the query
editor without a single CSP violation (and scripts from data never run)."""

from __future__ import annotations

import pytest

from live import serve_app

pytestmark = pytest.mark.browser

@pytest.fixture
def site_url(mini_app):
    with serve_app(mini_app) as url:
        yield url


# Every CSP violation fires a ``securitypolicyviolation`` event in the page; this listener, added
# before any of the page's own code runs, records them where the test can read them.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation",
    e => window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI));
"""


def visit(browser, url: str) -> tuple[list[str], object]:
    """Load ``url`` until the network is idle; the CSP violations and script errors it caused.
    Reading the recorded violations is a round trip to the page, so every event fired before
    it has been delivered: no fixed wait."""
    page = browser.new_page()
    messages: list[str] = []
    page.on("pageerror", lambda e: messages.append(f"pageerror: {e}"))
    page.add_init_script(RECORD_VIOLATIONS)
    page.goto(url, wait_until="networkidle")
    assert page.evaluate("() => document.readyState") == "complete"
    messages += [f"Content Security Policy: {v}" for v in page.evaluate("() => window.__cspViolations")]
    return messages, page


def test_query_editor_runs_under_the_csp(browser, site_url):
    messages, page = visit(browser, f"{site_url}/sparql")
    assert not [m for m in messages if "Content Security Policy" in m or "pageerror" in m]
    assert page.evaluate("() => !!document.querySelector('.yasqe, .CodeMirror')")
    page.close()


@pytest.mark.parametrize("path", ["/", "/search?q=a", "/org/alpha", "/.well-known/void"])
def test_pages_load_without_csp_violations(browser, site_url, path):
    messages, page = visit(browser, site_url + path)
    assert not [m for m in messages if "Content Security Policy" in m or "pageerror" in m]
    page.close()


def test_hostile_literals_run_no_script(browser, mini_site, settings_for):
    from regiold import create_app
    from test_bad_input import HOSTILE, write_hostile

    write_hostile(mini_site)
    app = create_app(settings_for(mini_site))
    with serve_app(app) as url:
        page = browser.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(f"{url}/org/evil", wait_until="networkidle")
        assert page.title()  # the page rendered
        assert HOSTILE["script"] in page.inner_text("body")  # shown as text
        assert page.locator("img[src=x], svg[onload]").count() == 0  # no element from data
        assert dialogs == []
        page.close()
