"""The crawl (bench/crawl.py) on a random sample of the resources, for sizes where crawling every
resource in three formats takes longer than a run may (10^6: ~135,000 resources). Each resource
of the sample is asked for once per format, from a fresh ``regiold serve``; Oxigraph server answers
the page CONSTRUCT for the same sample. ``--build`` also times ``regiold build`` of the whole site
in the same run (it writes every resource: at 10^6 about 1.2 million files, 7.5 GB, ~10 minutes),
so its files per second compare with Oxigraph's pages per second on the sample.

    python bench/crawl_sample.py SITE --sample 6000 [--formats ttl,jsonld,html] [--seed 0]
                                [--no-trifid] [--no-remote] [--build [--build-out DIR]]

``--regiold-only``: only ``regiold serve`` (no Oxigraph server, remote store or Trifid), for
its CPU per request and memory (PSS at rest and after the crawl) without the minutes of loading
the other servers; ``--setting NAME=VALUE`` (repeatable) sets one of its settings.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import crawl  # noqa: E402

if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("site", type=Path)
    parser.add_argument("--sample", type=int, default=6000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--formats", default=",".join(crawl.ACCEPT))
    parser.add_argument("--regiold-only", action="store_true")
    parser.add_argument("--no-trifid", action="store_true")
    parser.add_argument("--no-remote", action="store_true", help="skip regiold on a remote Oxigraph")
    parser.add_argument("--build", action="store_true", help="also time regiold build of the whole site")
    parser.add_argument("--build-out", type=Path, help="folder to build into (default: a temporary one)")
    parser.add_argument("--setting", action="append", default=[], metavar="NAME=VALUE",
                        help="a setting of regiold serve (with --regiold-only), e.g. cache_mb=8")
    options = parser.parse_args()
    every = crawl.resources(options.site)
    chosen = sorted(random.Random(options.seed).sample(every, min(options.sample, len(every))))
    crawl.resources = lambda site: chosen  # run() crawls this list
    settings = dict(pair.split("=", 1) for pair in options.setting) or None
    if options.regiold_only:
        with tempfile.TemporaryDirectory() as tmp:
            outcome = {"resources": len(chosen), "load_average_start": os.getloadavg(),
                       "runs": {f"regiold-{fmt}": crawl.regiold_crawl(
                           options.site, chosen, fmt, Path(tmp), settings=settings)
                                for fmt in options.formats.split(",")},
                       "load_average_end": os.getloadavg()}
    else:
        outcome = crawl.run(options.site, options.formats.split(","), build=options.build,
                            virtuoso=False, trifid=not options.no_trifid,
                            remote=not options.no_remote, build_out=options.build_out)
        print(crawl.table(outcome), file=sys.stderr)
    outcome["resources_in_site"] = len(every)
    print(json.dumps(outcome))
