"""``regiold import``: a CMS partner page (HTML or its text) → Turtle drafts in the project's model.

The page is read into numbered lines (HTML through the stdlib ``html.parser``; ``&nbsp;`` becomes a
space), cut into navigation, name, introduction, "Leistungen", "Ansprechpartner" and trailer, and
each sentence is mapped to facts by small rules. Names of carriers, offices, networks, areas and
service kinds are resolved against the site's data, so a draft reuses the IRIs of ``data/``.
Every sentence or line that no rule maps is reported with its line number; nothing is guessed.

The result is one file for the organisation (``data/partners/{slug}.ttl``) and one per person
(``data/people/{slug}.ttl``, the model keeps person data separate), with relative IRIs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import phonenumbers
import pyoxigraph as ox
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, ORG, PROV, RDF, RDFS, XSD

from regiold.errors import RegioldError
from regiold.ingest import sources as sources_mod

SDO = Namespace("https://schema.org/")
SKOS_PREF = "http://www.w3.org/2004/02/skos/core#prefLabel"


class ImportError_(RegioldError):  # noqa: N801 - ImportError is a builtin
    title = "Import failed"


# ---------------------------------------------------------------- reading the page


@dataclass(frozen=True)
class Line:
    no: int  # 1-based line in the page file where the text starts
    text: str
    starts: tuple[tuple[int, int], ...] = ()  # (offset in text, page line) where a page line begins

    def line_at(self, offset: int) -> int:
        """The page line of the character at ``offset`` (HTML paragraphs span several lines)."""
        return max((no for start, no in self.starts if start <= offset), default=self.no)


@dataclass(frozen=True)
class Link:
    href: str | None
    text: str
    line: int


@dataclass
class Page:
    path: Path
    lines: list[Line]
    links: list[Link]
    heading: str | None  # the first <h1>, if the page is HTML
    html: bool
    content: bytes


_BLOCK = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td",
          "th", "section", "article", "header", "footer", "main", "address", "table", "dd", "dt",
          "hr", "blockquote", "aside", "figure", "figcaption", "form"}
_SKIP = {"script", "style", "noscript", "template", "svg", "head", "title"}


class _HtmlText(HTMLParser):
    """Text lines with the page line each starts on, the links, and the first <h1>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[Line] = []
        self.links: list[Link] = []
        self.h1: str | None = None
        self._buffer: list[tuple[str, int]] = []  # (text, page line)
        self._skip = 0
        self._href: tuple[str, int] | None = None
        self._anchor: list[str] = []
        self._in_h1 = False
        self._h1_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self._skip += 1
        elif tag in _BLOCK:
            self._flush()
        if tag == "a":
            self._href = (dict(attrs).get("href") or "", self.getpos()[0])
            self._anchor = []
        if tag == "h1" and self.h1 is None:
            self._in_h1, self._h1_text = True, []

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK:
            self._flush()
        if tag == "a" and self._href is not None:
            href, line = self._href
            self.links.append(Link(href.strip() or None, _clean(" ".join(self._anchor)), line))
            self._href = None
        if tag == "h1" and self._in_h1:
            self._in_h1 = False
            self.h1 = _clean(" ".join(self._h1_text)) or None

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._href is not None:
            self._anchor.append(data)
        if self._in_h1:
            self._h1_text.append(data)
        line = self.getpos()[0]
        for offset, part in enumerate(data.split("\n")):
            if part.strip():
                self._buffer.append((part, line + offset))

    def _flush(self) -> None:
        """One block of text (a paragraph) becomes one Line; inline markup does not break it."""
        text, starts = "", []
        for part, line in self._buffer:
            part = _clean(part)
            if part:
                if text and not text.endswith(" "):
                    text += " "
                starts.append((len(text), line))
                text += part
        text = _clean(text)
        if text:
            self.lines.append(Line(starts[0][1], text, tuple(starts)))
        self._buffer = []

    def close(self) -> None:
        super().close()
        self._flush()


def _clean(text: str) -> str:
    return re.sub(r"[ \t\u00a0\u2007\u202f]+", " ", text.replace("\u200b", "")).strip()


def read_page(path: Path) -> Page:
    """Read an HTML page or a text page into numbered lines and links.

    :raises ImportError_: the file cannot be read or is not UTF-8/Latin-1 text.
    """
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise ImportError_(f"{path}: cannot read: {exc.strerror}") from exc
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("latin-1")
    if _looks_like_html(path, text):
        parser = _HtmlText()
        parser.feed(text)
        parser.close()
        return Page(path, parser.lines, parser.links, parser.h1, True, content)
    lines = [Line(i, _clean(t)) for i, t in enumerate(text.splitlines(), start=1) if _clean(t)]
    links = [Link(url.rstrip(".,;)"), url, line.no) for line in lines
             for url in re.findall(r"https?://\S+", line.text)]
    return Page(path, lines, links, None, False, content)


