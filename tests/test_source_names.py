"""File names a data steward may give: any name works, or is refused naming the file.

Each file is its own named graph, ``{base}graph/{path without suffix}``. Before, a file named
with a space (``data/Kreis Kleve.ttl``) stopped `regiold validate` and `serve` with a traceback
("ValueError: Invalid IRI code point ' '"), and one whose name is not UTF-8 with a
UnicodeEncodeError traceback.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote

from click.testing import CliRunner

from regiold.cli import cli
from regiold.ingest import sources

BASE = "https://w3id.org/regionen-nrw/"
TRIPLE = '<http://example.org/name-test> <http://example.org/p> "v" .\n'


def _validate(site: Path, cache: Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["-s", "cache_dir", str(cache), "validate", "--data",
                                      str(site)])
    return result.exit_code, result.output


def test_a_file_name_with_spaces_and_brackets_gets_a_percent_encoded_graph_iri(
        mini_site: Path, tmp_path: Path) -> None:
    stem = "Kreis Kleve [alt] {neu} #2 50% a|b"
    (mini_site / "data" / f"{stem}.ttl").write_text(TRIPLE)
    code, output = _validate(mini_site, tmp_path / "cache")
    assert "Traceback" not in output and code in (0, 1), output
    graphs = {f.path.as_posix(): f.graph for f in sources.parse_site(mini_site, base_iri=BASE).files}
    # RFC 3987 2.2: space, brackets, braces, '#', '%' and '|' are no IRI path characters; the
    # standard library's quote escapes exactly these (it keeps the RFC 3986 unreserved ones).
    assert graphs[f"data/{stem}.ttl"] == f"{BASE}graph/data/{quote(stem)}"


def test_names_that_are_iri_characters_keep_their_graph_iri(mini_site: Path) -> None:
    # Letters beyond ASCII are IRI characters (ucschar), as are sub-delims, ':' and '@': these
    # graph names stay as they were.
    for stem in ("düsseldorf", "a+b=c;d,e!f$g&h'i(j)k*l", "x:y@z~_-.w"):
        (mini_site / "data" / f"{stem}.ttl").write_text(TRIPLE)
    graphs = {f.path.as_posix(): f.graph for f in sources.parse_site(mini_site, base_iri=BASE).files}
    assert graphs["data/düsseldorf.ttl"] == f"{BASE}graph/data/düsseldorf"
    assert graphs["data/a+b=c;d,e!f$g&h'i(j)k*l.ttl"] == f"{BASE}graph/data/a+b=c;d,e!f$g&h'i(j)k*l"
    assert graphs["data/x:y@z~_-.w.ttl"] == f"{BASE}graph/data/x:y@z~_-.w"


def test_a_file_name_that_is_not_utf8_is_refused_naming_the_file(mini_site: Path,
                                                                  tmp_path: Path) -> None:
    name = os.fsencode(mini_site / "data") + b"/bad\xff.ttl"
    with open(name, "w") as out:
        out.write(TRIPLE)
    code, output = _validate(mini_site, tmp_path / "cache")
    assert code == 2, output
    assert "data/bad\\xff.ttl: the file name is not UTF-8; rename the file" in output
    assert "Traceback" not in output
