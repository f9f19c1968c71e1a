"""The SPARQL front: ``/sparql`` decided before Flask (issue 13).

Under a query attack most requests are refused, and a refusal that goes through Flask (routing,
hooks, error handler, response object) costs the serving process about as much CPU as a page.
Queries themselves cost a fixed 0.5-1 ms in Flask on top of the engine. This WSGI layer sits
between the fast path and Flask and, for ``/sparql`` only:

- answers the rate limit's 429 and the busy 503 (every query slot of this process taken) with
  ``Retry-After`` at once, before Flask and before a request body is read. The token bucket is
  guard.py's (the request is marked counted, Flask does not count it again); the slot is the query
  service's, held until Flask's answer is built (the route does not take a second one);
- gives a remembered answer (``QueryService.remembered``: the same query and formats in this data
  version) before taking a slot, so the repeats of a popular query never get the busy 503;
- runs a plain ``GET /sparql?query=…`` whose ``Accept`` negotiates a data format (not the HTML
  page) and that carries no conditional header, and answers it with the same status, headers and
  body as the Flask route (``answer_headers``; tests/test_sparql_front.py compares both);
- reads a POST's body before it takes a query slot, in a reader thread the request waits for at
  most ``body_read_timeout`` (then 408, ``Connection: close``), at most ``sparql_max_concurrent``
  bodies at once per process and one per client address (``BodyReaders``): a client that sends the
  headers of a POST and never its body holds no query slot, so GET queries and the other POSTs go
  on. Flask then reads the buffered body (``wsgi.input`` is a ``BytesIO``) exactly as before;
- hands everything else to Flask: the editor, POST queries (their body buffered), HTML,
  ``format``/``lang``/dataset parameters, conditional requests, and anything guard.py may refuse
  (long targets, oversized ``Accept*`` headers, bodies). A failed run is handed over too, with
  its error, which the route raises: every error body comes from the one error handler
  (web/app.py), and no query runs twice.

The query itself runs exactly as on the Flask path: ``QueryService.run`` (screen, memo, sandboxed
worker with its time and memory limits, SERVICE refused from the engine's parse).
"""

from __future__ import annotations

import binascii
import os
import queue
import re
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from io import BytesIO
from urllib.parse import parse_qsl, unquote

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header
from werkzeug.wrappers import Request as WerkzeugRequest

from regiold.errors import (
    BadRequest,
    EndpointBusy,
    NotAcceptable,
    PayloadTooLarge,
    RegioldError,
    RequestTimeout,
)
from regiold.publish.site import SiteHolder
from regiold.rdf import formats
from regiold.rdf.formats import Format
from regiold.sparql.messages import Answer, Request
from regiold.web import app as web_app
from regiold.web.fastpath import StartResponse, WsgiApp
from regiold.web.guard import (
    RATE_COUNTED,
    SECURITY_HEADERS,
    TokenBuckets,
    oversized_header,
    target_refused,
)
from regiold.web.negotiate import negotiate
from regiold.web.responses import CONDITIONAL_KEYS
from regiold.web.sparql_routes import (
    CORS_HEADERS,
    FRONT_ERROR,
    FRONT_SLOT,
    answer_headers,
    query_service,
)

PATH = "/sparql"
MAX_ACCEPTS = 512  # distinct Accept headers (and refusals) remembered
# query strings parsed, remembered: a repeated query (answered from the memo) skips parse_qsl,
# half of this front's own time for it (urllib's unquote loops per %-escape in Python)
MAX_QUERY_STRINGS = 64
_READER = "regiold.sparql.body_reader"  # the read of a late body, still going on
READER_WAIT = 1.0  # seconds a POST may wait for a body reader (a fast body frees one at once)
_TRAILER = [*CORS_HEADERS.items(), *SECURITY_HEADERS.items()]  # what Flask's hooks add
Formats = tuple[Format | None, Format | None]  # (SELECT/ASK, CONSTRUCT/DESCRIBE); None: not acceptable


