"""The Content-Security-Policy breaks nothing: headless Chromium loads the pages and the query
editor without a single CSP violation (and scripts from data never run)."""

from __future__ import annotations

import shutil
import threading

import pytest
from werkzeug.serving import make_server

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser():
    if shutil.which("chromium") is None:
        pytest.skip("chromium is not installed")
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def site_url(mini_app):
    server = make_server("127.0.0.1", 0, mini_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


def visit(browser, url: str) -> tuple[list[str], object]:
    page = browser.new_page()
    messages: list[str] = []
    page.on("console", lambda m: messages.append(m.text))
    page.on("pageerror", lambda e: messages.append(f"pageerror: {e}"))
    page.goto(url, wait_until="networkidle")
    page.wait_for_timeout(300)
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
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        page = browser.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(f"http://127.0.0.1:{server.server_port}/org/evil", wait_until="networkidle")
        assert page.title()  # the page rendered
        assert HOSTILE["script"] in page.inner_text("body")  # shown as text
        assert page.locator("img[src=x], svg[onload]").count() == 0  # no element from data
        assert dialogs == []
        page.close()
    finally:
        server.shutdown()
        thread.join(timeout=5)
