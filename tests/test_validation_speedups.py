"""Validation's speed-ups change nothing but time: the report equals that of pySHACL in a process cakg never touched.

The baseline runs ``tests/plain_shacl.py`` in a subprocess that imports only rdflib
and pySHACL, on the whole graph in rdflib's own memory store with shapes parsed by
rdflib. cakg's report is taken both ways: plain pySHACL on its narrowed compact
copy (the default below the threshold) and with the speed-ups forced on (in a
process forked for the validation, as the build runs it).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from pyoxigraph import RdfFormat, serialize

from cakg.build import Layout, assemble
from cakg.validate import load_shapes, validate

from conftest import PREFIXES, ROOT, expand
from plain_shacl import summary
from test_shapes import CASES

BASELINE = Path(__file__).with_name("plain_shacl.py")


def baseline(store, shapes_dir: Path, work: Path) -> dict:
    """Plain pySHACL's verdict on every triple of ``store``, computed in a process without cakg."""
    data = work / "union.nt"
    with data.open("wb") as handle:
        serialize((q.triple for q in store), handle, format=RdfFormat.N_TRIPLES)
    out = work / "baseline.json"
    done = subprocess.run([sys.executable, str(BASELINE), str(data), str(shapes_dir), str(out)],
                          capture_output=True, text=True, cwd=work)
    assert done.returncode == 0, done.stderr
    return json.loads(out.read_text(encoding="utf-8"))


def assert_same_reports(layout: Layout, work: Path) -> dict:
    store, _counts = assemble(layout)
    shapes = load_shapes(layout.shapes_dir)
    plain = validate(store, shapes, speedups=False)
    sped_up = validate(store, shapes, speedups=True)
    expected = baseline(store, layout.shapes_dir, work)
    for report in (plain, sped_up):
        assert report.conforms == expected["conforms"]
        assert summary(report.results_graph, shapes) == expected["results"]
    assert sped_up.violations == plain.violations  # the files behind each result too
    return expected


def broken_facts() -> str:
    """Every broken fixture of test_shapes in one file: data that breaks each rule of the shapes."""
    return expand(PREFIXES + "\n".join(text for text, _node, _message in CASES.values()))


def test_real_data_same_report_plain_and_sped_up(tmp_path):
    expected = assert_same_reports(Layout(ROOT / "ontology", ROOT / "data"), tmp_path)
    assert expected["conforms"] and expected["results"] == []


def test_synthetic_10k_with_broken_facts_same_report_plain_and_sped_up(tmp_path):
    made = subprocess.run([sys.executable, "-m", "cakg.cli", "synth", "--triples", "10000", "--out",
                           str(tmp_path / "synth")], capture_output=True, text=True, cwd=ROOT)
    assert made.returncode == 0, made.stderr
    data = tmp_path / "synth" / "data"
    (data / "broken.ttl").write_text(broken_facts(), encoding="utf-8")
    expected = assert_same_reports(Layout(ROOT / "ontology", data), tmp_path)
    assert not expected["conforms"]
    components = {result[4].rsplit("#", 1)[-1] for result in expected["results"]}
    # Core, property-pair-free and SHACL-SPARQL constraints all reported.
    assert {"MinCountConstraintComponent", "SPARQLConstraintComponent"} <= components
    assert len(expected["results"]) >= 20


