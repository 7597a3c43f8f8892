"""A real cakg serve with a tiny --timeout: an analysis past the deadline is answered 503 and its worker is killed.

Analyses and network data run in the query workers like SPARQL, so the deadline that
stops a runaway query stops them the same way: the worker computing one is killed (its
CPU is free at once), a fresh one takes its place, and the service keeps answering.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import httpx
import pytest

from conftest import ROOT
from servers import serve_log, start_cakg_serve, stop


@pytest.fixture(scope="module")
def synthetic_build(tmp_path_factory):
    """A synthetic build big enough for its network data to take longer than the deadline below."""
    folder = tmp_path_factory.mktemp("deadline")
    subprocess.run([sys.executable, "-m", "cakg.cli", "synth", "--triples", "60000", "--out", str(folder)],
                   check=True, capture_output=True, cwd=ROOT)
    subprocess.run([sys.executable, "-m", "cakg.cli", "build", "--data", str(folder / "data"), "--out",
                    str(folder / "build")], check=True, capture_output=True, cwd=ROOT)
    return folder


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a killed child not yet reaped is a zombie: it holds no CPU
        return open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.parametrize("url", ["/network?network=actor-fact", "/analyses/centrality?network=actor-fact"])
def test_an_analysis_past_the_deadline_is_a_503_and_its_worker_is_killed(synthetic_build, url):
    process, base = start_cakg_serve(synthetic_build / "build", ROOT / "queries", "--timeout", "0.4", "--workers",
                                     "1", "--data", str(synthetic_build / "data"))
    try:
        before = httpx.get(base + "/health").json()
        [worker] = before["worker_pids"]
        started = time.monotonic()
        response = httpx.get(base + url, timeout=30)
        took = time.monotonic() - started
        assert response.status_code == 503, response.text[:300]
        assert "did not finish within the 0.4 s timeout" in response.text and took < 3
        deadline = time.monotonic() + 5
        while _alive(worker) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(worker)  # its CPU is free
        deadline = time.monotonic() + 30
        health = httpx.get(base + "/health").json()
        while health["worker_pids"] in ([], [worker]) and time.monotonic() < deadline:
            time.sleep(0.1)
            health = httpx.get(base + "/health").json()
        assert health["killed_workers"] == 1 and len(health["worker_pids"]) == 1 and worker not in health["worker_pids"]
        assert health["cached"]["analyses"] == health["cached"]["networks"] == 0  # nothing half-made is kept
        ask = httpx.get(base + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=10)
        assert ask.status_code == 200 and ask.json()["boolean"] is True
        assert "Traceback" not in serve_log(process)
    finally:
        stop(process)
