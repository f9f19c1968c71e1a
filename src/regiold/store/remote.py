"""``RemoteStore`` speaks the SPARQL 1.1 Protocol to any endpoint (Oxigraph server, Fuseki,
Virtuoso; see docs/STORES.md). The published triples live in the endpoint's default graph (or
the graph named by ``default-graph-uri`` in the endpoint URL), so a load can stage new data in a
graph no query sees and swap it in with one SPARQL Update request (``replace_data``).

HTTP and parse errors are translated into regiold's errors here.
"""


from __future__ import annotations

import base64
import contextlib
import contextvars
import os
import tempfile
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from typing import IO, TYPE_CHECKING
from urllib.parse import parse_qs, parse_qsl, quote, urlencode, urlsplit, urlunsplit

import pyoxigraph as ox
import urllib3

from regiold.errors import ConfigError, QuerySyntaxError, StoreUnavailable

if TYPE_CHECKING:
    from regiold.settings import Settings
from regiold.store.base import Row

META_GRAPH = "urn:regiold:meta"
_STAGING = "urn:regiold:staging:"  # + version:random, a graph no query of the data sees
_NOTE = "urn:regiold:"  # + dataVersion, or the name of a note of replace_data
_RESULTS = "application/sparql-results+json"
_TRIPLES = "application/n-triples"
_LOAD_TIMEOUT = 600.0  # seconds for pushing one dataset; queries use the query timeout
_BATCH = 20_000  # triples per streamed chunk of a load
# When the queries under way must be done (RemoteStore.budget); per thread and task.
_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar("regiold_store_deadline",
                                                                         default=None)


