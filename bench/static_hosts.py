"""The static export behind nginx (generated config) and behind Apache (the export's .htaccess):
requests per second for a plain document and for a negotiated resource IRI, one server at a time
on 127.0.0.1 (wrk, 16 connections, a bounded time per run). The ratio negotiated / document is the
price of the rules (Apache reads the .htaccess and runs its RewriteConds on every request).

``python bench/static_hosts.py [SECONDS]`` (the test fixture site)"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from click.testing import CliRunner  # noqa: E402

from apache_server import apache_binary, apache_serving  # noqa: E402
from common import BASE, wrk  # noqa: E402
from nginx_server import nginx_binary, nginx_serving  # noqa: E402
from pages_support import DME, copy_site  # noqa: E402
from regiold.cli import cli  # noqa: E402

PATH = "/" + DME.removeprefix(BASE)
RUNS = {"document-ttl": (f"{PATH}.ttl", {}), "negotiated-ttl": (PATH, {"Accept": "text/turtle"}),
        "negotiated-html": (PATH, {"Accept": "text/html", "Accept-Language": "en"})}


def main(duration: float) -> None:
    with tempfile.TemporaryDirectory(prefix="regiold-static-hosts-") as tmp:
        site, out = copy_site(Path(tmp) / "site"), Path(tmp) / "out"
        result = CliRunner().invoke(cli, ["-s", "cache_dir", str(site / ".cache"), "build", "--data",
                                          str(site), "--out", str(out)])
        assert result.exit_code == 0, result.output
        hosts = {"nginx": (nginx_binary(), lambda: nginx_serving(out, Path(tmp) / "nginx", base_iri=BASE)),
                 "apache": (apache_binary(), lambda: apache_serving(out, Path(tmp) / "apache")),
                 "apache-rules-in-config": (apache_binary(), lambda: apache_serving(
                     out, Path(tmp) / "apache-config", in_config=True))}
        for name, (binary, serving) in hosts.items():
            if binary is None:
                print(f"{name}: not installed")
                continue
            with serving() as url:
                rps = {run: wrk(url + path, duration=duration, headers=headers).rps
                       for run, (path, headers) in RUNS.items()}
            figures = "  ".join(f"{run} {value:.0f}/s" for run, value in rps.items())
            ratio = rps["negotiated-ttl"] / rps["document-ttl"]
            print(f"{name}: {figures}  negotiated-ttl/document-ttl {ratio:.2f}")


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 3.0)
