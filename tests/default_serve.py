"""The default-settings live tier: `regiold serve` started exactly as `make run` starts it.

``serve_defaults()`` copies the repository's tracked files into a fresh folder (what a new clone
holds: no cache, no venv), reads the command of the Makefile's ``run`` target, and runs it with
that copy as the working directory: no ``--data``, no ``-s``, no ``REGIOLD_*`` variables, so every
setting is at its default, relative paths included. Only ``--host``/``--port`` are filled in (as
``make run HOST=… PORT=…`` does), and ``server`` may be chosen to run the same tier under granian.

``crawl()`` then follows every link a client can find: HTML ``href``/``src``, ``robots.txt``,
``sitemap.xml``, and the download and access URLs of the VoID/DCAT description. Absolute URLs
under ``base_iri`` are requested on the local server, as the published paths are the same.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import rdflib
import requests

from processes import answers, free_port, stop, wait_until

ROOT = Path(__file__).resolve().parents[1]
BASE_IRI = "https://w3id.org/regionen-nrw/"  # the default of the setting base_iri
BROWSER = "text/html,application/xhtml+xml,*/*;q=0.8"
RDF_ACCEPT = ("text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml")
LINK_PREDICATES = tuple(rdflib.URIRef(i) for i in (
    "http://www.w3.org/ns/dcat#downloadURL", "http://www.w3.org/ns/dcat#accessURL",
    "http://rdfs.org/ns/void#dataDump", "http://rdfs.org/ns/void#sparqlEndpoint",
    "http://www.w3.org/ns/dcat#endpointURL", "http://rdfs.org/ns/void#rootResource",
))


def fresh_clone(target: Path) -> Path:
    """The tracked files of this checkout (a clean clone's content) copied into ``target``."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True)
    for name in filter(None, listed.stdout.decode().split("\0")):
        source = ROOT / name
        if source.is_file():  # a file deleted in the work tree is not part of the copy
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    shutil.rmtree(target / ".regiold-cache", ignore_errors=True)
    return target


def make_run_argv(host: str, port: int) -> list[str]:
    """The Makefile's ``run`` command with HOST and PORT filled in, run by this venv's regiold."""
    text = (ROOT / "Makefile").read_text()
    recipe = re.search(r"^run:.*\n\t(.+)$", text, re.M)
    assert recipe, "the Makefile has no run target"
    words = recipe.group(1).replace("$(HOST)", host).replace("$(PORT)", str(port)).split()
    assert words[0].endswith("/regiold"), f"make run does not start regiold: {recipe.group(1)}"
    return [str(Path(sys.executable).parent / "regiold"), *words[1:]]


@dataclass
class DefaultServer:
    url: str
    clone: Path
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def local(self, url: str) -> str | None:
        """``url`` on this server: path-absolute links and canonical IRIs map here, others None."""
        if url.startswith(BASE_IRI):
            return f"{self.url}/{url[len(BASE_IRI):]}"
        if url.startswith(self.url):
            return url
        return None


@contextmanager
def serve_defaults(tmp: Path, *, server: str = "gunicorn",
                   boot_timeout: float = 180) -> Iterator[DefaultServer]:
    """`make run` in a fresh copy of the repository (cwd = the copy); stopped on exit."""
    clone = fresh_clone(tmp / "clone")
    port = free_port()
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp)}
    if os.environ.get("PYTHONPATH"):  # a developer's worktree: run its code, not the installed one
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    if server != "gunicorn":
        env["REGIOLD_SERVER"] = server
    log = tmp / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen(make_run_argv("127.0.0.1", port), cwd=clone, env=env,
                                stdout=out, stderr=subprocess.STDOUT)
    running = DefaultServer(f"http://127.0.0.1:{port}", clone, log)
    try:
        wait_until(lambda: proc.poll() is not None or answers(f"{running.url}/ready"), boot_timeout,
                   lambda: f"make run did not become ready:\n{running.output()}", interval=0.25)
        assert proc.poll() is None, f"make run exited with {proc.returncode}:\n{running.output()}"
        yield running
    finally:
        stop(proc, timeout=30)



@dataclass
class Crawl:
    statuses: dict[str, int] = field(default_factory=dict)  # "URL [Accept]" → status
    bodies: dict[str, bytes] = field(default_factory=dict)  # URL → body of 200 answers (GET, no Accept)

    def failures(self, allowed: frozenset[int]) -> dict[str, int]:
        return {what: status for what, status in self.statuses.items() if status not in allowed}


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.links += [value for name, value in attrs if name in {"href", "src"} and value]


def crawl(server: DefaultServer, *, limit: int = 5000) -> Crawl:
    """Every URL reachable from ``/``, ``/dataset``, VoID, ``robots.txt`` and the sitemap, each
    fetched once as a browser would, and every resource page also in each RDF format."""
    result = Crawl()
    queue = [(f"{server.url}{path}", BROWSER) for path in
             ("/", "/dataset", "/.well-known/void", "/robots.txt", "/sitemap.xml")]
    queue.append((f"{server.url}/.well-known/void", "text/turtle"))  # a browser gets 303 to /dataset
    seen: set[str] = {url for url, _ in queue}
    session = requests.Session()
    while queue:
        assert len(seen) <= limit, f"more than {limit} URLs: the crawl does not end"
        url, accept = queue.pop(0)
        response = session.get(url, timeout=30, allow_redirects=False, headers={"Accept": accept})
        result.statuses[url if accept == BROWSER else f"{url} [{accept}]"] = response.status_code
        if response.status_code != 200:
            continue
        result.bodies.setdefault(url, response.content)
        for found in _links_in(url, response):
            local = server.local(found.split("#")[0])
            if local and local not in seen and urlsplit(local).path != "/sparql":
                seen.add(local)
                queue.append((local, BROWSER))
        if response.headers.get("Content-Type", "").startswith("text/html") and _is_resource(url, server):
            for accept in RDF_ACCEPT:
                rdf = session.get(url, timeout=30, headers={"Accept": accept})
                result.statuses[f"{url} [{accept}]"] = rdf.status_code
    return result


def _is_resource(url: str, server: DefaultServer) -> bool:
    parts = urlsplit(url)
    return parts.path not in {"/", "/search", "/sparql"} and not parts.query


def _links_in(url: str, response: requests.Response) -> list[str]:
    kind = response.headers.get("Content-Type", "").split(";")[0]
    if kind == "text/html":
        parser = _Links()
        parser.feed(response.text)
        return [urljoin(url, link) for link in parser.links]
    if url.endswith("/robots.txt"):
        return re.findall(r"(?im)^sitemap:\s*(\S+)", response.text)
    if kind in {"application/xml", "text/xml"}:
        return [el.text.strip() for el in ET.fromstring(response.content).iter()
                if el.tag.endswith("}loc") and el.text]
    if kind in {"text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml"}:
        graph = rdflib.Graph().parse(data=response.content, format=_RDFLIB[kind], publicID=url)
        return [str(o) for p in LINK_PREDICATES for o in graph.objects(None, p)]
    return []


_RDFLIB = {"text/turtle": "turtle", "application/ld+json": "json-ld",
           "application/n-triples": "nt", "application/rdf+xml": "xml"}