def _looks_like_html(path: Path, text: str) -> bool:
    if path.suffix.lower() in (".html", ".htm", ".xhtml"):
        return True
    return bool(re.search(r"<(html|body|p|div|h1|br)\b[^>]*>", text[:20000], re.IGNORECASE))


# ---------------------------------------------------------------- what the site already knows


@dataclass
class Known:
    """Names → IRIs from the site's data, so drafts reuse the IRIs of ``data/``."""

    base_iri: str
    orgs: dict[str, str] = field(default_factory=dict)  # folded name → IRI
    posts: dict[str, str] = field(default_factory=dict)
    areas: dict[str, str] = field(default_factory=dict)
    labels: dict[str, dict[str, str]] = field(default_factory=dict)  # IRI → lang → label
    subjects: set[str] = field(default_factory=set)
    files: dict[str, str] = field(default_factory=dict)  # IRI → the data file that defines it
    memberships: dict[tuple[str, str, str], str] = field(default_factory=dict)  # (m, o, role) → IRI

    @classmethod
    def from_site(cls, site_dir: Path | None, *, base_iri: str) -> Known:
        known = cls(base_iri)
        if site_dir is None or not (Path(site_dir) / "data").is_dir():
            return known
        loaded = sources_mod.load(site_dir, base_iri=base_iri)
        known._index(loaded.quads)
        known.files = {iri: path.as_posix() for iri in known.subjects
                       if (path := loaded.defining_file(iri)) is not None}
        return known

    def _index(self, quads: Iterable[ox.Quad]) -> None:
        types: dict[str, set[str]] = {}
        names: dict[str, list[str]] = {}
        for q in quads:
            s = q.subject.value if isinstance(q.subject, ox.NamedNode) else None
            if s is None:
                continue
            self.subjects.add(s)
            p = q.predicate.value
            if p == str(RDF.type):
                types.setdefault(s, set()).add(q.object.value)
            elif isinstance(q.object, ox.Literal) and p in (
                    str(SDO.name), str(SDO.alternateName), str(RDFS.label), SKOS_PREF):
                names.setdefault(s, []).append(q.object.value)
                if p != str(SDO.alternateName):
                    self._label(s, p, q.object)
        self._memberships(quads)
        for s, kinds in types.items():
            target = (self.orgs if str(SDO.Organization) in kinds or str(ORG.Organization) in kinds
                      else self.posts if str(ORG.Post) in kinds
                      else self.areas if str(SDO.AdministrativeArea) in kinds else None)
            if target is not None:
                for name in names.get(s, []):
                    target.setdefault(_key(name), s)

    def _memberships(self, quads: Iterable[ox.Quad]) -> None:
        parts: dict[str, dict[str, str]] = {}
        wanted = {str(ORG.member): "m", str(ORG.organization): "o", str(ORG.role): "r"}
        for q in quads:
            if q.predicate.value in wanted and isinstance(q.object, ox.NamedNode):
                parts.setdefault(q.subject.value, {})[wanted[q.predicate.value]] = q.object.value
        for iri, p in parts.items():
            if len(p) == 3:
                self.memberships[(p["m"], p["o"], p["r"])] = iri

    def _label(self, s: str, predicate: str, literal: ox.Literal) -> None:
        """Prefer schema:name / skos:prefLabel over rdfs:label for display."""
        lang = literal.language or ""
        current = self.labels.setdefault(s, {})
        if lang not in current or predicate in (str(SDO.name), SKOS_PREF):
            current[lang] = literal.value

    def iri(self, local: str) -> str:
        return self.base_iri + local

    def find_org(self, name: str) -> str | None:
        return self.orgs.get(_key(name)) or _fuzzy(self.orgs, name)

    def label(self, iri: str, lang: str) -> str | None:
        return self.labels.get(iri, {}).get(lang)


def _key(text: str) -> str:
    folded = unicodedata.normalize("NFKD", _umlauts(text).casefold())
    return re.sub(r"[^a-z0-9]+", " ", "".join(c for c in folded if c.isascii())).strip()


def _stem(word: str) -> str:
    """Crude German genitive/dative stripping for name matching: Kreises → kreis."""
    for ending in ("es", "s", "en", "n"):
        if len(word) > 5 and word.endswith(ending):
            return word[: -len(ending)]
    return word


def _fuzzy(index: dict[str, str], name: str) -> str | None:
    wanted = [_stem(w) for w in _key(_strip_article(name)).split()]
    if not wanted:
        return None
    for key, iri in index.items():
        if [_stem(w) for w in key.split()] == wanted:
            return iri
    return None


