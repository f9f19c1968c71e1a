"""Content-negotiation rules for static hosts, generated from the format registry.

``regiold build`` writes every representation as a file (``org/x.ttl``, ``org/x.de.html`` …);
these rules make nginx or Apache answer the resource IRI ``/org/x`` like the Flask server:
``Accept`` (q-values, wildcards, aliases), ``?format=``, ``Accept-Language`` / ``?lang=``, 406,
``Vary``, ``Content-Location``, ``Link`` alternates, charset and CORS.

Negotiation without a scripting module is a list of PCRE patterns over the whole ``Accept`` header,
tried in order: explicit media types by q-value tier (1, 0.9 … 0.1, below 0.1), within a tier in
the server's preference order, then wildcards (``text/*``, ``application/*``, ``*/*``) for formats
the header does not name. This agrees with the server for q-values of one decimal; two types whose
q differ only in the second decimal are treated as equal (docs/STATIC.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from regiold.rdf.formats import HTML, RESOURCE, Format, named_order
from regiold.rdf.formats import link as link_entry
from regiold.settings import LANGS
from regiold.web.responses import DOWNLOAD_EXPOSED, EXPOSED, PREFLIGHT

# what scripts on other origins may read of every file: a representation's headers and a download's
STATIC_EXPOSED = ", ".join(dict.fromkeys(f"{EXPOSED}, {DOWNLOAD_EXPOSED}".split(", ")))

TIERS = ("1", "0.9", "0.8", "0.7", "0.6", "0.5", "0.4", "0.3", "0.2", "0.1", "0.0x")
# Text types sent with "; charset=utf-8", as the server does (formats.py: not JSON). text/html is
# left out: nginx's charset_types always has it, and naming it again warns "duplicate MIME type".
CHARSET_TYPES = (*dict.fromkeys(f.media_type for f in RESOURCE if f.text and f is not HTML),
                 "text/plain", "application/xml", "text/css")
GZIP_TYPES = (*CHARSET_TYPES, *(f.media_type for f in RESOURCE if not f.text),
              "application/json", "application/problem+json")
EXTRA_TYPES = {"txt": "text/plain", "xml": "application/xml", "css": "text/css",
               "json": "application/json", "gz": "application/gzip", "js": "text/javascript",
               "svg": "image/svg+xml", "png": "image/png", "ico": "image/x-icon"}


@dataclass(frozen=True)
class AcceptRule:
    pattern: str  # PCRE, matched case-insensitively against the whole Accept header
    ext: str  # the format key chosen when it matches


def accept_rules(offered: tuple[Format, ...] = RESOURCE) -> list[AcceptRule]:
    """Ordered rules: the first whose pattern matches the Accept header decides the format."""
    rules: list[AcceptRule] = []
    for tier in TIERS:
        for fmt in named_order(offered):
            rules += [AcceptRule(_entry(media_type, tier), fmt.key) for media_type in fmt.media_types]
        for wildcard in ("text/*", "application/*", "*/*"):
            major = wildcard.split("/")[0]
            for fmt in offered:
                if major == "*" or fmt.media_type.startswith(f"{major}/"):
                    rules.append(AcceptRule(_unnamed(fmt, wildcard) + _entry(wildcard, tier), fmt.key))
    return rules


def exact_accept(offered: tuple[Format, ...] = RESOURCE) -> dict[str, str]:
    """Whole Accept headers answered by a hash lookup before any pattern (the common ones)."""
    exact = {media_type: fmt.key for fmt in offered for media_type in fmt.media_types}
    exact["*/*"] = offered[0].key
    exact["text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"] = HTML.key
    exact["text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"] = HTML.key
    return exact


def _entry(media_type: str, tier: str) -> str:
    """One element of the header naming ``media_type`` with a q-value in ``tier``."""
    name = re.escape(media_type).replace("\\/", "/")
    if tier == "1":  # no q, or q=1: no parameter that says q=0…
        return rf"(^|,)\s*{name}\s*(;(?![^,]*q\s*=\s*0)[^,]*)?(,|$)"
    if tier == "0.0x":
        return rf"(^|,)\s*{name}\s*;[^,]*q\s*=\s*0?\.0[0-9]*[1-9][^,]*(,|$)"
    digit = tier[-1]
    return rf"(^|,)\s*{name}\s*;[^,]*q\s*=\s*0?\.{digit}[0-9]*[^,]*(,|$)"


def _unnamed(fmt: Format, wildcard: str) -> str:
    """A lookahead: the header names neither ``fmt``'s media type nor, for ``*/*``, its major
    type's wildcard (the more specific range sets the q; an alias such as application/json is a
    candidate of its own and does not count)."""
    names = [re.escape(fmt.media_type).replace("\\/", "/")]
    if wildcard == "*/*":
        names.append(re.escape(fmt.media_type.split("/")[0]) + r"/\*")
    return rf"^(?!.*(^|,)\s*({'|'.join(names)})\s*(;|,|$)).*"


def format_params(offered: tuple[Format, ...] = RESOURCE) -> dict[str, str]:
    """``?format=`` values (keys, common names, media types, URL-encoded or not) → format key."""
    from regiold.rdf.formats import _KEY_ALIASES

    values = {fmt.key: fmt.key for fmt in offered}
    values.update({alias: key for alias, key in _KEY_ALIASES.items() if key in values})
    for fmt in offered:
        for media_type in fmt.media_types:
            values[media_type] = fmt.key
            values[media_type.replace("/", "%2F").replace("+", "%2B")] = fmt.key  # nginx keys ignore case
    return values


def problem_406(offered: tuple[Format, ...] = RESOURCE) -> str:
    listed = ", ".join(f.media_type for f in offered)
    return ('{"type": "about:blank", "title": "Not acceptable", "status": 406, '
            f'"detail": "Acceptable media types: {listed}"}}')


def mime_types(offered: tuple[Format, ...]) -> dict[str, str]:
    return {**EXTRA_TYPES, **{f.key: f.media_type for f in offered}}


# --------------------------------------------------------------------------------------- nginx

def nginx_http(offered: tuple[Format, ...] = RESOURCE, *, default_lang: str = "de") -> str:
    """The ``http {}``-level part: maps from the request to a file suffix."""
    lines = ["# Generated by `regiold build` from src/regiold/formats.py; include inside http { }.",
             "map_hash_bucket_size 128;  # room for whole browser Accept headers as exact keys",
             "map $http_accept $regiold_accept_ext {",
             f"    default {offered[0].key};  # no Accept, or no media range in it",
             f'    "" {offered[0].key};']
    lines += [f'    "{header}" {key};' for header, key in exact_accept(offered).items()]
    lines += [f'    "~*{rule.pattern}" {rule.ext};' for rule in accept_rules(offered)]
    lines += ['    "~/" "!";  # media ranges, none of them on offer: 406', "}",
              "map $arg_format $regiold_param_ext {", '    default "!";  # unknown: 406', '    "" "";']
    lines += [f'    "{value}" {key};' for value, key in format_params(offered).items()]
    lines += ["}", "map $regiold_param_ext $regiold_ext {", "    \"\" $regiold_accept_ext;",
              "    default $regiold_param_ext;", "}",
              "map $http_accept_language $regiold_accept_lang {", f"    default {default_lang};",
              f'    "~*^\\s*(?<regiold_l>{"|".join(LANGS)})(-[a-z0-9]+)?\\s*(;|,|$)" $regiold_l;', "}",
              "map $arg_lang $regiold_lang {", "    default $regiold_accept_lang;"]
    lines += [f"    {lang} {lang};" for lang in LANGS]
    # the HTML file: {path}.{lang}.html when ?lang= names the language (its links keep lang=),
    # else {path}.html for the default language (clean links), as the server renders them
    lines += ["}", "map $regiold_accept_lang $regiold_accept_page {", f"    {default_lang} html;",
              "    default $regiold_accept_lang.html;", "}",
              "map $arg_lang $regiold_page {", "    default $regiold_accept_page;"]
    lines += [f"    {lang} {lang}.html;" for lang in LANGS]
    lines += ["}", "map $regiold_ext $regiold_void_ext {", "    html ttl;  # VoID prefers Turtle",
              "    default $regiold_ext;", "}",
              "map $http_accept $regiold_wants_html {", "    default 0;", '    "~*text/html" 1;', "}"]
    # CORS preflight (OPTIONS before a GET with Accept-Profile or If-None-Match): answered at the
    # server level; empty values, i.e. no header, for every other method
    for header, value in PREFLIGHT.items():
        lines += [f"map $request_method {_preflight_variable(header)} {{", f'    OPTIONS "{value}";',
                  '    default "";', "}"]
    # The documents of an IRI ending in "/" (the ontology def/) are dot files (def/.ttl), which
    # nginx gives no type by extension; nginx_server's dot-file locations send this one instead.
    lines += ["map $uri $regiold_dot_type {", "    default application/problem+json;"]
    lines += [f'    "~\\.{f.key}$" "{f.content_type}";' for f in offered]
    lines += ["}"]
    # the IRI that differs from the path only by its trailing slash (nginx_server's @regiold_twin)
    lines += ["map $uri $regiold_twin {", '    "~^(?<regiold_t>.+)/$" $regiold_t;', "    default $uri/;", "}"]
    lines += _map("$regiold_ext", "$regiold_suffix", "$regiold_page", "$regiold_ext")
    lines += _map("$regiold_ext", "$regiold_negotiated_lang", "$regiold_lang", '""')
    lines += _map("$regiold_ext", "$regiold_location_query", "$regiold_page_query", '""')
    # the canonical URL in Link: an HTML page's own <link rel="canonical"> (?lang= for a language
    # other than the default), the IRI for every other format
    lines += _map("$regiold_ext", "$regiold_canonical_query", "$regiold_lang_query", '""')
    lines += ["map $regiold_lang $regiold_lang_query {", f'    {default_lang} "";',
              '    default "?lang=$regiold_lang";', "}"]
    # the page with the bytes sent: {path}.html (clean links) or {path}.{lang}.html (?lang=)
    lines += ["map $regiold_page $regiold_page_query {", '    html "";',
              '    default "?lang=$regiold_lang";', "}"]
    return "\n".join(lines) + "\n"


def _preflight_variable(header: str) -> str:
    """The nginx variable holding ``header``'s preflight value (``nginx_http``'s maps)."""
    return "$regiold_preflight_" + header.rsplit("-", 1)[-1].lower()


def _map(source: str, target: str, for_html: str, otherwise: str) -> list[str]:
    return [f"map {source} {target} {{", f"    {HTML.key} {for_html};", f"    default {otherwise};", "}"]


def sparql_redirect(url: str) -> str | None:
    """Where ``/sparql`` is sent (``regiold build --sparql-url``): an absolute http(s) URL that
    is safe inside a quoted nginx string and an Apache rule, else None (no redirect)."""
    return url if re.fullmatch(r"https?://[^\s\"'\\${};]+", url or "") else None


def nginx_server(root: str, *, listen: str, base_iri: str,
                 offered: tuple[Format, ...] = RESOURCE, sparql_url: str = "") -> str:
    """A ``server {}`` block serving the export in ``root`` with content negotiation;
    ``sparql_url``: the endpoint ``/sparql`` (not exported) is sent to, with a 307 that keeps a
    POST's body (the dataset page links /sparql among its data)."""
    types = "\n".join(f"        {media} {ext};" for ext, media in mime_types(offered).items())
    cors = (f'add_header Access-Control-Allow-Origin "*" always; '
            f'add_header Access-Control-Expose-Headers "{STATIC_EXPOSED}" always;')
    cache = 'add_header Cache-Control "public, max-age=300" always;'
    alternates = ", ".join(link_entry(f"/$regiold_path.{f.key}", f).replace('"', '\\"') for f in offered)
    link = f'"<{base_iri}$regiold_path$regiold_canonical_query>; rel=\\"canonical\\", {alternates}"'
    dot_type = 'types { } default_type ""; add_header Content-Type $regiold_dot_type always;'
    preflight = "\n".join(f"    add_header {header} {_preflight_variable(header)} always;"
                          for header in PREFLIGHT)
    target = sparql_redirect(sparql_url)
    sparql = f'    location = /sparql {{ return 307 "{target}$is_args$args"; }}\n' if target else ""
    html_page = f"""{cors}
        {cache}
        add_header Vary "Accept-Language, Accept-Encoding" always;
        add_header Content-Language $regiold_lang always;
        try_files /$regiold_path.$regiold_page /$regiold_path.html =404;"""
    negotiated = f"""{cors}
        {cache}
        add_header Vary "Accept, Accept-Language, Accept-Encoding" always;
        add_header Content-Location /$regiold_path.$regiold_ext$regiold_location_query always;
        add_header Content-Language $regiold_negotiated_lang always;
        add_header Link {link} always;
        try_files /$regiold_path.$regiold_suffix @regiold_twin;"""
    return f"""server {{
    listen {listen};
    root {root};
    server_tokens off;
    # Location is a path on this host, not one built from the request's Host header
    absolute_redirect off;
    charset utf-8;
    charset_types {' '.join(CHARSET_TYPES)};
    types {{
{types}
    }}
    default_type application/octet-stream;
    gzip on;
    gzip_vary on;
    gzip_types {' '.join(GZIP_TYPES)};
    error_page 404 /404.html;
    # a browser's CORS preflight (these headers reach only the answer given here: every location
    # sets headers of its own, and nginx then inherits none from this level)
    if ($request_method = OPTIONS) {{ return 204; }}
{preflight}
    location = /404.html {{ internal; {cors} }}

    location ^~ /.regiold/ {{ return 404; }}
    location = /.htaccess {{ return 404; }}
{sparql}
    # /.well-known/void: VoID in RDF; browsers are sent to the dataset page (as the server does)
    location = /.well-known/void {{
        default_type application/problem+json;
        if ($regiold_ext = "!") {{ return 406 '{problem_406(offered)}'; }}
        if ($regiold_wants_html) {{ return 303 /dataset; }}
        {cors}
        add_header Vary "Accept, Accept-Encoding" always;
        add_header Content-Location /.well-known/void?format=$regiold_void_ext always;
        try_files /.well-known/void.$regiold_void_ext =404;
    }}

    # a resource IRI not found: /def for the resource /def/, /org/x/ for /org/x are sent there
    location @regiold_twin {{
        if (-f $document_root$regiold_twin.html) {{ return 301 $regiold_twin$is_args$args; }}
        return 404;
    }}

    # its files (void.ttl …) are no URLs: /.well-known/void?format=ttl is (docs/DATASET.md)
    location ^~ /.well-known/void. {{ return 404; }}

    # / : the partner index, by language
    location = / {{
        {cors}
        add_header Vary "Accept-Language, Accept-Encoding" always;
        add_header Content-Language $regiold_lang always;
        try_files /index.$regiold_page =404;
    }}

    # An IRI ending in "/" (def/): the same three answers as below, with the type from the name
    # of the dot file (map $regiold_dot_type), as nginx finds no extension in "def/.ttl"
    location ~ "^/(?<regiold_path>[^.]+/)\\.html$" {{
        {dot_type}
        {html_page}
    }}
    location ~ "^/[^.]+/\\.[a-z0-9]+(\\.[a-z]+)?$" {{
        {dot_type}
        {cors}
        {cache}
        try_files $uri =404;
    }}
    location ~ "^/(?<regiold_path>[^.]+/)$" {{
        {dot_type}
        if ($regiold_ext = "!") {{ return 406 '{problem_406(offered)}'; }}
        {negotiated}
    }}

    # /{{path}}.html: the HTML document, in the negotiated language
    location ~ "^/(?<regiold_path>.+)\\.html$" {{
        {html_page}
    }}

    # /{{path}} without an extension: a resource IRI, negotiated
    location ~ "^/(?<regiold_path>(.+/)?[^./]+)$" {{
        default_type application/problem+json;
        if ($regiold_ext = "!") {{ return 406 '{problem_406(offered)}'; }}
        {negotiated}
    }}

    # every other file (documents /{{path}}.ttl …, dumps, sitemap, context, styles)
    location / {{
        {cors}
        {cache}
        try_files $uri =404;
    }}
}}
"""


