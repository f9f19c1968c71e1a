"""A shape that cannot be applied is a steward's error naming the shapes file, never a traceback.

Before, a typo in a shape (``sh:pattern "([a-z"``, a literal as ``sh:path``) ended `regiold
validate` and `serve` in a Python traceback (re.error, pyshacl's ShapeLoadError), and a reload
with it let the exception out of the reload: under `regiold serve` the master's serve loop died
with a traceback (seen with a data file that raised the same way), so it supervised no worker and
reloaded no more.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from click.testing import CliRunner

from regiold.cli import cli

BROKEN = {
    "pattern": ('shp:BrokenPattern a sh:NodeShape ; sh:targetClass schema:Organization ;\n'
                '  sh:property [ sh:path schema:name ; sh:pattern "([a-z" ] .\n'),
    "path": ('shp:BrokenPath a sh:NodeShape ; sh:targetClass schema:Organization ;\n'
             '  sh:property [ sh:path "name" ; sh:minCount 1 ] .\n'),
}
PREFIXES = ("@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
            "@prefix schema: <https://schema.org/> .\n@prefix shp: <shapes/> .\n")


def _break(site: Path, kind: str) -> None:
    (site / "shapes" / "broken.ttl").write_text(PREFIXES + BROKEN[kind])


@pytest.mark.parametrize("kind", sorted(BROKEN))
def test_validate_names_the_shapes_file_of_a_shape_that_cannot_be_applied(
        kind: str, mini_site: Path, tmp_path: Path) -> None:
    _break(mini_site, kind)
    result = CliRunner().invoke(cli, ["-s", "cache_dir", str(tmp_path), "validate", "--data",
                                      str(mini_site)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "shapes/broken.ttl" in result.output


def test_a_broken_pattern_is_named_with_its_shape_and_the_regex_error(mini_site: Path,
                                                                      tmp_path: Path) -> None:
    _break(mini_site, "pattern")
    result = CliRunner().invoke(cli, ["-s", "cache_dir", str(tmp_path), "validate", "--data",
                                      str(mini_site)])
    assert "shapes/broken.ttl" in result.output
    assert "shapes/BrokenPattern" in result.output and "'([a-z'" in result.output
    assert "unterminated" in result.output  # the regular expression's own complaint


def test_a_reload_with_a_broken_shape_keeps_the_old_data_and_says_why(mini_app, mini_site: Path,
                                                                     caplog) -> None:
    old_site = mini_app.extensions["regiold"].site
    _break(mini_site, "path")
    with caplog.at_level(logging.ERROR, logger="regiold.reload"):
        outcome = mini_app.extensions["regiold.reloader"].reload()
    assert outcome.state == "failed" and outcome.version == old_site.version
    assert mini_app.extensions["regiold"].site is old_site
    assert "shapes/broken.ttl" in caplog.text and "shapes/broken.ttl" in outcome.error
    ready = mini_app.test_client().get("/ready")
    assert ready.status_code == 200 and ready.json["reload"]["state"] == "failed"
