"""`make mutate`: one-line bugs in the security, privacy, negotiation and escaping code, each run
against the tests that cover it. A mutation the tests do not notice *survives*.

Each mutation replaces one exact piece of text (it must occur exactly once in its file) in a copy
of ``src/``; only the covering tests run, with ``PYTHONPATH`` pointing at that copy (the live
servers the tests start inherit it), so the checkout itself is never modified. First the covering
tests run once on the unmutated copy: a mutation only counts as killed when they passed there.

    python tests/mutate.py [--jobs 2] [--list] [NAME ...]

Exit status 0 when every mutation was killed. Not part of ``make test`` (README.md, `make mutate`).
"""

from __future__ import annotations

import argparse
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 600  # seconds per mutation; a hang counts as killed (reported as "timeout")


@dataclass(frozen=True)
class Mutation:
    name: str
    file: str  # relative to src/regiold/
    old: str  # exact text, occurring once in the file
    new: str
    tests: tuple[str, ...]  # pytest node ids (relative to the repository)
    # (old, new) pairs tried in turn when ``old`` is not in the file: the same bug in a rewritten
    # version of the code (the SERVICE screen, rewritten for issue 13)
    alternatives: tuple[tuple[str, str], ...] = ()

    def edit(self, text: str) -> tuple[str, str] | None:
        """The (old, new) pair that applies to ``text``: its old text occurs exactly once."""
        for old, new in ((self.old, self.new), *self.alternatives):
            if text.count(old) == 1:
                return old, new
        return None


HOSTILE_HTML = "tests/test_bad_input.py::test_hostile_literals_are_escaped_in_served_html"
OPS = "tests/test_ops_health.py::"
HEADERS = (f"{OPS}test_documented_security_headers_on_every_response",
           f"{OPS}test_security_headers_on_every_route",
           f"{OPS}test_csp_never_allows_inline_or_foreign_scripts")
SAFETY = "tests/test_sparql_safety.py"
CONNEG = "tests/test_conneg.py"
PRIVACY = ("tests/test_privacy.py", "tests/test_privacy_outputs.py")

