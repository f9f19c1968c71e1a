"""`regiold release` and `regiold forget` change nothing when they cannot write releases/.

Both write data/ first and releases/ after. Before, with releases/ unwritable (here: a file of
that name), `release` stamped data/release.ttl with the new version and then ended in a
FileExistsError traceback, the released IRIs never recorded; `forget` deleted the person's file
and rewrote the others, then failed the same way before writing the tombstones, so the person's
IRIs answered 404 instead of 410, with the person gone from the data for good.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from regiold.cli import cli


def _fingerprint(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("command", [["release", "--version", "1.0.0"],
                                     ["forget", "person/anna-beispiel"]])
def test_a_steward_command_that_cannot_write_releases_changes_nothing(
        mini_site: Path, tmp_path: Path, command: list[str]) -> None:
    (mini_site / "releases").write_text("a file where the folder belongs")
    before = _fingerprint(mini_site / "data")
    result = CliRunner().invoke(cli, ["-s", "cache_dir", str(tmp_path / "cache"), *command,
                                      "--data", str(mini_site)])
    assert result.exit_code == 1, result.output
    assert f"cannot write {mini_site / 'releases'}" in result.output
    assert not isinstance(result.exception, OSError), result.exception
    assert _fingerprint(mini_site / "data") == before
