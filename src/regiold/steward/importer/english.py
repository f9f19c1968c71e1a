"""Role words and names in their base form and in English, so drafts neither keep the inflection
of the sentence ("dem Präsidenten" → post ``präsident``) nor write half-German English labels.

Only the forms public bodies use for offices and for the bodies that hold them are known; anything
else keeps its German name (a proper name reads the same in English) and the steward reviews it.
"""

from __future__ import annotations

import re

# Offices (base form) → English. Female forms ("-in") are their own base form.
OFFICES: dict[str, str] = {
    "Präsident": "President", "Präsidentin": "President", "Vizepräsident": "Vice-president",
    "Vizepräsidentin": "Vice-president", "Regierungspräsident": "District president",
    "Regierungspräsidentin": "District president", "Oberbürgermeister": "Lord mayor",
    "Oberbürgermeisterin": "Lord mayor", "Bürgermeister": "Mayor", "Bürgermeisterin": "Mayor",
    "Landrat": "District administrator", "Landrätin": "District administrator",
    "Hauptgeschäftsführer": "Chief executive", "Hauptgeschäftsführerin": "Chief executive",
    "Geschäftsführer": "Managing director", "Geschäftsführerin": "Managing director",
    "Vorsitzende": "Chair", "Vorsitzender": "Chair", "Direktor": "Director",
    "Direktorin": "Director", "Kreisdirektor": "District director",
    "Kreisdirektorin": "District director", "Dezernent": "Head of department",
    "Dezernentin": "Head of department", "Beigeordnete": "Deputy", "Beigeordneter": "Deputy",
    "Rektor": "Rector", "Rektorin": "Rector", "Präses": "President",
}
_ENDINGS = ("en", "n", "es", "s")  # des Landrates, dem Präsidenten, des Oberbürgermeisters
# Bodies: German pattern → English ({} is the rest of the name).
BODIES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^Landeshauptstadt\s+(.+)$"), "State capital {}"),
    (re.compile(r"^(?:Stadt|Städte)\s+(.+)$"), "City of {}"),
    (re.compile(r"^Kreis(?:es)?\s+(.+)$"), "{} district"),
    (re.compile(r"^Handwerkskammer\s+(?:zu\s+)?(.+)$"), "{} Chamber of Crafts"),
    (re.compile(r"^Industrie- und Handelskammer\s+(?:zu\s+)?(.+)$"),
     "{} Chamber of Industry and Commerce"),
    (re.compile(r"^(?:IHK)\s+(?:zu\s+)?(.+)$"), "{} Chamber of Industry and Commerce"),
    (re.compile(r"^Gemeinde\s+(.+)$"), "Municipality of {}"),
    (re.compile(r"^Bezirksregierung\s+(.+)$"), "District government of {}"),
)


def office_base(title: str) -> str:
    """The base form of an office as the sentence inflects it: "Präsidenten" → "Präsident"."""
    words = title.split()
    if not words:
        return title
    last = words[-1]
    for candidate in (last, *(last[: -len(e)] for e in _ENDINGS if last.endswith(e))):
        if candidate in OFFICES:
            return " ".join([*words[:-1], candidate])
    if re.search(r"(ent|ant)en$", last):  # weak nouns: Dezernenten, Assistenten
        return " ".join([*words[:-1], last[:-2]])
    return title


def body_base(name: str) -> str:
    """A body's name as a heading gives it: "Kreises Musterkreis" → "Kreis Musterkreis"."""
    return re.sub(r"^Kreises\b", "Kreis", name)


def body_english(name: str) -> str:
    """The English name of a public body, or the name itself (a proper name)."""
    for pattern, english in BODIES:
        if m := pattern.match(name.strip()):
            return english.format(m.group(1))
    return name


def office_english(title: str, body: str | None) -> str:
    """"President of the Beispielland Chamber of Crafts"; an unknown office reads "Office holder"."""
    role = OFFICES.get(office_base(title), "Office holder")
    return f"{role} of the {body[:1].lower() + body[1:] if body.startswith('State') else body}" \
        if body else role
