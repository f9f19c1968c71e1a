"""A person's path through the site in headless Chromium: the index, the partner page of
Regionalmanagement Düsseldorf – Kreis Mettmann (heading, carriers, contacts), the switch to
English. Screenshots go to test-artifacts/ (git-ignored) for people to look at."""

from __future__ import annotations

import pytest

from conftest import ROOT, shared_dir
from page_people import page_contacts

pytestmark = pytest.mark.browser

ARTIFACTS = ROOT / "test-artifacts"
NAME = "Regionalmanagement Düsseldorf – Kreis Mettmann"
CARRIERS = ("Landeshauptstadt Düsseldorf", "Kreis Mettmann", "Industrie- und Handelskammer zu Düsseldorf")


@pytest.fixture(scope="module")
def site_url(request: pytest.FixtureRequest) -> str:
    if not (ROOT / "data" / "partners").is_dir():
        pytest.skip("needs the repository's data (data/partners/)")
    return request.getfixturevalue("live_url")


def test_index_to_partner_page_and_english(browser, site_url: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1100, "height": 900}, locale="de-DE")
    try:
        page.goto(f"{site_url}/", wait_until="load")
        assert page.locator("html").get_attribute("lang") == "de"
        page.get_by_role("link", name=NAME, exact=True).first.click()
        page.wait_for_load_state("load")
        assert page.url.endswith("/org/regionalmanagement-duesseldorf-kreis-mettmann")
        assert page.get_by_role("heading", level=1).inner_text() == NAME
        assert page.locator("h1").count() == 1

        carriers = page.locator("section.key dd").nth(1)  # the first screen names the carriers
        for carrier in CARRIERS:
            assert carriers.get_by_role("link", name=carrier, exact=True).is_visible(), carrier

        contact = page.locator("section.contact")
        (person,) = [c for c in page_contacts(shared_dir()) if c.phone]  # as the source page lists it
        phone = contact.locator(f'a[href="tel:{person.e164}"]').first
        assert phone.is_visible() and phone.inner_text() == person.phone
        assert contact.locator(f'a[href="mailto:{person.email}"]').first.is_visible()
        assert contact.get_by_text("Auf'm Hennekamp 45").first.is_visible()
        page.screenshot(path=str(ARTIFACTS / "browser-partner-de.png"), full_page=True)

        page.get_by_role("link", name="English").click()
        page.wait_for_load_state("load")
        assert page.locator("html").get_attribute("lang") == "en"
        assert "lang=en" in page.url
        assert page.get_by_role("heading", level=1).is_visible()
        assert page.locator("section.key").get_by_text("Carried by").is_visible()
        assert page.locator("section.key").get_by_role(
            "link", name="State capital Düsseldorf").is_visible()
        page.locator("section.key").get_by_role("link", name="State capital Düsseldorf").click()
        page.wait_for_load_state("load")
        assert page.locator("html").get_attribute("lang") == "en"  # the choice sticks
        assert "lang=en" in page.url
        page.screenshot(path=str(ARTIFACTS / "browser-partner-en.png"), full_page=True)
    finally:
        page.close()


def test_german_chosen_in_an_english_browser_stays_german(browser, site_url: str) -> None:
    """A reader whose browser asks for English clicks "Deutsch"; Home, a partner card and the
    search box keep German (the links and the form carry ``lang=de``: docs/ARCHITECTURE.md)."""
    page = browser.new_page(viewport={"width": 1100, "height": 900}, locale="en-US")
    lang = page.locator("html")
    try:
        page.goto(f"{site_url}/org/kreis-mettmann", wait_until="load")
        assert lang.get_attribute("lang") == "en"  # Accept-Language: en-US
        page.get_by_role("link", name="Deutsch").click()
        page.wait_for_load_state("load")
        assert lang.get_attribute("lang") == "de"
        page.locator("header a.brand").click()  # Home
        page.wait_for_load_state("load")
        assert lang.get_attribute("lang") == "de", page.url
        assert page.get_by_role("link", name="English").is_visible()
        page.get_by_role("link", name=NAME, exact=True).first.click()  # a partner card
        page.wait_for_load_state("load")
        assert page.url.split("?")[0].endswith("/org/regionalmanagement-duesseldorf-kreis-mettmann")
        assert lang.get_attribute("lang") == "de", page.url
        assert page.locator("section.key").get_by_text("Träger").first.is_visible()
        search = page.locator("header form[role=search] input[name=q]")
        search.fill("duesseldorf")
        search.press("Enter")
        page.wait_for_load_state("load")
        assert "/search" in page.url and lang.get_attribute("lang") == "de", page.url
    finally:
        page.close()
