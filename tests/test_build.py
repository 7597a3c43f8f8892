"""`cakg build`, `validate`, `stats` and `export` on small fixture projects."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import rdflib

from conftest import MCT, PREFIXES


def cakg(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cakg.cli", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300)


@pytest.fixture
def built(project):
    root = project({"facts/mct.ttl": MCT})
    result = cakg("build", cwd=root)
    assert result.returncode == 0, result.stderr
    return root


def test_build_writes_store_dumps_docs_and_report(built):
    out = built / "build"
    for name in ["store", "graph.trig", "graph.ttl", "ontology/index.html", "ontology/cakg-ontology.ttl",
                 "validation-report.txt", "build-info.json"]:
        assert (out / name).exists(), name
    assert "<html" in (out / "ontology" / "index.html").read_text(encoding="utf-8").lower()
    info = json.loads((out / "build-info.json").read_text())
    assert info["triples"] > 1000
    assert "https://w3id.org/cakg/graph/data/facts/mct" in info["graphs"]


def test_the_build_folder_holds_what_build_folder_describes_and_readers_ask_it(built):
    from cakg import build_folder
    from cakg.build_folder import BuildFolder
    from cakg.errors import InputError

    folder = BuildFolder(built / "build")
    assert sorted(p.name for p in folder.path.iterdir()) == sorted(build_folder.ENTRIES)
    assert sorted(p.name for p in folder.ontology_dir.iterdir()) == sorted(
        [build_folder.ONTOLOGY_TTL, build_folder.ONTOLOGY_HTML, build_folder.ONTOLOGY_STAMP])
    info = json.loads(folder.info_file.read_text(encoding="utf-8"))
    assert folder.is_built() and folder.info() == info
    assert folder.fingerprint == info["fingerprint"] and folder.triples == info["triples"] > 1000
    assert folder.graphs == info["graphs"] and "https://w3id.org/cakg/graph/data/facts/mct" in folder.graphs
    store = folder.open_store()
    assert len(store) > 1000
    with pytest.raises(RuntimeError, match="read-write"):  # a finished build is opened read-only
        store.add(next(iter(store)))
    empty = BuildFolder(built / "nothing")
    assert not empty.is_built()
    with pytest.raises(InputError, match="no build here"):
        empty.info()
    with pytest.raises(InputError, match="no built store here"):
        empty.open_store()


def test_two_builds_are_byte_identical(built):
    first = {n: (built / "build" / n).read_bytes() for n in ["graph.trig", "graph.ttl"]}
    assert cakg("build", "--out", "again", cwd=built).returncode == 0
    for name, data in first.items():
        assert (built / "again" / name).read_bytes() == data, name


def test_reasoning_and_derived_edges_are_materialised(built):
    g = rdflib.Dataset()
    g.parse(built / "build" / "graph.trig", format="trig")
    cakg_ns = rdflib.Namespace("https://w3id.org/cakg/ontology#")
    country = rdflib.Namespace("https://w3id.org/cakg/id/country/")
    org = rdflib.URIRef("https://w3id.org/cakg/id/org/huawei-marine")
    cable = rdflib.URIRef("https://w3id.org/cakg/id/infrastructure/mct-cable")
    inferred = g.graph(rdflib.URIRef("https://w3id.org/cakg/graph/inferred"))
    derived = g.graph(rdflib.URIRef("https://w3id.org/cakg/graph/derived"))
    assert (cable, rdflib.RDF.type, cakg_ns.InfrastructureLink) in inferred
    assert (org, cakg_ns.built, cable) in inferred  # inverse of builtBy
    assert (org, cakg_ns.cooperatesWith, country.khm) in derived
    assert (country.khm, cakg_ns.connectedTo, country.tha) in derived
    edge = next(derived.subjects(cakg_ns.edgeSource, country.khm))
    assert (edge, cakg_ns.derivedFrom, cable) in derived


def test_syntax_error_names_file_and_line_and_keeps_build(built):
    before = (built / "build" / "graph.trig").read_bytes()
    bad = built / "data" / "facts" / "broken.ttl"
    bad.write_text(PREFIXES + 'country:tha rdfs:label "Thailand"@en ;\n    rdfs:comment "unterminated .\n')
    result = cakg("build", cwd=built)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "data/facts/broken.ttl:" in lines[0]
    line_number = int(lines[0].split("broken.ttl:")[1].split(":")[0])
    assert line_number == PREFIXES.count("\n") + 2
    assert (built / "build" / "graph.trig").read_bytes() == before
    assert not any(p.name.startswith(".build.staging") for p in built.iterdir())


def test_invalid_data_fails_build_and_keeps_previous_build(built):
    before = (built / "build" / "graph.trig").read_bytes()
    (built / "data" / "facts" / "bad.ttl").write_text(PREFIXES + (
        '<https://w3id.org/cakg/id/agreement/x> a cakg:Agreement ; rdfs:label "X"@en , "X"@zh ;\n'
        '  cakg:evidence <https://w3id.org/cakg/id/evidence/x> .\n'
        '<https://w3id.org/cakg/id/evidence/x> cakg:quote "Thailand and China signed a treaty" ;\n'
        '  prov:wasQuotedFrom passage:wp2016-ii-v-3-p1 .\n'))
    result = cakg("build", cwd=built)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "agreement/x" in result.stderr and "at least one cakg:party" in result.stderr
    assert "does not occur verbatim" in result.stderr
    assert (built / "build" / "graph.trig").read_bytes() == before
    # The output was written aside while the validator ran; it is gone with the failure.
    assert not any(p.name.startswith(".build.staging") for p in built.iterdir())


def test_ontology_docs_are_copied_while_the_ontology_is_unchanged(built, monkeypatch):
    from cakg import ontology_docs
    from cakg.build import build, default_layout

    docs = built / "build" / "ontology"
    first = {p.name: p.read_bytes() for p in docs.iterdir()}
    rendered = []
    render = ontology_docs._render
    monkeypatch.setattr(ontology_docs, "_render", lambda *a: (rendered.append(a), render(*a)))
    build(default_layout(built), built / "build")
    assert rendered == []
    assert {p.name: p.read_bytes() for p in docs.iterdir()} == first

    with (built / "ontology" / "cakg.ttl").open("a", encoding="utf-8") as handle:
        handle.write('\ncakg:Agreement rdfs:comment "An added comment."@en .\n')
    build(default_layout(built), built / "build")
    assert len(rendered) == 1
    assert "An added comment." in (docs / "index.html").read_text(encoding="utf-8")
    assert (docs / ontology_docs.INPUTS_STAMP).read_bytes() != first[ontology_docs.INPUTS_STAMP]


def _validator_dies(*_args) -> None:
    import os

    os._exit(9)


def test_validator_process_that_dies_fails_build_and_keeps_previous_build(built, monkeypatch):
    from cakg import background_validation
    from cakg.build import build, default_layout
    from cakg.errors import CakgError

    before = (built / "build" / "graph.trig").read_bytes()
    monkeypatch.setattr(background_validation, "_check_forked", _validator_dies)
    with pytest.raises(CakgError, match="validation stopped: its process ended without a report"):
        build(default_layout(built), built / "build")
    assert (built / "build" / "graph.trig").read_bytes() == before
    assert not any(p.name.startswith((".build.staging", ".build.validation")) for p in built.iterdir())


def test_build_without_fork_validates_in_process_and_still_refuses_a_bad_graph(built, monkeypatch):
    import multiprocessing

    from cakg.build import build, default_layout
    from cakg.errors import ValidationFailed

    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    before = (built / "build" / "graph.trig").read_bytes()
    bad = built / "data" / "facts" / "bad.ttl"
    bad.write_text(PREFIXES + '<https://w3id.org/cakg/id/org/x> a cakg:Company ; rdfs:label "X"@en .\n')
    with pytest.raises(ValidationFailed) as failed:
        build(default_layout(built), built / "build")
    assert [v.shape for v in failed.value.report.violations] == ["ChineseLabelShape"]
    assert failed.value.report.violations[0].files == ["data/facts/bad.ttl"]
    assert (built / "build" / "graph.trig").read_bytes() == before
    bad.unlink()
    result = build(default_layout(built), built / "build")
    assert result.report.conforms and result.timings["validate"] > 0


def test_validate_reports_in_three_formats(built):
    (built / "data" / "facts" / "bad.ttl").write_text(PREFIXES + (
        '<https://w3id.org/cakg/id/org/x> a cakg:Company ; rdfs:label "X"@en .\n'))
    text = cakg("validate", cwd=built)
    assert text.returncode == 1 and "ChineseLabelShape (1)" in text.stdout
    as_json = cakg("validate", "--format", "json", cwd=built)
    report = json.loads(as_json.stdout)
    assert report["conforms"] is False and report["violations"][0]["focus"].endswith("org/x")
    turtle = cakg("validate", "--format", "turtle", cwd=built)
    g = rdflib.Graph().parse(data=turtle.stdout, format="turtle")
    assert (None, rdflib.RDF.type, rdflib.URIRef("http://www.w3.org/ns/shacl#ValidationResult")) in g
    (built / "data" / "facts" / "bad.ttl").unlink()
    assert cakg("validate", cwd=built).returncode == 0


def test_missing_folders_and_store_are_usage_errors(tmp_path):
    result = cakg("build", "--data", str(tmp_path / "nope"), cwd=tmp_path)
    assert result.returncode == 2 and "ontology folder not found" in result.stderr
    result = cakg("stats", "--store", str(tmp_path / "nope"), cwd=tmp_path)
    assert result.returncode == 2 and "no built store" in result.stderr
    assert "Traceback" not in result.stderr


def test_stats_counts_graphs_and_classes(built):
    result = cakg("stats", cwd=built)
    assert result.returncode == 0
    assert "https://w3id.org/cakg/graph/data/facts/mct" in result.stdout
    assert "cakg:SubmarineCable" in result.stdout


@pytest.mark.parametrize("fmt,parser", [("nt", "nt"), ("turtle", "turtle"), ("trig", "trig"),
                                        ("jsonld", "json-ld"), ("nq", "nquads")])
def test_export_reads_back_with_rdflib(built, fmt, parser):
    target = built / f"out.{fmt}"
    result = cakg("export", "--format", fmt, "--graphs", "file", "-o", str(target), cwd=built)
    assert result.returncode == 0, result.stderr
    reference = rdflib.Dataset()
    reference.parse(built / "build" / "graph.trig", format="trig")
    if fmt in ("nt", "turtle"):
        graph = rdflib.Graph().parse(target, format=parser)
        union = {(s, p, o) for s, p, o, _g in reference.quads((None, None, None, None))}
        assert len(graph) == len(union)
    else:
        dataset = rdflib.Dataset()
        dataset.parse(target, format=parser)
        assert len(list(dataset.quads((None, None, None, None)))) == len(list(reference.quads((None, None, None, None))))


def test_coverage_counts_facts_and_lists_uncited_paragraphs(built):
    result = cakg("coverage", "--doc", "wp2016", cwd=built)
    assert result.returncode == 0, result.stderr
    rows = {line.split()[1]: line.split() for line in result.stdout.splitlines() if line.startswith("wp2016 ")}
    assert rows["II.(I).3"][2:4] == ["1", "1/1"]  # one fact (the MCT cable) citing its only paragraph
    assert rows["II.(I).1"][2] == "0" and "wp2016-ii-i-1-p1" in rows["II.(I).1"][4]
    assert rows["I.(II)"][3] == "0/16"  # four paragraphs and twelve Table 1 data rows, header rows not counted


def test_trig_export_keeps_one_named_graph_per_source_document(built):
    result = cakg("export", "--format", "trig", "-o", "doc.trig", cwd=built)
    assert result.returncode == 0, result.stderr
    dataset = rdflib.Dataset()
    dataset.parse(built / "doc.trig", format="trig")
    names = {str(g.identifier).rsplit("/", 1)[-1] for g in dataset.graphs() if len(g)}
    assert {"wp2016", "sc2019", "entities", "sources", "ontology", "inferred", "derived", "facts"} <= names
    per_file = rdflib.Dataset()
    per_file.parse(built / "build" / "graph.trig", format="trig")
    assert {(s, p, o) for s, p, o, _ in dataset.quads()} == {(s, p, o) for s, p, o, _ in per_file.quads()}
    wp2016 = dataset.graph(rdflib.URIRef("https://w3id.org/cakg/graph/wp2016"))
    assert (rdflib.URIRef("https://w3id.org/cakg/id/passage/wp2016-ii-i-3-p1"), None, None) in wp2016


def test_a_damaged_build_info_makes_the_build_stale_and_a_one_line_error_for_readers(built):
    from cakg.build import is_stale

    out = built / "build"
    assert not is_stale(out)
    (out / "build-info.json").write_text("{not json", encoding="utf-8")
    assert is_stale(out)
    result = cakg("analyze", "centrality", "--save", str(built / "scores.ttl"), cwd=built)
    assert result.returncode == 2 and "build-info.json: not the JSON a build writes" in result.stderr
    assert "Traceback" not in result.stderr and not (built / "scores.ttl").exists()