def _umlauts(text: str) -> str:
    table = {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"}
    return "".join(table.get(c, c) for c in text)


def slugify(text: str) -> str:
    """Lower-case ASCII with '-' (ü → ue), as the IRI scheme asks; never a dot."""
    folded = unicodedata.normalize("NFKD", _umlauts(text))
    ascii_text = "".join(c for c in folded if c.isascii()).lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:80].strip("-")


# ---------------------------------------------------------------- understanding the text


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
    paragraph = _key(lines[first_long].text)
    candidates = [i for i in range(first_long) if len(lines[i].text) < _LONG
                  and not lines[i].text.endswith(":") and not _LINK_TEXT.match(lines[i].text)]
    for i in reversed(candidates):
        if len(_key(lines[i].text)) > 3 and _key(lines[i].text) in paragraph:
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


def _contacts(lines: list[Line], notes: list[Note]) -> list[Contact]:
    contacts: list[Contact] = []
    for line in lines:
        text = line.text
        current = contacts[-1] if contacts else None
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
        elif (m := _POSTAL.match(text)) and current:
            current.postal_code, current.city = m.group(1), m.group(2).strip()
        elif _STREET.match(text) and current and current.street is None and not _person(text):
            current.street = text
        elif (person := _person(text)) is not None:
            contacts.append(person_at(line.no, *person))
        else:
            notes.append(Note(line.no, text, "contact line not understood"))
    for c in contacts:
        c.faxes = [f for f in c.faxes if f]
    return contacts


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


# ---------------------------------------------------------------- sentences → facts

# service kind (def/service-kind/{slug}) → keywords, and the local name data/ uses for its service
SERVICE_KINDS: dict[str, tuple[str, str]] = {
    "netzwerkkoordination": (r"lotsen|netzwerkkoordination|netzwerkmanagement|in einem netzwerk",
                             "lotsenfunktion"),
    "konzept-und-projektentwicklung": (r"konzept|projekt", "konzepte-und-projekte"),
    "foerdermittelberatung": (r"f[öo]rder|efre|antragstellung", "foerderprogramme"),
    "schnittstellenfunktion": (r"schnittstelle", "schnittstelle-land-und-bund"),
    "initiativenbeteiligung": (r"initiative", "landes-und-bundesinitiativen"),
}
KIND_LABELS = {
    "netzwerkkoordination": ("Lotsenfunktion und Netzwerkkoordination",
                             "pilot function and network coordination"),
    "konzept-und-projektentwicklung": ("Entwicklung und Betreuung von Konzepten und Projekten",
                                       "development and support of concepts and projects"),
    "foerdermittelberatung": ("Hinweis auf Förderprogramme und Fördermittelberatung",
                              "guidance on funding programmes"),
    "schnittstellenfunktion": ("Schnittstellenfunktion zu Land und Bund",
                               "interface to the state and federal government"),
    "initiativenbeteiligung": ("Beteiligung an Initiativen und Netzwerken",
                               "participation in initiatives and networks"),
}
_NOT_PERFORMED = re.compile(r"\bnicht\b.*\b(kernaufgaben|fach[äa]mter)", re.I)
_CARRIERS = re.compile(
    r"(?:getragen\s+(?:wird|werden)\s+\w+\s+von|getragen\s+von|tr[äa]ger\s+(?:ist|sind)|"
    r"gesellschafter\s+(?:ist|sind))\s+(.+?)\.?$", re.I)
_BOARD = re.compile(
    r"(aufsichtsgremium|aufsichtsrat|beirat|lenkungskreis|vorstand)\w*\s+"
    r"(?:setzt\s+sich\s+(?:zusammen\s+)?aus|besteht\s+aus)\s+(.+?)(?:\s+zusammen)?\.?$", re.I)
_ORDER = re.compile(r"\b(j[üu]ngste|[äa]lteste)\s+der\s+(\w+)", re.I)
_NUMBERS = {"zwei": 2, "drei": 3, "vier": 4, "fünf": 5, "sechs": 6, "sieben": 7, "acht": 8,
            "neun": 9, "zehn": 10, "elf": 11, "zwölf": 12}
_CONTINUES = re.compile(r"^(dabei|hierbei|dazu|hierzu|zudem|außerdem|darüber hinaus)\b", re.I)
_ARTICLE = re.compile(r"^(der|die|das|dem|den|des|einer|einem|eines)\s+", re.I)
_LIST_SPLIT = re.compile(
    r",\s*(?:sowie\s+|und\s+)?|(?<!-)\s+(?:und|sowie)\s+(?=[A-ZÄÖÜ]|(?:der|dem|den|die|des)\s)")


