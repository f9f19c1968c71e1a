"""Step 4 of the flow: from an IRI to bytes.

| module | what |
| --- | --- |
| `site.py`, `site_loader.py` | `Site`: one loaded, validated version of the data; `load_site` builds it |
| `lookup.py` | the one read path IRI → `Description` (pattern lookups on embedded stores) |
| `describe.py` | `Description`: the resource, dependents, linked labels, incoming; read by SPARQL |
| `page_query.py` | the one CONSTRUCT per page by which `describe.py` reads a remote store |
| `labels.py`, `view.py` | interface words in de/en; `Description` → `PageView` for the templates |
| `summary.py`, `links.py` | the first screen of a page; internal links that keep the language |
| `render.py`, `jsonld.py` | `Format` → bytes: RDF serialisations, JSON-LD straight from the triples, HTML |
| `dataset.py` | VoID + DCAT-AP.de description, dumps, sitemap |
| `search.py`, `search_groups.py` | the diacritic-insensitive full-text index; results grouped by kind |
| `tombstones.py` | removed (410) and renamed (301) IRIs |
| `changelog.py` | the release changelog as the dataset page shows it |
| `remote_load.py` | `regiold load`: validate, then replace the data in a remote store |
"""
