"""The release changelog (``releases/CHANGELOG.md``) as the dataset page shows it.

``regiold release`` (steward/release.py) writes the file; this module only reads it.
"""

from __future__ import annotations

import re
from pathlib import Path

CHANGELOG = Path("releases") / "CHANGELOG.md"


def changelog(site_dir: Path) -> str:
    """The changelog as Markdown ("" when there is none), for the dataset page."""
    path = Path(site_dir) / CHANGELOG
    return path.read_text(encoding="utf-8") if path.is_file() else ""


def changelog_entries(site_dir: Path) -> list[tuple[str, str]]:
    """(heading, Markdown body) of each release, newest first, for rendering as HTML."""
    text = changelog(site_dir)
    parts = text.split("\n## ")[1:]
    return [(p.split("\n", 1)[0].strip(), p.split("\n", 1)[1].strip() if "\n" in p else "")
            for p in parts]


def changelog_view(site_dir: Path, *, limit: int = 10) -> list[dict[str, object]]:
    """The newest releases as plain data for a page: title, then groups of item texts.

    ``[{"title": "0.1.0 — 2026-11-27", "groups": [{"title": "Added", "items": ["…"]}]}]``
    (items are text, escaped by the template; Markdown escapes and backticks are removed).
    """
    view: list[dict[str, object]] = []
    for heading, body in changelog_entries(site_dir)[:limit]:
        groups: list[dict[str, object]] = []
        for line in body.splitlines():
            if line.startswith("### "):
                groups.append({"title": line[4:].strip(), "items": []})
            elif line.startswith("- "):
                if not groups:
                    groups.append({"title": "", "items": []})
                groups[-1]["items"].append(_plain(line[2:]))  # type: ignore[union-attr]
        view.append({"title": heading, "groups": groups})
    return view


def _plain(markdown: str) -> str:
    return re.sub(r"\\(.)", r"\1", markdown.replace("`", ""))
