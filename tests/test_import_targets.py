"""`regiold import --out` into folders it cannot write: an error naming the folder, nothing written.

Before, `--people-dir` under a file wrote the organisation's draft and then ended in a
NotADirectoryError traceback (one draft of two on disk, against "writes nothing at all when one of
its targets" cannot be taken), and `--out` under a file was a FileExistsError traceback.
"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from regiold.cli import cli

PAGE = Path(__file__).parent / "fixtures" / "import" / "beispielregion.html"


def _import(tmp_path: Path, *args: str):
    return CliRunner().invoke(cli, ["-s", "cache_dir", str(tmp_path / "cache"), "import",
                                    str(PAGE), "--data", str(tmp_path / "nosite"), *args])


def test_a_people_folder_that_cannot_be_made_writes_nothing_and_is_named(
        tmp_path: Path, a_file: Path) -> None:
    out = tmp_path / "partners" / "x.ttl"
    result = _import(tmp_path, "--out", str(out), "--people-dir", str(a_file / "people"))
    assert result.exit_code == 2, result.output
    assert f"cannot write {a_file / 'people'}" in result.output
    assert "Traceback" not in result.output and not isinstance(result.exception, OSError)
    assert not out.exists()


def test_an_out_file_under_a_file_is_named(tmp_path: Path, a_file: Path) -> None:
    result = _import(tmp_path, "--out", str(a_file / "x.ttl"))
    assert (result.exit_code, f"cannot write {a_file}" in result.output) == (2, True), result.output
    assert not isinstance(result.exception, OSError)