def _strip_article(text: str) -> str:
    return _ARTICLE.sub("", text.strip())


def split_list(text: str) -> list[str]:
    """'der Stadt A, dem Kreis B und der Industrie- und Handelskammer C' → three names."""
    return [_strip_article(p) for p in _LIST_SPLIT.split(text) if p and p.strip()]


@dataclass
class Service:
    kind: str
    sentences: list[Sentence] = field(default_factory=list)


@dataclass
class Office:
    title: str
    body: str  # the carrying organisation's name as written
    label: str
    line: int


@dataclass
class Facts:
    name: str
    name_line: int
    description: list[Sentence] = field(default_factory=list)
    carriers: list[tuple[str, int]] = field(default_factory=list)
    board: list[Office] = field(default_factory=list)
    board_sentence: Sentence | None = None
    order: int | None = None
    services: dict[str, Service] = field(default_factory=dict)
    not_performed: list[Sentence] = field(default_factory=list)
    memberships: list[tuple[str, str, int]] = field(default_factory=list)  # (org IRI, role, line)
    contacts: list[Contact] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)


def understand(parsed: Parsed, known: Known) -> Facts:
    """Map every sentence to facts; what no rule maps becomes a Note."""
    facts = Facts(parsed.name, parsed.name_line, contacts=parsed.contacts, links=parsed.links,
                  notes=list(parsed.notes))
    previous: list[str] = []
    for sentence in [*parsed.intro, *parsed.services]:
        mapped = _map_sentence(sentence, facts, known)
        if not mapped and _CONTINUES.match(sentence.text) and previous:
            for kind in previous:
                facts.services[kind].sentences.append(sentence)
            mapped = previous
        if not mapped and sentence in parsed.intro:
            facts.description.append(sentence)
            mapped = ["description"]
        if not mapped:
            facts.notes.append(Note(sentence.line, sentence.text, "sentence not mapped to any fact"))
        previous = [m for m in mapped if m in facts.services]
    return facts


def _map_sentence(sentence: Sentence, facts: Facts, known: Known) -> list[str]:
    text, mapped = sentence.text, []
    if m := _CARRIERS.search(text):
        facts.carriers += [(name, sentence.line) for name in split_list(m.group(1))]
        mapped.append("carriers")
    if m := _BOARD.search(text):
        facts.board_sentence = sentence
        facts.board += [_office(item, sentence.line) for item in split_list(m.group(2))]
        mapped.append("board")
    if m := _ORDER.search(text):
        total = _NUMBERS.get(m.group(2).lower()) or (int(m.group(2)) if m.group(2).isdigit() else None)
        if total:
            facts.order = total if m.group(1).lower().startswith("j") else 1
            facts.description.append(sentence)
            mapped.append("order")
    if mapped:
        return mapped
    if _NOT_PERFORMED.search(text):
        facts.not_performed.append(sentence)
        return ["not-performed"]
    for target, role in _membership_targets(text, facts, known):
        facts.memberships.append((target, role, sentence.line))
        mapped.append("membership")
    for kind, (pattern, _local) in SERVICE_KINDS.items():
        if re.search(pattern, text, re.I) and not ("membership" in mapped and kind == "netzwerkkoordination"):
            facts.services.setdefault(kind, Service(kind)).sentences.append(sentence)
            mapped.append(kind)
    return mapped


def _office(item: str, line: int) -> Office:
    """'Oberbürgermeister der Landeshauptstadt Düsseldorf' → title and carrying body."""
    m = re.match(r"^(.+?)\s+(?:der|des|dem|von|vom)\s+(.+)$", item)
    if m is None:
        return Office(item, "", item, line)
    return Office(m.group(1), m.group(2), item, line)


def _membership_targets(text: str, facts: Facts, known: Known) -> list[tuple[str, str]]:
    if not re.search(r"mitglied|verbund|runden?\b|vertret", text, re.I):
        return []
    folded, own = _key(text), f" {_key(facts.name)} "
    carriers = {known.find_org(name) for name, _ in facts.carriers}
    found: list[tuple[int, str]] = []
    for name, iri in known.orgs.items():
        position = f" {folded} ".find(f" {name} ")
        if len(name) < 6 or position < 0 or f" {name} " in own or iri in carriers:
            continue  # the organisation itself, a place in its name, or a carrier
        before = folded[max(0, position - 16):position]
        if re.search(r"\b(beim|bei dem|bei der|gegenueber dem|gegenueber der)\s*$", before):
            continue  # "beim Landeswirtschaftsministerium": where, not of what
        found.append((position, iri))
    role = "mitglied" if re.search(r"mitglied", text, re.I) else "vertretung"
    targets = []
    for _, iri in sorted(found):
        if iri not in [t for t, _ in targets]:
            targets.append((iri, role))
    if not targets and re.search(r"mitglied", text, re.I):
        facts.notes.append(Note(0, text, "membership in an organisation unknown to data/"))
    return targets