class RemoteStore:
    """Any SPARQL 1.1 endpoint: Protocol for queries, Graph Store Protocol + Update for loads.

    One urllib3 connection pool per process (workers fork after the app is built, and a socket
    must never be shared across processes). The endpoint URL may carry ``default-graph-uri``
    (e.g. for Virtuoso, whose default graph is the union of all graphs); loads then replace that
    named graph instead of the default graph.
    """

    def __init__(self, endpoint: str, *, base_iri: str, update_url: str = "", data_url: str = "",
                 timeout: float = 10.0, pool_size: int = 16, page_query: bool = False) -> None:
        self.base_iri = base_iri
        self.query_url, auth = _split_credentials(endpoint)
        self._auth: dict[str, dict[str, str]] = {self.query_url: auth}
        self.update_url = self._with_auth(update_url, auth) if update_url else _sibling(
            self.query_url, "update")
        self.data_url = self._with_auth(data_url, auth) if data_url else _sibling(
            self.query_url, "data")
        self._auth.setdefault(self.update_url, auth)
        self._auth.setdefault(_strip_query(self.data_url), auth)
        derived = " (derived from store; set it if the store has another URL)"
        self._settings = {  # URL → the setting it came from, for the operator's error messages
            _strip_query(self.query_url): "store",
            _strip_query(self.update_url): "store_update" + ("" if update_url else derived),
            _strip_query(self.data_url): "store_data" + ("" if data_url else derived)}
        self.graph = parse_qs(urlsplit(self.query_url).query).get("default-graph-uri", [None])[0]
        self._query_post_url = _strip_query(self.query_url)
        self._query_params = parse_qsl(urlsplit(self.query_url).query)
        self.timeout = timeout
        self._pool_size = pool_size
        self._pool: urllib3.PoolManager | None = None
        self.page_query = page_query  # setting remote_page_query
        self._server: str | None = None  # the endpoint's Server header, once it has answered
        self._pid = 0
        self._lock = threading.Lock()

    def _with_auth(self, url: str, fallback: dict[str, str]) -> str:
        plain, auth = _split_credentials(url)
        self._auth[_strip_query(plain)] = auth or fallback
        return plain

    @classmethod
    def from_settings(cls, settings: Settings) -> RemoteStore:
        return cls(settings.store, base_iri=settings.base_iri, update_url=settings.store_update,
                   data_url=settings.store_data, timeout=settings.sparql_timeout,
                   page_query=settings.remote_page_query)

    # -- queries ---------------------------------------------------------------------------

    def select(self, sparql: str) -> list[Row]:
        body = self._query(sparql, _RESULTS)
        solutions = _parse_results(body)
        if isinstance(solutions, ox.QueryBoolean):
            raise QuerySyntaxError("expected a SELECT query, got ASK")
        names = [v.value for v in solutions.variables]
        return [{n: s[n] for n in names if s[n] is not None} for s in solutions]

    def ask(self, sparql: str) -> bool:
        return _boolean(_parse_results(self._query(sparql, _RESULTS)))

    def construct(self, sparql: str) -> list[ox.Triple]:
        body = self._query(sparql, _TRIPLES)
        try:
            return [ox.Triple(q.subject, q.predicate, q.object)
                    for q in ox.parse(body, ox.RdfFormat.N_TRIPLES)]
        except SyntaxError as exc:
            raise StoreUnavailable(f"the SPARQL store sent unreadable N-Triples: {exc}") from exc

    def triple_count(self) -> int:
        rows = self.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        return int(rows[0]["n"].value) if rows else 0

    def add_graph(self, graph: str, triples: Iterable[ox.Triple]) -> None:
        """Replace a named graph in one SPARQL Update request (generated metadata, e.g. VoID)."""
        data = ox.serialize(list(triples), format=ox.RdfFormat.N_TRIPLES).decode()
        insert = f" ;\nINSERT DATA {{ GRAPH <{graph}> {{\n{data}}} }}" if data else ""
        self._update(f"DROP SILENT GRAPH <{graph}>{insert}")

    @property
    def evaluates_page_query(self) -> bool:
        """Whether pages are read with publish/page_query.py's one CONSTRUCT: only when the setting
        ``remote_page_query`` asks for it (Oxigraph 0.5 takes about 15x longer for it than for the
        small queries, docs/performance.md) and the endpoint evaluates it. Virtuoso 7
        does not (measured on a store of 122 triples: 14 s for the query's subquery of dependents
        joined with one triple pattern, no rows for its MINUS), so pages from it are read query by
        query. Known from the endpoint's ``Server`` header (asked once with ``ASK {}``)."""
        if not self.page_query:
            return False
        if self._server is None:
            self.ping(self.timeout)
        return not (self._server or "").lower().startswith("virtuoso")

    def ping(self, timeout: float) -> None:
        """``ASK {}`` within ``timeout`` seconds, for /ready (a hung store must not hang the
        probe): no second of grace, as other queries get."""
        with self.budget(timeout):
            _parse_results(self._query("ASK {}", _RESULTS))

    def data_version(self) -> str | None:
        """The data version the last ``regiold load`` put into this store, if any."""
        return self.load_notes().get("dataVersion")

    def load_notes(self) -> dict[str, str]:
        """What the last ``regiold load`` recorded in ``urn:regiold:meta``: ``dataVersion`` and
        the ``notes`` it passed to ``replace_data`` (e.g. which person data went in)."""
        # Named explicitly: with a default-graph-uri, Virtuoso shows no other graph unless asked.
        named = [("named-graph-uri", META_GRAPH)] if self.graph else []
        body = self._query(f"SELECT ?p ?v WHERE {{ GRAPH <{META_GRAPH}> {{ <{META_GRAPH}> ?p ?v }} }}",
                           _RESULTS, named)
        return {row["p"].value.removeprefix(_NOTE): row["v"].value  # type: ignore[union-attr]
                for row in _parse_results(body)  # type: ignore[union-attr]
                if row["p"] is not None and row["v"] is not None}

    @contextlib.contextmanager
    def budget(self, seconds: float | None = None) -> Iterator[None]:
        """The queries made inside share one budget of ``seconds`` (default ``timeout``): a page
        is read with several small queries, each of which would otherwise get the whole timeout
        (a store answering each in 4 s made a page take 44 s). Nested budgets keep the outer one."""
        if _DEADLINE.get() is not None:
            yield
            return
        token = _DEADLINE.set(time.monotonic() + (self.timeout if seconds is None else seconds))
        try:
            yield
        finally:
            _DEADLINE.reset(token)

    def _query(self, sparql: str, accept: str, extra: list[tuple[str, str]] | None = None, *,
               timeout: float | None = None) -> bytes:
        # BASE on the same line keeps the line numbers of the client's query in error messages.
        # A form-encoded POST: every store reads it (Virtuoso 7 hangs on a direct
        # application/sparql-query body); the endpoint URL's own parameters travel in the form.
        form = [*self._query_params, *(extra or []), ("query", f"BASE <{self.base_iri}> {sparql}")]
        left = self._remaining()
        return self._request("POST", self._query_post_url, urlencode(form).encode(), {
            "Content-Type": "application/x-www-form-urlencoded", "Accept": accept},
            left if timeout is None else min(timeout, left))

    def _remaining(self) -> float:
        """Seconds the next query may take: the timeout, or what is left of the budget."""
        deadline = _DEADLINE.get()
        if deadline is None:
            return self.timeout
        left = deadline - time.monotonic()
        if left <= 0:
            error = StoreUnavailable("the SPARQL store did not answer in time")
            error.where = f"{self.query_url}, setting sparql_timeout"
            raise error
        return min(self.timeout, left)

    # -- loading ---------------------------------------------------------------------------

    def replace_data(self, quads: Iterable[ox.Quad], *, version: str,
                     notes: dict[str, str] | None = None) -> int:
        """Replace the published triples by ``quads`` (their graphs merged) in one step.

        The triples go into a fresh staging graph first (one streamed Graph Store Protocol POST,
        so blank nodes keep their scope), then one SPARQL Update request clears the target, moves
        the staging graph into it and records ``version`` and ``notes`` (``load_notes``). Stores
        that run one update request as
        one transaction (Oxigraph, Fuseki TDB2, Virtuoso) never show a half-loaded graph.

        :returns: the number of triples sent.
        :raises StoreUnavailable: the store refused or could not be reached (staging is dropped).
        """
        leftovers = self._staged_graphs()  # of loads that never reached their swap
        staging = f"{_STAGING}{version}:{uuid.uuid4().hex[:12]}"
        counter = [0]
        url = f"{_strip_query(self.data_url)}?graph={quote(staging, safe='')}"
        try:
            with tempfile.TemporaryFile() as spool:
                for chunk in _ntriples_chunks(quads, counter):
                    spool.write(chunk)
                size = spool.tell()
                spool.seek(0)
                # A sized body, not chunked: Virtuoso 7 ignores a chunked body and then reads its
                # rest as the next request on the connection (answering 501).
                self._request("POST", url, spool, {"Content-Type": _TRIPLES,
                                                   "Content-Length": str(size)}, _LOAD_TIMEOUT)
            self._update(self._swap_update(staging, {"dataVersion": version, **(notes or {})},
                                           counter[0], leftovers))
        except StoreUnavailable:
            self._drop_quietly(staging)
            raise
        return counter[0]

    def _staged_graphs(self) -> list[str]:
        """Staging graphs left in the store by earlier loads whose swap never ran (the update
        refused, the store gone, the loader stopped): each a full copy of that data. Asked
        without the endpoint URL's dataset (Virtuoso shows no other graph with one)."""
        query = (f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
                 f'FILTER(STRSTARTS(STR(?g), "{_STAGING}")) }}')
        body = self._request("POST", self._query_post_url, urlencode({"query": query}).encode(), {
            "Content-Type": "application/x-www-form-urlencoded", "Accept": _RESULTS}, _LOAD_TIMEOUT)
        rows = _parse_results(body)
        return sorted({row["g"].value for row in rows  # type: ignore[union-attr]
                       if isinstance(row["g"], ox.NamedNode)})

    def _swap_update(self, staging: str, notes: dict[str, str], triples: int,
                     leftovers: Iterable[str] = ()) -> str:
        target = f"GRAPH <{self.graph}>" if self.graph else "DEFAULT"
        steps = [f"CLEAR SILENT {target}"]
        if triples:
            steps += [f"ADD SILENT GRAPH <{staging}> TO {target}", f"DROP SILENT GRAPH <{staging}>"]
        steps += [f"DROP SILENT GRAPH <{graph}>" for graph in leftovers]
        steps += [f"DROP SILENT GRAPH <{META_GRAPH}>",
                  f"INSERT DATA {{ GRAPH <{META_GRAPH}> {{ " + " ".join(
                      f'<{META_GRAPH}> <{_NOTE}{name}> "{_escape(value)}" .'
                      for name, value in sorted(notes.items())) + " } }"]
        return " ;\n".join(steps)

    def _update(self, update: str) -> None:
        self._request("POST", self.update_url, update.encode(),
                      {"Content-Type": "application/sparql-update"}, _LOAD_TIMEOUT)

    def _drop_quietly(self, graph: str) -> None:
        # If the store is gone, the staging graph stays behind; no query of the data sees it.
        with contextlib.suppress(StoreUnavailable):
            self._update(f"DROP SILENT GRAPH <{graph}>")

    # -- HTTP ------------------------------------------------------------------------------

    def _connections(self) -> urllib3.PoolManager:
        if self._pool is None or self._pid != os.getpid():
            with self._lock:
                if self._pool is None or self._pid != os.getpid():
                    self._pool = urllib3.PoolManager(num_pools=4, maxsize=self._pool_size,
                                                     block=False, retries=False)
                    self._pid = os.getpid()
        return self._pool

    def _request(self, method: str, url: str, body: bytes | IO[bytes],
                 headers: dict[str, str], read_timeout: float) -> bytes:
        # Within a budget the read timeout is what is left of it; alone, a second of grace.
        grace = 0.0 if _DEADLINE.get() is not None else 1.0
        timeout = urllib3.Timeout(connect=min(5.0, read_timeout), read=read_timeout + grace)
        plain = _strip_query(url)
        headers = {**headers, **self._auth.get(plain, {})}
        try:
            try:
                response = self._connections().request(
                    method, url, body=body, headers=headers, timeout=timeout, redirect=False)
            except urllib3.exceptions.HTTPError as exc:
                raise StoreUnavailable(f"the SPARQL store did not answer ({_reason(exc)})") from exc
            if self._server is None:
                self._server = response.headers.get("Server", "")
            if response.status == 400:
                raise QuerySyntaxError(_message(response.data))
            if response.status >= 300:  # its text may name files, hosts, versions: not for clients
                error = StoreUnavailable(f"the SPARQL store answered {response.status}")
                error.where = f"the store said: {_message(response.data)}"
                raise error
        except (StoreUnavailable, QuerySyntaxError) as exc:
            said = f"; {exc.where}" if exc.where else ""
            exc.where = f"{method} {plain}, setting {self._settings.get(plain, 'store')}{said}"
            raise
        return response.data


