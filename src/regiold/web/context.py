"""The one accessor to app state a request handler needs: the Site serving it."""

from __future__ import annotations

from flask import current_app

from regiold.publish.site import Site, SiteHolder


def current_site() -> Site:
    """The Site serving this request (stays the same for the whole request)."""
    holder: SiteHolder = current_app.extensions["regiold"]
    return holder.site
