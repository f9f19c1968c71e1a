"""Step 5 of the flow: HTTP. Flask blueprints read the request and call publish/ and sparql/.

| module | what |
| --- | --- |
| `app.py` | registers the blueprints and the error handlers |
| `context.py` | `current_site()`: the Site serving this request |
| `negotiate.py` | the one content negotiation: suffix, `?format=`, `Accept`; the language |
| `responses.py` | sending a representation: validators, caching, CORS, gzip |
| `guard.py` | before every route: limits, rate limit, trusted proxies, security headers |
| `page_routes.py` | `/`, every resource IRI `/{path}` and its documents `/{path}.{ext}` |
| `dataset_routes.py` | `/.well-known/void`, the DCAT catalog, dumps, `robots.txt`, `sitemap.xml` |
| `sparql_routes.py` | `/sparql`, `/search` |
| `ops_routes.py` | `/health`, `/ready` |
| `tombstone_routes.py` | not-found hook of the page routes: 410/301 for removed or renamed IRIs |
| `fastpath.py` | WSGI fast path answering marked page responses per data version |
| `sparql_front.py` | WSGI layer for `/sparql`: 429/503 before Flask and the body, plain GET queries |
| `first.py` | first renderings of resource pages in the fast path's layer, without Flask |
"""
