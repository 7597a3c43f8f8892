"""Hostile queries against the query workers themselves: no network, crashes, deadlines, budgets, debris.

These drive :class:`cakg.workers.WorkerPool` with real worker processes on the
real build; the same properties through a real ``cakg serve`` are in
test_hardening_service_live.py.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from cakg.queries import load_saved_queries
from cakg.sparql_guard import MAX_NESTING, Refused, check_query, tokens
from cakg.store import query_form
from cakg.workers import Job, QueryFailed, QueryTimeout, Saturated, Status, WorkerPool

from conftest import ROOT

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
ASK = "ASK { ?s ?p ?o }"


class Listener:
    """A TCP listener on a loopback address that counts the connections made to it."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.sock = socket.socket(family)
        self.sock.bind((host, 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://{'[' + host + ']' if ':' in host else host}:{self.port}/sparql"
        self.accepted = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self.sock.accept()
            except (socket.timeout, OSError):
                continue
            self.accepted += 1
            connection.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.sock.close()


def run(coroutine):
    return asyncio.run(coroutine)


async def started(real_build: Path, **options) -> WorkerPool:
    pool = WorkerPool(str(real_build / "store"), **{"size": 1, "timeout": 20, **options})
    await pool.start()
    return pool


async def outcome(pool: WorkerPool, job, timeout: float | None = None) -> tuple:
    """("ok", answer) or (exception class name, status, message) for one job."""
    try:
        return ("ok", await pool.run(job, timeout))
    except QueryFailed as error:
        return ("QueryFailed", error.status, str(error))
    except (QueryTimeout, Saturated) as error:
        return (type(error).__name__, 503, str(error))


# ------------------------------------------------------------------ 1. no outbound request, by construction

def test_isolate_leaves_a_process_no_way_to_open_a_socket():
    listener = Listener()
    code = f"""
import errno, socket
from cakg.isolation import isolate
print("|".join(isolate()))
for family in (socket.AF_INET, socket.AF_INET6, socket.AF_UNIX):
    try:
        socket.socket(family)
        print("opened", family)
    except OSError as error:
        print("refused", error.errno == errno.EACCES)
"""
    try:
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    finally:
        listener.close()
    assert result.returncode == 0, result.stderr
    # Root here and in CI: both layers (each alone keeps the process off the network).
    assert result.stdout.splitlines()[0] == "network namespace|seccomp"
    assert result.stdout.count("refused True") == 3 and "opened" not in result.stdout
    assert listener.accepted == 0


@pytest.mark.parametrize("host", ["127.0.0.1", "::1"])
def test_without_the_guard_a_service_query_makes_no_connection(real_build, host):
    try:
        listener = Listener(host)
    except OSError:
        pytest.skip(f"no {host} on this machine")  # ::1 only; 127.0.0.1 always runs
    closed_port = Listener(host)
    closed_port.close()  # a port nobody listens on: its error must read like the open one's
    target = listener.url
    queries = [f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}",
               f"SELECT ?x WHERE {{ #\rSERVICE <{target}> {{ ?x ?p ?o }} }}",
               f"SELECT ?x WHERE {{ FILTER(1<'x>' || true) SERVICE <{target}> {{ ?x ?p ?o }} BIND('' AS ?z) }}",
               f"SELECT * WHERE {{ SERVICE <{target.replace(host if ':' not in host else '[' + host + ']', 'localhost')}>"
               " { ?s ?p ?o } }"]
    silent = f"SELECT * WHERE {{ OPTIONAL {{ SERVICE SILENT <{target}> {{ ?s ?p ?o }} }} }}"

    async def scenario():
        pool = await started(real_build)
        try:
            assert pool.isolation  # the workers reported how they are cut off
            answers = [await outcome(pool, Job(q, "", 100, check=False)) for q in queries]
            answers.append(await outcome(pool, Job(queries[0].replace(str(listener.port), str(closed_port.port)),
                                                   "", 100, check=False)))
            quiet = await outcome(pool, Job(silent, "", 100, check=False))
            return answers, quiet
        finally:
            await pool.stop()

    try:
        answers, quiet = run(scenario())
        time.sleep(0.5)
    finally:
        listener.close()
    assert listener.accepted == 0  # the guard was off: only the isolation stood in the way
    for answer in answers:
        assert answer[:2] == ("QueryFailed", 400), answer
        assert answer[2] == "SERVICE is not allowed: this endpoint never queries other services"
    assert quiet[0] == "ok"  # SERVICE SILENT: an empty answer, still no connection


@pytest.mark.parametrize("query", [
    "SELECT ?x WHERE { #\rSERVICE <http://127.0.0.1:9/> { ?x ?p ?o } }",
    "SELECT ?x WHERE { #\r\nSERVICE <http://127.0.0.1:9/> { ?x ?p ?o } }",
    "SELECT ?x WHERE { FILTER(1<'x>' || true) SERVICE <http://127.0.0.1:9/> { ?x ?p ?o } BIND('' AS ?z) }",
    "SELECT ?x WHERE { FILTER(?a<'x>' || true) SeRvIcE SILENT <http://127.0.0.1:9/> { ?x ?p ?o } BIND('' AS ?z) }",
    'SELECT ?x WHERE { FILTER(1<"x>" || true) SERVICE <http://127.0.0.1:9/> { ?x ?p ?o } BIND("" AS ?z) }',
    "SELECT ?x WHERE { ?x ?p ?o FILTER(?o <a#> 1) SERVICE <http://127.0.0.1:9/> { ?x ?p ?o } }",
    "SELECT ?x WHERE { ?s ?p ?o . FILTER(?o<<http://a'b>) } # SERVICE",
])
def test_the_guard_refuses_service_wherever_it_cannot_rule_it_out(query):
    with pytest.raises(Refused) as refused:
        check_query(query, set())
    assert refused.value.status == 400 and "SERVICE" in str(refused.value)


def test_the_guard_reads_comments_strings_and_less_than_as_the_grammar_does():
    kinds = [(t.kind, t.text) for t in tokens("ASK { #c\rFILTER(?a<'x>') } #z")]
    # The comment ends at CR; "<" is less-than (though an IRI could start there), then a string.
    assert ("word", "FILTER") in kinds and ("lt?", "<") in kinds and ("string", "'x>'") in kinds
    significant = [t.kind for t in tokens("SELECT * WHERE { ?s <http://a#b> 'x\\'y' }")
                   if t.kind not in ("other", "punctuation")]
    assert significant == [
        "word", "word", "var", "iri", "string"]
    for fine in ['SELECT ("SERVICE and LOAD" AS ?x) WHERE {}', "ASK { ?s ?p ?o } # uses no service",
                 "SELECT ?service WHERE { ?service ?p ?o FILTER(?o < 3) }",
                 "SELECT * WHERE { ?s <http://example.org/service> ?o }"]:
        check_query(fine, set())
    for saved in load_saved_queries(ROOT / "queries").values():
        check_query(saved.bind({}), set())  # the guard refuses none of the saved queries


@pytest.mark.parametrize("text,form", [
    ("PREFIX select: <http://x/ask#> CONSTRUCT WHERE {}", "CONSTRUCT"),
    ("# construct\rDESCRIBE <x>", "DESCRIBE"),
    ("PREFIX # a comment\n ex: <http://x/>\nask {}", "ASK"),
    ('SELECT ("CONSTRUCT" AS ?x) {}', "SELECT"),
    ("<a" * 100_000, "SELECT"),
])
def test_query_form_reads_the_prologue(text, form):
    assert query_form(text) == form


# ------------------------------------------------------------------ 3. a crash costs only its own query

def test_a_query_that_crashes_its_worker_costs_only_itself(real_build):
    # 200,000 nested braces overflow even the evaluation thread's 256 MB stack: a real SIGSEGV
    # in the engine's parser. The guard would refuse it, so it is off for these jobs.
    crasher = Job("SELECT * WHERE " + "{" * 200_000 + "}" * 200_000, "", 100, check=False)
    innocent = Job(ASK, "", 100)

    async def scenario():
        pool = await started(real_build, size=2, timeout=60)
        try:
            jobs = [crasher, innocent, innocent, crasher, innocent, innocent, innocent, crasher, innocent]
            answers = await asyncio.gather(*(outcome(pool, job) for job in jobs))
            for _ in range(200):  # the replacements start in the background
                if len(pool.pids) == 2:
                    break
                await asyncio.sleep(0.1)
            after = [await outcome(pool, innocent) for _ in range(4)]
            return jobs, answers, after, pool.crashed, len(pool.pids)
        finally:
            await pool.stop()

    jobs, answers, after, crashed, workers = run(scenario())
    for job, answer in zip(jobs, answers):
        if job is crasher:
            assert answer[:2] == ("QueryFailed", 400) and "crashed" in answer[2] and "SIGSEGV" in answer[2], answer
        else:
            assert answer == ("ok", ("boolean", True)), answer
    assert after == [("ok", ("boolean", True))] * 4
    assert crashed == 3 and workers == 2


def test_deep_nesting_is_refused_before_it_reaches_the_engine(real_build):
    deep = {
        "parentheses": "SELECT * WHERE { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }",
        "braces": "SELECT * WHERE " + "{" * 5000 + "}" * 5000,
        "optional": "ASK { " + "OPTIONAL { " * 5000 + "}" * 5000 + " }",
        "subselect": "SELECT * WHERE { " + "{ SELECT * WHERE " * 3000 + "{}" + " }" * 3000 + " }",
        "exists": "ASK { " + "FILTER EXISTS { " * 5000 + "}" * 5000 + " }",
        "minus": "ASK { ?s ?p ?o " + "MINUS { ?s ?p ?o " * 5000 + "}" * 5000 + " }",
        "not": "ASK { FILTER(" + "!" * 50_000 + "true) }",
    }

    async def scenario():
        pool = await started(real_build, size=1, timeout=60)
        try:
            return {name: await outcome(pool, Job(q, "", 100)) for name, q in deep.items()}, pool.crashed
        finally:
            await pool.stop()

    answers, crashed = run(scenario())
    for name, answer in answers.items():
        assert answer[:2] == ("QueryFailed", 400) and f"more than {MAX_NESTING} levels" in answer[2], (name, answer)
    assert crashed == 0


def test_a_worker_killed_while_idle_is_never_handed_a_request(real_build):
    async def scenario():
        pool = await started(real_build, size=2, timeout=30)
        try:
            for pid in pool.pids:
                os.kill(pid, signal.SIGKILL)
            await asyncio.sleep(0.3)
            answers = [await outcome(pool, Job(ASK, "", 100)) for _ in range(3)]
            return answers, pool.crashed
        finally:
            await pool.stop()

    answers, crashed = run(scenario())
    assert answers == [("ok", ("boolean", True))] * 3
    assert crashed == 2


# ------------------------------------------------------------------ 9. one deadline, bounded answers

def test_the_wait_for_a_worker_counts_toward_the_deadline(real_build):
    async def scenario():
        pool = await started(real_build, size=1, timeout=2)
        try:
            # The runaway holds the only worker past the waiting job's whole deadline (4 s against 2 s),
            # so the wait cannot end with a replaced worker, however fast it starts.
            runaway = asyncio.create_task(outcome(pool, Job(RUNAWAY, "", 100), timeout=4))
            await asyncio.sleep(0.3)
            began = time.monotonic()
            waited = await outcome(pool, Job(ASK, "", 100))
            seconds = time.monotonic() - began
            return await runaway, waited, seconds, pool.retry_after
        finally:
            await pool.stop()

    runaway, waited, seconds, retry_after = run(scenario())
    assert runaway[0] == "QueryTimeout"
    assert waited[0] == "Saturated" and "no query worker became free within the 2 s" in waited[2]
    assert seconds < 3.5  # the 2 s deadline covered the wait; before, the wait came on top of it
    assert retry_after == 2


def test_too_many_waiting_requests_are_refused_at_once(real_build):
    async def scenario():
        pool = await started(real_build, size=1, timeout=3, max_waiting=1)
        try:
            runaway = asyncio.create_task(outcome(pool, Job(RUNAWAY, "", 100)))
            await asyncio.sleep(0.3)
            waiting = asyncio.create_task(outcome(pool, Job(ASK, "", 100)))
            await asyncio.sleep(0.1)
            began = time.monotonic()
            refused = await outcome(pool, Job(ASK, "", 100))
            seconds = time.monotonic() - began
            return refused, seconds, await waiting, await runaway
        finally:
            await pool.stop()

    refused, seconds, waiting, runaway = run(scenario())
    assert refused[0] == "Saturated" and "1 requests are waiting" in refused[2] and seconds < 0.5
    assert waiting[0] in ("Saturated", "ok") and runaway[0] == "QueryTimeout"


@pytest.mark.parametrize("render", [None, "json", "xml", "csv", "tsv"])
def test_answers_are_bounded_in_bytes_while_they_are_collected(real_build, render):
    long_value = "x" * 10_000
    wide = f'SELECT ?s ?b WHERE {{ ?s ?p ?o BIND("{long_value}" AS ?b) }} LIMIT 1000'
    small = f'SELECT ?s ?b WHERE {{ ?s ?p ?o BIND("{long_value}" AS ?b) }} LIMIT 3'
    construct = f'CONSTRUCT {{ ?s <http://x/p> "{long_value}" }} WHERE {{ ?s ?p ?o }} LIMIT 1000'

    async def scenario():
        pool = await started(real_build, size=1, timeout=30)
        try:
            return [await outcome(pool, Job(q, "text/turtle", 100_000, render=render, max_bytes=100_000))
                    for q in (wide, small, construct)]
        finally:
            await pool.stop()

    wide_answer, small_answer, construct_answer = run(scenario())
    for answer in (wide_answer, construct_answer):
        assert answer[:2] == ("QueryFailed", 400) and "larger than 100000 bytes" in answer[2], answer
    assert small_answer[0] == "ok"
    size = len(small_answer[1][1]) if render else sum(len(t.value) for row in small_answer[1][2] for t in row)
    assert 30_000 < size <= 100_000


# ------------------------------------------------------------------ 8. worker copies leave nothing behind

def test_memory_copies_leave_nothing_behind_when_their_worker_is_killed(real_build, tmp_path, monkeypatch):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))  # the workers' temporary folder, and only theirs

    async def scenario():
        seen = []
        for delay in (0.0, 0.01, 0.03, 0.06, 0.1, 0.2):
            pool = await started(real_build, size=1, timeout=30, in_memory=True)
            try:
                await asyncio.sleep(delay)
                seen.append((await pool.run(Status()))[1])
                os.kill(pool.pids[0], signal.SIGKILL)
                await asyncio.sleep(0.2)
            finally:
                await pool.stop()
        return seen

    seen = run(scenario())
    assert "copying" in seen  # at least one worker died part-way through its copy
    assert list(scratch.iterdir()) == []