MUTATIONS: list[Mutation] = [
    # escaping: HTML and the JSON-LD block embedded in it
    Mutation("json-ld-line-separators", "publish/render.py",
             r'("\u2028", "\\u2028"), ("\u2029", "\\u2029")):', "):", (HOSTILE_HTML,)),
    Mutation("json-ld-less-than", "publish/render.py", r'(("<", "\\u003c"), ', "((", (HOSTILE_HTML,)),
    Mutation("json-ld-ampersand", "publish/render.py", r'("&", "\\u0026"),', "", (HOSTILE_HTML,)),
    Mutation("json-ld-bidi-controls", "publish/render.py",
             r'text = _BIDI.sub(lambda m: f"\\u{ord(m.group()):04x}", text)', "text = text",
             (HOSTILE_HTML,)),
    Mutation("autoescape-off", "publish/render.py",
             "autoescape=select_autoescape(default=True, default_for_string=True)",
             "autoescape=False", (HOSTILE_HTML,)),
    Mutation("title-marked-safe", "templates/resource.html", "<bdi>{{ view.title }}</bdi></h1>",
             "<bdi>{{ view.title|safe }}</bdi></h1>", (HOSTILE_HTML,)),
    # security headers (web/guard.py)
    Mutation("coop-dropped", "web/guard.py", '    "Cross-Origin-Opener-Policy": "same-origin",\n',
             "", HEADERS),
    Mutation("object-src-any", "web/guard.py", "object-src 'none'", "object-src *", HEADERS),
    Mutation("script-src-inline", "web/guard.py", "script-src 'self';",
             "script-src 'self' 'unsafe-inline';", HEADERS),
    Mutation("frame-ancestors-any", "web/guard.py", "frame-ancestors 'none'", "frame-ancestors *",
             HEADERS),
    Mutation("base-uri-any", "web/guard.py", "base-uri 'none'", "base-uri *", HEADERS),
    Mutation("frame-options-sameorigin", "web/guard.py", '"X-Frame-Options": "DENY"',
             '"X-Frame-Options": "SAMEORIGIN"', HEADERS),
    Mutation("nosniff-dropped", "web/guard.py", '    "X-Content-Type-Options": "nosniff",\n', "",
             HEADERS),
    Mutation("csp-blocks-own-scripts", "web/guard.py", "script-src 'self';", "script-src 'none';",
             ("tests/test_ops_browser.py",)),
    # request limits and client identity (web/guard.py)
    Mutation("control-characters-allowed", "web/guard.py", r're.compile(r"[\x00-\x1f\x7f]")',
             r're.compile(r"[\x00]")',
             ("tests/test_bad_input.py::test_path_attacks_get_4xx_and_read_no_file",
              "tests/test_bad_input.py::test_control_characters_in_the_path_are_refused_with_400")),
    Mutation("url-limit-ignores-query", "web/guard.py", "if len(path) + len(query) > max_bytes:",
             "if len(path) > max_bytes:",
             (f"{OPS}test_overlong_target_is_414_and_oversized_body_is_413",)),
    Mutation("rate-limit-trusts-forwarded-for", "web/guard.py",
             'buckets.refusal(request.remote_addr or "unknown", request.path)',
             'buckets.refusal(request.headers.get("X-Forwarded-For") or request.remote_addr or "x",'
             " request.path)",
             (f"{OPS}test_forwarded_for_is_ignored_without_a_trusted_proxy",),
             (('buckets.take(request.remote_addr or "unknown")',
               'buckets.take(request.headers.get("X-Forwarded-For") or request.remote_addr or "x")'),)),
    Mutation("sparql-front-trusts-forwarded-for", "web/sparql_front.py",
             'self.buckets.refusal(environ.get("REMOTE_ADDR") or "unknown", PATH)',
             'self.buckets.refusal(environ.get("HTTP_X_FORWARDED_FOR") or environ.get("REMOTE_ADDR")'
             ' or "x", PATH)',
             ("tests/test_sparql_front.py::test_the_fronts_rate_limit_ignores_forwarded_for",)),
    # the SPARQL endpoint (sparql/)
    Mutation("service-case-sensitive", "sparql/screen.py", 'SERVICE(?![\\w:-])", re.IGNORECASE)',
             'SERVICE(?![\\w:-])")', (SAFETY,),
             (('re.compile("service", re.IGNORECASE)', 're.compile("service")'),)),
    Mutation("service-after-a-dot", "sparql/screen.py", r'(?<![\w:/#?$@\\-])SERVICE',
             r'(?<![\w:/#?$@\\.-])SERVICE', (SAFETY,),
             (("if not _SERVICE_WORD.search(query):", "if True:"),)),
    Mutation("load-is-no-update", "sparql/screen.py", '{"INSERT", "DELETE", "LOAD", ',
             '{"INSERT", "DELETE", ', (SAFETY, "tests/test_sparql_protocol.py")),
    Mutation("seccomp-allows-ipv4", "sparql/sandbox.py", "(_JEQ, 3, 0, _AF_INET),",
             "(_JEQ, 3, 0, _AF_PACKET),",
             (SAFETY, "tests/test_sparql_limits.py::test_seccomp_filter_denies_each_network_syscall")),
    Mutation("worker-keeps-inherited-fds", "sparql/pool.py", "    os.closerange(3, keep)  #",
             "    pass  #", (SAFETY,)),
    Mutation("worker-outlives-its-server", "sparql/pool.py", "    _exit_with_parent(parent_pid)\n",
             "", (SAFETY,)),
    Mutation("result-count-off-by-one", "web/sparql_routes.py",
             "[(ROWS_HEADER, str(answer.count))]", "[(ROWS_HEADER, str(answer.count + 1))]",
             ("tests/test_sparql_protocol.py",),
             (("response.headers[ROWS_HEADER] = str(answer.count)",
               "response.headers[ROWS_HEADER] = str(answer.count + 1)"),)),
    # content negotiation (web/negotiate.py)
    Mutation("aliases-count-unnamed", "web/negotiate.py", "if t == f.media_type or t in named])",
             "])", (CONNEG, "tests/test_tombstones.py", "tests/test_export.py")),
    Mutation("no-accept-gives-last-format", "web/negotiate.py",
             "media range at all\n        return offered[0]\n",
             "media range at all\n        return offered[-1]\n", (CONNEG,)),
    Mutation("unknown-lang-parameter-accepted", "web/negotiate.py",
             "if param and param.lower() in LANGS:", "if param:",
             (f"{CONNEG}::test_an_unknown_lang_parameter_falls_back_to_the_default_language",)),
    # person data (ingest/privacy.py)
    Mutation("names-in-text-published", "ingest/privacy.py",
             "if q.graph_name not in personal_graphs and not mentions(q, found)]",
             "if q.graph_name not in personal_graphs]", PRIVACY),
    Mutation("photo-without-consent", "ingest/privacy.py",
             "banned = {q for q in images if q.subject in persons and q.subject not in consented}",
             "banned = set()", PRIVACY),
    Mutation("phone-only-as-written", "ingest/privacy.py", "return {digits, national, digits[-7:]}",
             "return {digits}", PRIVACY),
    Mutation("umlaut-spelling-missed", "ingest/privacy.py", "tokens.add(fold(_umlaut_ascii(c)))",
             "tokens.add(fold(c))", PRIVACY),
    # errors, operations, hostile data files
    Mutation("error-shows-the-exception", "web/app.py",
             'known(RegioldError("Unexpected error; it has been logged."))',
             'known(RegioldError(f"Unexpected error: {exc!r}"))', ("tests/test_app.py",)),
    Mutation("health-cacheable", "web/ops_routes.py",
             'response = jsonify(status="ok")\n    response.headers["Cache-Control"] = "no-store"\n',
             'response = jsonify(status="ok")\n',
             (f"{OPS}test_health_and_ready_report_version_and_triples",)),
    Mutation("ready-retry-after-1", "web/ops_routes.py", "RETRY_AFTER = 5", "RETRY_AFTER = 1",
             (f"{OPS}test_ready_is_503_with_retry_after_when_the_store_does_not_answer",)),
    Mutation("control-socket-enabled", "serve/gunicorn.py", '"control_socket_disable": True',
             '"control_socket_disable": False',
             (f"{OPS}test_live_server_opens_no_control_socket",)),
    Mutation("rate-limit-tracks-every-client", "web/guard.py", "MAX_TRACKED_CLIENTS = 10_000",
             "MAX_TRACKED_CLIENTS = 100_000",
             (f"{OPS}test_token_buckets_track_at_most_ten_thousand_clients",)),
    Mutation("entity-limit-160-mb", "ingest/sources.py", "MAX_ENTITY_EXPANSION = 16 * 1024 * 1024",
             "MAX_ENTITY_EXPANSION = 160 * 1024 * 1024",
             ("tests/test_bad_input.py::test_entities_may_expand_to_16_mb_and_no_more",)),
]


