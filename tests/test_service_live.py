"""One real `cakg serve` process on a loopback port, used by real clients."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time

import httpx
import pytest
from SPARQLWrapper import JSON, TURTLE, SPARQLWrapper

from conftest import ROOT
from servers import free_port, stop

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def start_serve(real_build, *options: str) -> tuple[subprocess.Popen, str]:
    """A `cakg serve` of the real build on a free loopback port, once /health answers."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "cakg.cli", "serve", "--store", str(real_build), "--host", "127.0.0.1",
         "--port", str(port), "--queries", str(ROOT / "queries"), *options],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/health", timeout=1).status_code == 200:
                return process, base
        except httpx.HTTPError:
            time.sleep(0.1)
    stop(process)
    raise RuntimeError("cakg serve did not start: " + process.stderr.read())


def wait_for_workers(base: str, count: int, seconds: float = 60) -> dict:
    """/health once ``count`` workers run (replacements start in the background)."""
    deadline = time.monotonic() + seconds
    while True:
        health = httpx.get(base + "/health", timeout=5).json()
        if len(health["worker_pids"]) == count or time.monotonic() > deadline:
            return health
        time.sleep(0.1)


@pytest.fixture(scope="module")
def server(real_build):
    started = time.monotonic()
    process, base = start_serve(real_build, "--timeout", "3", "--workers", "2")
    yield {"base": base, "process": process, "startup": time.monotonic() - started}
    stop(process)


def test_sparqlwrapper_select_and_construct(server):
    sparql = SPARQLWrapper(server["base"] + "/sparql")
    sparql.setQuery("PREFIX cakg: <https://w3id.org/cakg/ontology#> "
                    "SELECT ?c WHERE { ?c a cakg:Country } ORDER BY ?c")
    sparql.setReturnFormat(JSON)
    rows = sparql.query().convert()["results"]["bindings"]
    assert {"https://w3id.org/cakg/id/country/khm", "https://w3id.org/cakg/id/country/chn"} <= {
        r["c"]["value"] for r in rows}
    sparql.setQuery("PREFIX cakg: <https://w3id.org/cakg/ontology#> "
                    "CONSTRUCT { ?l cakg:connects ?c } WHERE { ?l cakg:connects ?c }")
    sparql.setReturnFormat(TURTLE)
    turtle = sparql.query().convert()
    assert b"mct-cable" in turtle


def test_httpx_post_and_access_log(server):
    response = httpx.post(server["base"] + "/sparql", content=b"ASK { ?s ?p ?o }",
                          headers={"content-type": "application/sparql-query"})
    assert response.status_code == 200 and response.json()["boolean"] is True
    assert httpx.get(server["base"] + "/sparql", params={"query": "SELECT ?x WHERE {"}).status_code == 400


def test_runaway_query_is_stopped_and_others_are_answered(server):
    base = server["base"]
    before = httpx.get(base + "/health").json()
    outcome = {}

    def runaway() -> None:
        began = time.monotonic()
        response = httpx.get(base + "/sparql", params={"query": RUNAWAY}, timeout=60)
        outcome.update(status=response.status_code, seconds=time.monotonic() - began, text=response.text)

    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(0.5)
    small_start = time.monotonic()
    small = httpx.get(base + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=10)
    small_seconds = time.monotonic() - small_start
    thread.join(timeout=60)
    assert small.status_code == 200 and small_seconds < 2.0  # answered while the runaway ran
    assert outcome["status"] == 503 and "timeout" in outcome["text"]
    assert 2.5 < outcome["seconds"] < 8  # stopped at the 3 s deadline, not when it would have finished
    after = wait_for_workers(base, 2)  # the replacement starts in the background, after the answer
    assert after["killed_workers"] == before["killed_workers"] + 1
    killed = set(before["worker_pids"]) - set(after["worker_pids"])
    assert len(killed) == 1 and len(after["worker_pids"]) == 2
    pid = killed.pop()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # the worker that ran it is gone, so is its CPU use


def test_service_clause_makes_no_connection(server):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    listener.settimeout(1.5)
    port = listener.getsockname()[1]
    query = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}"
    try:
        for variant in [query, query.replace("SERVICE", "service"), query.replace("SERVICE", "SERVICE SILENT")]:
            response = httpx.get(server["base"] + "/sparql", params={"query": variant})
            assert response.status_code == 400
        with pytest.raises(socket.timeout):
            listener.accept()  # nobody connected
    finally:
        listener.close()


def test_startup_from_an_existing_build_is_quick(server):
    # Start-up reads build-info.json and opens the store: no parsing, no build.
    assert server["startup"] < 10
    log = server["process"]
    assert log.poll() is None


def test_in_memory_max_option_reaches_the_workers(real_build, server):
    # The module's server runs with the default limit, far above the real build's size.
    assert httpx.get(server["base"] + "/health", timeout=5).json()["store"] == "memory copy"
    process, base = start_serve(real_build, "--workers", "1", "--in-memory-max", "0", "--no-access-log")
    try:
        health = httpx.get(base + "/health", timeout=5).json()
        assert health["store"] == "disk"
        answer = httpx.get(base + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=10)
        assert answer.status_code == 200 and answer.json()["boolean"] is True
    finally:
        stop(process)
    assert "answering from the on-disk store" in process.stderr.read()
