"""`cakg synth` writes deterministic data that follows the ontology and passes the shapes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from cakg.build import Layout, build

from conftest import ROOT


def synth(out: Path, triples: int = 5000, seed: int = 3) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cakg.cli", "synth", "--triples", str(triples), "--out", str(out),
                           "--seed", str(seed)], capture_output=True, text=True, cwd=ROOT)


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_same_seed_same_bytes_other_seed_other_data(tmp_path):
    assert synth(tmp_path / "a").returncode == 0
    assert synth(tmp_path / "b").returncode == 0
    assert synth(tmp_path / "c", seed=4).returncode == 0
    assert files(tmp_path / "a" / "data") == files(tmp_path / "b" / "data")
    assert files(tmp_path / "a" / "data") != files(tmp_path / "c" / "data")


def test_synthetic_data_builds_validated_at_about_the_asked_size(tmp_path):
    assert synth(tmp_path / "s", triples=20_000).returncode == 0
    result = build(Layout(ROOT / "ontology", tmp_path / "s" / "data"), tmp_path / "s" / "build")
    assert result.report is not None and result.report.conforms
    ontology_triples = 6_500  # the ontology's own graphs come with every build
    assert 0.6 * 20_000 < result.triples - ontology_triples < 1.6 * 20_000
    assert result.derived["cooperates-with"] > 0 and result.derived["connected-to"] > 0


def test_too_small_or_occupied_folder_is_a_usage_error(tmp_path):
    result = synth(tmp_path / "x", triples=10)
    assert result.returncode == 2 and "at least 1000" in result.stderr
    (tmp_path / "occupied").mkdir()
    (tmp_path / "occupied" / "notes.txt").write_text("mine")
    result = synth(tmp_path / "occupied")
    assert result.returncode == 2 and "not a synthetic project" in result.stderr
