"""Bad input gets a clear answer, never a 500, a stack trace or a file read (issue 6 table)."""

from __future__ import annotations

import http.client
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from ops_routes import sample_urls
from regiold import create_app

SECRET = "s3cr3t-canary-7f1d"

PATH_ATTACKS = [
    "/../../etc/passwd", "/..%2f..%2fetc%2fpasswd", "/%2e%2e/%2e%2e/etc/passwd",
    "/org/..%2f..%2f..%2fcanary.txt", "/../canary.txt", "/static/../../canary.txt",
    "/%00", "/org/alpha%00.ttl", "/org/%00/x", "/org/%ff%fe%fd", "/org/alpha%0d%0aX-Evil:%201",
    "/%u0000", "/org/" + "a" * 9000, "//etc/passwd", "/org/alpha.ttl/../../../canary.txt",
    "/sparql?query=" + "%00" * 10, "/search?q=%00%ff",
]

MALFORMED_HEADERS = [
    {"Accept": "text/html;q=abc, */*;q=2.5, ;;;, application/ld+json;q=-1"},
    {"Accept": "\x7f\x01garbage/, /, */"},
    {"Accept": "text/turtle;q=nan;level=x=y" + ", a/b" * 500},
    {"Accept": ""},
    {"Accept-Language": "!!;q=x, de-DE-x-" + "a" * 300 + ", *;q=0.5, en;q=2"},
    {"Accept-Language": ";;;,,,q=1"},
    {"If-None-Match": '"unterminated'},
    {"If-None-Match": "W/, *, ,,"},
    {"If-None-Match": "*"},
    {"If-Modified-Since": "not a date"},
    {"Range": "bytes=abc-"},
    {"Content-Type": "multipart/form-data; boundary="},
]


def no_leak(body: str) -> None:
    assert "Traceback" not in body and 'File "/' not in body
    assert SECRET not in body and "root:x:0:0" not in body


@pytest.fixture
def guarded_app(mini_site: Path, settings_for):
    (mini_site.parent / "canary.txt").write_text(SECRET)
    return create_app(settings_for(mini_site))


def test_path_attacks_get_4xx_and_read_no_file(guarded_app):
    client = guarded_app.test_client()
    for path in PATH_ATTACKS:
        response = client.get(path)
        allowed = {301, 308, 400, 404, 410, 414} | ({200} if "?" in path else set())
        assert response.status_code in allowed, (path, response.status_code)
        no_leak(response.get_data(as_text=True))


@pytest.mark.live
def test_path_attacks_on_the_wire(guarded_app, mini_site: Path):
    """Raw request targets (no client-side normalisation) against a live gunicorn server."""
    from ops_live import serving

    with serving(mini_site, workers=1) as server:
        host, port = server.url.removeprefix("http://").split(":")
        for path in PATH_ATTACKS:
            connection = http.client.HTTPConnection(host, int(port), timeout=10)
            connection.putrequest("GET", path, skip_accept_encoding=True)
            connection.endheaders()
            response = connection.getresponse()
            body = response.read().decode("utf-8", "replace")
            connection.close()
            assert 300 <= response.status < 500 or "?" in path and response.status == 200, (
                path, response.status)
            no_leak(body)
        assert "Traceback" not in server.output()


@pytest.mark.parametrize("headers", MALFORMED_HEADERS, ids=lambda h: repr(h)[:40])
def test_malformed_headers_on_every_route_never_500(guarded_app, headers):
    client = guarded_app.test_client()
    for url in sample_urls(guarded_app):
        response = client.get(url, headers=headers)
        assert response.status_code < 500 or response.status_code == 503, (url, headers)
        assert response.status_code not in {500, 502}
        no_leak(response.get_data().decode("utf-8", "replace"))  # /favicon.ico is binary


@pytest.mark.parametrize("path", ["/org/alpha%00x", "/org/al%0d%0apha", "/org/%1b[31m", "/org/a%7f",
                                  "/org/a%09b"])
def test_control_characters_in_the_path_are_refused_with_400(guarded_app, path: str):
    """docs/OPERATIONS.md, "Limits": a control character anywhere in the path is a 400 that
    says so, before any route looks the path up."""
    response = guarded_app.test_client().get(path)
    assert response.status_code == 400, (path, response.status_code)
    assert response.json["detail"] == "control characters are not allowed in the path"