# ---------------------------------------------------------------- facts → Turtle


@dataclass
class Draft:
    files: dict[str, str]  # path relative to the site → Turtle; the first is the organisation's
    notes: list[Note]
    org_iri: str
    slug: str


def build(facts: Facts, known: Known, page: Page, *, retrieved: dt.datetime,
          source_url: str | None = None) -> Draft:
    """The Turtle files of one partner page."""
    b = known.base_iri
    org_iri = known.find_org(facts.name) or b + "org/" + slugify(facts.name)
    slug = org_iri.removeprefix(b + "org/")
    g = _graph(b)
    org = URIRef(org_iri)
    page_iri, snapshot = _provenance(g, facts, known, page, org, retrieved, source_url)
    sources = (page_iri, snapshot)
    kinds = [SDO.Organization, ORG.Organization, URIRef(b + "def/Regionalmanagement")]
    if len(facts.carriers) > 1:
        kinds.append(ORG.OrganizationalCollaboration)
    for kind in kinds:
        g.add((org, RDF.type, kind))
    g.add((org, SDO.name, Literal(facts.name, lang="de")))
    g.add((org, SDO.name, Literal(facts.name, lang="en")))
    if facts.description:
        g.add((org, SDO.description, Literal(" ".join(s.text for s in facts.description), lang="de")))
    else:
        facts.notes.append(Note(facts.name_line, facts.name, "no description sentence found"))
    if facts.order:
        g.add((org, URIRef(b + "def/institutionalisationOrder"), Literal(facts.order)))
    areas = _areas(facts.name, known)
    for area in areas:
        g.add((org, SDO.areaServed, URIRef(area)))
    _add_sources(g, org, sources)
    _carriers(g, facts, known, org, slug, sources)
    _board(g, facts, known, org, slug, sources)
    _services(g, facts, known, org, slug, areas, sources)
    _memberships(g, facts, known, org, slug, sources)
    people = _contacts_turtle(g, facts, known, org, slug, sources)
    org_file = known.files.get(org_iri) or f"data/partners/{slug}.ttl"  # replaces the org's file
    files = {org_file: _turtle(g, b, _header(page, retrieved, facts.notes))}
    files.update({path: _turtle(pg, b, _header(page, retrieved, [])) for path, pg in people.items()})
    return Draft(files, facts.notes, org_iri, slug)


def _graph(base_iri: str) -> Graph:
    g = Graph()
    for prefix, local in (("rm", "org/"), ("area", "area/"), ("src", "source/"), ("rgo", "def/"),
                          ("role", "def/role/"), ("sk", "def/service-kind/"),
                          ("person", "person/")):
        g.bind(prefix, base_iri + local)
    for prefix, ns in (("schema", SDO), ("org", ORG), ("dct", DCTERMS), ("prov", PROV),
                       ("rdfs", RDFS), ("xsd", XSD)):
        g.bind(prefix, ns)
    return g


def _provenance(g: Graph, facts: Facts, known: Known, page: Page, org: URIRef,
                retrieved: dt.datetime, source_url: str | None) -> tuple[URIRef, URIRef]:
    b = known.base_iri
    slug = slugify(facts.name.replace("Regionalmanagement", "")) or "partner"
    page_iri = URIRef(b + f"source/partner-page-{slug}")
    if str(page_iri) not in known.subjects:
        g.add((page_iri, RDF.type, SDO.WebPage))
        g.add((page_iri, RDF.type, PROV.Entity))
        g.add((page_iri, SDO.name, Literal(f"regionen.NRW – Verbundpartner: {facts.name}", lang="de")))
        g.add((page_iri, SDO.name, Literal(f"regionen.NRW – network partner: {facts.name}", lang="en")))
        g.add((page_iri, SDO.inLanguage, Literal("de")))
        g.add((page_iri, SDO.about, org))
        if network := known.find_org("regionen.NRW"):
            g.add((page_iri, SDO.publisher, URIRef(network)))
    if source_url:
        g.add((page_iri, SDO.url, URIRef(source_url)))
    mapped = {u for c in facts.contacts for u in c.urls}
    for link in facts.links:
        if link.href in mapped:
            continue  # the website, already the organisation's schema:url
        if link.href and re.match(r"^https?://", link.href) and not _same_site(link.href, source_url):
            g.add((page_iri, SDO.relatedLink, URIRef(link.href)))
        elif link.href is None:
            facts.notes.append(Note(link.line, link.text, "link without an address in the page"))
    digest = hashlib.sha256(page.content).hexdigest()[:16]
    snapshot = URIRef(b + f"source/import-{digest}")
    g.add((snapshot, RDF.type, SDO.DigitalDocument))
    g.add((snapshot, RDF.type, PROV.Entity))
    g.add((snapshot, SDO.name, Literal(f"Import der Partnerseite {facts.name}", lang="de")))
    g.add((snapshot, SDO.name, Literal(f"Import of the partner page {facts.name}", lang="en")))
    g.add((snapshot, DCTERMS.identifier, Literal(page.path.name)))
    g.add((snapshot, SDO.encodingFormat, Literal("text/html" if page.html else "text/plain")))
    g.add((snapshot, PROV.wasDerivedFrom, page_iri))
    g.add((snapshot, PROV.generatedAtTime,
           Literal(retrieved.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), datatype=XSD.dateTime)))
    g.add((snapshot, SDO.about, org))
    return page_iri, snapshot


