"""A killed `cakg push` leaves temporary graphs; the next push removes them, and only those of ended pushes.

A real Oxigraph server (the ``oxigraph`` PyPI package) and a real ``cakg push``
subprocess, SIGKILLed while its temporary graph is on the server.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest

from cakg.export import select_quads
from cakg.push import TEMPORARY_PREFIX, PushTarget, push

from servers import oxigraph_server

LEFTOVERS = ("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
             f'FILTER(STRSTARTS(STR(?g), "{TEMPORARY_PREFIX}") || CONTAINS(STR(?g), "--cakg-push-")) }}')


@pytest.fixture
def oxigraph(tmp_path):
    with oxigraph_server(tmp_path / "oxigraph") as urls:
        yield urls


def select(urls, query: str) -> list[dict]:
    response = httpx.post(urls["query"], data={"query": query},
                          headers={"Accept": "application/sparql-results+json"}, timeout=30)
    response.raise_for_status()
    return response.json()["results"]["bindings"]


def leftovers(urls) -> list[str]:
    return sorted(row["g"]["value"] for row in select(urls, LEFTOVERS))


def quads_in_named_graphs(urls) -> int:
    return int(select(urls, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")[0]["n"]["value"])


def cakg_push(build, urls, *extra: str) -> list[str]:
    return [sys.executable, "-m", "cakg.cli", "push", "--from", str(build), "--update", urls["update"],
            "--endpoint", urls["query"], *extra]


def _own(graphs, pid: int) -> list[str]:
    return [g for g in graphs if f"/{pid}/" in g]


def kill_mid_push(build, urls) -> list[str]:
    """Start a push and SIGKILL it while one of its temporary graphs is on the server; the graphs it left.

    A graph is filled and moved within milliseconds, so the kill can land between two
    graphs; then another push is started and killed, up to ten times.
    """
    for _attempt in range(10):
        process = subprocess.Popen(cakg_push(build, urls), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        try:
            while process.poll() is None and time.monotonic() < deadline:
                if _own(leftovers(urls), process.pid):
                    break
                time.sleep(0.005)
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait()
        time.sleep(1.0)  # a request sent just before the kill (a MOVE) may still be running on the server
        left = _own(leftovers(urls), process.pid)
        if left:
            return left
    raise AssertionError("no push was killed while its temporary graph was on the server")


def test_a_killed_push_leaves_temporary_graphs_that_the_next_push_removes(oxigraph, real_build, real_store):
    expected = len(select_quads(real_store, by_document=False))
    first = kill_mid_push(real_build, oxigraph)  # a SIGKILLed push leaves its temporary graph behind
    second = kill_mid_push(real_build, oxigraph)
    assert set(leftovers(oxigraph)) == set(second)  # the second push removed what the first left

    result = subprocess.run(cakg_push(real_build, oxigraph), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert f"removed {len(second)} temporary graph(s)" in result.stdout
    assert leftovers(oxigraph) == [] and first and second
    assert quads_in_named_graphs(oxigraph) == expected  # no triple twice in the union default graph


def test_only_the_temporary_graphs_of_ended_pushes_are_removed(oxigraph, real_store):
    gone = subprocess.Popen(["true"])
    gone.wait()
    here = socket.gethostname()
    now = dt.datetime.now(dt.timezone.utc)
    recent = now.strftime("%Y%m%dT%H%M%SZ")
    old = (now - dt.timedelta(days=2)).strftime("%Y%m%dT%H%M%SZ")
    names = {
        "running here": f"{TEMPORARY_PREFIX}{recent}/{here}/{os.getpid()}/aaaa/0",
        "killed here": f"{TEMPORARY_PREFIX}{recent}/{here}/{gone.pid}/bbbb/0",
        "running elsewhere": f"{TEMPORARY_PREFIX}{recent}/another-machine/{gone.pid}/cccc/0",
        "ended elsewhere": f"{TEMPORARY_PREFIX}{old}/another-machine/1234/dddd/0",
        "earlier version": "https://w3id.org/cakg/graph/data/x--cakg-push-0123456789ab",
        "not a push's name": f"{TEMPORARY_PREFIX}something-else",
    }
    inserts = " ".join(f"GRAPH <{g}> {{ <urn:s> <urn:p> <urn:o> }}" for g in names.values())
    httpx.post(oxigraph["update"], content=f"INSERT DATA {{ {inserts} }}".encode(),
               headers={"Content-Type": "application/sparql-update"}, timeout=30).raise_for_status()
    quads = [q for q in select_quads(real_store, by_document=False)
             if q.graph_name.value.endswith("/data/sources/sources")]
    pushed = push(quads, PushTarget(update_url=oxigraph["update"], query_url=oxigraph["query"]))
    kept = {names["running here"], names["running elsewhere"]}
    assert sorted(pushed.removed) == sorted(set(names.values()) - kept)
    assert set(leftovers(oxigraph)) == kept


def test_a_push_that_cannot_list_temporary_graphs_asks_for_the_query_endpoint(oxigraph, real_build):
    result = subprocess.run([sys.executable, "-m", "cakg.cli", "push", "--from", str(real_build),
                             "--update", oxigraph["update"]], capture_output=True, text=True, timeout=120)
    assert result.returncode == 3 and "--endpoint QUERY_URL" in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert quads_in_named_graphs(oxigraph) == 0  # refused before anything was written


def test_store_alone_with_an_endpoint_removes_leftovers_by_graph_store_delete(oxigraph, real_store):
    gone = subprocess.Popen(["true"])
    gone.wait()
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    graph = f"{TEMPORARY_PREFIX}{stamp}/{socket.gethostname()}/{gone.pid}/eeee/0"
    httpx.post(oxigraph["update"], content=f"INSERT DATA {{ GRAPH <{graph}> {{ <urn:s> <urn:p> 1 }} }}".encode(),
               headers={"Content-Type": "application/sparql-update"}, timeout=30).raise_for_status()
    quads = select_quads(real_store, by_document=False)[:50]
    pushed = push(quads, PushTarget(store_url=oxigraph["store"], query_url=oxigraph["query"]))
    assert pushed.removed == [graph] and leftovers(oxigraph) == []