def test_importing_and_validating_leave_pyshacl_and_rdflib_as_they_were(project):
    """No import-time change; plain validation changes nothing; the speed-ups refuse this process
    and, used through validate(), apply only in the process forked for them."""
    script = textwrap.dedent("""
        import rdflib.plugins.sparql as sparql
        from rdflib.plugins.sparql import processor
        from pyshacl.constraints.constraint_component import ConstraintComponent
        from pyshacl.constraints.core.logical_constraints import OrConstraintComponent
        from pyshacl.constraints.core.shape_based_constraints import (PropertyConstraintComponent,
            QualifiedValueShapeConstraintComponent)
        from pyshacl.constraints.sparql.sparql_based_constraints import SPARQLBasedConstraint

        def state():
            return (sparql.SPARQL_LOAD_GRAPHS, processor.parseQuery, processor.translateQuery,
                    ConstraintComponent.make_v_result, OrConstraintComponent._evaluate_or_constraint,
                    PropertyConstraintComponent._evaluate_property_shape,
                    QualifiedValueShapeConstraintComponent._evaluate_value_shape,
                    SPARQLBasedConstraint._evaluate_sparql_constraint)

        before = state()
        import cakg.cli, cakg.build, cakg.validate, cakg.validation_speedups, cakg.background_validation
        assert state() == before, "importing cakg changed pySHACL or rdflib"
        from pathlib import Path
        from cakg.build import assemble, default_layout
        from cakg.validate import load_shapes, validate
        layout = default_layout(Path(PROJECT))
        store, _ = assemble(layout)
        shapes = load_shapes(layout.shapes_dir)
        assert validate(store, shapes, speedups=False).conforms
        assert state() == before, "plain validation changed pySHACL or rdflib"
        assert validate(store, shapes, speedups=True).conforms
        assert state() == before, "sped-up validation changed pySHACL or rdflib in the caller"
        try:
            with cakg.validation_speedups.applied({}):
                raise SystemExit("the speed-ups applied in a process not dedicated to validation")
        except RuntimeError:
            pass
        assert state() == before
        print("unchanged")
        """).replace("PROJECT", repr(str(project())))
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0 and done.stdout.strip() == "unchanged", done.stderr


def test_the_threshold_decides_when_unforced(monkeypatch, project):
    from cakg import validation_speedups

    assert not validation_speedups.wanted(validation_speedups.THRESHOLD_TRIPLES)
    assert validation_speedups.wanted(validation_speedups.THRESHOLD_TRIPLES + 1)
    root = project()
    layout = Layout(root / "ontology", root / "data")
    store, _counts = assemble(layout)
    shapes = load_shapes(layout.shapes_dir)
    chosen = []
    monkeypatch.setattr(validation_speedups, "THRESHOLD_TRIPLES", len(store) - 1)
    from cakg import background_validation

    original = background_validation.BackgroundValidation.__init__

    def recording(self, shapes, speedups=None):
        chosen.append(speedups)
        original(self, shapes, speedups)

    monkeypatch.setattr(background_validation.BackgroundValidation, "__init__", recording)
    assert validate(store, shapes).conforms
    monkeypatch.setattr(validation_speedups, "THRESHOLD_TRIPLES", len(store))
    assert validate(store, shapes).conforms
    assert chosen == [True]  # above the threshold through the forked process, at it in this one


@pytest.mark.parametrize("query", ["SELECT $this FROM <http://example.org/g> WHERE { $this ?p ?o }",
                                   "SELECT $this FROM NAMED <http://example.org/g> WHERE { $this ?p ?o }",
                                   "SELECT $this WHERE { SERVICE <http://example.org/sparql> { $this ?p ?o } }",
                                   "ASK { { SELECT * WHERE { SERVICE SILENT <file:///etc/> { $this ?p ?o } } } }"])
def test_a_shape_whose_sparql_names_a_dataset_or_service_is_refused(project, query):
    root = project()
    form = "sh:ask" if query.startswith("ASK") else "sh:select"
    (root / "ontology" / "shapes" / "fetching.ttl").write_text(textwrap.dedent(f"""\
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        <https://example.org/FetchingShape> a sh:NodeShape ;
            sh:targetNode <https://example.org/x> ;
            sh:sparql [ {form} \"\"\"{query}\"\"\" ] .
        """), encoding="utf-8")
    for command in (["validate"], ["build", "--out", "out"]):
        result = subprocess.run([sys.executable, "-m", "cakg.cli", *command], capture_output=True, text=True, cwd=root)
        assert result.returncode == 2, result.stderr
        assert "FetchingShape" in result.stderr and "shapes may read only the graph being validated" in result.stderr
        assert "Traceback" not in result.stderr
    assert not (root / "out").exists()
