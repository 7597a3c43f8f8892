"""`cakg serve --store DIR` remakes a stale build from the inputs it was made from, never from ./data."""

from __future__ import annotations

import shutil

import httpx

from conftest import ROOT, make_project, ACTORS
from servers import serve_log, start_cakg_serve, stop


def test_a_stale_build_is_rebuilt_from_its_own_inputs(tmp_path):
    from cakg.build import build, default_layout

    project = make_project(tmp_path / "project", {"entities/actors.ttl": ACTORS})
    out = project / "build"
    build(default_layout(project), out)
    triples = httpx_free_count(out)
    # The project changes after its build: one more country.
    actors = project / "data" / "entities" / "actors.ttl"
    actors.write_text(actors.read_text(encoding="utf-8")
                      + 'country:lao a cakg:Country ; rdfs:label "Lao PDR"@en , "老挝"@zh .\n', encoding="utf-8")
    process, base = start_cakg_serve(out, ROOT / "queries")  # started from the repository's root (cwd)
    try:
        served = httpx.get(base + "/health", timeout=10).json()["triples"]
    finally:
        stop(process)
    log = serve_log(process)
    assert f"from {project / 'data'}" in log, log
    assert triples < served < triples + 20  # the project's graph grown by one country, not ./data's


def test_a_build_whose_inputs_are_gone_is_served_as_it_is(tmp_path):
    from cakg.build import build, default_layout

    project = make_project(tmp_path / "project", {"entities/actors.ttl": ACTORS})
    out = tmp_path / "kept"
    build(default_layout(project), out)
    triples = httpx_free_count(out)
    shutil.rmtree(project)
    process, base = start_cakg_serve(out, ROOT / "queries")
    try:
        assert httpx.get(base + "/health", timeout=10).json()["triples"] == triples
    finally:
        stop(process)
    assert "building" not in serve_log(process)


def httpx_free_count(out) -> int:
    from cakg.build_folder import BuildFolder

    return int(BuildFolder(out).info()["triples"])