def test_post_bodies_that_are_not_what_they_claim(guarded_app):
    client = guarded_app.test_client()
    for url in sample_urls(guarded_app):
        for content_type, body in [("application/x-www-form-urlencoded", b"%%%=&&=%zz"),
                                   ("application/sparql-query", b"\xff\xfe\x00garbage"),
                                   ("application/json", b"{" * 1000)]:
            response = client.post(url.split("?")[0], data=body,
                                   headers={"Content-Type": content_type})
            assert response.status_code < 500, (url, content_type, response.status_code)
            no_leak(response.get_data().decode("utf-8", "replace"))


# -- hostile literals in the data -----------------------------------------------------------

HOSTILE = {
    "script": '</script><script>alert("x")</script>',
    "img": '<img src=x onerror=alert(1)>',
    "rtl": "Evil \u202egnp.exe\u202c Org",
    "quote": "\"'><svg onload=alert(1)>{{7*7}}${7*7}",
    "separators": "Zeile\u2028Trenner\u2029Absatz",  # end a line in JavaScript, not in JSON
    "ampersand": "Müller & Söhne &amp; Co &lt;/script&gt;",
}
LONG = "Lang " + "x" * 100_000


def write_hostile(mini_site: Path) -> None:
    def lit(text: str) -> str:
        return json.dumps(text, ensure_ascii=True)  # a valid Turtle string literal

    (mini_site / "data" / "hostile.ttl").write_text(
        "@prefix schema: <https://schema.org/> .\n"
        f"<org/evil> a schema:Organization ; schema:name {lit(HOSTILE['script'])}@de ;\n"
        f"  schema:description {lit(HOSTILE['img'])}@de, {lit(LONG)}@en ;\n"
        f"  schema:alternateName {lit(HOSTILE['rtl'])}, {lit(HOSTILE['quote'])},\n"
        f"    {lit(HOSTILE['separators'])}, {lit(HOSTILE['ampersand'])} ;\n"
        "  schema:url <https://evil.example/> .\n")


@pytest.fixture
def hostile_app(mini_site: Path, settings_for):
    write_hostile(mini_site)
    return create_app(settings_for(mini_site))


