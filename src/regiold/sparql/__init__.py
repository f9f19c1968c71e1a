"""A safe, read-only SPARQL 1.1 query service over the site's store.

Threats and the protection against each (docs/SECURITY.md has the full list):

* ``SERVICE`` makes pyoxigraph open an HTTP connection to any address. Every query is screened
  by ``screen.screen`` *before* it reaches the engine: a word ``SERVICE`` anywhere it could be read as
  the keyword refuses the query (conservative on purpose: no lexer trick can hide it). The query
  workers additionally run under a seccomp filter that denies IPv4/IPv6 sockets (``sandbox.py``).
* ``FROM``/``FROM NAMED``/``GRAPH <url>`` resolve against the store's own graphs only (pyoxigraph
  never dereferences them); an unknown graph is simply empty. ``LOAD`` and every other update are
  refused before parsing (the engine's ``query`` cannot run updates anyway).
* A query that runs too long is stopped for real: every query the engine evaluates runs in a forked
  worker process that holds the store copy-on-write; on timeout the worker is killed (SIGKILL) and
  replaced. ``DESCRIBE <iri>`` and one triple pattern about a resource need no engine: the serving
  process answers them with the pages' read path and the store's pattern lookup (bounded reads).
* Result size is capped (``sparql_max_rows``), and so are query size and concurrency.

Nothing here imports Flask: ``QueryService`` takes plain values and returns an ``Answer``.

| module | what |
| --- | --- |
| `screen.py` | what the query text may contain, decided before the engine sees it |
| `messages.py` | `Request`, `Answer`, the `Job` a worker runs; the wire format (no pickle back) |
| `service.py` | `QueryService`: one per Site and process; memo, concurrency cap, hand-off to the pool |
| `pool.py` | forked worker processes that hold the store copy-on-write and can be killed |
| `sandbox.py` | the workers' seccomp filter (no network) |
| `runner.py` | inside a worker: run the query, serialize at most `sparql_max_rows` |
| `describe_form.py` | `DESCRIBE <iri>`: the description the resource pages serve |
| `pattern_form.py` | one triple pattern about a resource: the store's pattern lookup, no engine |
| `service_description.py` | the SPARQL 1.1 Service Description |
| `editor.py` | example queries and the results table for browsers |
"""