def _same_site(href: str, source_url: str | None) -> bool:
    if not source_url:
        return False
    host = re.sub(r"^https?://([^/]+).*$", r"\1", source_url)
    return re.sub(r"^https?://([^/]+).*$", r"\1", href) == host


def _add_sources(g: Graph, node: URIRef, sources: tuple[URIRef, URIRef]) -> None:
    g.add((node, DCTERMS.source, sources[0]))


def _areas(name: str, known: Known) -> list[str]:
    folded = f" {_key(name)} "
    return sorted({iri for area_name, iri in known.areas.items()
                   if len(area_name) > 3 and f" {area_name} " in folded})


def _org_for(name: str, line: int, g: Graph, known: Known, sources: tuple[URIRef, URIRef]) -> URIRef:
    iri = known.find_org(name)
    if iri is not None:
        return URIRef(iri)
    node = URIRef(known.base_iri + "org/" + slugify(name))
    known.orgs.setdefault(_key(name), str(node))  # later mentions ("des Kreises …") find it
    if (node, RDF.type, SDO.Organization) not in g:
        g.add((node, RDF.type, SDO.Organization))
        g.add((node, RDF.type, ORG.Organization))
        g.add((node, SDO.name, Literal(name, lang="de")))
        _add_sources(g, node, sources)
    return node


def _membership(g: Graph, iri: str, label: tuple[str, str], member: URIRef, organisation: URIRef,
                role: str, known: Known, sources: tuple[URIRef, URIRef]) -> None:
    role_iri = known.base_iri + f"def/role/{role}"
    node = URIRef(known.memberships.get((str(member), str(organisation), role_iri), iri))
    g.add((node, RDF.type, ORG.Membership))
    g.add((node, RDFS.label, Literal(label[0], lang="de")))
    g.add((node, RDFS.label, Literal(label[1], lang="en")))
    g.add((node, ORG.member, member))
    g.add((node, ORG.organization, organisation))
    g.add((node, ORG.role, URIRef(role_iri)))
    _add_sources(g, node, sources)


def _carriers(g: Graph, facts: Facts, known: Known, org: URIRef, slug: str,
              sources: tuple[URIRef, URIRef]) -> None:
    for name, line in facts.carriers:
        carrier = _org_for(name, line, g, known, sources)
        local = str(carrier).removeprefix(known.base_iri + "org/")
        display = known.label(str(carrier), "de") or name
        g.add((org, SDO.parentOrganization, carrier))
        _membership(g, f"{org}/membership/traeger-{local}", (f"{display} als Träger",
                    f"{known.label(str(carrier), 'en') or display} as carrier"), carrier, org,
                    "traeger", known, sources)


def _board(g: Graph, facts: Facts, known: Known, org: URIRef, slug: str,
           sources: tuple[URIRef, URIRef]) -> None:
    if not facts.board:
        return
    board = URIRef(f"{org}/board")
    for kind in (SDO.Organization, ORG.Organization, ORG.OrganizationalUnit):
        g.add((board, RDF.type, kind))
    g.add((board, SDO.name, Literal(f"Aufsichtsgremium – {facts.name}", lang="de")))
    g.add((board, SDO.name, Literal(f"Supervisory board – {facts.name}", lang="en")))
    if facts.board_sentence:
        g.add((board, SDO.description, Literal(facts.board_sentence.text, lang="de")))
    g.add((board, ORG.unitOf, org))
    g.add((board, SDO.parentOrganization, org))
    g.add((org, ORG.hasUnit, board))
    _add_sources(g, board, sources)
    for office in facts.board:
        post = _post(office, g, known, sources)
        local = str(post).rsplit("/", 1)[-1]
        _membership(g, f"{org}/membership/aufsichtsgremium-{local}",
                    (f"{office.label} im Aufsichtsgremium (kraft Amtes)",
                     f"{known.label(str(post), 'en') or office.label} on the supervisory board "
                     "(ex officio)"), post, board, "mitglied-kraft-amtes", known, sources)