def _boolean(results: ox.QuerySolutions | ox.QueryBoolean) -> bool:
    """An ASK answer; Virtuoso 7 sends it as one row binding ``__ASK_RETVAL`` to 1 or 0."""
    if isinstance(results, ox.QueryBoolean):
        return bool(results)
    if [v.value for v in results.variables] != ["__ASK_RETVAL"]:
        raise StoreUnavailable("the SPARQL store answered ASK with rows")
    rows = list(results)
    return bool(rows) and rows[0]["__ASK_RETVAL"] is not None and rows[0]["__ASK_RETVAL"].value == "1"


def _parse_results(body: bytes) -> ox.QuerySolutions | ox.QueryBoolean:
    try:
        return ox.parse_query_results(body, ox.QueryResultsFormat.JSON)
    except SyntaxError as exc:
        raise StoreUnavailable(f"the SPARQL store sent unreadable results: {exc}") from exc


def _ntriples_chunks(quads: Iterable[ox.Quad], counter: list[int]) -> Iterator[bytes]:
    batch: list[ox.Triple] = []
    for q in quads:
        batch.append(ox.Triple(q.subject, q.predicate, q.object))
        if len(batch) >= _BATCH:
            counter[0] += len(batch)
            yield ox.serialize(batch, format=ox.RdfFormat.N_TRIPLES)
            batch = []
    counter[0] += len(batch)
    if batch:
        yield ox.serialize(batch, format=ox.RdfFormat.N_TRIPLES)


