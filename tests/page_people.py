"""The contact persons, read at run time from where they live, never written into the tests.

Person data exist in two places only: the source page (``../shared/sources/…``) and each person's
own file under ``data/people/``, where ``regiold forget`` reaches them. Tests that check how real
person data are modelled, shown or withheld take the names, phones and e-mails from here.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import phonenumbers
import rdflib

BASE = "https://w3id.org/regionen-nrw/"
SDO = rdflib.Namespace("https://schema.org/")
SOURCE_PAGE = Path("sources") / "000_c7d2e0839efadfda.txt"


@dataclass(frozen=True)
class Contact:
    """One contact as the source page lists it."""

    title: str | None
    given: str
    family: str
    phone: str | None  # as the page writes it, e.g. "0211 …"
    email: str

    @property
    def name(self) -> str:
        return f"{self.given} {self.family}"

    @property
    def shown(self) -> str:
        """The name as the page shows it, title included."""
        return f"{self.title} {self.name}" if self.title else self.name

    @property
    def slug(self) -> str:
        """The slug of the person's IRI (``person/{slug}``): ü → ue, lower case, hyphens."""
        text = self.name.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")

    @property
    def e164(self) -> str | None:
        if self.phone is None:
            return None
        number = phonenumbers.parse(self.phone, "DE")
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def page_contacts(shared: Path) -> list[Contact]:
    """The blocks after "Ansprechpartner:" on the source page: name, address, phone, e-mail."""
    text = (shared / SOURCE_PAGE).read_text(encoding="utf-8")
    part = text.split("Ansprechpartner:", 1)[1].split("Zurück zur Auswahl", 1)[0]
    contacts = []
    for block in re.split(r"\n\s*\n", part.strip()):
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        if not lines:
            continue
        words = lines[0].split()
        title = words[0] if words[0].endswith(".") else None
        names = words[1:] if title else words
        phone = next((line[2:].strip() for line in lines if line.startswith("T:")), None)
        email = next(line for line in lines if "@" in line)
        contacts.append(Contact(title, " ".join(names[:-1]), names[-1], phone, email))
    return contacts


def secrets(site: Path) -> set[str]:
    """Names, family names, e-mails, phone numbers (several notations) and slugs of the persons in
    ``site/data/people/`` (read with rdflib, independently of the code under test)."""
    graph = rdflib.Graph()
    for path in (site / "data" / "people").rglob("*.ttl"):
        graph.parse(path, format="turtle", publicID=BASE)
    found: set[str] = set()
    for person in set(graph.subjects(rdflib.RDF.type, SDO.Person)) | {
            s for s in graph.subjects() if str(s).startswith(BASE + "person/")}:
        found.add(str(person).rsplit("/", 1)[-1])
        for predicate in (SDO.name, SDO.familyName):
            found.update(str(v) for v in graph.objects(person, predicate))
    for value in graph.objects(None, SDO.email):
        found.add(str(value).removeprefix("mailto:"))
    for value in graph.objects(None, SDO.telephone):
        digits = re.sub(r"\D", "", str(value))
        found.update({digits, "0" + digits[2:], digits[-7:]})
    return {s for s in found if len(s) >= 4}
