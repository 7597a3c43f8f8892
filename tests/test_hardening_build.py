"""Hostile files in data/, edits during a build, killed builds, and fingerprints that follow the inputs.

Every case runs the real ``cakg build`` (a subprocess) or the real build function on a
small project made of the real ontology and sources plus fixture data.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ACTORS, MCT, PREFIXES, expand, make_project
from servers import free_port

SECRET = "SECRETTOKEN-4f1c do not publish"


def cakg(*args: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cakg.cli", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout)


def snapshot(folder: Path) -> dict:
    """What identifies a build: its graph's bytes and what build-info.json says of its inputs and output
    (not where the inputs were or their times, which differ between copies of a project)."""
    info = json.loads((folder / "build-info.json").read_text(encoding="utf-8"))
    return {"graph.trig": (folder / "graph.trig").read_bytes(),
            "info": {k: info[k] for k in ("fingerprint", "triples", "graphs", "inferred", "rules")}}


def debris(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name.startswith(".build."))


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    root = make_project(tmp_path_factory.mktemp("base") / "project", {"entities/actors.ttl": ACTORS,
                                                                      "facts/mct.ttl": MCT})
    result = cakg("build", cwd=root)
    assert result.returncode == 0, result.stderr
    return root


@pytest.fixture
def project(base, tmp_path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(base, root, symlinks=True)
    return root


@pytest.fixture
def secret(tmp_path) -> Path:
    """A file outside the project that no build may publish or echo."""
    path = tmp_path / "outside" / "secret.txt"
    path.parent.mkdir()
    path.write_text(f"{SECRET} and more\n")
    return path


def refused(root: Path, *needles: str) -> str:
    """Build, expect exit 2 with one line naming the problem, the previous build and no debris kept."""
    before = snapshot(root / "build")
    result = cakg("build", cwd=root, timeout=60)
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    assert SECRET not in result.stderr and "SECRETTOKEN" not in result.stdout
    assert snapshot(root / "build") == before
    assert debris(root) == []
    return lines[0]


def describe_document(root: Path, source_file: str) -> None:
    with (root / "data" / "sources" / "sources.ttl").open("a", encoding="utf-8") as handle:
        handle.write(f'\n<https://w3id.org/cakg/id/doc/leak> a cakg:Document ; cakg:shortCode "leak" ;\n'
                     f'    rdfs:label "Leak"@en ; cakg:sourceFile "{source_file}" .\n')


# ---------------------------------------------------------------- 4. data files are confined

@pytest.mark.parametrize("how", ["absolute", "dotdot", "dotdot-inside"])
def test_a_source_file_outside_the_sources_folder_is_refused(project, secret, how):
    value = {"absolute": str(secret),
             "dotdot": os.path.relpath(secret, project / "data" / "sources"),
             "dotdot-inside": "../sources/caict-white-paper-2016.txt"}[how]
    describe_document(project, value)
    line = refused(project, "doc/leak", "cakg:sourceFile")
    assert "absolute path" in line or "without '..'" in line


def test_a_source_text_that_is_a_link_out_is_refused_unread(project, secret):
    (project / "data" / "sources" / "leak.txt").symlink_to(secret)
    describe_document(project, "leak.txt")
    refused(project, "data/sources/leak.txt", "symbolic link")


def test_a_data_file_that_is_a_link_is_not_parsed_and_its_content_not_echoed(project, secret):
    (project / "data" / "facts" / "leak.ttl").symlink_to(secret)
    refused(project, "data/facts/leak.ttl", "symbolic link")


def test_a_linked_folder_in_data_is_refused(project, secret):
    (secret.parent / "more.ttl").write_text(PREFIXES)
    (project / "data" / "more").symlink_to(secret.parent, target_is_directory=True)
    refused(project, "data/more", "symbolic link")


@pytest.mark.parametrize("where", ["data/facts/x.ttl", "data/sources/leak.txt"])
def test_a_fifo_does_not_hang_the_build(project, where):
    os.mkfifo(project / where)
    if where.endswith(".txt"):
        describe_document(project, "leak.txt")
    refused(project, where, "not a regular file")


@pytest.mark.parametrize("name", ["facts/x.jsonld", "facts/x.rdf", "x.nt", "facts/x.owl", "facts/x.xml",
                                  "facts/x.trig", "facts/x.TTL", "facts/x.ttl.gz"])
def test_files_of_other_rdf_syntaxes_are_reported(project, name):
    (project / "data" / name).write_text("{}\n")
    refused(project, f"data/{name}", "only Turtle")


def test_an_oversized_file_is_refused_before_it_is_read(project):
    with (project / "data" / "facts" / "huge.ttl").open("wb") as handle:
        handle.truncate(300 * 2**20)  # sparse: nothing is written to disk
    refused(project, "data/facts/huge.ttl", "256 MiB")


def test_passages_reads_sources_confined_too(project, secret):
    describe_document(project, str(secret))
    result = cakg("passages", cwd=project)
    assert result.returncode == 2 and "absolute path" in result.stderr and SECRET not in result.stdout


# ---------------------------------------------------------------- 7. an edit during a build

def test_an_edit_saved_during_a_build_leaves_it_stale(project):
    import contextlib

    from cakg.build import build, default_layout, is_stale

    layout = default_layout(project)
    edited = project / "data" / "facts" / "mct.ttl"

    @contextlib.contextmanager
    def edit_after_parse(name: str):
        if name == "reason":  # the inputs were read and parsed; the curator saves an edit now
            with edited.open("a", encoding="utf-8") as handle:
                handle.write('country:khm rdfs:comment "edited during the build"@en .\n')
        yield

    build(layout, project / "build", step=edit_after_parse)
    assert "edited during the build" not in (project / "build" / "graph.ttl").read_text(encoding="utf-8")
    assert is_stale(project / "build", layout)
    assert is_stale(project / "build")  # from the inputs the build recorded, as `cakg serve` checks
    build(layout, project / "build")
    assert "edited during the build" in (project / "build" / "graph.ttl").read_text(encoding="utf-8")
    assert not is_stale(project / "build", layout)


def test_the_fingerprint_is_that_of_the_bytes_parsed(project):
    from cakg.build import build, default_layout

    layout = default_layout(project)
    fingerprint = layout.fingerprint()
    build(layout, project / "build")
    assert json.loads((project / "build" / "build-info.json").read_text())["fingerprint"] == fingerprint


# ---------------------------------------------------------------- minor: same inputs by another path

def test_the_same_inputs_by_another_path_are_not_stale(project, tmp_path, monkeypatch):
    from cakg.build import Layout, build, default_layout, is_stale

    build(default_layout(project), project / "build")
    monkeypatch.chdir(project)
    assert not is_stale(project / "build", Layout(ontology_dir=Path("ontology"), data_dir=Path("data")))
    link = tmp_path / "link"
    link.symlink_to(project, target_is_directory=True)
    assert not is_stale(project / "build", Layout(ontology_dir=link / "ontology", data_dir=link / "data"))
    (project / "data" / "facts" / "mct.ttl").write_text(MCT.replace("2015", "2016"), encoding="utf-8")
    assert is_stale(project / "build", Layout(ontology_dir=Path("ontology"), data_dir=Path("data")))


def test_serve_with_relative_data_does_not_rebuild_a_fresh_build(project):
    result = cakg("build", "--data", str(project / "data"), "--ontology", str(project / "ontology"), cwd=project)
    assert result.returncode == 0, result.stderr
    process = subprocess.Popen([sys.executable, "-m", "cakg.cli", "serve", "--data", "data", "--ontology", "ontology",
                                "--port", str(free_port()), "--workers", "1", "--no-access-log"],
                               cwd=project, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    try:
        lines = []
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = process.stderr.readline()
            if not line:
                break
            lines.append(line)
            if "cakg serving" in line:
                break
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    assert any("cakg serving" in line for line in lines), lines
    assert not any("building" in line for line in lines), lines


# ---------------------------------------------------------------- 8. killed builds

def _proc_stat(pid: int) -> tuple[str, int] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text.rsplit(")", 1)[1].split()
    return fields[0], int(fields[1])


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            state = _proc_stat(int(entry.name))
            if state and state[1] == pid:
                found.append(int(entry.name))
    return found


def running(pid: int) -> bool:
    """Alive and not a zombie (an orphan's zombie is dead; PID 1 here may never reap it)."""
    state = _proc_stat(pid)
    return state is not None and state[0] not in ("Z", "X")


def complete(folder: Path) -> bool:
    return all((folder / name).exists() for name in
               ("store", "graph.trig", "graph.ttl", "build-info.json", "validation-report.txt", "ontology"))


@pytest.fixture(scope="module")
def expected(base, tmp_path_factory) -> dict[str, dict[str, bytes]]:
    """The old build of ``base`` and the build of its inputs with one more file, byte for byte."""
    root = tmp_path_factory.mktemp("expected") / "project"
    shutil.copytree(base, root, symlinks=True)
    (root / "data" / "facts" / "more.ttl").write_text(expand(MCT.replace("mct-cable", "mct-cable-again")),
                                                      encoding="utf-8")
    result = cakg("build", cwd=root)
    assert result.returncode == 0, result.stderr
    return {"old": snapshot(base / "build"), "new": snapshot(root / "build"),
            "more": {"more.ttl": (root / "data" / "facts" / "more.ttl").read_bytes()}}


def _kill_when(root: Path, process: subprocess.Popen, trigger: tuple) -> list[int]:
    """Wait for ``trigger`` (or the build's end), SIGKILL the build then; return its children at that moment."""
    kind, arg = trigger
    staging = root / f".build.staging-{process.pid}"
    old_inode = (root / "build").stat().st_ino
    started = time.monotonic()
    seen: set[int] = set()
    while process.poll() is None and time.monotonic() - started < 60:
        seen.update(children(process.pid))
        if kind == "after" and time.monotonic() - started >= arg:
            break
        if kind == "appears" and any(root.glob(arg.replace("{pid}", str(process.pid)))):
            break
        if kind == "staged" and (staging / arg).exists():
            break
        if kind == "swapped":
            try:
                if (root / "build").stat().st_ino != old_inode:
                    break
            except FileNotFoundError:
                break
        time.sleep(0.001)
    seen.update(children(process.pid))
    process.send_signal(signal.SIGKILL)
    process.wait()
    return sorted(seen)


MOMENTS = [("after", 0.1), ("after", 0.25), ("after", 0.4), ("after", 0.55), ("after", 0.7), ("appears", ".build.validation-{pid}.nq"),
           ("appears", ".build.staging-{pid}"), ("staged", "graph.ttl"), ("staged", "validation-report.txt"),
           ("staged", "build-info.json"), ("swapped", None)]


@pytest.mark.parametrize("trigger", MOMENTS, ids=[f"{k}-{a}" for k, a in MOMENTS])
def test_a_killed_build_leaves_a_complete_build_no_orphan_and_the_next_build_no_debris(project, expected, trigger):
    (project / "data" / "facts" / "more.ttl").write_bytes(expected["more"]["more.ttl"])
    process = subprocess.Popen([sys.executable, "-m", "cakg.cli", "build"], cwd=project,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    kids = _kill_when(project, process, trigger)
    deadline = time.monotonic() + 10
    while any(running(pid) for pid in kids) and time.monotonic() < deadline:
        time.sleep(0.05)
    orphans = [pid for pid in kids if running(pid)]
    for pid in orphans:  # do not leave them to the rest of the suite
        os.kill(pid, signal.SIGKILL)
    problems = []
    if orphans:
        problems.append(f"the validation process outlived the killed build: {orphans}")
    out = project / "build"
    if not out.exists():
        problems.append("build/ is gone")
    elif not complete(out):
        problems.append(f"build/ is incomplete: {sorted(p.name for p in out.iterdir())}")
    elif snapshot(out) not in (expected["old"], expected["new"]):
        problems.append("build/ is neither the old build nor the new one")
    result = cakg("build", cwd=project)
    if result.returncode != 0:
        problems.append(f"the next build failed: {result.stderr}")
    if debris(project):
        problems.append(f"the next build left debris: {debris(project)}")
    elif result.returncode == 0 and snapshot(out) != expected["new"]:
        problems.append("the next build is not the new build")
    assert problems == []


def test_debris_is_removed_only_when_its_build_is_gone(project):
    import fcntl

    from cakg.staging import remove_debris

    sleeper = subprocess.Popen(["sleep", "60"])
    gone = subprocess.Popen(["true"])
    gone.wait()
    try:
        live = project / f".build.staging-{sleeper.pid}"
        dead = project / f".build.staging-{gone.pid}"
        dead_scratch = project / f".build.validation-{gone.pid}.nq"
        held = project / f".build.staging-{gone.pid + 1_000_000}"  # a PID this namespace does not know, lock held
        for folder in (live, dead, held):
            folder.mkdir()
            (folder / "graph.trig").write_text("partial")
        dead_scratch.write_text("partial")
        lock = os.open(held, os.O_RDONLY)
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            removed = remove_debris(project / "build")
        finally:
            os.close(lock)
        assert sorted(p.name for p in removed) == sorted([dead.name, dead_scratch.name])
        assert live.exists() and held.exists() and not dead.exists() and not dead_scratch.exists()
    finally:
        sleeper.kill()
        sleeper.wait()


def test_debris_of_a_killed_build_whose_pid_this_build_reuses_is_removed(project):
    from cakg.build import build, default_layout

    (project / f".build.staging-{os.getpid()}").mkdir()  # as a killed build with this PID left them
    (project / f".build.validation-{os.getpid()}.nq").write_text("partial")
    build(default_layout(project), project / "build")
    assert debris(project) == [] and complete(project / "build")


def test_a_two_rename_swap_killed_between_its_renames_is_put_back(project):
    from cakg.staging import remove_debris

    gone = subprocess.Popen(["true"])
    gone.wait()
    before = snapshot(project / "build")
    (project / "build").rename(project / f".build.old-{gone.pid}")
    remove_debris(project / "build")
    assert snapshot(project / "build") == before and debris(project) == []


def test_two_builds_at_once_both_succeed(project, expected):
    (project / "data" / "facts" / "more.ttl").write_bytes(expected["more"]["more.ttl"])
    processes = [subprocess.Popen([sys.executable, "-m", "cakg.cli", "build"], cwd=project,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [(p.wait(timeout=300), p.stderr.read()) for p in processes]
    assert [code for code, _ in results] == [0, 0], results
    assert snapshot(project / "build") == expected["new"] and debris(project) == []
