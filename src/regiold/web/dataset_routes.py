"""Dataset-level routes: VoID, dumps, robots.txt and sitemap.xml.

The DCAT catalog and dataset resources themselves are resource pages (``/catalog``, ``/dataset``).
RDF keeps canonical IRIs; robots.txt and the sitemap give URLs on the serving host. VoID goes
through the same negotiation, serialisation and response helpers as every resource page.
"""

from __future__ import annotations

from flask import Blueprint, Response, redirect, request, send_file
from werkzeug.http import unquote_etag

from regiold.errors import NotFound
from regiold.publish import dataset as ds
from regiold.publish import render
from regiold.publish.site import Site
from regiold.rdf.formats import HTML, Format, link
from regiold.web.context import current_site, public_root
from regiold.web.negotiate import negotiate
from regiold.web.responses import CACHE_CONTROL, DOWNLOAD_EXPOSED, conditional, send_representation

bp = Blueprint("dataset", __name__)

# Turtle first: what */* gets. HTML only for clients that ask for it (browsers): they are sent on to
# the dataset page.
VOID_FORMATS: tuple[Format, ...] = (*ds.VOID_FORMATS, HTML)
VOID_PATH = "/.well-known/void"
DATA_HEADERS = {"Access-Control-Allow-Origin": "*", "Cache-Control": CACHE_CONTROL}
# what a script on another origin needs to resume a dump's download (If-Range, the total size)
DUMP_EXPOSED = {"Access-Control-Expose-Headers": DOWNLOAD_EXPOSED}


@bp.get(VOID_PATH)
def void() -> Response:
    site = current_site()
    fmt = negotiate(None, request.accept_mimetypes, VOID_FORMATS,
                    format_param=request.args.get("format"))
    if fmt is HTML:
        response = redirect(f"{request.script_root}/{ds.DATASET}", code=303)
        response.headers["Vary"] = "Accept"
        return response
    body = ds.void_bytes(site, fmt)
    rep = render.Representation(body, fmt, None, render.format_etag(site.version, body, fmt))
    negotiated = "format" not in request.args
    response = send_representation(site, rep, vary=("Accept",) if negotiated else ())
    response.headers["Content-Location"] = f"{VOID_PATH}?format={fmt.key}"
    response.headers["Link"] = ", ".join(link(f"{VOID_PATH}?format={f.key}", f) for f in ds.VOID_FORMATS)
    return response


@bp.get("/dumps/<name>")
def dump(name: str) -> Response:
    site = current_site()
    info = ds.info(site)
    file = ds.dump_file(site, name)
    if file is None:
        raise NotFound(f"no dump named {name!r}; available: {', '.join(sorted(info.dumps))}")
    # preconditions, 304 and ranges as every route decides them (responses.conditional):
    # werkzeug's own took If-Match: * as false and ignored If-Unmodified-Since
    response = send_file(file.path, mimetype="application/octet-stream", as_attachment=True,
                         download_name=name, conditional=False,
                         etag=unquote_etag(info.etag(f"dump-{file.dump.suffix}"))[0],
                         last_modified=info.modified, max_age=None)
    response.headers.update({**DATA_HEADERS, **DUMP_EXPOSED})
    response.headers["Content-Type"] = file.dump.content_type
    return conditional(response, complete_length=file.path.stat().st_size)


@bp.get("/robots.txt")
def robots() -> Response:
    info = ds.info(current_site())
    response = Response(ds.robots_txt(public_root() + "sitemap.xml"),
                        content_type="text/plain; charset=utf-8")
    return _conditional(response, info, "robots")


@bp.get("/sitemap.xml")
def sitemap() -> Response:
    return _sitemap_file("sitemap.xml")


@bp.get("/sitemap-<int:part>.xml")
def sitemap_part(part: int) -> Response:
    return _sitemap_file(f"sitemap-{part}.xml")


def _sitemap_file(name: str) -> Response:
    site = current_site()
    info = ds.info(site)
    files = ds.sitemap_files(_sitemap_entries(site), public_root(), lastmod=info.modified)
    if name not in files:
        raise NotFound(f"no {name}: this sitemap has {len(files)} file(s)")
    return _conditional(Response(files[name], content_type="application/xml; charset=utf-8"), info,
                        name.removesuffix(".xml"))


def _sitemap_entries(site: Site) -> list[ds.SitemapEntry]:
    """Entries on the serving host; the page list is computed once per Site (the host may vary)."""
    paths = site.cache.get("regiold.sitemap.paths")
    if not isinstance(paths, list):
        paths = ds.page_paths(site.store, site.base_iri)
        site.cache["regiold.sitemap.paths"] = paths
    return list(ds.sitemap_entries(paths, public_root(), default_lang=site.settings.default_lang))


def _conditional(response: Response, info: ds.DatasetInfo, what: str) -> Response:
    response.headers["ETag"] = info.etag(what)
    response.last_modified = info.modified
    return conditional(response)
