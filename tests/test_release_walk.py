"""The repository keeps its promises: no released IRI ever answers 404."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import rdflib
import requests
from rdflib.namespace import OWL

from conftest import BASE, ROOT, shared_dir
from page_people import page_contacts
from regiold.ingest import sources
from regiold.publish import tombstones
from regiold.steward import release


def _released() -> list[str]:
    iris = release.read_released(ROOT)
    assert iris, "releases/released-iris.txt is missing or empty"
    return iris


def test_released_list_is_sorted_and_within_the_base():
    iris = _released()
    assert iris == sorted(set(iris))
    assert all(i.startswith(BASE) or i.startswith(tombstones.HASH_PREFIX) for i in iris)


def test_every_released_iri_is_in_the_data_or_tombstoned():
    """Checked with rdflib straight from the files: each released IRI is a subject in ontology/
    or data/, or has a tombstone (owl:deprecated) in releases/tombstones.ttl."""
    described = rdflib.Graph()
    for kind in ("ontology", "data"):
        for path in sorted((ROOT / kind).rglob("*.ttl")):
            described.parse(path, format="turtle", publicID=BASE)
    stones = rdflib.Graph()
    if (ROOT / "releases" / "tombstones.ttl").is_file():
        stones.parse(ROOT / "releases" / "tombstones.ttl", format="turtle", publicID=BASE)
    accounted = {str(s) for s in described.subjects()} | {
        str(s) for s in stones.subjects(OWL.deprecated, rdflib.Literal(True))}
    assert [iri for iri in _released() if iri not in accounted] == []
    live = {q.subject.value for q in sources.parse_site(ROOT, base_iri=BASE).quads}
    assert tombstones.read_tombstones(ROOT, base_iri=BASE).problems(live) == []


def test_unaccounted_names_a_released_iri_that_would_answer_404(tmp_path):
    """`regiold release` relies on release.unaccounted: it must report what the check above finds."""
    stones = tombstones.read_tombstones(tmp_path, base_iri=BASE)  # no tombstone file: none
    released = [BASE + "org/kept", BASE + "org/vanished"]
    assert release.unaccounted(released, {BASE + "org/kept"}, stones) == [BASE + "org/vanished"]
    assert release.unaccounted(released, set(released), stones) == []


def test_no_released_iri_answers_404_on_a_live_server(live_url: str):
    def status(iri: str) -> tuple[str, int, str]:
        response = requests.get(live_url + "/" + iri.removeprefix(BASE), timeout=30,
                                headers={"Accept": "text/turtle"}, allow_redirects=True)
        return iri, response.status_code, response.headers.get("Content-Type", "")

    walk = [i for i in _released() if i.startswith(BASE)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(status, walk))
    broken = [(iri, code) for iri, code, _ in answers if code not in (200, 410)]
    assert broken == []
    assert all(kind.startswith("text/turtle") for _, _, kind in answers)  # a real description
    assert len(answers) == len(walk) > 100


def test_with_persons_withheld_released_person_iris_answer_451_not_404(tmp_path):
    from regiold import create_app
    from regiold.settings import Settings

    app = create_app(Settings.load({"site_dir": ROOT, "cache_dir": tmp_path / "c",
                                    "publish_persons": False}, environ={}))
    client = app.test_client()
    answers = {iri: client.get("/" + iri.removeprefix(BASE), headers={"Accept": "text/turtle"},
                               follow_redirects=True).status_code
               for iri in _released() if iri.startswith(BASE)}
    assert {iri: code for iri, code in answers.items() if code not in (200, 410, 451)} == {}
    for contact in page_contacts(shared_dir()):
        assert answers[BASE + f"person/{contact.slug}"] == 451
