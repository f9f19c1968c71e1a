"""Every page kind in headless Chromium at 1280 and 360 px, in de and en: no horizontal scroll, the
contact block of an organisation page inside the first screen, and axe-core's WCAG 2.1 A and AA
rules with JavaScript on and off. Screenshots go to test-artifacts/ (git-ignored) for people to
look at: ``{kind}-{lang}-{width}.png``."""

from __future__ import annotations

import re

import pytest

from conftest import ROOT, shared_dir
from page_kinds import NOT_FOUND, PAGE_KINDS, PARTNER, in_language
from page_people import page_contacts

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not (ROOT / "data" / "partners").is_dir(),
                                 reason="needs the repository's data (data/partners/)")]

ARTIFACTS = ROOT / "test-artifacts"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENS = {1280: 800, 360: 740}  # width → height of the first screen (a small phone: 360 × 740)
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
LANGS = ("de", "en")


@pytest.fixture(scope="module")
def contexts(browser):
    """One browser context per (width, JavaScript on/off); CSP bypassed only to inject axe-core."""
    made = {}
    for width, height in SCREENS.items():
        for js in (True, False):
            context = browser.new_context(viewport={"width": width, "height": height},
                                          bypass_csp=True)
            if not js:  # what a browser without JavaScript renders: the page's scripts never run
                context.route("**/*.js", lambda route: route.abort())
            made[(width, js)] = context
    yield made
    for context in made.values():
        context.close()


def open_page(contexts, url: str, width: int, *, js: bool = True):
    page = contexts[(width, js)].new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    response = page.goto(url, wait_until="networkidle")
    return page, response, problems


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("width", sorted(SCREENS))
@pytest.mark.parametrize("kind", sorted(PAGE_KINDS))
def test_every_page_fits_the_screen(contexts, live_url: str, kind: str, width: int, lang: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page, response, problems = open_page(contexts, live_url + in_language(PAGE_KINDS[kind], lang), width)
    try:
        assert response.status == (404 if kind in NOT_FOUND else 200)
        page.screenshot(path=str(ARTIFACTS / f"{kind}-{lang}-{width}.png"), full_page=True)
        scroll = page.evaluate("() => document.documentElement.scrollWidth")
        assert scroll <= width, f"{kind} is {scroll} px wide at {width} px"
        assert page.locator("header form[role=search] input[name=q]").is_visible()
        expected_errors = 1 if kind in NOT_FOUND else 0  # the 404 itself
        assert len(problems) == expected_errors, problems  # no favicon 404, no CSP violation
    finally:
        page.close()


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("width", sorted(SCREENS))
def test_organisation_page_answers_who_where_carried_by_and_how_to_reach(
        contexts, live_url: str, width: int, lang: str) -> None:
    page, _, _ = open_page(contexts, live_url + in_language(PARTNER, lang), width)
    try:
        height = SCREENS[width]
        heading = page.get_by_role("heading", level=1)
        assert heading.inner_text().replace("\n", " ") == "Regionalmanagement Düsseldorf – Kreis Mettmann"
        key = page.locator("section.key")
        for area in ("/area/duesseldorf", "/area/kreis-mettmann"):
            assert key.locator(f'a[href^="{area}"]').is_visible()
        for carrier in ("/org/landeshauptstadt-duesseldorf", "/org/kreis-mettmann", "/org/ihk-duesseldorf"):
            assert key.locator(f'a[href^="{carrier}"]').is_visible()
        contact = page.locator("section.contact")
        assert contact.get_by_text("Auf'm Hennekamp 45, 40225 Düsseldorf, DE").is_visible()
        (person,) = [c for c in page_contacts(shared_dir()) if c.phone]  # as the source page lists it
        assert contact.locator(f'a[href="tel:{person.e164}"]').inner_text() == person.phone
        assert contact.locator(f'a[href="mailto:{person.email}"]').is_visible()
        assert contact.locator('a[href="https://regionalmanagement-d-me.de/"]').is_visible()
        for block in (heading, key, contact):
            box = block.bounding_box()
            assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height, \
                f"{block} ends at {box and box['y'] + box['height']:.0f} px, the screen at {height}"
        text = page.locator("main").inner_text()
        assert text.count("Auf'm Hennekamp 45") == 1  # the address once, not in a second block
        assert "(Kontakt)" not in text and "(contact point)" not in text
        first_screen = page.evaluate(
            "h => [...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().top < h"
            " && !e.children.length).map(e => e.textContent).join(' ')", height)
        for modelling in ("Organisationseinheit", "Verbund", "collaboration", "Land: DE", "Beispiel in"):
            assert not re.search(rf"\b{modelling}\b", first_screen), modelling  # types, not "Verbundpartner"
    finally:
        page.close()


@pytest.mark.skipif(not AXE.is_file(), reason="axe-core is missing: run `npm ci` (package.json)")
@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", sorted(PAGE_KINDS))
def test_wcag_21_aa(contexts, live_url: str, kind: str, lang: str, js: bool) -> None:
    page, _, _ = open_page(contexts, live_url + in_language(PAGE_KINDS[kind], lang), 1280, js=js)
    try:
        if kind.startswith("sparql") and js:
            page.wait_for_selector(".CodeMirror")  # YASGUI took over
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")  # in the page: its scripts may be off
        violations = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}}).then(r =>"
            " r.violations.map(v => v.id + ' (' + v.impact + '): '"
            " + v.nodes.map(n => n.target).join(' | ')))",
            WCAG)
        assert violations == [], f"{kind} {lang} js={js}: {violations}"
    finally:
        page.close()