def nginx_standalone(root: str, *, port: int, prefix: str, base_iri: str, sparql_url: str = "") -> str:
    """A complete nginx.conf for a foreground nginx on 127.0.0.1 (tests, benchmarks)."""
    return f"""daemon off;
worker_processes 2;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
{_indent(nginx_http(), 4)}
{_indent(nginx_server(root, listen=f"127.0.0.1:{port}", base_iri=base_iri, sparql_url=sparql_url), 4)}
}}
"""


def _indent(text: str, spaces: int) -> str:
    pad = " " * spaces
    return "\n".join(pad + line if line else line for line in text.splitlines())


# -------------------------------------------------------------------------------------- Apache

def htaccess(base_iri: str, offered: tuple[Format, ...] = RESOURCE, *, default_lang: str = "de",
             sparql_url: str = "") -> str:
    """``.htaccess`` for Apache 2.4 (mod_rewrite, mod_headers, mod_mime, mod_dir): the answers of
    ``nginx_server``, for an export that is the DocumentRoot (tests/test_export_nginx.py runs both).

    Each request is rewritten once ([END]) onto its file; the rewrite sets environment variables
    (R…) that the Header lines read, under ``REDIRECT_R…`` after the internal redirect."""
    lines = ["# Generated by `regiold build` from src/regiold/formats.py (docs/STATIC.md).",
             "# Needs mod_rewrite, mod_headers, mod_mime, mod_dir and AllowOverride All.",
             "Options -MultiViews -Indexes",
             "# /org/x is a resource, not the folder org/x/ of its parts",
             "DirectorySlash Off", "DirectoryIndex disabled", "FileETag MTime Size"]
    lines += [f"AddType {media} .{ext}" for ext, media in mime_types(offered).items()]
    lines += ["AddCharset utf-8 " + " ".join(f".{f.key}" for f in offered if f.text) + " .txt .xml .css",
              'Header always set Access-Control-Allow-Origin "*"',
              f'Header always set Access-Control-Expose-Headers "{STATIC_EXPOSED}"',
              'Header always set Cache-Control "public, max-age=300"',
              "ErrorDocument 404 /404.html",
              f"ErrorDocument 406 '{problem_406(offered)}'",
              "# the 406 body is problem+json (Apache would call it text/html; charset=iso-8859-1)",
              'Header always set Content-Type "application/problem+json" "expr=%{REQUEST_STATUS} == 406"']
    # The documents of an IRI ending in "/" (the ontology def/) are dot files (def/.ttl), in
    # which mod_mime finds no extension: their type by name, as the server sends it
    for fmt in offered:
        lines += [rf'<FilesMatch "^\.([a-z]+\.)?{fmt.key}$">', f'    ForceType "{fmt.content_type}"',
                  "</FilesMatch>"]
    # a browser's CORS preflight (OPTIONS before a GET with Accept-Profile or If-None-Match)
    for header, value in PREFLIGHT.items():  # Allow-Origin "*" is on every answer (above)
        if header != "Access-Control-Allow-Origin":
            lines += [f'Header always set {header} "{value}" "expr=%{{REQUEST_METHOD}} == \'OPTIONS\'"']
    lines += ["RewriteEngine On", "RewriteCond %{REQUEST_METHOD} =OPTIONS", "RewriteRule ^ - [R=204,END]",
              r"RewriteRule ^(\.regiold/|\.htaccess$|\.well-known/void\.) - [R=404,END]"]
    target = sparql_redirect(sparql_url)
    if target:  # /sparql is not exported: on to the endpoint, a POST with its body
        lines += [f"RewriteRule ^sparql$ {target} [R=307,END]"]
    lines += _apache_twins(base_iri)
    lines += _apache_language(default_lang)
    negotiation = _apache_format(offered)
    # the format rules are read only for a resource IRI or the VoID: S= skips them otherwise
    lines += [rf"RewriteRule !^(((.+/)?[^./]+)|([^.]+/))$ - [S={_rules(negotiation)}]", *negotiation]
    lines += [r"RewriteRule ^$ index.%{ENV:RPAGE} [END,E=RHTML:1]",
              "# /{path}.html: the HTML document, in the negotiated language",
              r"RewriteCond %{REQUEST_FILENAME} ^(.+)\.html$",
              "RewriteCond %1.%{ENV:RPAGE} -f",
              r"RewriteRule ^(.+)\.html$ $1.%{ENV:RPAGE} [END,E=RHTML:1]",
              r"RewriteRule \.html$ - [END,E=RHTML:1]",
              "# /.well-known/void: VoID in RDF; browsers are sent to the dataset page",
              "RewriteCond %{ENV:REXT} =!", r"RewriteRule ^\.well-known/void$ - [R=406,END]",
              "RewriteCond %{HTTP:Accept} text/html [NC,NV]",
              rf"RewriteRule ^\.well-known/void$ {sparql_redirect(base_iri) or '/'}dataset [R=303,END]",
              "RewriteCond %{ENV:REXT} =html", r"RewriteRule ^\.well-known/void$ - [E=REXT:ttl]",
              r"RewriteRule ^\.well-known/void$ $0.%{ENV:REXT} [END,E=RVOID:1,E=RLOC:/$0?format=%{ENV:REXT}]",
              "# /{path} without an extension, or ending in / (def/): a resource IRI, negotiated",
              "RewriteCond %{ENV:REXT} =!", r"RewriteRule ^(((.+/)?[^./]+)|([^.]+/))$ - [R=406,END]"]
    resource = r"RewriteRule ^(((.+/)?[^./]+)|([^.]+/))$"
    flags = "END,E=RNEG:1,E=RPATH:$1"
    named = f"{flags},E=RNEGHTML:1,E=RLOC:/$1.html?lang=%{{ENV:RLANG}}"
    lines += ["RewriteCond %{ENV:RPAGE} =html", "RewriteCond %{ENV:REXT} =html",
              f"{resource} $1.html [{flags},E=RNEGHTML:1,E=RLOC:/$1.html]",
              "RewriteCond %{ENV:REXT} =html", f"RewriteCond %{{ENV:RLANG}} !={default_lang}",
              f"{resource} $1.%{{ENV:RPAGE}} [{named},E=RNEGOTHER:1]",
              "RewriteCond %{ENV:REXT} =html", f"{resource} $1.%{{ENV:RPAGE}} [{named}]",
              f"{resource} $1.%{{ENV:REXT}} [{flags},E=RLOC:/$1.%{{ENV:REXT}}]"]
    alternates = ", ".join(link_entry(f"/%{{RPATH}}e.{f.key}", f) for f in offered)
    link = f"<{base_iri}%{{RPATH}}e>; rel=\"canonical\", {alternates}".replace('"', '\\"')
    lines += _apache_headers("RNEG", {"Vary": "Accept, Accept-Language, Accept-Encoding",
                                      "Content-Location": "%{RLOC}e", "Link": link})
    # a page in another language than the default: its canonical URL names it, as the page does
    other = link.replace("%{RPATH}e>", "%{RPATH}e?lang=%{RLANG}e>", 1)
    lines += _apache_headers("RNEGOTHER", {"Link": other})
    lines += _apache_headers("RNEGHTML", {"Content-Language": "%{RLANG}e"})
    lines += _apache_headers("RHTML", {"Vary": "Accept-Language, Accept-Encoding",
                                       "Content-Language": "%{RLANG}e"})
    lines += _apache_headers("RVOID", {"Vary": "Accept, Accept-Encoding", "Content-Location": "%{RLOC}e"})
    return "\n".join(lines) + "\n"