def _post(office: Office, g: Graph, known: Known, sources: tuple[URIRef, URIRef]) -> URIRef:
    existing = known.posts.get(_key(office.label))
    if existing:
        return URIRef(existing)
    body = _org_for(office.body, office.line, g, known, sources) if office.body else None
    owner = str(body) if body is not None else known.base_iri + "org/unknown"
    post = URIRef(f"{owner}/post/{slugify(office.title)}")
    g.add((post, RDF.type, ORG.Post))
    g.add((post, RDFS.label, Literal(office.label, lang="de")))
    if body is not None:
        g.add((post, ORG.postIn, body))
    _add_sources(g, post, sources)
    return post


def _services(g: Graph, facts: Facts, known: Known, org: URIRef, slug: str, areas: list[str],
              sources: tuple[URIRef, URIRef]) -> None:
    for kind, service in facts.services.items():
        node = URIRef(f"{org}/service/{SERVICE_KINDS[kind][1]}")
        concept = known.base_iri + f"def/service-kind/{kind}"
        g.add((node, RDF.type, SDO.Service))
        g.add((node, SDO.name, Literal(known.label(concept, "de") or KIND_LABELS[kind][0], lang="de")))
        g.add((node, SDO.name, Literal(known.label(concept, "en") or KIND_LABELS[kind][1], lang="en")))
        g.add((node, SDO.description,
               Literal(" ".join(dict.fromkeys(s.text for s in service.sentences)), lang="de")))
        g.add((node, SDO.category, URIRef(concept)))
        g.add((node, SDO.provider, org))
        for area in areas:
            g.add((node, SDO.areaServed, URIRef(area)))
        _add_sources(g, node, sources)
    if facts.not_performed:
        g.add((org, URIRef(known.base_iri + "def/doesNotPerform"),
               URIRef(known.base_iri + "def/service-kind/fachamtsaufgabe")))


def _memberships(g: Graph, facts: Facts, known: Known, org: URIRef, slug: str,
                 sources: tuple[URIRef, URIRef]) -> None:
    for target, role, _line in facts.memberships:
        local = target.removeprefix(known.base_iri + "org/")
        g.add((org, SDO.memberOf, URIRef(target)))
        label = known.label(target, "de") or local
        english = known.label(target, "en") or label
        text = ((f"Mitglied im Verbund {label}", f"Member of the network {english}")
                if role == "mitglied" else
                (f"Vertretung der Region in: {label}", f"Representation of the region in: {english}"))
        _membership(g, f"{org}/membership/{local}", text, org, URIRef(target), role, known, sources)


def _contacts_turtle(g: Graph, facts: Facts, known: Known, org: URIRef, slug: str,
                     sources: tuple[URIRef, URIRef]) -> dict[str, Graph]:
    people: dict[str, Graph] = {}
    website = next((u for c in facts.contacts for u in c.urls), None)
    if website:
        g.add((org, SDO.url, URIRef(website)))
    address = _address(g, facts, org, sources)
    for contact in facts.contacts:
        person_slug = slugify(contact.name)
        pg = _graph(known.base_iri)
        person = URIRef(known.base_iri + f"person/{person_slug}")
        point = URIRef(f"{org}/contact/{person_slug}")
        pg.add((person, RDF.type, SDO.Person))
        if contact.title:
            pg.add((person, SDO.honorificPrefix, Literal(contact.title)))
        pg.add((person, SDO.givenName, Literal(contact.given)))
        pg.add((person, SDO.familyName, Literal(contact.family)))
        pg.add((person, SDO.name, Literal(contact.name)))
        pg.add((person, SDO.worksFor, org))
        if address is not None:
            pg.add((person, SDO.workLocation, address))
        pg.add((person, SDO.contactPoint, point))
        _add_sources(pg, person, sources)
        pg.add((point, RDF.type, SDO.ContactPoint))
        titled = f"{contact.title} {contact.name}" if contact.title else contact.name
        pg.add((point, SDO.name, Literal(titled)))  # as the page shows it, untagged like data/
        pg.add((point, SDO.contactType, Literal("Ansprechpartner", lang="de")))
        pg.add((point, SDO.contactType, Literal("contact person", lang="en")))
        for phone in contact.phones:
            pg.add((point, SDO.telephone, Literal(phone)))
        for fax in contact.faxes:
            pg.add((point, SDO.faxNumber, Literal(fax)))
        for email in contact.emails:
            pg.add((point, SDO.email, URIRef("mailto:" + email)))
        for url in contact.urls:
            pg.add((point, SDO.url, URIRef(url)))
        if not contact.phones and not contact.emails:
            facts.notes.append(Note(contact.line, contact.name, "contact without telephone or e-mail"))
        _add_sources(pg, point, sources)
        g.add((org, SDO.contactPoint, point))  # the organisation's file links its contacts
        people[known.files.get(str(person)) or f"data/people/{person_slug}.ttl"] = pg
    return people


