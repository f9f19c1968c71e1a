"""Every kind of HTML page the site serves, as paths on the repository's data, for the tests that
look at all of them (language, browsers, accessibility)."""

from __future__ import annotations

from pathlib import Path

_PEOPLE = sorted((Path(__file__).resolve().parents[1] / "data" / "people").glob("*.ttl"))
# A real person's slug is read from data/people/, never written into tests (`regiold forget`).
PERSON = f"/person/{_PEOPLE[0].stem}" if _PEOPLE else "/person/none"

PARTNER = "/org/regionalmanagement-duesseldorf-kreis-mettmann"
LONG_NAME = "/org/bergische-gesellschaft"  # "Wirtschaftsförderungsgesellschaft": 611 px wide once

PAGE_KINDS: dict[str, str] = {
    "index": "/",
    "partner": PARTNER,
    "partner-long-name": LONG_NAME,
    "partner-note": "/org/muensterland-ev",
    "carrier": "/org/kreis-mettmann",
    "network": "/org/regionen-nrw",
    "person": PERSON,
    "area": "/area/duesseldorf",
    "post": "/org/kreis-mettmann/post/landrat",
    "ontology": "/def/",
    "term": "/def/Regionalmanagement",
    "scheme": "/def/role",
    "concept": "/def/role/traeger",
    "dataset": "/dataset",
    "catalog": "/catalog",
    "version": "/dataset/version/0-1-0",
    "source": "/source/partner-page-duesseldorf-kreis-mettmann",
    "search": "/search?q=duesseldorf",
    "search-none": "/search?q=zzyzx",
    "search-form": "/search",
    "sparql": "/sparql",
    "sparql-result": "/sparql?example=02-carriers-of-each-partner&format=html"
                     "&query=SELECT%20%3Fs%20WHERE%20%7B%20%3Fs%20a%20%3Chttps%3A%2F%2Fschema.org%2FPerson%3E%20%7D",
    "not-found": "/org/no-such-organisation",
}
NOT_FOUND = {"not-found"}


def in_language(path: str, lang: str) -> str:
    """``path`` with ``lang=`` (the switch a reader clicks)."""
    return f"{path}{'&' if '?' in path else '?'}lang={lang}"
