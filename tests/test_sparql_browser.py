"""The query editor in headless Chromium: YASGUI runs an example and shows the table, with every
request staying on our own server; without JavaScript the plain form gives the same answer."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser():
    if shutil.which("chromium") is None:
        pytest.skip("chromium is not installed")
    if not (ROOT / "data" / "partners").is_dir():
        pytest.skip("needs the repository's data")
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def test_yasgui_runs_an_example_against_this_server_only(browser, live_url):
    page = browser.new_page()
    requested: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    try:
        page.goto(f"{live_url}/sparql?example=02-carriers-of-each-partner", wait_until="networkidle")
        assert page.locator("#sparql-form").is_hidden()  # YASGUI took over
        assert "role:traeger" in page.locator(".CodeMirror").inner_text()
        page.locator(".yasqe_queryButton").click()
        page.wait_for_selector("text=Industrie- und Handelskammer zu Düsseldorf", timeout=10_000)
        page.locator("text=Kreis Mettmann").first.wait_for()
        assert errors == []
        assert requested and all(url.startswith(live_url) for url in requested), requested
    finally:
        page.close()


def test_plain_form_works_without_javascript(browser, live_url):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{live_url}/sparql?example=02-carriers-of-each-partner")
        assert page.locator("#sparql-form").is_visible()
        page.locator("#sparql-form button[type=submit]").click()
        page.wait_for_load_state()
        cells = page.locator("#results td").all_inner_texts()
        assert "Industrie- und Handelskammer zu Düsseldorf @de" in cells
        assert "Kreis Mettmann @de" in cells
    finally:
        context.close()
