"""The dumps over HTTP as a download manager or a harvester meets them: preconditions and range
requests by the rules of RFC 9110 (sections 13 and 14), with requests against a live server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from live import serve_app
from regiold import create_app

DUMP = "/dumps/regionen-nrw.ttl"


@pytest.fixture
def url(dataset_site, settings_for) -> Iterator[str]:
    with serve_app(create_app(settings_for(dataset_site))) as base:
        yield base + DUMP


def get(url: str, **headers: str) -> requests.Response:
    return requests.get(url, headers={"Accept-Encoding": "identity", **headers}, timeout=30)


def test_if_match_and_if_unmodified_since_are_preconditions_on_a_dump(url: str) -> None:
    """RFC 9110 13.1.1: ``If-Match: *`` is true when the resource has a representation; 13.1.4:
    If-Unmodified-Since before Last-Modified is false, 412. A 412 carries no file (13.2.2 step 2:
    respond 412; the file would be taken for the dump)."""
    full = get(url)
    assert full.status_code == 200 and full.content
    assert get(url, **{"If-Match": "*"}).content == full.content
    assert get(url, **{"If-Match": full.headers["ETag"]}).status_code == 200
    for header, value in (("If-Match", '"not-this-one"'),
                          ("If-Unmodified-Since", "Mon, 01 Jan 2024 00:00:00 GMT")):
        refused = get(url, **{header: value})
        assert refused.status_code == 412, (header, refused.status_code)
        assert full.content[:64] not in refused.content, header


def test_an_unsatisfiable_range_names_the_length(url: str) -> None:
    """RFC 9110 15.5.17: a 416 to a byte-range request SHOULD carry ``Content-Range: bytes */N``,
    so that a download manager can resume with a range that fits."""
    size = len(get(url).content)
    response = get(url, Range=f"bytes={size + 10}-")
    assert response.status_code == 416
    assert response.headers.get("Content-Range") == f"bytes */{size}"


def test_a_range_the_server_does_not_serve_gets_the_whole_file(url: str) -> None:
    """RFC 9110 14.2: an origin server MUST ignore a Range with a unit it does not understand; a
    416 says that no range overlaps the file (15.5.17), so two ranges that do are answered, here
    with the whole file (a server MAY ignore Range). A single byte range still gets its 206."""
    full = get(url).content
    for value in ("items=0-4", "bytes=0-4,10-14"):
        response = get(url, Range=value)
        assert response.status_code == 200, (value, response.status_code)
        assert response.content == full, value
    part = get(url, Range="bytes=10-19")
    assert part.status_code == 206 and part.content == full[10:20]
    assert part.headers["Content-Range"] == f"bytes 10-19/{len(full)}"


def test_a_script_on_another_origin_can_resume_a_download(url: str) -> None:
    """The Fetch standard lets a script on another origin read only the CORS-safelisted response
    headers (Cache-Control, Content-Language, Content-Length, Content-Type, Expires,
    Last-Modified, Pragma) and those named in Access-Control-Expose-Headers. Resuming a download
    needs the total from Content-Range and the ETag for If-Range."""
    part = get(url, Range="bytes=0-9", Origin="https://app.example")
    assert part.status_code == 206 and part.headers.get("Access-Control-Allow-Origin") == "*"
    exposed = {h.strip().lower() for h in part.headers.get("Access-Control-Expose-Headers", "").split(",")}
    assert {"etag", "content-range"} <= exposed, part.headers
