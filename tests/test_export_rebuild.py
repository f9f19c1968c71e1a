"""`regiold build` into a folder it wrote before, and into folders it must not write: what an
operator who rebuilds the export after a data change or a privacy decision meets."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from pages_support import copy_site
from regiold.cli import cli

PERSON = "person/erika-mustermann"  # tests/fixtures/pages-site/data/people/erika.ttl


def run_build(site: Path, out: Path, *settings: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [*settings, "-s", "cache_dir", str(site.parent / "cache"),
                                      "build", "--data", str(site), "--out", str(out),
                                      "--processes", "2"])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        return result.exit_code, f"{result.output}Traceback: {result.exception!r}"  # uncaught
    return result.exit_code, result.output


def files_of(out: Path, path: str) -> list[str]:
    folder, _, name = path.rpartition("/")
    return sorted(p.name for p in (out / folder).glob(f"{name}.*"))


def test_a_rebuild_removes_the_files_of_resources_no_longer_published(tmp_path: Path):
    """Switching person data off (or forgetting a person) and building again into the same
    folder must take the person's pages out of the export: the host serves whatever is left."""
    site = copy_site(tmp_path / "site")
    out = tmp_path / "out"
    (out / "extra").mkdir(parents=True)
    (out / "extra" / "operator.txt").write_text("the operator's own file")  # not the export's
    code, output = run_build(site, out)
    assert code == 0, output
    assert len(files_of(out, PERSON)) >= 8, files_of(out, PERSON)  # every format and language
    org_files = files_of(out, "org/dme")

    code, output = run_build(site, out, "-s", "publish_persons", "false")
    assert code == 0, output
    assert files_of(out, PERSON) == [], "the withheld person's files are still in the export"
    assert files_of(out, "org/dme") == org_files
    assert (out / "extra" / "operator.txt").read_text() == "the operator's own file"
    assert "erika" not in (out / "sitemap.xml").read_text().lower()


def test_an_edited_list_of_written_files_never_deletes_outside_the_export(tmp_path: Path):
    """The rebuild deletes what `.regiold/resources.txt` lists and this build did not write; a
    list edited to name `../…` must not reach a file beside the export."""
    site = copy_site(tmp_path / "site")
    out = tmp_path / "out"
    code, output = run_build(site, out)
    assert code == 0, output
    victim = tmp_path / "victim.ttl"
    victim.write_text("kept")
    listed = out / ".regiold" / "resources.txt"
    listed.write_text(listed.read_text() + "\n../victim\n/" + str(tmp_path / "victim"))
    code, output = run_build(site, out)
    assert code == 0, output
    assert victim.read_text() == "kept"


def test_an_out_folder_inside_the_data_is_refused_before_anything_is_written(tmp_path: Path):
    """An export inside data/ (or ontology/, shapes/, or the project folder itself, where the
    export's shapes/… pages would land in shapes/) would be read as data by the next build,
    serve or validate: the command refuses it, names the folder and writes nothing."""
    site = copy_site(tmp_path / "site")
    for out in (site / "data" / "site", site / "shapes" / "x", site):
        before = sorted(p.relative_to(site) for p in site.rglob("*"))
        code, output = run_build(site, out)
        assert code != 0, output
        assert "Traceback" not in output
        assert str(out) in output and "--out" in output, output
        assert sorted(p.relative_to(site) for p in site.rglob("*")) == before, out


def test_an_out_folder_that_cannot_be_made_is_a_clear_error(tmp_path: Path):
    """A file where the folder should be (or a path that cannot be created) is said in one line
    naming the folder, not a traceback, and before the data are validated."""
    site = copy_site(tmp_path / "site")
    (tmp_path / "a-file").write_text("x")
    for out in (tmp_path / "a-file" / "export", Path("/proc/regiold-export")):
        code, output = run_build(site, out)
        assert code != 0, output
        assert "Traceback" not in output and "Errno" not in output, output
        assert f"cannot write the export to {out}" in output, output
        assert "conforms" not in output


def test_urls_without_a_scheme_are_refused_naming_the_option(tmp_path: Path):
    """`--url example.org` wrote `<loc>example.org/</loc>` into the sitemap and `Sitemap:
    example.org/sitemap.xml` into robots.txt (the sitemap protocol wants absolute URLs starting
    with the protocol); `--sparql-url example.org/sparql` linked every page's footer to a relative
    path and silently left the /sparql redirect out of the nginx and Apache rules."""
    site = copy_site(tmp_path / "site")
    for option, value in (("--url", "example.org"), ("--sparql-url", "example.org/sparql"),
                          ("--sparql-url", 'https://example.org/sparql"; return 200 "x')):
        out = tmp_path / f"out{option}"
        result = CliRunner().invoke(cli, ["-s", "cache_dir", str(tmp_path / "cache"), "build",
                                          "--data", str(site), "--out", str(out), option, value])
        assert result.exit_code == 2, result.output  # click's usage error
        assert option in result.output and "http" in result.output, result.output
        assert not out.exists()


def test_a_subject_whose_path_begins_with_a_slash_is_skipped_not_written_outside(tmp_path: Path):
    """`<{base}/x>` has the path `/x` below the base: as a path it is absolute (pathlib's
    `out / "/x.ttl"` is `/x.ttl`, which the rebuild's clean-up would have deleted). The build
    skips it, says so, and writes nothing outside the export."""
    site = copy_site(tmp_path / "site")
    target = tmp_path / "outside"
    (site / "data" / "slash.ttl").write_text(
        f'<https://w3id.org/regionen-nrw/{target}> <http://www.w3.org/2000/01/rdf-schema#label> "x" .\n')
    code, output = run_build(site, tmp_path / "out")
    assert code == 0, output
    assert not list(tmp_path.glob("outside*")), "a file was written outside the export"
    assert "skipped" in output.lower(), output
