"""The editor: example queries and a result table for browsers."""


from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from pathlib import Path

from regiold.sparql.messages import Answer


@dataclass(frozen=True)
class Example:
    name: str  # file stem, e.g. "carriers-of-each-partner"
    title: str  # the first comment line (English)
    query: str
    title_de: str | None = None  # a comment line "# de: …" in the leading comments

    def title_in(self, lang: str) -> str:
        return self.title_de if lang == "de" and self.title_de else self.title


def load_examples(site_dir: Path) -> list[Example]:
    """The example queries of ``{site_dir}/docs/queries/*.rq``; the first ``#`` line is the title,
    a leading ``# de: …`` line its German form."""
    folder = Path(site_dir) / "docs" / "queries"
    examples = []
    for path in sorted(folder.glob("*.rq")) if folder.is_dir() else []:
        text = path.read_text(encoding="utf-8")
        lines = text.lstrip().splitlines()
        first = lines[0] if lines else ""
        title = first.lstrip("#").strip() if first.startswith("#") else path.stem
        comments = [line for line in itertools.takewhile(lambda x: x.startswith("#"), lines)]
        german = next((c.split(":", 1)[1].strip() for c in comments if c.startswith("# de:")), None)
        examples.append(Example(path.stem, title, text, german))
    return examples


def default_query(prefixes: dict[str, str]) -> str:
    """What the editor shows first: the site's prefixes and a query that lists organisations."""
    lines = [f"PREFIX {name}: <{iri}>" for name, iri in prefixes.items()
             if name in {"schema", "org", "rdfs", "rgo", "rm"}]
    return "\n".join([*lines, "", "SELECT ?org ?name WHERE {",
                      "  ?org a schema:Organization ; schema:name ?name .",
                      "} ORDER BY ?name LIMIT 100", ""])


@dataclass(frozen=True)
class Cell:
    text: str
    href: str | None = None  # a link for IRIs
    note: str = ""  # language tag or datatype of a literal


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[list[Cell | None]]
    boolean: bool | None = None


def results_table(answer: Answer, *, base_iri: str) -> Table:
    """A SELECT/ASK answer in SPARQL JSON as a table for the HTML page."""
    data = json.loads(answer.body)
    if "boolean" in data:
        return Table([], [], bool(data["boolean"]))
    columns = list(data["head"]["vars"])
    rows = [[_cell(binding.get(name), base_iri) for name in columns]
            for binding in data["results"]["bindings"]]
    return Table(columns, rows)


def _cell(term: dict[str, object] | None, base_iri: str) -> Cell | None:
    if term is None:
        return None
    value = str(term.get("value"))
    if term["type"] == "uri":
        href = "/" + value[len(base_iri):] if value.startswith(base_iri) else value
        safe = href if href.startswith(("/", "http://", "https://", "mailto:", "tel:")) else None
        return Cell(value, safe)
    if term["type"] == "bnode":
        return Cell("_:" + value)
    if term["type"] == "literal":
        note = f"@{term['xml:lang']}" if "xml:lang" in term else ""
        if "datatype" in term:
            note = "^^" + str(term["datatype"]).rsplit("#", 1)[-1]
        return Cell(value, None, note)
    return Cell(json.dumps(term["value"]))
