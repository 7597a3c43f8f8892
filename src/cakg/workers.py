"""Query evaluation in isolated worker processes that a deadline can kill and a crash cannot spread from.

pyoxigraph cannot cancel a running query, so the service never evaluates one
in its own process: each worker cuts itself off from the network
(:mod:`cakg.isolation`), opens the build's store read-only and answers one
request at a time over a pipe. It checks each query with
:mod:`cakg.sparql_guard` first, off the server's event loop, and evaluates it
in a thread with a large stack, since the engine's parser and planner recurse
once per level of nesting.

The server's side (:class:`WorkerPool`) holds every request to one deadline,
waiting for a free worker included: a request that finds all workers busy until
its deadline, or finds too many requests already waiting, is refused as
:class:`Saturated`. A query that outruns the deadline has its worker killed
(freeing the CPU at once); one that crashes its worker gets its own answer.
Either way a fresh worker is started in the background and a dead worker is
never handed another request.

A worker can also copy the store into memory once it is ready: Oxigraph's
memory store answers the saved queries 2–8 times faster than RocksDB. Until the
copy is complete (about 20 s at 10^6 triples, in a thread) the worker answers
from disk, so start-up is not delayed; the service asks for the copy only when
the build is small enough for it (see ``cakg serve --in-memory-max``).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import logging
import math
import multiprocessing
import os
import queue
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

_CONTEXT = multiprocessing.get_context("spawn")
_LOG = logging.getLogger("cakg.server")
# Stack of the thread that evaluates a query: the engine recurses per level of nesting and
# overflows 8 MB at about 3,000 nested braces or 10,000 UNIONs; 256 MB takes 30 times more.
# Only the pages a query touches are used, and each query's thread gives them back.
EVALUATION_STACK_BYTES = 256 * 1024 * 1024
DEFAULT_MAX_BYTES = 50_000_000
_LEAST_SECONDS = 0.2  # a worker found with less of the deadline left goes back unused
_CELL_OVERHEAD = 64  # bytes a result format adds around each value (JSON's type/value keys, XML tags)


class QueryTimeout(Exception):
    """The query did not finish within the deadline; its worker was replaced."""


class Saturated(Exception):
    """Every worker stayed busy until the deadline, or too many requests wait: retry after ``retry_after`` s."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class QueryFailed(Exception):
    """The worker reported an error: ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Job:
    """What a worker evaluates: a SPARQL query and the serialisation wanted."""

    query: str
    media_type: str  # for CONSTRUCT/DESCRIBE: the RDF serialisation wanted
    max_rows: int
    default_graphs: tuple[str, ...] = ()  # the protocol's default-graph-uri (else: union of all graphs)
    named_graphs: tuple[str, ...] = ()
    render: str | None = None  # SELECT/ASK: serialise in the worker (json, xml, csv, tsv) rather than return rows
    max_bytes: int = DEFAULT_MAX_BYTES  # the answer's size, as serialised (or, for rows, their values)
    check: bool = True  # the lexical guard; off only where a test shows that the isolation alone holds


@dataclass(frozen=True)
class Status:
    """Asks a worker which store it answers from ("disk", "copying" or "memory") and how it is isolated."""


def copy_into_memory(store: Any) -> Any:
    """A memory store holding the same quads as ``store``.

    The quads go through an N-Quads file written by pyoxigraph's own serialiser
    from terms the store already holds, so they are loaded without validating
    them again (``lenient``), which loads about 40% faster. A file rather than
    bytes keeps the copy's peak memory to the store itself. The file has no
    name (``O_TMPFILE``): pyoxigraph reaches it through ``/proc/self/fd``, and
    the kernel frees it when the process ends, however it ends.
    """
    import pyoxigraph

    quads = pyoxigraph.RdfFormat.N_QUADS
    memory = pyoxigraph.Store()
    with tempfile.TemporaryFile(prefix="cakg-copy-") as scratch:
        by_descriptor = f"/proc/self/fd/{scratch.fileno()}"
        if os.path.exists(by_descriptor):
            store.dump(by_descriptor, format=quads)
            memory.bulk_load(path=by_descriptor, format=quads, lenient=True)
        else:  # no /proc: the same through the file object, a little slower
            store.dump(scratch, format=quads)
            scratch.seek(0)
            memory.bulk_load(scratch, format=quads, lenient=True)
    return memory


class _Current:
    """The store a worker answers from: the on-disk one, then its memory copy once complete."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self.where = "disk"

    def copy_in_background(self) -> threading.Thread:
        def copy() -> None:
            self.where = "copying"
            try:
                memory = copy_into_memory(self.store)
            except Exception:  # noqa: BLE001 - out of memory or disk space: keep answering from disk
                self.where = "disk"
                return
            self.store, self.where = memory, "memory"

        thread = threading.Thread(target=copy, name="memory-copy", daemon=True)
        thread.start()
        return thread


