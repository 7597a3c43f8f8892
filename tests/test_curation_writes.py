"""Concurrent and interrupted curation edits lose nothing: real processes, a shared lock, SIGKILL mid-write."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from curation_helpers import MOU_HTML, cakg, full_project, print_pdf, snapshot

QUOTE = "which shall meet once a year, alternately in Vientiane and Kunming"


@pytest.fixture(scope="module")
def mou_project(tmp_path_factory) -> Path:
    """A project with the memorandum added; each test copies it."""
    base = tmp_path_factory.mktemp("writes")
    pdf = print_pdf(MOU_HTML, base / "mou.pdf")
    project = full_project(base / "template")
    result = cakg(project, "add-source", str(pdf), "--code", "mou2021", "--title", "Memorandum", "--date", "2021-05-14")
    assert result.returncode == 0, result.stderr
    return project


@pytest.fixture
def project(mou_project, tmp_path) -> Path:
    import shutil

    shutil.copytree(mou_project, tmp_path / "project")
    return tmp_path / "project"


def add_fact_command(label: str) -> list[str]:
    return [sys.executable, "-m", "cakg.cli", "add-fact", "--doc", "mou2021", "--class", "Event",
            "--set", f"label={label}", "--set", "location=Vientiane", "--quote", QUOTE]


def test_concurrent_add_facts_all_land(project):
    labels = [f"Working group meeting {n}" for n in range(4)]
    processes = [subprocess.Popen(add_fact_command(label), cwd=project, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for label in labels]
    results = [(p.wait(timeout=300), p.stdout.read(), p.stderr.read()) for p in processes]
    assert [code for code, _, _ in results] == [0] * 4, results
    text = (project / "data" / "mou2021" / "article-3.ttl").read_text(encoding="utf-8")
    for label in labels:
        assert text.count(f'rdfs:label "{label}"@en') == 1
    assert not list((project / "data" / "mou2021").glob(".*.tmp"))
    assert cakg(project, "validate").returncode == 0


def test_a_killed_writer_leaves_the_old_or_the_new_file(tmp_path):
    """SIGKILL at random moments of a loop of atomic writes: the file is always one whole version."""
    target = tmp_path / "data" / "x.ttl"
    target.parent.mkdir()
    versions = [("# version %d\n" % n + "x" * 3_000_000 + "\n").encode() for n in range(2)]
    target.write_bytes(versions[0])
    script = textwrap.dedent(f"""
        from pathlib import Path
        from cakg.curation.files import atomic_write, data_lock
        versions = [("# version %d\\n" % n + "x" * 3_000_000 + "\\n").encode() for n in range(2)]
        n = 0
        while True:
            with data_lock(Path({str(target.parent)!r})):
                n += 1
                atomic_write(Path({str(target)!r}), versions[n % 2])
    """)
    rng = random.Random(7)
    for trial in range(12):
        writer = subprocess.Popen([sys.executable, "-c", script])
        time.sleep(0.3 + rng.random() * 0.5)
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait()
        assert target.read_bytes() in versions, f"trial {trial}: a torn file"
        # The kernel released the dead writer's lock: the next writer gets it at once.
        from cakg.curation.files import data_lock

        with data_lock(target.parent, timeout=2):
            pass


def test_a_killed_add_fact_leaves_data_whole(project):
    fact_file = project / "data" / "mou2021" / "article-3.ttl"
    rng = random.Random(11)
    for trial in range(6):
        before = snapshot(project / "data")
        old = fact_file.read_bytes() if fact_file.exists() else None
        process = subprocess.Popen(add_fact_command(f"Interrupted meeting {trial}"), cwd=project,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.4 + rng.random() * 1.6)
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        after = snapshot(project / "data")
        changed = {name for name in set(before) | set(after) if before.get(name) != after.get(name)}
        assert changed <= {"mou2021/article-3.ttl"}, changed
        if changed:  # the new version, whole: the old text with one block appended
            new = fact_file.read_bytes()
            assert old is None or new.startswith(old.rstrip(b"\n"))
            assert new.decode().count(f'"Interrupted meeting {trial}"@en') == 1
        assert cakg(project, "validate").returncode == 0
    # Nothing is stuck: the next edit goes through.
    final = subprocess.run(add_fact_command("Meeting after the interruptions"), cwd=project, capture_output=True,
                           text=True, timeout=300)
    assert final.returncode == 0, final.stderr
