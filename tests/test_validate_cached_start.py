"""A command that finds its validation report cached (``regiold build``, ``serve`` after a restart)
does not import pyshacl and rdflib's SPARQL engine: they cost a start about 0.3 s on a quiet
machine (docs/performance.md, "Fourth pass: HTML and the export"); the report is the cached one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from pages_support import copy_site
from regiold.publish.site_loader import load_site
from regiold.settings import Settings

PROBE = """
import json, sys
from regiold.publish.site_loader import load_site
from regiold.settings import Settings
site = load_site(Settings.load({"site_dir": sys.argv[1], "cache_dir": sys.argv[2]}, environ={}))
heavy = sorted(m for m in sys.modules if m.startswith(("pyshacl", "rdflib.plugins.sparql")))
print(json.dumps({"cached": site.report.cached, "conforms": site.report.conforms, "modules": heavy}))
"""


def test_a_cached_report_loads_without_the_validator(tmp_path: Path) -> None:
    site = copy_site(tmp_path / "site")
    cache = tmp_path / "cache"
    first = load_site(Settings.load({"site_dir": site, "cache_dir": cache}, environ={}))
    assert not first.report.cached  # validated here, report written to the cache
    found = subprocess.run([sys.executable, "-c", PROBE, str(site), str(cache)], check=True,
                           capture_output=True, text=True, env=os.environ.copy(), timeout=120)
    answer = json.loads(found.stdout.splitlines()[-1])
    assert answer == {"cached": True, "conforms": first.report.conforms, "modules": []}