# ------------------------------------------------------------------ inside a worker process

def _serve(store_path: str, conn: Connection, in_memory: bool = False, graphs: Collection[str] = ()) -> None:
    """The worker's loop: isolate, open the store once, then answer jobs until the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from .isolation import IsolationUnavailable, isolate

    try:
        isolation = isolate()  # first: before any thread exists or anything is opened
    except IsolationUnavailable as error:
        conn.send(("failed", str(error)))
        return
    threading.stack_size(EVALUATION_STACK_BYTES)
    import pyoxigraph

    try:
        current = _Current(pyoxigraph.Store.read_only(store_path))
    except OSError as error:
        conn.send(("failed", f"cannot open the store {store_path}: {error}"))
        return
    conn.send(("ready", os.getpid(), isolation))
    if in_memory:  # after "ready": the copy's thread must not hold up start-up
        current.copy_in_background()
    check = functools.lru_cache(maxsize=1024)(functools.partial(_check, graphs=frozenset(graphs)))
    evaluator = _Evaluator()
    while True:
        try:
            job: Job | Status = conn.recv()
        except (EOFError, OSError):
            return
        if isinstance(job, Status):
            conn.send(("ok", ("status", current.where, isolation)))
            continue
        conn.send(evaluator.run(lambda: _answer(current.store, job, check)))


def _check(query: str, graphs: frozenset[str]) -> None:
    from .sparql_guard import check_query

    check_query(query, graphs)


class _Evaluator:
    """A thread of :data:`EVALUATION_STACK_BYTES` (set for the process at start) that runs one job at a time.

    One thread serves job after job (a thread per job cost 130 us a request); after a job
    that ran long, and so may have recursed deep, it is replaced by a fresh one, which
    gives the stack pages the old one touched back to the system.
    """

    RETIRE_AFTER_SECONDS = 0.5

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue | None = None
        self._answers: queue.SimpleQueue = queue.SimpleQueue()

    def _loop(self, jobs: queue.SimpleQueue) -> None:
        while (work := jobs.get()) is not None:
            try:
                self._answers.put(work())
            except BaseException:  # noqa: BLE001 - never leave the caller waiting
                self._answers.put(("error", 500, "query evaluation failed"))

    def run(self, work: Callable[[], tuple]) -> tuple:
        if self._jobs is None:
            self._jobs = queue.SimpleQueue()
            threading.Thread(target=self._loop, args=(self._jobs,), name="query", daemon=True).start()
        began = time.monotonic()
        self._jobs.put(work)
        answer = self._answers.get()
        if time.monotonic() - began > self.RETIRE_AFTER_SECONDS:
            self._jobs.put(None)  # that thread ends; the next job starts a fresh one
            self._jobs = None
        return answer


def _answer(store: Any, job: Job, check: Callable[[str], None]) -> tuple:
    """The message a worker sends back for ``job``: ("ok", result) or ("error", status, message)."""
    import pyoxigraph

    from .sparql_guard import Refused
    from .store import syntax_message

    try:
        if job.check:
            check(job.query)
        return ("ok", _evaluate(store, job, pyoxigraph))
    except Refused as error:
        return ("error", error.status, str(error))
    except SyntaxError as error:
        return ("error", 400, syntax_message(error))
    except _TooLarge as error:
        return ("error", 400, str(error))
    except Exception as error:  # noqa: BLE001 - any evaluation error becomes an answer, not a dead worker
        return ("error", *_evaluation_error(job.query, error))


def _evaluation_error(query: str, error: Exception) -> tuple[int, str]:
    # Where the guard let a SERVICE call through, it failed inside the isolated worker; the
    # socket's error would say nothing about the target, but the clear message is the guard's.
    if "service" in query.lower() and isinstance(error, OSError):
        return 400, "SERVICE is not allowed: this endpoint never queries other services"
    detail = " ".join(str(error).split())[:300]
    return 500, f"query evaluation failed: {type(error).__name__}: {detail}"


class _TooLarge(Exception):
    pass


def _too_many(job: Job, what: str) -> _TooLarge:
    return _TooLarge(f"the result has more than {job.max_rows} {what}; add a LIMIT")


def _too_big(job: Job) -> _TooLarge:
    return _TooLarge(f"the result is larger than {job.max_bytes} bytes; add a LIMIT or select fewer or "
                     "shorter values")


def _term_bytes(term: Any) -> int:
    value = getattr(term, "value", None)
    if value is None:  # a quoted triple
        return len(str(term)) + _CELL_OVERHEAD
    size = len(value) if value.isascii() else len(value.encode("utf-8"))
    datatype = getattr(term, "datatype", None)
    return size + _CELL_OVERHEAD + (len(datatype.value) if datatype is not None else 0)


def _rows(result: Any, job: Job) -> list[tuple]:
    """The solutions as tuples of Terms, stopping as soon as they pass ``max_rows`` or ``max_bytes``."""
    from .store import to_term

    terms: dict[Any, tuple[Any, int]] = {}  # each distinct pyoxigraph term converted and measured once
    rows: list[tuple] = []
    budget = job.max_bytes
    for solution in result:
        if len(rows) >= job.max_rows:
            raise _too_many(job, "rows")
        row = []
        for value in solution:
            if value is None:
                row.append(None)
                continue
            known = terms.get(value)
            if known is None:
                known = terms[value] = (to_term(value), _term_bytes(value))
            row.append(known[0])
            budget -= known[1]
        if budget < 0:
            raise _too_big(job)
        rows.append(tuple(row))
    return rows


def _evaluate(store: Any, job: Job, ox: Any) -> Any:
    if job.default_graphs or job.named_graphs:
        result = store.query(job.query, default_graph=[ox.NamedNode(g) for g in job.default_graphs] or None,
                             named_graphs=[ox.NamedNode(g) for g in job.named_graphs] or None)
    else:
        result = store.query(job.query, use_default_graph_as_union=True)
    from .results import ResultTable

    if isinstance(result, ox.QueryBoolean):
        if job.render:
            return ("bytes", ResultTable([], [], bool(result)).render(job.render).encode("utf-8"))
        return ("boolean", bool(result))
    if isinstance(result, ox.QuerySolutions):
        variables = [v.value for v in result.variables]
        rows = _rows(result, job)
        if job.render:
            # Serialising here spreads the work over the workers instead of the server's one event loop.
            table = ResultTable(variables, [{v: t for v, t in zip(variables, row) if t is not None} for row in rows])
            body = table.render(job.render).encode("utf-8")
            if len(body) > job.max_bytes:
                raise _too_big(job)
            return ("bytes", body)
        return ("table", variables, rows)
    triples, budget = [], job.max_bytes
    for triple in result:
        if len(triples) >= job.max_rows:
            raise _too_many(job, "triples")
        budget -= sum(_term_bytes(term) for term in triple)
        if budget < 0:
            raise _too_big(job)
        triples.append(triple)
    fmt = ox.RdfFormat.from_media_type(job.media_type) or ox.RdfFormat.TURTLE
    body = ox.serialize(triples, format=fmt)
    if len(body) > job.max_bytes:
        raise _too_big(job)
    return ("graph", body)


# ------------------------------------------------------------------ the server's side

class _Worker:
    def __init__(self, store_path: str, in_memory: bool, graphs: Collection[str]) -> None:
        self.parent, child = _CONTEXT.Pipe()
        self.process = _CONTEXT.Process(target=_serve, args=(store_path, child, in_memory, tuple(graphs)),
                                        daemon=True)
        self.process.start()
        child.close()
        self.isolation: list[str] = []

    def wait_ready(self, seconds: float) -> None:
        if not self.parent.poll(seconds):
            self.kill()
            raise RuntimeError("query worker did not start")
        try:
            message = self.parent.recv()
        except (EOFError, OSError):
            self.kill()
            raise RuntimeError(f"query worker stopped while starting (exit code {self.process.exitcode})") from None
        if message[0] != "ready":
            self.kill()
            raise RuntimeError(f"query worker failed to start: {message[1]}")
        self.isolation = list(message[2])

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self.parent.close()

    def exchange(self, job: Job | Status, seconds: float) -> tuple | None:
        """Send ``job`` and wait for the answer; None when none came within ``seconds``.

        Raises EOFError or OSError when the worker died.
        """
        self.parent.send(job)
        if not self.parent.poll(max(0.0, seconds)):
            return None
        return self.parent.recv()


def _crash_message(exitcode: int | None) -> QueryFailed:
    if exitcode is not None and exitcode < 0 and -exitcode in (signal.SIGSEGV, signal.SIGABRT, signal.SIGBUS,
                                                                signal.SIGILL):
        name = signal.Signals(-exitcode).name
        return QueryFailed(400, f"the query could not be evaluated: the query engine crashed on it ({name}), as it "
                                "does on queries nested too deeply or too long; simplify it")
    return QueryFailed(503, "the query worker stopped while evaluating the query (it was killed from outside, "
                            "for example for lack of memory); try again")


class WorkerPool:
    """N worker processes; :meth:`run` gives a job to an idle one within one deadline."""

    def __init__(self, store_path: str, size: int = 2, timeout: float = 10.0, in_memory: bool = False,
                 graphs: Collection[str] = (), max_waiting: int = 64) -> None:
        self.store_path = store_path
        self.in_memory = in_memory
        self.graphs = tuple(sorted(graphs))
        self.size = max(1, size)
        self.timeout = timeout
        self.max_waiting = max_waiting
        self._idle: asyncio.Queue[_Worker] | None = None
        self._all: set[_Worker] = set()
        self._waiting = 0
        self._replacing: set[asyncio.Task] = set()
        # Threads that wait on pipes: one per worker, so waiting never starves the default executor.
        self._threads = concurrent.futures.ThreadPoolExecutor(max_workers=self.size + 2,
                                                              thread_name_prefix="cakg-pool")
        self.killed = 0  # workers killed at the deadline
        self.crashed = 0  # workers that died while evaluating a query
        self.isolation: list[str] = []

    def _new_worker(self) -> _Worker:
        worker = _Worker(self.store_path, self.in_memory, self.graphs)
        worker.wait_ready(60.0)
        return worker

    async def start(self) -> None:
        self._idle = asyncio.Queue()
        loop = asyncio.get_running_loop()
        workers = await asyncio.gather(*(loop.run_in_executor(self._threads, self._new_worker)
                                         for _ in range(self.size)), return_exceptions=True)
        failures = [w for w in workers if isinstance(w, BaseException)]
        if failures:
            for worker in workers:
                if isinstance(worker, _Worker):
                    worker.kill()
            raise failures[0]
        for worker in workers:
            self._all.add(worker)
            self._idle.put_nowait(worker)
        self.isolation = workers[0].isolation

    @property
    def pids(self) -> list[int]:
        return sorted(w.process.pid for w in self._all if w.process.pid is not None)

    @property
    def retry_after(self) -> int:
        return max(1, math.ceil(self.timeout))

    async def stop(self) -> None:
        for task in list(self._replacing):
            task.cancel()
        for worker in list(self._all):
            worker.kill()
        self._all.clear()
        self._threads.shutdown(wait=False, cancel_futures=True)

    def _retire(self, worker: _Worker) -> None:
        """Kill ``worker`` and start a replacement in the background."""
        self._all.discard(worker)
        worker.kill()
        task = asyncio.get_running_loop().create_task(self._replace())
        self._replacing.add(task)
        task.add_done_callback(self._replacing.discard)

    async def _replace(self) -> None:
        loop = asyncio.get_running_loop()
        for attempt in range(5):
            try:
                worker = await loop.run_in_executor(self._threads, self._new_worker)
            except (RuntimeError, OSError) as error:
                _LOG.error("could not start a query worker (attempt %d): %s", attempt + 1, error)
                await asyncio.sleep(2 ** attempt)
                continue
            self._all.add(worker)
            assert self._idle is not None
            self._idle.put_nowait(worker)
            return

    async def _take(self, deadline: float, timeout: float) -> _Worker:
        """An idle, living worker, waiting at most until ``deadline`` (loop time)."""
        assert self._idle is not None, "pool not started"
        loop = asyncio.get_running_loop()
        while True:
            remaining = deadline - loop.time()
            try:
                if remaining <= 0 or not self._idle.empty():
                    worker = self._idle.get_nowait()  # no timer needed (wait_for costs about 50 us)
                else:
                    worker = await asyncio.wait_for(self._idle.get(), remaining)
            except (asyncio.TimeoutError, asyncio.QueueEmpty):
                raise Saturated(f"the service is busy: no query worker became free within the {timeout:g} s "
                                "timeout; retry later", self.retry_after) from None
            if worker.process.is_alive():
                return worker
            self.crashed += 1  # died while idle (killed from outside): never hand it a request
            self._retire(worker)

    async def run(self, job: Job | Status, timeout: float | None = None) -> Any:
        """Evaluate ``job`` in a worker; the deadline (``timeout``, else the pool's) covers the wait for one."""
        loop = asyncio.get_running_loop()
        seconds = self.timeout if timeout is None else timeout
        deadline = loop.time() + seconds
        if self._waiting >= self.max_waiting:
            raise Saturated(f"the service is busy: {self._waiting} requests are waiting for a query worker; "
                            "retry later", self.retry_after)
        self._waiting += 1
        try:
            worker = await self._take(deadline, seconds)
        finally:
            self._waiting -= 1
        if deadline - loop.time() < _LEAST_SECONDS:  # too late to evaluate anything: keep the worker alive
            assert self._idle is not None
            self._idle.put_nowait(worker)
            raise Saturated(f"the service is busy: no query worker became free within the {seconds:g} s "
                            "timeout; retry later", self.retry_after)
        try:
            message = await loop.run_in_executor(self._threads, worker.exchange, job, deadline - loop.time())
        except (EOFError, OSError):
            worker.process.join(timeout=2)
            exitcode = worker.process.exitcode
            self.crashed += 1
            self._retire(worker)
            _LOG.warning("a query worker stopped while evaluating a query (exit code %s)", exitcode)
            raise _crash_message(exitcode) from None
        except BaseException:
            self._retire(worker)  # cancelled mid-exchange: its pipe may hold half a message
            raise
        if message is None:
            self.killed += 1
            self._retire(worker)
            raise QueryTimeout(f"the query did not finish within the {seconds:g} s timeout")
        assert self._idle is not None
        self._idle.put_nowait(worker)
        if message[0] == "ok":
            return message[1]
        raise QueryFailed(message[1], message[2])


__all__ = ["Job", "Status", "WorkerPool", "QueryTimeout", "QueryFailed", "Saturated", "copy_into_memory",
           "DEFAULT_MAX_BYTES"]
