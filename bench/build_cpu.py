"""CPU per resource of ``regiold build``'s page writing, in one process (issue 12): a random sample
of a site's resources, each written in every format and language as the build's workers write
them (``export.build._write_slice``), into a new folder under ``--out`` (default /dev/shm, so that
the kernel's cost of creating files, which swings with the folder on ext4, stays out of the
figure: docs/performance.md). CPU time of the process (user + system), in ms per resource.

    python bench/build_cpu.py SITE [--sample 600] [--out /dev/shm]
    python bench/build_cpu.py SITE --phases [--out DIR]

``--phases`` instead times the whole build step by step as ``export.build.build`` runs them
(imports, loading the cached site, the subjects, the resources' files by the forked workers, the
site files): wall seconds and CPU seconds of this process and of the workers, per step.

Run it with ``PYTHONPATH`` set to another tree's ``src`` for a baseline. It writes the validation
cache into SITE/.bench-cache, as the other sections do.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path


def build_cpu(site_dir: Path, size: int, parent: Path) -> dict[str, float]:
    from regiold.export import build
    from regiold.publish.site_loader import load_site
    from regiold.settings import Settings

    settings = Settings.load({"cache_dir": str(site_dir / ".bench-cache"), "site_dir": str(site_dir),
                              "sparql_link": ""}, environ={})
    site = load_site(settings)
    paths = build.resource_paths(site)[0]
    sample = random.Random(1).sample(paths, min(size + 20, len(paths)))
    out = Path(tempfile.mkdtemp(prefix="build-cpu-", dir=parent))
    try:
        build._write_slice((str(out), sample[:20], site))  # imports, templates, table connections
        written = sum(len(names) for _, _, names in os.walk(out))
        before, started = os.times(), time.perf_counter()
        build._write_slice((str(out), sample[20:], site))
        after, wall = os.times(), time.perf_counter() - started
        files = sum(len(names) for _, _, names in os.walk(out)) - written
    finally:
        shutil.rmtree(out, ignore_errors=True)
    count = len(sample) - 20
    return {"resources": count, "files": files,
            "user_ms": round((after.user - before.user) * 1000 / count, 3),
            "system_ms": round((after.system - before.system) * 1000 / count, 3),
            "wall_ms": round(wall * 1000 / count, 3)}


def phases(site_dir: Path, parent: Path) -> dict[str, dict[str, float]]:
    started, before = time.perf_counter(), os.times()
    found: dict[str, dict[str, float]] = {}

    def mark(step: str) -> None:
        nonlocal started, before
        now, times = time.perf_counter(), os.times()
        found[step] = {"wall_s": round(now - started, 2),
                       "cpu_s": round(times.user + times.system - before.user - before.system, 2),
                       "workers_cpu_s": round(times.children_user + times.children_system
                                              - before.children_user - before.children_system, 2)}
        started, before = now, times

    from regiold.export import build
    from regiold.publish import dataset
    from regiold.publish.site_loader import load_site
    from regiold.settings import Settings
    mark("imports")
    settings = Settings.load({"cache_dir": str(site_dir / ".bench-cache"), "site_dir": str(site_dir),
                              "sparql_link": ""}, environ={})
    site = load_site(settings)
    mark("load_site")
    out = Path(tempfile.mkdtemp(prefix="build-phases-", dir=parent))
    try:
        subjects = dataset.subject_paths(site.store, site.base_iri)
        paths = build.resource_paths(site, subjects)[0]
        mark("subjects")
        build._write_resources(site, out, paths, os.cpu_count() or 1)
        mark("resources")
        build._write_site_files(site, out, site.base_iri, subjects)
        mark("site_files")
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return found


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("site", type=Path)
    parser.add_argument("--sample", type=int, default=600)
    parser.add_argument("--out", type=Path, default=Path("/dev/shm"))
    parser.add_argument("--phases", action="store_true", help="time the whole build step by step")
    options = parser.parse_args()
    if options.phases:
        print(json.dumps(phases(options.site, options.out)))
        sys.exit(0)
    found = build_cpu(options.site, options.sample, options.out)
    print(f"{found['user_ms']} + {found['system_ms']} ms CPU (user + system) per resource, "
          f"{found['wall_ms']} ms wall, {found['files']} files", file=sys.stderr)
    print(json.dumps(found))