def test_hostile_literals_are_escaped_in_served_html(hostile_app):
    client = hostile_app.test_client()
    response = client.get("/org/evil", headers={"Accept": "text/html"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<img src=x onerror" not in html and "<svg onload" not in html
    assert 'alert("x")</script>' not in html and "<script>alert" not in html
    opened, closed = len(re.findall(r"<script\b", html)), len(re.findall(r"</script", html, re.I))
    assert opened == closed  # no literal closed a script block early
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert blocks, "the page embeds its JSON-LD"
    for block in blocks:
        assert HOSTILE["separators"] in json.dumps(json.loads(block), ensure_ascii=False)  # valid JSON
        assert not set(block) & {"\u2028", "\u2029", "\u202e", "<", ">", "&"}  # all escaped
    english = client.get("/org/evil?lang=en", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "x" * 100_000 in english  # the long (English) description rendered, not a failure
    rtl_at = html.find("\u202e")
    assert rtl_at >= 0  # shown as written, but a raw override must sit in an isolating element
    before = html[:rtl_at]
    assert before.rfind("<bdi") > before.rfind("</bdi") or 'dir="auto"' in before[-300:]


@pytest.mark.parametrize("fmt", ["ttl", "jsonld", "nt"])
def test_hostile_literals_survive_rdf_round_trip(hostile_app, fmt):
    import pyoxigraph as ox

    response = hostile_app.test_client().get(f"/org/evil.{fmt}")
    assert response.status_code == 200
    formats = {"ttl": ox.RdfFormat.TURTLE, "jsonld": ox.RdfFormat.JSON_LD,
               "nt": ox.RdfFormat.N_TRIPLES}
    values = {t.object.value for t in ox.parse(response.get_data(), formats[fmt])
              if isinstance(t.object, ox.Literal)}
    assert {HOSTILE["script"], HOSTILE["img"], LONG} <= values


# -- huge and deeply nested JSON-LD in data/ --------------------------------------------------

def load_in_subprocess(site: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """A crash (SIGSEGV) must not take the test run down: parse in a child process."""
    code = ("import sys; from regiold.ingest import sources\n"
            "try:\n s = sources.parse_site(sys.argv[1], base_iri='https://w3id.org/regionen-nrw/')\n"
            " print('triples', s.triple_count)\n"
            "except Exception as e: print('refused', e); sys.exit(3)\n")
    return subprocess.run([sys.executable, "-c", code, str(site)], capture_output=True,
                          text=True, timeout=timeout)


def test_deeply_nested_jsonld_is_refused_with_its_place(mini_site: Path):
    depth = 10_000
    doc = '{"@id": "org/deep", "https://schema.org/knows": ' * depth + '"x"' + "}" * depth
    (mini_site / "data" / "deep.jsonld").write_text("\n" + doc)
    result = load_in_subprocess(mini_site)
    assert result.returncode == 3, (result.returncode, result.stderr[-500:])  # not -11 (SIGSEGV)
    assert "refused data/deep.jsonld:2:" in result.stdout
    assert "nested deeper than" in result.stdout


def test_ten_megabyte_jsonld_parses_in_bounded_time(mini_site: Path):
    items = [{"@id": f"org/bulk-{i}", "https://schema.org/description": "d" * 60 + str(i)}
             for i in range(120_000)]
    text = json.dumps({"@graph": items})
    assert len(text) > 10_000_000
    (mini_site / "data" / "bulk.jsonld").write_text(text)
    result = load_in_subprocess(mini_site, timeout=60)  # measured ~1 s; 60 s means "hung"
    assert result.returncode == 0, result.stdout + result.stderr[-500:]
    assert int(result.stdout.split()[-1]) > 120_000


# -- hostile RDF/XML in data/ --------------------------------------------------------------------

RDF_OPEN = ('<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            'xmlns:s="https://schema.org/">')


def test_xml_entity_bomb_is_refused_before_it_exhausts_memory(mini_site: Path):
    laughs = '<!ENTITY a0 "lol">' + "".join(
        f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10))
    (mini_site / "data" / "bomb.rdf").write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [{laughs}]>\n{RDF_OPEN}'
        '<rdf:Description rdf:about="org/bomb"><s:name>&a9;</s:name></rdf:Description></rdf:RDF>')
    result = load_in_subprocess(mini_site)  # unguarded, pyoxigraph aborts the process (OOM)
    assert result.returncode == 3, (result.returncode, result.stderr[-300:])
    assert "refused data/bomb.rdf:2:1:" in result.stdout and "entity" in result.stdout


def write_entity_expansion(site: Path, references: int) -> None:
    """RDF/XML whose one plain 1 KiB entity is referenced ``references`` times."""
    value = "x" * 1024
    (site / "data" / "big.rdf").write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY kb "{value}">]>\n{RDF_OPEN}'
        f'<rdf:Description rdf:about="org/big"><s:name>{"&kb;" * references}</s:name>'
        "</rdf:Description></rdf:RDF>")


@pytest.mark.parametrize("references, refused", [(16 * 1024 + 1, True), (16 * 1024, False)])
def test_entities_may_expand_to_16_mb_and_no_more(mini_site: Path, references: int, refused: bool):
    """docs/OPERATIONS.md, "Limits": plain entities expanding beyond 16 MiB are refused with the
    file's place; exactly 16 MiB still loads."""
    write_entity_expansion(mini_site, references)
    result = load_in_subprocess(mini_site, timeout=120)
    if refused:
        assert result.returncode == 3, (result.returncode, result.stderr[-300:])
        assert "refused data/big.rdf:2:1:" in result.stdout and "16777216" in result.stdout
    else:
        assert result.returncode == 0, result.stdout + result.stderr[-300:]


def test_deeply_nested_rdfxml_is_refused_quickly(mini_site: Path):
    depth = 100_000  # unguarded: minutes of parsing (quadratic in depth)
    (mini_site / "data" / "deep.rdf").write_text(
        f'<?xml version="1.0"?>\n{RDF_OPEN}<rdf:Description rdf:about="org/deep">'
        + "<s:p><rdf:Description>" * depth + "<s:name>v</s:name>"
        + "</rdf:Description></s:p>" * depth + "</rdf:Description></rdf:RDF>")
    result = load_in_subprocess(mini_site, timeout=30)
    assert result.returncode == 3, (result.returncode, result.stderr[-300:])
    assert "refused data/deep.rdf:2:" in result.stdout and "nested deeper than" in result.stdout


def test_plain_xml_entities_still_work(mini_site: Path):
    (mini_site / "data" / "typed.rdf").write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY xsd '
        '"http://www.w3.org/2001/XMLSchema#">]>\n' + RDF_OPEN
        + '<!-- a <comment> --><rdf:Description rdf:about="org/typed">'
        '<s:foundingDate rdf:datatype="&xsd;date">2001-01-01</s:foundingDate>'
        "</rdf:Description></rdf:RDF>")
    result = load_in_subprocess(mini_site)
    assert result.returncode == 0, result.stdout + result.stderr[-300:]