@dataclass
class Result:
    mutation: Mutation
    outcome: str  # killed | survived | timeout | error
    seconds: float
    detail: str = ""


def apply(src: Path, mutation: Mutation) -> str:
    """Apply ``mutation`` under ``src`` (a copy of src/); the original text, for restoring."""
    path = src / "regiold" / mutation.file
    text = path.read_text(encoding="utf-8")
    edit = mutation.edit(text)
    if edit is None:
        raise ValueError(f"{mutation.name}: its text does not occur exactly once in {mutation.file}")
    path.write_text(text.replace(*edit), encoding="utf-8")
    return text


def existing(tests: tuple[str, ...] | list[str]) -> list[str]:
    """The node ids whose test file exists (a list may name a test that only a newer tree has)."""
    return [t for t in tests if (ROOT / t.split("::")[0]).exists()]


def pytest(src: Path, tests: tuple[str, ...] | list[str], timeout: float) -> tuple[int, str]:
    tests = existing(tests)
    if not tests:
        return 2, "none of its covering test files exists"
    env = {**os.environ, "PYTHONPATH": str(src), "PYTHONDONTWRITEBYTECODE": "1"}
    argv = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests]
    try:
        done = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        return -1, "timeout"
    return done.returncode, (done.stdout + done.stderr)[-2000:]


def run(mutation: Mutation, slots: queue.Queue[Path]) -> Result:
    src = slots.get()
    started = time.monotonic()
    try:
        original = apply(src, mutation)
    except ValueError as exc:
        slots.put(src)
        return Result(mutation, "error", 0.0, str(exc))
    try:
        code, output = pytest(src, mutation.tests, TIMEOUT)
    finally:
        (src / "regiold" / mutation.file).write_text(original, encoding="utf-8")
        slots.put(src)
    outcome = {0: "survived", 1: "killed", -1: "timeout"}.get(code, "error")
    result = Result(mutation, outcome, time.monotonic() - started,
                    "" if outcome == "killed" else output)
    print(f"{result.outcome:9} {result.seconds:6.1f} s  {mutation.name}", flush=True)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=2, help="mutations run at once (default 2)")
    parser.add_argument("--list", action="store_true", help="list the mutations and exit")
    parser.add_argument("names", nargs="*", help="run only these mutations")
    args = parser.parse_args(argv)
    chosen = [m for m in MUTATIONS if not args.names or m.name in args.names]
    if args.list or not chosen:
        applies = True
        for m in MUTATIONS:
            found = m.edit((ROOT / "src" / "regiold" / m.file).read_text(encoding="utf-8"))
            applies &= found is not None
            state = "" if found is not None else "  (its text does not occur once: does not apply)"
            print(f"{m.name:32} {m.file:24} {' '.join(m.tests)}{state}")
        return 0 if chosen and applies else 2
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="regiold-mutate-") as tmp:
        slots: queue.Queue[Path] = queue.Queue()
        for n in range(max(1, args.jobs)):
            copy = Path(tmp) / f"slot{n}" / "src"
            shutil.copytree(ROOT / "src", copy, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
            slots.put(copy)
        baseline = sorted({t for m in chosen for t in m.tests})
        code, output = pytest(Path(tmp) / "slot0" / "src", baseline, TIMEOUT * 2)
        if code != 0:
            print(f"the covering tests fail without any mutation:\n{output}")
            return 2
        print(f"baseline: {len(baseline)} covering test ids pass unmutated "
              f"({time.monotonic() - started:.0f} s)", flush=True)
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            results = list(pool.map(lambda m: run(m, slots), chosen))
    print()
    for r in results:
        print(f"{r.outcome:9} {r.seconds:6.1f} s  {r.mutation.name:32} {r.mutation.file}")
        if r.outcome not in ("killed", "timeout"):
            print("          " + r.detail.strip().replace("\n", "\n          ")[-800:])
    killed = sum(r.outcome in ("killed", "timeout") for r in results)
    print(f"{killed} of {len(results)} mutations killed in {time.monotonic() - started:.0f} s "
          f"({args.jobs} at a time)")
    return 0 if killed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