class SparqlFront:
    """WSGI middleware for ``/sparql`` in front of ``app`` (Flask): see the module docstring."""

    def __init__(self, app: WsgiApp, holder: SiteHolder, *, buckets: TokenBuckets | None,
                 max_url_bytes: int, max_body: int, body_timeout: float = 10.0,
                 max_readers: int = 2) -> None:
        self.app, self.holder, self.buckets = app, holder, buckets
        self.max_url_bytes, self.max_body = max_url_bytes, max_body
        self.body_timeout, self.readers = body_timeout, BodyReaders(max_readers)
        self._accepts: dict[str, Formats] = {}
        self._query_strings: dict[str, tuple[tuple[str, str], ...]] = {}
        self._refusals: dict[tuple[object, ...], tuple[str, list[tuple[str, str]], bytes]] = {}
        self._lock = threading.Lock()

    def __call__(self, environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != PATH or not self._guard_passes(environ):
            return self.app(environ, start_response)
        if self.buckets is not None:
            refused = self.buckets.refusal(environ.get("REMOTE_ADDR") or "unknown", PATH)
            environ[RATE_COUNTED] = True
            if refused is not None:
                return self._error(refused, environ, start_response)
        method = environ.get("REQUEST_METHOD")
        params = self._params(environ.get("QUERY_STRING", ""))
        if method != "POST" and not (method == "GET" and any(k == "query" for k, _ in params)):
            return self.app(environ, start_response)  # the editor or the service description
        service = query_service(self.holder.site)
        try:
            if method == "POST":
                with service.slot():  # every slot taken: 503 at once, before the body is read
                    pass
                self._buffer_body(environ)  # before the slot: a slow body never holds one
        except RequestTimeout as late:
            answer = self._error(late, environ, start_response, [("Connection", "close")])
            return _then_wait(answer, environ.pop(_READER))
        except RegioldError as refused:
            return self._error(refused, environ, start_response)
        request = self._plain_query(environ, method, params)
        if request is not None:  # a remembered answer needs no slot: repeats never get the 503
            known = service.remembered(request)
            if known is not None:
                return self._send(known, start_response)
        try:
            with service.slot():  # held until the answer is built
                environ[FRONT_SLOT] = True
                if request is None:
                    return self.app(environ, start_response)
                return self._answer(environ, start_response, service, request)
        except EndpointBusy as busy:
            return self._error(busy, environ, start_response)

    def _guard_passes(self, environ: dict) -> bool:
        """Nothing guard.py refuses before the rate limit (414, 400, 413): else Flask decides."""
        if target_refused(environ, self.max_url_bytes) is not None:
            return False
        try:
            if int(environ.get("CONTENT_LENGTH") or 0) > self.max_body:
                return False
        except ValueError:
            return False
        return oversized_header(environ) is None

    def _params(self, query_string: str) -> tuple[tuple[str, str], ...]:
        known = self._query_strings.get(query_string)
        if known is None:
            known = parse_query_string(query_string)
            with self._lock:
                if len(self._query_strings) >= MAX_QUERY_STRINGS:
                    self._query_strings.clear()  # bounded; refilled by the next requests
                self._query_strings[query_string] = known
        return known

    def _buffer_body(self, environ: dict) -> None:
        """Replace ``wsgi.input`` by the whole body, read within ``body_timeout`` seconds.

        :raises EndpointBusy: no body reader came free within ``READER_WAIT``.
        :raises RequestTimeout: the body did not arrive in time. Its read, left in
            ``environ[_READER]``, goes on until the client sends the body or closes, holding its
            permit: so at most ``max_readers`` linger per process, one per client address.
        :raises PayloadTooLarge: a body without ``Content-Length`` ran over the limit.
        :raises BadRequest: the body ended before its ``Content-Length``.
        """
        declared = environ.get("CONTENT_LENGTH")
        length = int(declared) if declared else None  # checked by _guard_passes
        if length is None and not environ.get("wsgi.input_terminated"):
            length = 0  # what Flask reads of such a body: nothing
        if length == 0:
            environ["wsgi.input"], environ["CONTENT_LENGTH"] = BytesIO(), "0"
            return
        job = self.readers.start(environ.get("REMOTE_ADDR") or "unknown", environ["wsgi.input"],
                                 self.max_body + 1 if length is None else length)
        if job is None:
            raise EndpointBusy("too many request bodies are being received; try again shortly")
        if not job.done.wait(self.body_timeout):
            environ[_READER] = job
            raise RequestTimeout(f"the request body did not arrive within {self.body_timeout:g} s "
                                 "(setting body_read_timeout)")
        body = job.result
        if isinstance(body, BaseException) or (length is not None and len(body) < length):
            raise BadRequest("the request body ended before its Content-Length")
        if len(body) > self.max_body:
            raise PayloadTooLarge(f"the request body is over {self.max_body} bytes")
        environ["wsgi.input"], environ["CONTENT_LENGTH"] = BytesIO(body), str(len(body))

    def _plain_query(self, environ: dict, method: str | None,
                     params: tuple[tuple[str, str], ...]) -> Request | None:
        """The query of a request the front answers (with the formats its Accept chose), else
        None."""
        if method != "GET" or len(params) != 1 or not params[0][1].strip():
            return None
        if any(key in environ for key in CONDITIONAL_KEYS):
            return None
        results_fmt, graph_fmt = self._formats(environ.get("HTTP_ACCEPT", ""))
        if results_fmt is formats.HTML or graph_fmt is formats.HTML:  # identity: no dataclass ==
            return None  # the results page: Flask renders it
        return Request(query=params[0][1],
                       results_format=results_fmt.key if results_fmt else None,
                       graph_format=graph_fmt.key if graph_fmt else None)

    def _formats(self, accept: str) -> Formats:
        known = self._accepts.get(accept)
        if known is None:
            mimetypes = parse_accept_header(accept, MIMEAccept)
            known = (_negotiated(mimetypes, formats.SPARQL_SELECT),
                     _negotiated(mimetypes, formats.SPARQL_GRAPH))
            with self._lock:
                if len(self._accepts) >= MAX_ACCEPTS:
                    self._accepts.clear()  # bounded; refilled by the next requests
                self._accepts[accept] = known
        return known

    def _answer(self, environ: dict, start_response: StartResponse, service: object,
                request: Request) -> Iterable[bytes]:
        try:
            answer = service.run(request, looked_up=True)  # type: ignore[attr-defined]
        except Exception as exc:  # noqa: BLE001 - Flask's handlers answer it, as for the route
            environ[FRONT_ERROR] = exc
            return self.app(environ, start_response)
        return self._send(answer, start_response)

    def _send(self, answer: Answer, start_response: StartResponse) -> Iterable[bytes]:
        headers = [("Content-Type", answer.format.content_type),
                   ("Content-Length", str(len(answer.body))),
                   *answer_headers(answer, self.holder.site.version), *_TRAILER]
        start_response("200 OK", headers)
        return [answer.body]

    def _error(self, exc: RegioldError, environ: dict, start_response: StartResponse,
               extra: list[tuple[str, str]] | None = None) -> Iterable[bytes]:
        """The refusal Flask's handler would give, kept per message and negotiation headers: an
        attack's thousands of identical refusals cost a dict lookup each, not a rendering."""
        default_lang = self.holder.site.settings.default_lang
        lang = [v for k, v in parse_qsl(environ.get("QUERY_STRING", "")) if k == "lang"]
        key = (type(exc), str(exc), getattr(exc, "retry_after", None), default_lang, tuple(lang),
               environ.get("HTTP_ACCEPT", ""), environ.get("HTTP_ACCEPT_LANGUAGE", ""))
        known = self._refusals.get(key)
        if known is None:
            response = web_app.error_response(exc, WerkzeugRequest(environ), default_lang)
            for name, value in _TRAILER:
                response.headers.setdefault(name, value)
            known = (response.status, list(response.get_wsgi_headers(environ).to_wsgi_list()),
                     response.get_data())
            with self._lock:
                if len(self._refusals) >= MAX_ACCEPTS:
                    self._refusals.clear()
                self._refusals[key] = known
        status, headers, body = known
        start_response(status, [*headers, *(extra or [])])
        return [body]


class ReadJob:
    """One body read by a reader thread: ``done`` is set once ``result`` (bytes, or the error
    the read raised) is there."""

    def __init__(self, client: str, stream: object, limit: int) -> None:
        self.client, self.stream, self.limit = client, stream, limit
        self.done = threading.Event()
        self.result: bytes | BaseException = b""


class BodyReaders:
    """Reads request bodies in ``limit`` threads of their own (started as needed, kept: a thread
    start costs more than the read), at most ``limit`` at once, one per client address."""

    def __init__(self, limit: int, wait: float = READER_WAIT) -> None:
        self.limit, self.wait = limit, wait
        self._reading: Counter[str] = Counter()
        self._changed = threading.Condition()
        self._jobs: queue.SimpleQueue[ReadJob] = queue.SimpleQueue()
        self._threads, self._pid = 0, os.getpid()

    def start(self, client: str, stream: object, limit: int) -> ReadJob | None:
        """Start reading up to ``limit`` bytes of ``stream`` for ``client``, once a permit is free
        (waiting at most ``wait`` seconds; None: none came)."""
        deadline = time.monotonic() + self.wait
        with self._changed:
            if self._pid != os.getpid():  # a forked worker: the threads stayed in the parent
                self._jobs, self._threads, self._pid = queue.SimpleQueue(), 0, os.getpid()
                self._reading.clear()
            while self._reading.total() >= self.limit or self._reading[client]:
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._changed.wait(left)
            self._reading[client] += 1
            if self._threads < self.limit:
                self._threads += 1
                threading.Thread(target=self._serve, name="regiold-body", daemon=True).start()
        job = ReadJob(client, stream, limit)
        self._jobs.put(job)
        return job

    def _serve(self) -> None:
        while True:
            job = self._jobs.get()
            try:
                job.result = _read_up_to(job.stream, job.limit)
            except BaseException as exc:  # noqa: BLE001 - the request thread decides what it means
                job.result = exc
            finally:
                job.stream = None  # granian's body object goes with its request
                self._release(job.client)
                job.done.set()

    def _release(self, client: str) -> None:
        with self._changed:
            self._reading[client] -= 1
            if not self._reading[client]:
                del self._reading[client]  # bounded: only clients reading now are kept
            self._changed.notify_all()


def _then_wait(answer: Iterable[bytes], job: ReadJob) -> Iterator[bytes]:
    """``answer``, then the end of the read ``job``: granian stalls its whole worker when a request
    is done while another thread still waits in a read of its body (measured, granian 2.8), so
    the request ends only once the read has (the client sent the body or closed the connection)."""
    yield from answer
    job.done.wait()


def _read_up_to(stream: object, limit: int) -> bytes:
    """Up to ``limit`` bytes of ``stream``: fewer only if it ends first."""
    parts: list[bytes] = []
    left = limit
    while left > 0:
        part = stream.read(left)  # type: ignore[attr-defined]
        if not part:
            break
        parts.append(part)
        left -= len(part)
    return b"".join(parts)


def parse_query_string(query_string: str) -> tuple[tuple[str, str], ...]:
    """``parse_qsl(query_string, keep_blank_values=True)``, with the %-escapes decoded in C: a
    fresh query's text is mostly escapes (40-100 of them), which ``unquote`` decodes one by one
    in Python (7-22 us a query; tests/test_sparql_fixed_cost.py compares both on odd input)."""
    if not query_string.isascii():
        return tuple(parse_qsl(query_string, keep_blank_values=True))
    pairs = []
    for field in query_string.split("&"):
        if field:
            name, _, value = field.partition("=")
            pairs.append((_unquote(name.replace("+", " ")), _unquote(value.replace("+", " "))))
    return tuple(pairs)


# a '%' not followed by two hex digits, or a line break (quoted-printable would treat both
# differently from urllib): such text takes urllib's own unquote
_NOT_PLAIN = re.compile(r"%(?![0-9A-Fa-f]{2})|[\r\n]")


def _unquote(text: str) -> str:
    """``urllib.parse.unquote`` of ASCII text: its %XX escapes are quoted-printable's =XX once
    every '=' is escaped itself, and ``binascii.a2b_qp`` decodes them in C."""
    if "%" not in text:
        return text
    if _NOT_PLAIN.search(text):
        return unquote(text)
    return binascii.a2b_qp(text.replace("=", "=3D").replace("%", "=")).decode("utf-8", "replace")


def _negotiated(mimetypes: MIMEAccept, offered: tuple[Format, ...]) -> Format | None:
    try:
        return negotiate(None, mimetypes, offered)
    except NotAcceptable:
        return None