def _address(g: Graph, facts: Facts, org: URIRef, sources: tuple[URIRef, URIRef]) -> URIRef | None:
    first = next((c for c in facts.contacts if c.street and c.postal_code), None)
    if first is None:
        if facts.contacts:
            facts.notes.append(Note(facts.contacts[0].line, facts.contacts[0].name,
                                    "no complete postal address (street, postal code, city)"))
        return None
    node = URIRef(f"{org}/address/{slugify(first.street or '')}")
    g.add((node, RDF.type, SDO.PostalAddress))
    g.add((node, SDO.streetAddress, Literal(first.street)))
    g.add((node, SDO.postalCode, Literal(first.postal_code)))
    g.add((node, SDO.addressLocality, Literal(first.city)))
    g.add((node, SDO.addressCountry, Literal("DE")))
    _add_sources(g, node, sources)
    g.add((org, SDO.address, node))
    others = {(c.street, c.postal_code) for c in facts.contacts if c.street} - {
        (first.street, first.postal_code)}
    for street, _code in sorted(others, key=str):
        facts.notes.append(Note(0, street or "", "a second address; only the first is mapped"))
    return node


def _header(page: Page, retrieved: dt.datetime, notes: list[Note]) -> str:
    lines = [f"# Draft imported by `regiold import` from {page.path.name} "
             f"(retrieved {retrieved.astimezone(dt.UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}).",
             "# Review before committing; see docs/STEWARDS.md."]
    if notes:
        lines.append("# Not mapped (page line: reason: text):")
        lines += [f"#   {n}"[:200] for n in sorted(notes, key=lambda n: n.line)]
    return "\n".join(lines) + "\n"


def _turtle(g: Graph, base_iri: str, header: str) -> str:
    """Turtle with relative IRIs (like data/): the base is cut from every IRI and prefix."""
    text = g.serialize(format="turtle")
    text = text.replace(f"<{base_iri}", "<")
    return header + "\n" + text


# ---------------------------------------------------------------- the command


def import_page(path: Path, *, site_dir: Path | None, base_iri: str,
                retrieved: dt.datetime | None = None, source_url: str | None = None) -> Draft:
    """Read, understand and draft one partner page.

    :raises ImportError_: the page cannot be read or has no recognisable content.
    :raises SourceError: the site's data do not parse.
    """
    page = read_page(path)
    known = Known.from_site(site_dir, base_iri=base_iri)
    when = retrieved or dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
    facts = understand(parse(page), known)
    return build(facts, known, page, retrieved=when, source_url=source_url)


def write_draft(draft: Draft, out: Path, *, people_dir: Path, force: bool) -> list[Path]:
    """Write the organisation to ``out`` and each person to ``people_dir``.

    :raises ImportError_: a target exists and ``force`` is not set (nothing is written then).
    """
    org_rel, *person_rels = draft.files
    targets = [(out, draft.files[org_rel])]
    targets += [(people_dir / Path(rel).name, draft.files[rel]) for rel in person_rels]
    existing = [str(t) for t, _ in targets if t.exists()]
    if existing and not force:
        raise ImportError_("not overwriting (use --force): " + ", ".join(existing))
    for target, text in targets:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return [t for t, _ in targets]


def people_dir_for(out: Path) -> Path:
    """Where person drafts go beside ``out``: data/partners/x.ttl → data/people/."""
    return out.parent.parent / "people" if out.parent.name == "partners" else out.parent / "people"


def check_draft(draft: Draft, site_dir: Path, *, base_iri: str) -> object:
    """Validate the site with the draft in place of the files it replaces (in a temp copy).

    :raises SourceError: the draft (or the site) does not parse.
    """
    import shutil
    import tempfile

    from regiold import validate

    with tempfile.TemporaryDirectory(prefix="regiold-import-") as tmp:
        copy = Path(tmp) / "site"
        for kind in sources_mod.KINDS:
            if (Path(site_dir) / kind).is_dir():
                shutil.copytree(Path(site_dir) / kind, copy / kind)
        for rel, text in draft.files.items():
            (copy / rel).parent.mkdir(parents=True, exist_ok=True)
            (copy / rel).write_text(text, encoding="utf-8")
        return validate.run(sources_mod.load(copy, base_iri=base_iri))
