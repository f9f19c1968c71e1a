"""Where a first HTML rendering's CPU goes, stage by stage, in one process (issue 12): for a random
sample of a site's resources, each read afresh, the description (``lookup.describe``), its term
labels and source dates (read lazily, for HTML only), the view model (``view.build_view``), its
arrangement for people (``summary.arrange``) and the template (``render.page``, with the shared
parts of publish/fragments.py). CPU time of the process (``time.process_time``), in ms per page.

    python bench/html_stages.py SITE [--sample 600] [--lang de]

Run it with ``PYTHONPATH`` set to another tree's ``src`` for a baseline (the stages are the same
functions there). It writes the validation cache into SITE/.bench-cache, as the other sections do.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import sys
import time
from pathlib import Path


def stages(site_dir: Path, size: int, lang: str) -> dict[str, float]:
    from regiold.errors import NotFound
    from regiold.export.build import resource_paths
    from regiold.publish import lookup, render, summary
    from regiold.publish.dataset import CATALOG, DATASET
    from regiold.publish.site_loader import load_site
    from regiold.publish.view import build_view
    from regiold.rdf.formats import HTML
    from regiold.settings import Settings

    settings = Settings.load({"cache_dir": str(site_dir / ".bench-cache"), "site_dir": str(site_dir)},
                             environ={})
    site = load_site(settings)
    paths = [p for p in resource_paths(site)[0] if p not in (DATASET, CATALOG)]
    sample = random.Random(2).sample(paths, min(size + 30, len(paths)))
    for path in sample[:30]:  # imports, compiled templates, table connections
        with contextlib.suppress(NotFound):
            render.representation(site, site.base_iri + path, HTML, lang)
    spent = dict.fromkeys(("describe", "term_labels", "source_dates", "view", "arrange", "template"), 0.0)
    pages = 0
    clock = time.process_time
    for path in sample[30:]:
        started = clock()
        found = lookup.describe(site.store, site.base_iri + path, page_size=settings.page_size)
        if not found.exists:
            continue
        described = clock()
        len(found.term_labels)
        labelled = clock()
        len(found.source_dates)
        dated = clock()
        view = build_view(found, base_iri=site.base_iri, lang=lang)
        viewed = clock()
        view = summary.arrange(view, site.base_iri)
        arranged = clock()
        render.page("resource.html", view=view, jsonld=render.script_json(view.schema_org),
                    alternates=render.alternates(view.path, found.page),
                    canonical=render.canonical_iri(view.iri, lang, settings.default_lang),
                    page_links=render.page_links(view.path, view.page, view.pages), changelog=[],
                    **render.chrome(view.path, lang, query=render.page_query(found.page),
                                    default_lang=settings.default_lang,
                                    sparql_link=settings.sparql_link))
        done = clock()
        for name, ms in zip(spent, (described - started, labelled - described, dated - labelled,
                                    viewed - dated, arranged - viewed, done - arranged), strict=True):
            spent[name] += ms
        pages += 1
    result = {name: round(seconds * 1000 / pages, 3) for name, seconds in spent.items()}
    result["total"] = round(sum(result.values()), 3)
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("site", type=Path)
    parser.add_argument("--sample", type=int, default=600)
    parser.add_argument("--lang", default="de")
    options = parser.parse_args()
    found = stages(options.site, options.sample, options.lang)
    print("  ".join(f"{name} {ms} ms" for name, ms in found.items()), file=sys.stderr)
    print(json.dumps(found))
