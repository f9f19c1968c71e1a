"""regiold: publish the regionen.NRW partner directory as validated linked data."""

from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"

if TYPE_CHECKING:
    from flask import Flask

    from regiold.publish.site import Site
    from regiold.settings import Settings


def create_app(settings: Settings | None = None, *, site: Site | None = None) -> Flask:
    """Build the Flask application: load and validate the data, then register the blueprints.

    :raises SourceError: a data file cannot be parsed.
    :raises InvalidData: the data violates the shapes (unless ``allow_invalid``).
    """
    from flask import Flask

    from regiold.publish.site import SiteHolder
    from regiold.publish.site_loader import load_site
    from regiold.serve.reload import Reloader
    from regiold.settings import Settings
    from regiold.web import app as web_app
    from regiold.web import guard
    from regiold.web.sparql_front import SparqlFront

    settings = settings or Settings.load()
    site = site or load_site(settings)
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.sparql_max_query_bytes * 4
    holder = app.extensions["regiold"] = SiteHolder(site)
    app.extensions["regiold.reloader"] = Reloader(holder, settings)
    guard.install(app, settings)
    web_app.register_blueprints(app)
    web_app.register_error_handlers(app)
    # WSGI layers, innermost first: the SPARQL front (refusals and plain queries before Flask),
    # the fast path (resource pages), the page gate, the proxy headers (the same client address
    # for all)
    app.wsgi_app = SparqlFront(  # type: ignore[method-assign]
        app.wsgi_app, holder, buckets=app.extensions[guard.BUCKETS],
        max_url_bytes=settings.max_url_bytes, max_body=app.config["MAX_CONTENT_LENGTH"],
        body_timeout=settings.body_read_timeout, max_readers=settings.sparql_max_concurrent)
    if settings.hot_responses > 0:
        from regiold.web.fastpath import EXTENSION_KEY, HotResponses
        from regiold.web.first import FirstRenderings

        app.wsgi_app = HotResponses(app.wsgi_app, holder, limit=settings.hot_responses,  # type: ignore[method-assign]
                                    max_bytes=settings.cache_bytes,
                                    first=FirstRenderings(app, settings))
        app.extensions[EXTENSION_KEY] = app.wsgi_app  # serve/warm.py empties it after warming
    if settings.store == "embedded" and settings.page_concurrency < settings.threads:
        from regiold.web.gate import PageGate  # pages in turn, not all at once (web/gate.py)

        app.wsgi_app = PageGate(app.wsgi_app, holder, settings.page_concurrency)  # type: ignore[method-assign]
    guard.trust_proxies(app, settings)
    return app
