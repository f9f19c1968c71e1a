"""The one accessor to app state a request handler needs: the Site serving it."""

from __future__ import annotations

from flask import current_app, request

from regiold.publish.site import Site, SiteHolder


def current_site() -> Site:
    """The Site serving this request (stays the same for the whole request)."""
    holder: SiteHolder = current_app.extensions["regiold"]
    return holder.site


def public_root() -> str:
    """The site root for absolute URLs in bodies, ending in ``/``: the setting ``public_url``,
    else behind ``trusted_proxies`` the address the proxy forwarded, else ``base_iri``'s root.

    Never the request's own ``Host``: anyone can send any Host, and a cache in front would keep
    robots.txt or a sitemap pointing elsewhere (docs/ARCHITECTURE.md, absolute URLs).
    """
    settings = current_site().settings
    if settings.public_url:
        return settings.public_url.rstrip("/") + "/"
    if settings.trusted_proxies > 0 and "HTTP_X_FORWARDED_HOST" in request.environ:
        return request.url_root  # ProxyFix (web/guard.py) made it from X-Forwarded-*
    base = settings.base_iri
    return base if base.endswith("/") else base.rsplit("/", 1)[0] + "/"