def _split_credentials(url: str) -> tuple[str, dict[str, str]]:
    """``http://user:pw@host/…`` → (URL without them, a Basic Authorization header)."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ConfigError(f"not an http(s) SPARQL endpoint URL: {url!r}")
    if parts.username is None:
        return url, {}
    netloc = parts.hostname + (f":{parts.port}" if parts.port else "")
    token = base64.b64encode(f"{parts.username}:{parts.password or ''}".encode()).decode()
    return urlunsplit(parts._replace(netloc=netloc)), {"Authorization": f"Basic {token}"}


_SIBLINGS = {  # last path segment of the query URL → (update, graph store) segments
    "query": ("update", "store"),  # Oxigraph server
    "sparql": ("update", "data"),  # Fuseki
}


def _sibling(query_url: str, kind: str) -> str:
    parts = urlsplit(query_url)
    head, _, last = parts.path.rstrip("/").rpartition("/")
    if last not in _SIBLINGS:
        raise ConfigError(f"cannot derive the {kind} URL from the endpoint {query_url!r}; set "
                          f"store_{'update' if kind == 'update' else 'data'} (docs/STORES.md)")
    segment = _SIBLINGS[last][0 if kind == "update" else 1]
    return urlunsplit(parts._replace(path=f"{head}/{segment}", query=""))


def _strip_query(url: str) -> str:
    return urlunsplit(urlsplit(url)._replace(query=""))


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


_REASONS = {"NewConnectionError": "cannot connect", "ConnectTimeoutError": "no connection in time",
            "ReadTimeoutError": "no answer in time", "ProtocolError": "connection dropped"}


def _reason(exc: Exception) -> str:
    name = type(getattr(exc, "reason", None) or exc).__name__
    return _REASONS.get(name, name)


def _message(body: bytes) -> str:
    return body.decode("utf-8", errors="replace").strip()[:1000] or "no message"
