"""`regiold serve` whose cache_dir cannot take the dumps (a full disk) says so and cleans up.

Before, a full disk under cache_dir ended `serve` in a traceback ("OSError: No space left on
device" from the dump writer) and left the half-written dumps in a `.tmp-…` folder, holding the
space that was missing. A file size limit (RLIMIT_FSIZE) makes every write past 2 KB fail as a
full disk would (EFBIG instead of ENOSPC), without mounting anything.
"""

from __future__ import annotations

import resource
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import FIXTURE_SITE
from processes import answers, free_port, stop, wait_until

LIMIT = 2048  # bytes: the validation cache fits, no dump does


def _small_files_only() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT, LIMIT))


def test_dumps_that_cannot_be_written_stop_serve_naming_cache_dir_and_leave_nothing(
        tmp_path: Path) -> None:
    site, cache = tmp_path / "site", tmp_path / "cache"
    shutil.copytree(FIXTURE_SITE, site)
    result = subprocess.run(
        [str(Path(sys.executable).parent / "regiold"), "-s", "cache_dir", str(cache), "serve",
         "--data", str(site), "--port", str(free_port())],
        capture_output=True, text=True, timeout=120, preexec_fn=_small_files_only, cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert f"cannot write the dumps to {cache / 'dumps'}" in result.stderr
    assert "File too large" in result.stderr and "cache_dir" in result.stderr
    left = [p for p in cache.rglob("*") if p.is_file() and p.stat().st_size >= LIMIT]
    assert left == [], left  # no half-written dump left to hold the space
    assert not [p for p in cache.rglob(".tmp-*")]


def test_a_snapshot_that_cannot_be_written_serves_from_memory_and_leaves_nothing(
        tmp_path: Path) -> None:
    # The dumps fit in 16 KB, the store snapshot's naming table does not: SQLite failed with
    # "database or disk is full" (sqlite3.OperationalError, not the OSError the fallback to memory
    # waited for), a traceback that stopped serve and left the snapshot's .tmp- folder behind.
    site, cache, log = tmp_path / "site", tmp_path / "cache", tmp_path / "serve.log"
    shutil.copytree(FIXTURE_SITE, site)
    port = free_port()
    with log.open("w") as out:
        proc = subprocess.Popen(
            [str(Path(sys.executable).parent / "regiold"), "-s", "cache_dir", str(cache),
             "serve", "--data", str(site), "--port", str(port)], stdout=out,
            stderr=subprocess.STDOUT, preexec_fn=lambda: resource.setrlimit(
                resource.RLIMIT_FSIZE, (16384, 16384)), cwd=tmp_path)
    try:
        wait_until(lambda: answers(f"http://127.0.0.1:{port}/org/alpha") or proc.poll() is not None,
                   90, lambda: log.read_text())
        assert proc.poll() is None, log.read_text()
        assert "Traceback" not in log.read_text()
        assert f"no store snapshot in {cache}" in log.read_text()
        assert not list((cache / "store").glob(".tmp-*"))
    finally:
        stop(proc)
