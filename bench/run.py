"""Run the benchmarks and print a Markdown summary (figures + ratios against anchors measured in
the same run). Loopback only; every wrk run and every server is bounded in time.

    python bench/run.py                  quick profile (`make bench`): 10^4 triples, short wrk runs
    python bench/run.py --full           10^4, 10^5, 10^6 triples (see docs/performance.md)
    python bench/run.py --sizes 1e5 --sections scale,coldstart
    python bench/run.py --sizes 1e4,1e5 --sections crawl     first renderings (bench/crawl.py)

Results also go to bench/results/{profile}.json.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import gen  # noqa: E402
from common import ROOT, machine, save, versions  # noqa: E402

# Partner copies giving about 10^4, 10^5 and 10^6 triples with the real model (~91 per copy).
SIZES = {"1e4": 92, "1e5": 1080, "1e6": 10970}
SECTIONS = ("scale", "coldstart", "sparql", "deref")
# Not run by default (minutes per size): "crawl", first renderings of every resource (bench/crawl.py).
OPTIONAL_SECTIONS = ("crawl",)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--full", action="store_true")
    parser.add_argument("--sizes", help="comma-separated subset of " + ",".join(SIZES))
    parser.add_argument("--sections", default=",".join(SECTIONS),
                        help=f"comma-separated, of: {', '.join(SECTIONS + OPTIONAL_SECTIONS)}")
    parser.add_argument("--duration", type=float, help="seconds per wrk run (quick 3, full 10)")
    parser.add_argument("--from", dest="source", type=Path, default=ROOT)
    parser.add_argument("--keep", type=Path, help="keep generated sites in this folder")
    args = parser.parse_args(argv)
    profile = "full" if args.full else "quick"
    sizes = args.sizes.split(",") if args.sizes else (list(SIZES) if args.full else ["1e4"])
    sections = args.sections.split(",")
    duration = args.duration or (8.0 if args.full else 3.0)
    results: dict[str, object] = {"profile": profile, "machine": machine(), "versions": versions(),
                                  "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                                  "sizes": {}}
    sites: dict[str, Path] = {}
    with tempfile.TemporaryDirectory() as tmp:
        workdir = args.keep or Path(tmp)
        for size in sizes:
            site = workdir / f"site-{size}"
            if not (site / "data" / "generated").is_dir():
                gen.generate(args.source, site, orgs=SIZES[size])
            sites[size] = site
            export_site = sites[max((z for z in sites if _n(z) <= 1e5), key=_n, default=size)]
            results["sizes"][size] = run_size(site, sections, duration, size == max(sizes, key=_n),
                                              export_site)
            print(f"## {size}\n```\n{json.dumps(results['sizes'][size], indent=1)}\n```", flush=True)
            save(results, ROOT / "bench" / "results" / f"{profile}.json")  # keep what is done
    save(results, ROOT / "bench" / "results" / f"{profile}.json")
    print(summary(results))
    return 0


def _n(size: str) -> float:
    return float(size)


def run_size(site: Path, sections: list[str], duration: float, largest: bool,
             export_site: Path) -> dict[str, object]:
    out: dict[str, object] = {}
    for section in sections:
        if section == "crawl":  # every size: the scaling of first renderings is the point
            from crawl import run as crawl

            try:
                out["crawl"] = crawl(site, ["ttl", "jsonld", "html"], build=True, virtuoso=True)
            except Exception as exc:  # keep the other sections' figures
                out["crawl_error"] = f"{type(exc).__name__}: {exc}"[:2000]
            continue
        if section == "deref":
            if largest:  # the HTTP comparison runs at the largest size only
                from deref import deref
                try:
                    out["deref"] = deref(site, duration=duration, export_site=export_site)
                except Exception as exc:  # keep the other sections' figures
                    out["deref_error"] = f"{type(exc).__name__}: {exc}"[:2000]
            continue
        extra = ["--cached-only"] if section == "coldstart" and largest and _n(site.name[5:]) >= 1e6 else []
        done = subprocess.run([sys.executable, str(Path(__file__).parent / "sections.py"), section,
                               str(site), *extra], capture_output=True, text=True, timeout=3600)
        if done.returncode:
            out[section] = {"error": done.stderr.strip().splitlines()[-1:]}
        else:
            out[section] = json.loads(done.stdout.strip().splitlines()[-1])
    return out


def summary(results: dict[str, object]) -> str:
    lines = [f"# regiold benchmarks ({results['profile']}, {results['started']})", "",
             f"machine: {results['machine']}", f"versions: {results['versions']}", "",
             "| size | triples | parse s | store s | validate s | cold start s (first / cached) "
             "| PSS all processes MB (cached / after scans) | SPARQL mix regiold/oxigraph |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for size, data in results["sizes"].items():  # type: ignore[union-attr]
        sc, cs, sp = data.get("scale", {}), data.get("coldstart", {}), data.get("sparql", {})
        first = cs.get("first", cs.get("snapshot", {}))  # "snapshot": the validation was cached
        lines.append(
            f"| {size} | {sc.get('triples', '?')} | {sc.get('parse_s', '?')} | {sc.get('store_s', '?')} "
            f"| {sc.get('validate_s', '?')} | {first.get('seconds', '?')} / "
            f"{cs.get('cached', {}).get('seconds', '?')} | {cs.get('cached', {}).get('pss_total', '?')} / "
            f"{cs.get('after_scans', {}).get('pss_total', '?')} | "
            f"{sp.get('ratio_total', {}).get('regiold', '?')} |")
        if "crawl" in data:
            from crawl import table as crawl_table

            lines += ["", crawl_table(data["crawl"])]
        if "deref" in data:
            from deref import deref_table

            lines += ["", deref_table(data["deref"])]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
