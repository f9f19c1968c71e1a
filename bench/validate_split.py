"""A first SHACL validation of one site: before (plain pyshacl on rdflib's Memory graph, as until
issue 5's split) against `validate.run` in 1, 2, … worker processes. Each run is a fresh
process, so its memory figures are its own; every ratio is against "before" from the same run.

    .venv/bin/python bench/validate_split.py SITE [--workers 1,2] [--skip-before]

Prints one line per run: wall and CPU seconds (the calling process and its workers), peak RSS
of the calling process and of its largest worker, and the calling process's RSS afterwards
(what a server that validates before forking its own workers keeps).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

BASE = "https://w3id.org/regionen-nrw/"


def measure(site: Path, workers: str) -> dict[str, object]:
    """In this process: parse, then one validation ("before" or a worker count)."""
    import gc
    import resource
    import time

    import pyshacl

    from regiold import validate
    from regiold.ingest import sources

    parsed = sources.parse_site(site, base_iri=BASE)
    rss_parsed = _rss_mb()
    wall, cpu = time.perf_counter(), time.process_time()
    if workers == "before":
        shapes = validate.inline_sparql_targets(parsed.shapes_graph(), parsed.dataset)
        conforms, results, _ = pyshacl.validate(sources.to_rdflib_graph(parsed.quads), shacl_graph=shapes,
                                                inference="none", advanced=True,
                                                allow_warnings=True)
        found = len(set(results.subjects(pyshacl.consts.SH_resultSeverity, None)))
    else:
        report = validate.run(parsed, workers=int(workers))
        conforms, found = report.conforms, len(report.violations)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    del parsed
    gc.collect()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"workers": workers, "wall_s": round(wall, 2), "cpu_s": round(cpu, 2),
            "workers_cpu_s": round(children.ru_utime + children.ru_stime, 2),
            "rss_parsed_mb": rss_parsed,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
            "worker_peak_rss_mb": children.ru_maxrss // 1024,
            "rss_after_mb": _rss_mb(), "conforms": bool(conforms), "results": found}


def _rss_mb() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) // 1024
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--workers", default=f"1,{os.cpu_count() or 1}")
    parser.add_argument("--skip-before", action="store_true")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # internal: measure in this process
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.site, args.one)))
        return
    runs = ([] if args.skip_before else ["before"]) + args.workers.split(",")
    rows = [json.loads(subprocess.run([sys.executable, __file__, str(args.site), "--one", run],
                                      check=True, capture_output=True, text=True).stdout)
            for run in runs]
    anchor = rows[0]
    print(f"site {args.site} (load {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs at the end)")
    print("workers  wall s   CPU s (self + workers)  peak RSS MB (self / worker)  RSS MB parsed"
          " → after  results  wall vs " + str(anchor["workers"]))
    for row in rows:
        print(f"{row['workers']:>7}  {row['wall_s']:6.1f}  {row['cpu_s']:6.1f} + "
              f"{row['workers_cpu_s']:6.1f}        {row['peak_rss_mb']:6} / "
              f"{row['worker_peak_rss_mb']:6}         {row['rss_parsed_mb']:6} → {row['rss_after_mb']:6}  "
              f"{row['results']:7}  {row['wall_s'] / anchor['wall_s']:.2f}x")


if __name__ == "__main__":
    main()