def _apache_twins(base_iri: str) -> list[str]:
    """301 from /def to the resource /def/, from /org/x/ to /org/x (as the server does), to the
    IRI itself: a path in Location would be prefixed with the Host header's name by Apache."""
    target = sparql_redirect(base_iri)  # the same test: absolute, safe inside a rule
    if target is None:
        return []
    return ["# a resource IRI not found: /def for the resource /def/, /org/x/ for /org/x are sent there",
            r"RewriteCond %{DOCUMENT_ROOT}/$1.html !-f", r"RewriteCond %{DOCUMENT_ROOT}/$1/.html -f",
            rf"RewriteRule ^((.+/)?[^./]+)$ {target}$1/ [R=301,END]",
            r"RewriteCond %{DOCUMENT_ROOT}/$1/.html !-f", r"RewriteCond %{DOCUMENT_ROOT}/$1.html -f",
            rf"RewriteRule ^([^.]+)/$ {target}$1 [R=301,END]"]


def _apache_language(default_lang: str) -> list[str]:
    """RLANG: ?lang= first, then the first Accept-Language tag we have; RPAGE: the HTML file's
    suffix, {lang}.html, or html for the default language unnamed (clean links)."""
    lines = [f"RewriteRule ^ - [E=RLANG:{default_lang}]"]
    for lang in LANGS:
        lines += [f"RewriteCond %{{HTTP:Accept-Language}} ^\\s*{lang}(-[a-z0-9]+)?\\s*(;|,|$) [NC,NV]",
                  f"RewriteRule ^ - [E=RLANG:{lang}]"]
    for lang in LANGS:
        lines += [f"RewriteCond %{{QUERY_STRING}} (^|&)lang={lang}(&|$)", f"RewriteRule ^ - [E=RLANG:{lang}]"]
    named = "|".join(LANGS)
    return lines + ["RewriteRule ^ - [E=RPAGE:%{ENV:RLANG}.html]",
                    f"RewriteCond %{{ENV:RLANG}} ={default_lang}",
                    f"RewriteCond %{{QUERY_STRING}} !(^|&)lang=({named})(&|$)",
                    "RewriteRule ^ - [E=RPAGE:html]"]


