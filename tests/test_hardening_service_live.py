"""Hostile clients and unlucky operators against a real `cakg serve` on a loopback port.

Each test drives the service only through real sockets and real signals: pathological
queries while /health is timed, a rebuild of the served folder, workers crashed and
killed while other clients go on, a saturated pool, oversized answers, slow clients,
methods and headers.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from cakg.build import build, default_layout

from conftest import ROOT
from servers import serve_log, start_cakg_serve, stop

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
COUNTRIES = ("PREFIX cakg: <https://w3id.org/cakg/ontology#> "
             "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a cakg:Country }")
QUERIES = ROOT / "queries"


def post(base: str, query: str, timeout: float = 60, **headers) -> httpx.Response:
    return httpx.post(base + "/sparql", content=query.encode("utf-8"), timeout=timeout,
                      headers={"content-type": "application/sparql-query", **headers})


def count(base: str, query: str = COUNTRIES) -> int:
    response = post(base, query)
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def worker_pids(base: str, workers: int, seconds: float = 60) -> list[int]:
    """The worker PIDs once ``workers`` run (replacements start in the background)."""
    deadline = time.monotonic() + seconds
    while True:
        pids = httpx.get(base + "/health", timeout=5).json()["worker_pids"]
        if len(pids) == workers or time.monotonic() > deadline:
            return pids
        time.sleep(0.1)


def cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def busiest(server: str, workers: int = 2, seconds: float = 30) -> int:
    """The worker evaluating the runaway query: the one that clearly dominates the CPU.

    On a loaded machine a worker that has just started (imports, its memory copy) also
    uses the CPU for a while, so one sample can pick it; sample until one worker takes
    at least three times the others' share.
    """
    deadline = time.monotonic() + seconds
    while True:
        pids = worker_pids(server, workers)
        try:
            before = {pid: cpu_ticks(pid) for pid in pids}
            time.sleep(0.5)
            used = sorted(((cpu_ticks(pid) - before[pid], pid) for pid in pids), reverse=True)
        except FileNotFoundError:  # a worker ended while sampled: ask again
            continue
        top, rest = used[0], [u for u, _ in used[1:]]
        if top[0] >= 10 and all(top[0] >= 3 * u for u in rest):  # 10 ticks: 0.1 s of CPU
            return top[1]
        assert time.monotonic() < deadline, f"no worker clearly busy: {used}"


@pytest.fixture(scope="module")
def server(real_build):
    process, base = start_cakg_serve(real_build, QUERIES, "--timeout", "5", "--workers", "2")
    yield base
    stop(process)
    assert "Traceback" not in serve_log(process), serve_log(process)


# ------------------------------------------------------------------ 2. nothing heavy on the event loop

def test_health_answers_within_a_second_while_hostile_queries_run(server):
    hostile = ["<a" * 100_000,  # quadratic for the old query_form: /health stalled 52 s
               "<a" * 490_000,
               "(" * 999_000,
               "SELECT * WHERE { " + "?s <http://a/b> 'x' . " * 44_000 + "}",
               "ASK { FILTER(" + "1<2 && " * 120_000 + "true) }",
               "ASK { " + "'a' " * 240_000 + "}",
               "#" + "x" * 999_000]
    answers: list[int] = []

    def send(query: str) -> None:
        answers.append(post(server, query, timeout=120).status_code)

    def page() -> None:  # every triple as an HTML table with labels: rendered off the loop
        answers.append(httpx.get(server + "/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }", "format": "html"},
                                 timeout=120).status_code)

    threads = [threading.Thread(target=send, args=(q,)) for q in hostile] + [threading.Thread(target=page)]
    for thread in threads:
        thread.start()
    slowest = 0.0
    while any(t.is_alive() for t in threads):
        began = time.monotonic()
        assert httpx.get(server + "/health", timeout=30).status_code == 200
        slowest = max(slowest, time.monotonic() - began)
        time.sleep(0.05)
    for thread in threads:
        thread.join()
    # A responsiveness bound, generous for a loaded 2-core machine; before, 52 s.
    assert slowest < 1.0, slowest
    assert len(answers) == len(hostile) + 1 and all(status < 500 or status == 503 for status in answers), answers


# ------------------------------------------------------------------ 3. a crash costs only its own query

def test_crashed_and_killed_workers_cost_only_their_own_query(server):
    """Workers die by SIGSEGV and SIGKILL, busy and idle, while another client keeps asking."""
    statuses: list[int] = []
    done = threading.Event()
    # Held by the client for each request, and by the test while it kills the idle worker: a worker
    # answering the client's ASK at that instant is not idle, and its death would be that query's own.
    in_flight = threading.Lock()

    def innocent_client() -> None:
        while not done.is_set():
            with in_flight:
                response = post(server, "ASK { ?s ?p ?o }", timeout=30)
            # A 503 with Retry-After says the service is saturated (here: while one worker runs a
            # runaway and the other is being replaced on a loaded machine) - allowed; a 500, or
            # a 503 for a worker that died under this request, is not.
            saturated = response.status_code == 503 and "Retry-After" in response.headers
            statuses.append(200 if saturated else (response.status_code, response.text[:200]) if response.status_code != 200 else 200)
            time.sleep(0.05)

    def runaway_killed_by(sig: signal.Signals) -> httpx.Response:
        answer: list[httpx.Response] = []
        thread = threading.Thread(target=lambda: answer.append(post(server, RUNAWAY, timeout=30)))
        thread.start()
        time.sleep(0.5)
        os.kill(busiest(server), sig)
        thread.join()
        return answer[0]

    client = threading.Thread(target=innocent_client)
    client.start()
    try:
        crashed = runaway_killed_by(signal.SIGSEGV)  # as the engine's stack overflow does
        killed = runaway_killed_by(signal.SIGKILL)  # as the kernel's OOM killer does
        with in_flight:
            idle = worker_pids(server, 2)
            os.kill(idle[0], signal.SIGKILL)
            time.sleep(0.3)
        after = [post(server, "ASK { ?s ?p ?o }").status_code for _ in range(6)]
    finally:
        done.set()
        client.join()
    assert crashed.status_code == 400 and "crashed on it (SIGSEGV)" in crashed.text
    assert killed.status_code == 503 and "stopped while evaluating" in killed.text
    assert after == [200] * 6
    assert statuses and set(statuses) == {200}, statuses  # the other client never saw an error (503 saturated aside)
    health = httpx.get(server + "/health").json()
    assert health["crashed_workers"] >= 3 and len(worker_pids(server, 2)) == 2


def test_deep_nesting_is_a_400_and_harms_nobody(server):
    for query in ["SELECT * WHERE " + "{" * 50_000 + "}" * 50_000,
                  "ASK { FILTER(" + "!" * 50_000 + "true) }",
                  "ASK { " + "OPTIONAL { " * 20_000 + "}" * 20_000 + " }"]:
        response = post(server, query)
        assert response.status_code == 400 and "nested too deeply" in response.text
        assert post(server, "ASK {}").status_code == 200


# ------------------------------------------------------------------ 9. one deadline, bounded answers

def test_a_saturated_service_answers_503_with_retry_after(real_build):
    process, base = start_cakg_serve(real_build, QUERIES, "--timeout", "2", "--workers", "1")
    try:
        runaway = threading.Thread(target=post, args=(base, RUNAWAY))
        runaway.start()
        time.sleep(0.3)
        began = time.monotonic()
        waited = post(base, "ASK {}")
        seconds = time.monotonic() - began
        runaway.join()
        assert waited.status_code == 503 and waited.headers["retry-after"] == "2"
        assert "busy" in waited.text and seconds < 3.5  # within the 2 s deadline, not after the runaway's
        assert post(base, "ASK {}").status_code == 200  # once a worker is free again
    finally:
        stop(process)


def test_answers_are_bounded_in_bytes(real_build):
    process, base = start_cakg_serve(real_build, QUERIES, "--timeout", "20", "--workers", "1",
                                     "--max-bytes", "2000000")
    try:
        long_value = "x" * 900_000  # the 900 MB answer: 1000 rows of a 900 KB string
        big = f'SELECT ?b WHERE {{ ?s ?p ?o BIND("{long_value}" AS ?b) }} LIMIT 1000'
        began = time.monotonic()
        response = post(base, big)
        assert response.status_code == 400 and "larger than 2000000 bytes" in response.text
        assert time.monotonic() - began < 10
        graph = post(base, f'CONSTRUCT {{ ?s <http://x/p> "{long_value}" }} WHERE {{ ?s ?p ?o }} LIMIT 1000',
                     accept="text/turtle")
        assert graph.status_code == 400 and "larger than 2000000 bytes" in graph.text
        fits = post(base, f'SELECT ?b WHERE {{ ?s ?p ?o BIND("{long_value}" AS ?b) }} LIMIT 2')
        assert fits.status_code == 200 and len(fits.content) > 1_800_000
        pid = httpx.get(base + "/health").json()["worker_pids"][0]
        peak = int(next(line.split()[1] for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                        if line.startswith("VmHWM")))
        assert peak < 1_000_000  # kB: the worker never held anything near 900 MB
    finally:
        stop(process)


# ------------------------------------------------------------------ 6. a rebuild under a running service

@pytest.mark.parametrize("in_memory_max", ["2000000", "0"])
def test_a_rebuild_under_a_running_service_changes_none_of_its_answers(real_build, project, tmp_path,
                                                                       in_memory_max):
    served = tmp_path / "build"
    shutil.copytree(real_build, served)
    process, base = start_cakg_serve(served, QUERIES, "--timeout", "2", "--workers", "2",
                                     "--in-memory-max", in_memory_max)
    try:
        before = httpx.get(base + "/health").json()
        countries = count(base)
        build(default_layout(project()), served)  # three countries; replaces served/ whole
        rebuilt = __import__("json").loads((served / "build-info.json").read_text())
        assert rebuilt["fingerprint"] != before["fingerprint"]
        for _ in range(2):  # replace both workers: each new one opens the store again
            assert post(base, RUNAWAY).status_code == 503
            worker_pids(base, 2)
        answers = [count(base) for _ in range(30)]
        health = httpx.get(base + "/health").json()
    finally:
        stop(process)
    assert countries > 3 and answers == [countries] * 30  # all from the build the service started with
    assert health["fingerprint"] == before["fingerprint"] and health["killed_workers"] == 2
    assert set(health["worker_pids"]).isdisjoint(before["worker_pids"])
    assert not list(tmp_path.glob(".build.serving-*"))  # the snapshot went with the service


def test_a_killed_service_leaves_its_snapshot_for_the_next_one_to_remove(real_build, tmp_path):
    served = tmp_path / "build"
    shutil.copytree(real_build, served)
    process, base = start_cakg_serve(served, QUERIES, "--workers", "1")
    left = list(tmp_path.glob(".build.serving-*"))
    process.kill()
    process.wait()
    assert len(left) == 1 and left[0].exists()
    process, base = start_cakg_serve(served, QUERIES, "--workers", "1")
    try:
        assert not left[0].exists() and len(list(tmp_path.glob(".build.serving-*"))) == 1
        assert count(base) > 3
    finally:
        stop(process)
    assert not list(tmp_path.glob(".build.serving-*"))


def test_a_service_that_cannot_start_says_why_in_one_line(real_build, tmp_path):
    served = tmp_path / "build"
    shutil.copytree(real_build, served)
    for entry in (served / "store").iterdir():
        entry.unlink()  # a store folder emptied under the build
    result = subprocess.run([sys.executable, "-m", "cakg.cli", "serve", "--store", str(served), "--port", "0",
                             "--queries", str(QUERIES)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    reason = [line for line in result.stderr.splitlines() if "cannot start" in line]
    assert len(reason) == 1 and str(served) in reason[0] and "/proc/" not in reason[0]
    assert "Traceback" not in result.stderr
    assert not list(tmp_path.glob(".build.serving-*"))


# ------------------------------------------------------------------ methods, headers, slow clients

def test_head_answers_like_get_without_a_body(server):
    query = {"query": "ASK { ?s ?p ?o }"}
    get = httpx.get(server + "/sparql", params=query)
    head = httpx.head(server + "/sparql", params=query)
    assert head.status_code == get.status_code == 200 and head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
    for path in ["/health", "/queries", "/", "/static/cakg.css"]:
        response = httpx.head(server + path)
        assert response.status_code == 200 and response.content == b"", path


@pytest.mark.parametrize("method,path", [("PUT", "/sparql"), ("DELETE", "/sparql"), ("PATCH", "/sparql"),
                                         ("POST", "/health"), ("DELETE", "/queries"), ("POST", "/"),
                                         ("PUT", "/id/country/tha"), ("POST", "/static/cakg.css")])
def test_every_405_says_what_is_allowed(server, method, path):
    response = httpx.request(method, server + path)
    assert response.status_code == 405
    allowed = {m.strip() for m in response.headers["allow"].split(",")}
    assert "GET" in allowed and "HEAD" in allowed and method not in allowed


def test_security_headers(server):
    for path in ["/", "/editor", "/queries", "/id/country/tha", "/ontology", "/network?network=cooperation",
                 "/health", "/sparql?query=ASK%7B%7D"]:
        response = httpx.get(server + path, headers={"accept": "text/html"})
        assert response.status_code == 200, path
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "same-origin"
        if response.headers["content-type"].startswith("text/html"):
            policy = response.headers["content-security-policy"]
            assert "script-src 'self'" in policy and "unsafe-eval" not in policy and "object-src 'none'" in policy


def test_a_client_sending_its_headers_slowly_is_cut_off(server):
    host, port = server.removeprefix("http://").split(":")
    connection = socket.create_connection((host, int(port)))
    connection.settimeout(1)
    began = time.monotonic()
    connection.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")
    received = b""
    try:
        while time.monotonic() - began < 45:
            try:
                connection.sendall(b"X")  # one byte of a header line every second, never finished
            except OSError:
                break
            try:
                chunk = connection.recv(1000)
                if not chunk:
                    break
                received += chunk
            except socket.timeout:
                pass
    finally:
        connection.close()
    held = time.monotonic() - began
    assert held < 30, held  # before: held as long as the client liked (over 40 s)
    assert received.startswith(b"HTTP/1.1 408")


def test_a_client_sending_its_body_slowly_is_answered_408(real_build):
    import uvicorn

    from cakg.http_limits import uvicorn_options
    from cakg.server import ServiceConfig, create_app

    app = create_app(ServiceConfig(build_dir=real_build, queries_dir=QUERIES, workers=1, body_seconds=1.0))
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", **uvicorn_options()))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]})
    thread.start()
    try:
        deadline = time.monotonic() + 60
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        connection = socket.create_connection(listener.getsockname())
        connection.settimeout(0.3)
        began = time.monotonic()
        connection.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\ncontent-type: application/sparql-query\r\n"
                           b"content-length: 100\r\n\r\nASK")
        received = b""
        while time.monotonic() - began < 10 and b"\r\n\r\n" not in received:
            connection.sendall(b" ")  # a byte of the body every 0.3 s
            try:
                received += connection.recv(1000)
            except socket.timeout:
                pass
        held = time.monotonic() - began
        connection.close()
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        listener.close()
    assert received.startswith(b"HTTP/1.1 408") and held < 5, (received[:80], held)
