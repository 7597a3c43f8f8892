"""Errors on the command line: one line naming the path or query, the documented exit code, never a traceback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT


def cakg(*args: str, cwd: Path = ROOT, env: dict | None = None) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "cakg.cli", *args], cwd=cwd, capture_output=True, text=True,
                            timeout=300, env=env)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def one_line(result: subprocess.CompletedProcess) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.fixture
def read_only_folder(tmp_path):
    """A folder nobody may write into: a read-only tmpfs as root (root ignores permissions), mode 555 otherwise."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    if os.geteuid() != 0:
        folder.chmod(0o555)
        yield folder
        folder.chmod(0o755)
        return
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(folder)],
                             capture_output=True, text=True)
    assert mounted.returncode == 0, f"cannot make a read-only folder for the test: {mounted.stderr}"
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def test_export_into_a_missing_folder(real_build):
    result = cakg("export", "--store", str(real_build), "--format", "nt", "-o", "/nonexistent/x.nt")
    assert result.returncode == 2
    assert "/nonexistent/x.nt" in one_line(result) and "does not exist" in one_line(result)
    assert not Path("/nonexistent").exists()


def test_export_into_a_read_only_folder(real_build, read_only_folder):
    target = read_only_folder / "x.nt"
    result = cakg("export", "--store", str(real_build), "--format", "nt", "-o", str(target))
    assert result.returncode == 2 and str(target) in one_line(result)


def test_figures_into_a_missing_folder_create_nothing(real_build):
    result = cakg("viz", "--store", str(real_build), "--png", "/nonexistent/x.png")
    assert result.returncode == 2 and "/nonexistent/x.png" in one_line(result)
    assert not Path("/nonexistent").exists()  # not created on the way, even as root


def test_figures_and_page_into_a_read_only_folder(real_build, read_only_folder):
    for option, name in (("--png", "x.png"), ("--svg", "x.svg"), ("--out", "x.html")):
        result = cakg("viz", "--store", str(real_build), option, str(read_only_folder / name))
        assert result.returncode == 2 and name in one_line(result), option


def test_build_into_a_read_only_folder_keeps_nothing_half_written(read_only_folder):
    result = cakg("build", "--out", str(read_only_folder / "build"))
    assert result.returncode == 2
    assert str(read_only_folder / "build") in one_line(result)
    assert list(read_only_folder.iterdir()) == []


def test_build_into_a_missing_folder():
    result = cakg("build", "--out", "/nonexistent/deeper/build")
    assert result.returncode == 2 and "/nonexistent/deeper" in one_line(result)


def test_an_engine_error_is_not_a_usage_error(real_build):
    result = cakg("query", "--store", str(real_build), "-e",
                  "SELECT ?x WHERE { BIND(<http://example.org/name>(1) AS ?x) }")
    assert result.returncode == 4
    assert "query -e" in one_line(result) and "http://example.org/name" in one_line(result)


def test_a_syntax_error_is_a_usage_error(real_build):
    result = cakg("query", "--store", str(real_build), "-e", "SELECT ?x WHERE { ?x ")
    assert result.returncode == 2 and "syntax error" in one_line(result)


def test_a_taken_port_is_a_usage_error_before_any_work(real_build):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = cakg("serve", "--store", str(real_build), "--port", str(port))
    assert result.returncode == 2 and f"127.0.0.1:{port}" in one_line(result)


def test_a_bug_is_one_line_with_its_own_code_and_the_traceback_on_request(real_build, tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    # An unexpected exception inside a command, injected the way a bug would surface.
    (site / "sitecustomize.py").write_text(
        "import cakg.stats\n"
        "def _boom(*args, **kwargs):\n"
        "    raise ZeroDivisionError('division by zero')\n"
        "cakg.stats.statistics = _boom\n", encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(site))
    result = cakg("stats", "--store", str(real_build), env=env)
    assert result.returncode == 5
    assert one_line(result).startswith("cakg: internal error: ZeroDivisionError")
    debug = subprocess.run([sys.executable, "-m", "cakg.cli", "stats", "--store", str(real_build)], cwd=ROOT,
                           capture_output=True, text=True, env=dict(env, CAKG_DEBUG="1"), timeout=120)
    assert debug.returncode == 5 and "Traceback" in debug.stderr