def _apache_format(offered: tuple[Format, ...]) -> list[str]:
    """REXT: the format key from ?format=, else Accept (the first rule of ``accept_rules`` that
    matches: they are written in reverse, a later match overwrites), else ``!`` (406)."""
    lines = ["# no Accept, or no media range in it: the first format",
             f"RewriteRule ^ - [E=REXT:{offered[0].key}]",
             "RewriteCond %{HTTP:Accept} / [NV]", "RewriteRule ^ - [E=REXT:!]"]
    for rule in reversed(accept_rules(offered)):
        lines += [f'RewriteCond %{{HTTP:Accept}} "{rule.pattern}" [NC,NV]',
                  f"RewriteRule ^ - [E=REXT:{rule.ext}]"]
    lines += ["RewriteCond %{QUERY_STRING} (^|&)format=[^&]", "RewriteRule ^ - [E=REXT:!]"]
    for value, key in format_params(offered).items():
        lines += [f"RewriteCond %{{QUERY_STRING}} (^|&)format={re.escape(value)}(&|$) [NC]",
                  f"RewriteRule ^ - [E=REXT:{key}]"]
    return lines


def _rules(lines: list[str]) -> int:
    return sum(line.startswith("RewriteRule") for line in lines)


def _apache_headers(flag: str, headers: dict[str, str]) -> list[str]:
    """Header lines for the request rewritten with E=``flag``: its variables are REDIRECT_… after
    the internal redirect, and keep their names where the rewrite named the same file."""
    return [f'Header always set {name} "{value.replace("%{R", "%{" + prefix + "R")}" env={prefix}{flag}'
            for prefix in ("", "REDIRECT_") for name, value in headers.items()]
