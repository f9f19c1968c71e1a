"""Sentences → facts: small rules map each sentence to carriers, board, order, services,
memberships; a sentence no rule maps becomes a Note (nothing is guessed)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from regiold.steward.importer.english import office_base
from regiold.steward.importer.known import Known, name_key, strip_article
from regiold.steward.importer.page import Link
from regiold.steward.importer.sections import Contact, Note, Parsed, Sentence

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
_LIST_SPLIT = re.compile(
    r",\s*(?:sowie\s+|und\s+)?|(?<!-)\s+(?:und|sowie)\s+(?=[A-ZÄÖÜ]|(?:der|dem|den|die|des)\s)")


def split_list(text: str) -> list[str]:
    """'der Stadt A, dem Kreis B und der Industrie- und Handelskammer C' → three names."""
    return [strip_article(p) for p in _LIST_SPLIT.split(text) if p and p.strip()]


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
    m = re.match(r"^(.+?)(\s+(?:der|des|dem|von|vom)\s+)(.+)$", item)
    if m is None:
        return Office(office_base(item), "", office_base(item), line)
    title = office_base(m.group(1))  # "dem Präsidenten der …" → "Präsident"
    return Office(title, m.group(3), f"{title}{m.group(2)}{m.group(3)}", line)


def _membership_targets(text: str, facts: Facts, known: Known) -> list[tuple[str, str]]:
    if not re.search(r"mitglied|verbund|runden?\b|vertret", text, re.I):
        return []
    folded, own = name_key(text), f" {name_key(facts.name)} "
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
