"""Understanding the text: the page's lines cut into name, introduction, "Leistungen",
"Ansprechpartner" and trailer; running text into sentences, contact lines into contacts."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import phonenumbers

from regiold.steward.importer.known import name_key
from regiold.steward.importer.page import ImportError_, Line, Link, Page


@dataclass(frozen=True)
class Sentence:
    line: int
    text: str


@dataclass(frozen=True)
class Note:
    """Something the importer could not map (or had to repair), with its page line."""

    line: int
    text: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}: {self.text}"


@dataclass
class Contact:
    line: int
    name: str
    title: str | None
    given: str
    family: str
    street: str | None = None
    postal_code: str | None = None
    city: str | None = None
    phones: list[str] = field(default_factory=list)
    faxes: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    job_title: str | None = None  # "Geschäftsführerin": a function line before or after the name


@dataclass
class Parsed:
    name: str
    name_line: int
    intro: list[Sentence] = field(default_factory=list)
    services: list[Sentence] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)


_SERVICES_HEAD = re.compile(r"^(unsere\s+)?(leistungen|aufgaben|angebote?|t[äa]tigkeiten)\s*:?$", re.I)
_CONTACT_HEAD = re.compile(
    r"^(ihre?\s+)?(ansprechpartner(in|innen)?|ansprechpersonen?|kontakt(e|daten)?)"
    r"(\s*(und|&|/)\s*\w+)?\s*:?$", re.I)
_END = re.compile(r"^(zur[üu]ck\b|nach oben|impressum|datenschutz|©|copyright)", re.I)
_LINK_TEXT = re.compile(
    r"^(zu|zur|zum)\s+(unserer|unserem|unseren|der|dem|den|webseite|website|homepage|seite)\b", re.I)
_ABBREVIATIONS = ("o.g.", "z.B.", "z. B.", "u.a.", "u. a.", "etc.", "bzw.", "Dr.", "Prof.", "ggf.",
                  "d.h.", "d. h.", "Nr.", "inkl.", "ca.", "vgl.", "sog.", "Dipl.", "Ing.", "St.",
                  "e.V.", "e. V.", "mbH.", "Str.")
_LONG = 120  # a line this long is running text, not a name or a heading


def parse(page: Page) -> Parsed:
    """Cut the page into its parts; raise when no organisation name can be found.

    :raises ImportError_: no running text (nothing that looks like a partner page).
    """
    lines = page.lines
    first_long = next((i for i, line in enumerate(lines) if len(line.text) >= _LONG), None)
    if first_long is None:
        raise ImportError_(f"{page.path}: no running text found; is this a partner page?")
    name_index = _name_index(lines, first_long, page.heading)
    parsed = Parsed(lines[name_index].text if name_index is not None else page.heading or "?",
                    lines[name_index].no if name_index is not None else 0)
    parsed.links = list(page.links)
    for line in lines[: name_index if name_index is not None else first_long]:
        if _LINK_TEXT.match(line.text) and not page.html:  # HTML links come from <a href>
            parsed.links.append(Link(None, line.text, line.no))
    section = "intro"
    contact_lines: list[Line] = []
    for line in lines[(name_index + 1 if name_index is not None else first_long):]:
        if _END.match(line.text):
            section = "trailer"
        elif _SERVICES_HEAD.match(line.text):
            section = "services"
        elif _CONTACT_HEAD.match(line.text):
            section = "contacts"
        elif section == "contacts":
            contact_lines.append(line)
        elif section in ("intro", "services"):
            target = parsed.intro if section == "intro" else parsed.services
            target.extend(_sentences(line, parsed.notes))
        elif section == "trailer" and _LINK_TEXT.match(line.text) and not page.html:
            parsed.links.append(Link(None, line.text, line.no))
    parsed.contacts = _contacts(contact_lines, parsed.notes)
    return parsed


def _name_index(lines: list[Line], first_long: int, heading: str | None) -> int | None:
    """The organisation's name: the <h1>, or the last short line before the first paragraph
    that the paragraph repeats, or the last short line before it."""
    if heading:
        for i, line in enumerate(lines[: first_long + 1]):
            if line.text == heading:
                return i
    paragraph = name_key(lines[first_long].text)
    candidates = [i for i in range(first_long) if len(lines[i].text) < _LONG
                  and not lines[i].text.endswith(":") and not _LINK_TEXT.match(lines[i].text)]
    for i in reversed(candidates):
        if len(name_key(lines[i].text)) > 3 and name_key(lines[i].text) in paragraph:
            return i
    return candidates[-1] if candidates else None


def _sentences(line: Line, notes: list[Note]) -> list[Sentence]:
    text = line.text
    masked = text
    for abbreviation in _ABBREVIATIONS:
        masked = masked.replace(abbreviation, abbreviation.replace(".", "\x00"))
    parts = re.split(r"(?<=[.!?])\s+(?=[A-ZÄÖÜ„\"(])", masked)
    result, position = [], 0
    for part in parts:
        sentence = part.replace("\x00", ".").strip()
        if sentence:
            position = max(text.find(sentence, position), position)
            at = line.line_at(position)
            result.append(Sentence(at, _repair_parentheses(sentence, at, notes)))
    return result


_PARTICLES = {"hin", "an", "auf", "aus", "vor", "bei", "mit", "zu", "ab", "ein", "nach", "fest"}


def _repair_parentheses(sentence: str, line: int, notes: list[Note]) -> str:
    """Close a '(' the page left open: before a final verb particle ("… hin."), else at the end."""
    if sentence.count("(") <= sentence.count(")"):
        return sentence
    body, end = (sentence[:-1], sentence[-1]) if sentence[-1] in ".!?" else (sentence, "")
    head, _, last = body.rpartition(" ")
    repaired = (f"{head}) {last}{end}" if last in _PARTICLES and "(" in head
                else f"{body}){end}")
    notes.append(Note(line, sentence[:80], "repaired a missing ')' (check the draft)"))
    return repaired


_TITLE = re.compile(r"^((?:(?:Prof|Dr|Dipl|Ing|PD|apl)\.?(?:-[A-Za-z]+\.)?\s*)+)(?=\S)")
_SALUTATION = re.compile(r"^(Herr|Frau)\s+")
_PHONE = re.compile(r"^(T|Tel|Telefon|Fon|Phone|Mobil)\s*\.?\s*:?\s*(.+)$", re.I)
_FAX = re.compile(r"^(F|Fax|Telefax)\s*\.?\s*:?\s*(.+)$", re.I)
_POSTAL = re.compile(r"^(?:D-)?(\d{5})\s+(\S.*)$")
_STREET = re.compile(r"^\S.*\s\d+\s?[a-zA-Z]?(\s*[-–]\s*\d+\s?[a-zA-Z]?)?$")
_EMAIL = re.compile(r"^(?:E-?Mail\s*:?\s*)?([^\s@:]+@[^\s@]+\.[A-Za-z]{2,})$", re.I)
_URL = re.compile(r"^(?:Web(?:site|seite)?\s*:?\s*)?((?:https?://|www\.)\S+)$", re.I)
_NAME = re.compile(r"^[A-ZÄÖÜ][\w'’.-]+(?:\s+(?:von|van|de|zu|der)?\s*[A-ZÄÖÜ][\w'’.-]+){1,3}$")


# How public bodies write contact blocks on their own pages (issue 15).
_AT = re.compile(r"\s*(?:\[\s*(?:at|ät|@)\s*\]|\(\s*(?:at|ät|@)\s*\)|\{\s*at\s*\})\s*", re.I)
_DOT = re.compile(r"\s*(?:\[\s*(?:dot|punkt)\s*\]|\(\s*(?:dot|punkt)\s*\))\s*", re.I)
_ONE_LINE_ADDRESS = re.compile(
    r"^(?P<street>\S.*?\s\d+\s?[a-zA-Z]?(?:\s*[-–]\s*\d+\s?[a-zA-Z]?)?)\s*[,|·]\s*"
    r"(?:D-)?(?P<code>\d{5})\s+(?P<city>\S.*)$")
_FUNCTION = re.compile(
    r"(f[üu]hrer|leit(?:er|ung)|manager|referent|sachbearbeit|assisten|sekretariat|vorsitz|"
    r"koordinat|berater|beauftragt|direktor|pr[äa]sident|sprecher|vorstand|mitarbeit|"
    r"b[üu]rgermeister|landr[äa]t|dezernent|team|projekt)\w*", re.I)


def _contacts(lines: list[Line], notes: list[Note]) -> list[Contact]:
    contacts: list[Contact] = []
    office: tuple[str, str, str] | None = None  # an address before the first person: everyone's
    function: str | None = None  # a function line waiting for the name that follows it
    after_name = False  # the previous line was a name: a function line belongs to it
    for line in lines:
        text = _DOT.sub(".", _AT.sub("@", line.text))
        current = contacts[-1] if contacts else None
        named, after_name = after_name, False
        if (m := _EMAIL.match(text)) and current:
            current.emails.append(m.group(1))
        elif (m := _URL.match(text)) and current:
            url = m.group(1)
            current.urls.append(url if url.startswith("http") else "https://" + url)
        elif (m := _FAX.match(text)) and current and re.search(r"\d{4}", text):
            current.faxes.append(_phone(m.group(2), line, notes) or "")
        elif (m := _PHONE.match(text)) and current:
            if (number := _phone(m.group(2), line, notes)) is not None:
                current.phones.append(number)
        elif m := _ONE_LINE_ADDRESS.match(text):
            address = (m.group("street").strip(), m.group("code"), m.group("city").strip())
            if current is None:
                office = address
            else:
                current.street, current.postal_code, current.city = address
        elif (m := _POSTAL.match(text)) and current:
            current.postal_code, current.city = m.group(1), m.group(2).strip()
        elif _STREET.match(text) and current and current.street is None and not _person(text):
            current.street = text
        elif (person := _person(text)) is not None and not _is_function(text):
            contacts.append(person_at(line.no, *person))
            contacts[-1].job_title, function, after_name = function, None, True
        elif _is_function(text):
            if named and current is not None and current.job_title is None:
                current.job_title = text
            else:
                function = text
        else:
            notes.append(Note(line.no, text, "contact line not understood"))
    for c in contacts:
        c.faxes = [f for f in c.faxes if f]
        if office and c.street is None:
            c.street, c.postal_code, c.city = office
    return contacts


def _is_function(text: str) -> bool:
    """A short line naming a function (Geschäftsführerin, Projektmanager), not a name or a fact."""
    words = text.split()
    return (0 < len(words) <= 6 and not re.search(r"[\d@:/]", text)
            and bool(_FUNCTION.search(text)))


def person_at(line: int, title: str | None, given: str, family: str) -> Contact:
    name = f"{given} {family}".strip()
    return Contact(line, name, title, given, family)


def _person(text: str) -> tuple[str | None, str, str] | None:
    """(academic title, given name, family name) of a name line, else None."""
    rest = _SALUTATION.sub("", text.strip())
    title = None
    if m := _TITLE.match(rest):
        title, rest = m.group(1).strip(), rest[m.end():].strip()
    if not _NAME.match(rest) or re.search(r"\d", rest):
        return None
    parts = rest.split()
    particles = {"von", "van", "de", "zu", "der"}
    cut = next((i for i, p in enumerate(parts[1:], 1) if p in particles), len(parts) - 1)
    return title, " ".join(parts[:cut]), " ".join(parts[cut:])


def _phone(raw: str, line: Line, notes: list[Note]) -> str | None:
    try:
        number = phonenumbers.parse(raw, "DE")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_possible_number(number):
        notes.append(Note(line.no, line.text, "telephone number not understood"))
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
