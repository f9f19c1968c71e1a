"""Step 4 of the flow: from an IRI to bytes.

| module | what |
| --- | --- |
| `site.py` | `Site`: one loaded, validated version of the data; `load_site` builds it |
| `lookup.py` | the one read path IRI → `Description` (pattern lookups on embedded stores) |
| `describe.py` | `Description`: the resource, dependents, linked labels, incoming; read by SPARQL |
| `labels.py`, `view.py` | interface words in de/en; `Description` → `PageView` for the templates |
| `render.py` | `Format` → bytes: RDF serialisations, JSON-LD, HTML |
| `dataset.py` | VoID + DCAT-AP.de description, dumps, sitemap |
| `search.py` | the diacritic-insensitive full-text index |
| `tombstones.py` | removed (410) and renamed (301) IRIs |
"""
