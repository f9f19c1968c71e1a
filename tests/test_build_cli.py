"""`regiold build` refuses what it cannot use, naming the option, never with a traceback.

Before, `--url "http://x y/"` (or `javascript:alert(1)`) went as it was into robots.txt's
`Sitemap:` line and every `<loc>` of sitemap.xml, `--sparql-url "http://a b/"` into every page's
links, and an `--out` folder that cannot be created ended the build in a NotADirectoryError
traceback.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import FIXTURE_SITE
from regiold.cli import cli


def _build(tmp_path: Path, *args: str):
    return CliRunner().invoke(cli, ["-s", "cache_dir", str(tmp_path / "cache"), "build",
                                    "--data", str(FIXTURE_SITE), *args])


@pytest.mark.parametrize("option", ["--url", "--sparql-url"])
@pytest.mark.parametrize("bad", ["http://x y/", "javascript:alert(1)", "example.org/",
                                 "https://example.org/<x>"])
def test_a_url_option_that_is_no_http_iri_is_a_usage_error(tmp_path: Path, option: str,
                                                             bad: str) -> None:
    result = _build(tmp_path, "--out", str(tmp_path / "out"), option, bad)
    assert result.exit_code == 2, result.output
    assert f"Invalid value for '{option}'" in result.output and bad in result.output
    assert not (tmp_path / "out").exists()  # refused before anything is written



def test_an_out_folder_that_cannot_be_created_is_named(tmp_path: Path, a_file: Path) -> None:
    result = _build(tmp_path, "--out", str(a_file / "site"))
    assert result.exit_code == 1, result.output
    assert f"cannot write the export to {a_file / 'site'}" in result.output
    assert "Traceback" not in result.output and not isinstance(result.exception, OSError)
