"""Every read of the served store, in isolated worker processes that a deadline can kill and a crash cannot spread from.

pyoxigraph cannot cancel a running query, so the service never reads the store
in its own process: each worker cuts itself off from the network
(:mod:`cakg.isolation`), opens the build's store read-only and answers one
request at a time over a pipe. A request is a :class:`Job` (a SPARQL query: user
SPARQL, a saved query, a Linked Data description), answered with the bytes
pyoxigraph's own serialisers write, or a :class:`Task` (a named read of
:mod:`cakg.service.tasks`: a page's view model, an analysis, a network's data),
answered with plain data. Both read through one :class:`ServedStore`. A query
is checked with :mod:`cakg.sparql_guard` first, off the server's event loop, and
evaluated in a thread with a large stack, since the engine's parser and planner
recurse once per level of nesting.

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

import array
import asyncio
import concurrent.futures
import fcntl
import functools
import logging
import math
import multiprocessing
import os
import queue
import re
import signal
import struct
import tempfile
import termios
import threading
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.reduction import ForkingPickler as _ForkingPickler
from typing import Any

_CONTEXT = multiprocessing.get_context("spawn")
_LOG = logging.getLogger("cakg.server")
# Stack of the thread that evaluates a query: the engine recurses per level of nesting and
# overflows 8 MB at about 3,000 nested braces or 10,000 UNIONs; 256 MB takes 30 times more.
# Only the pages a query touches are used, and each query's thread gives them back.
EVALUATION_STACK_BYTES = 256 * 1024 * 1024
DEFAULT_MAX_BYTES = 50_000_000
_LEAST_SECONDS = 0.2  # a worker found with less of the deadline left goes back unused
RETIRE_AFTER_SECONDS = 0.5  # a job this long hands the worker's loop to a fresh thread (and stack)
# Jobs up to this size are written from the event loop (the idle worker's pipe holds 64 KB, so the
# write cannot block); larger ones, and answers not yet whole in the pipe, are moved by a thread.
_IN_LOOP_BYTES = 16_000
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
    """A SPARQL query for a worker to check, evaluate and serialise."""

    query: str
    media_type: str  # for CONSTRUCT/DESCRIBE: the RDF serialisation wanted
    max_rows: int
    default_graphs: tuple[str, ...] = ()  # the protocol's default-graph-uri (else: union of all graphs)
    named_graphs: tuple[str, ...] = ()
    # SELECT/ASK: json, xml, csv or tsv, written by pyoxigraph's serialisers; None: the rows as Terms
    render: str | None = None
    max_bytes: int = DEFAULT_MAX_BYTES  # the answer's size, as serialised (or, for rows, their values)
    check: bool = True  # the lexical guard; off only where a test shows that the isolation alone holds
    base_iri: str | None = None  # relative IRIs of the query resolve against this (the service's own IRI)


@dataclass(frozen=True)
class Task:
    """A named read of the store (one of :data:`cakg.service.tasks.TASKS`) with its arguments; answered with plain data."""

    name: str
    args: tuple = ()


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


class ServedStore:
    """The store a worker answers from (on disk, then its memory copy once complete): the one interface its jobs read through.

    For cakg's own reads (pages, analyses, network data) it is a
    :class:`~cakg.store.GraphStore`; user SPARQL goes through :meth:`answer`, which adds
    the guard, the base IRI, the row limit and the byte budget.
    """

    name = "served"

    def __init__(self, store: Any, check: Callable[[str], None] | None = None) -> None:
        self.store = store
        self.where = "disk"
        self._check = check

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

    # -------------------------------------------------------------- GraphStore, for cakg's own queries

    def select(self, query: str, label: str = "query") -> Any:
        from .store import EmbeddedStore

        return EmbeddedStore(self.store, self.name).select(query, label)

    def construct(self, query: str, label: str = "query") -> list:
        from .store import EmbeddedStore

        return EmbeddedStore(self.store, self.name).construct(query, label)

    def quads(self) -> list:
        return list(self.store.quads_for_pattern(None, None, None))

    # -------------------------------------------------------------- user SPARQL

    def answer(self, job: Job) -> tuple:
        """("ok", result) or ("error", status, message) for one query (see :func:`_evaluate` for results)."""
        import pyoxigraph

        from .sparql_guard import Refused
        from .store import syntax_message

        try:
            if job.check and self._check is not None:
                self._check(job.query)
            return ("ok", _evaluate(self.store, job, pyoxigraph))
        except Refused as error:
            return ("error", error.status, str(error))
        except SyntaxError as error:
            return ("error", 400, syntax_message(error))
        except _TooLarge as error:
            return ("error", 400, str(error))
        except Exception as error:  # noqa: BLE001 - any evaluation error becomes an answer, not a dead worker
            return ("error", *_evaluation_error(job.query, error))


_Current = ServedStore  # the name the worker's tests know it by


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

    check = functools.lru_cache(maxsize=1024)(functools.partial(_check, graphs=frozenset(graphs)))
    try:
        served = ServedStore(pyoxigraph.Store.read_only(store_path), check)
    except OSError as error:
        conn.send(("failed", f"cannot open the store {store_path}: {error}"))
        return
    conn.send(("ready", os.getpid(), isolation))
    if in_memory:  # after "ready": the copy's thread must not hold up start-up
        served.copy_in_background()
    ended = threading.Event()
    _start_loop(conn, served, isolation, ended)
    ended.wait()


def _start_loop(conn: Connection, served: ServedStore, isolation: list[str], ended: threading.Event) -> None:
    threading.Thread(target=_loop, args=(conn, served, isolation, ended), name="query", daemon=True).start()


def _loop(conn: Connection, served: ServedStore, isolation: list[str], ended: threading.Event) -> None:
    """Answer job after job in this thread of :data:`EVALUATION_STACK_BYTES` (set for the process at start).

    The jobs are read, evaluated and answered here, not handed to another thread (that
    hand-off cost a light query a tenth of its time). After a job that ran long, and so may
    have recursed deep, a fresh thread takes over the loop and this one ends, which gives
    the stack pages it touched back to the system.
    """
    while True:
        try:
            job: Job | Task | Status = conn.recv()
        except (EOFError, OSError):
            ended.set()
            return
        began = time.monotonic()
        try:
            if isinstance(job, Status):
                answer: tuple = ("ok", ("status", served.where, isolation))
            elif isinstance(job, Task):
                answer = _perform(served, job)
            else:
                answer = served.answer(job)
        except BaseException:  # noqa: BLE001 - never leave the server waiting
            answer = ("error", 500, "query evaluation failed")
        try:
            conn.send(answer)
        except (EOFError, OSError):
            ended.set()
            return
        if time.monotonic() - began > RETIRE_AFTER_SECONDS:
            _start_loop(conn, served, isolation, ended)
            return


def _check(query: str, graphs: frozenset[str]) -> None:
    from .sparql_guard import check_query

    check_query(query, graphs)


def _perform(served: ServedStore, task: Task) -> tuple:
    """("ok", value) or ("error", status, message) for a named read of :mod:`cakg.service.tasks`."""
    from .errors import CakgError
    from .service.tasks import TASKS, TaskRefused

    function = TASKS.get(task.name)
    if function is None:
        return ("error", 500, f"no task {task.name!r}")
    try:
        return ("ok", function(served, *task.args))
    except TaskRefused as error:
        return ("error", error.status, str(error))
    except CakgError as error:
        return ("error", 400, str(error))
    except Exception as error:  # noqa: BLE001 - an error becomes an answer, not a dead worker
        detail = " ".join(str(error).split())[:300]
        return ("error", 500, f"{task.name} failed: {type(error).__name__}: {detail}")


def _answer(store: Any, job: Job, check: Callable[[str], None]) -> tuple:
    """The message a worker sends back for ``job`` on a bare pyoxigraph ``store``."""
    return ServedStore(store, check).answer(job)


_UNSUPPORTED_FUNCTION = re.compile(r"custom function (<[^>\s]{1,200}>) is not supported")


def _evaluation_error(query: str, error: Exception) -> tuple[int, str]:
    # Where the guard let a SERVICE call through, it failed inside the isolated worker; the
    # socket's error would say nothing about the target, but the clear message is the guard's.
    if "service" in query.lower() and isinstance(error, OSError):
        return 400, "SERVICE is not allowed: this endpoint never queries other services"
    detail = " ".join(str(error).split())[:300]
    unsupported = _UNSUPPORTED_FUNCTION.search(detail)
    if unsupported is not None:  # the engine knows no such function: the query's mistake, not the service's
        return 400, (f"the function {unsupported.group(1)} is not supported: this endpoint implements the "
                     "functions of SPARQL 1.1 and no extension functions")
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


class _Budget:
    """A binary file that pyoxigraph's serialisers write into, refusing the answer once it passes ``max_bytes``.

    The serialisers write in chunks of 8 KB as they go, so an answer over the budget
    stops being evaluated and written at the chunk that passes it.
    """

    def __init__(self, job: Job) -> None:
        self.job = job
        self.body = bytearray()

    def write(self, chunk: bytes) -> int:
        self.body += chunk
        if len(self.body) > self.job.max_bytes:
            raise _too_big(self.job)
        return len(chunk)

    def flush(self) -> None:
        pass


# The fewest bytes one solution takes in each format ("{}," / "<result></result>" / CRLF / LF),
# so a shorter answer cannot hold more solutions than its size allows, and is not counted.
_LEAST_ROW_BYTES = {"json": 3, "xml": 17, "csv": 2, "tsv": 1}


def _solutions_in(body: bytes | bytearray, fmt: str, ox: Any) -> int:
    """How many solutions a serialised answer holds."""
    if fmt == "tsv":  # one line per solution: the format escapes line breaks inside values
        return body.count(b"\n") - 1
    if fmt == "xml":  # "<" inside values is written "&lt;"
        return body.count(b"<result>")
    if fmt == "csv":  # values holding line breaks are quoted: the csv module reads records, not lines
        import csv
        import io

        return sum(1 for _ in csv.reader(io.StringIO(body.decode("utf-8"), newline=""))) - 1
    return sum(1 for _ in ox.parse_query_results(bytes(body), format=_results_formats(ox)[fmt]))


def _results_formats(ox: Any) -> dict[str, Any]:
    formats = ox.QueryResultsFormat
    return {"json": formats.JSON, "xml": formats.XML, "csv": formats.CSV, "tsv": formats.TSV}


def _evaluate(store: Any, job: Job, ox: Any) -> Any:
    """Evaluate ``job``: ("bytes", answer) when it names a result format, ("graph", RDF) for CONSTRUCT and
    DESCRIBE, else ("boolean", value) or ("table", variables, rows of Terms)."""
    options: dict[str, Any] = {"base_iri": job.base_iri} if job.base_iri else {}
    if job.default_graphs or job.named_graphs:
        options["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs] or None
        options["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs] or None
    else:
        options["use_default_graph_as_union"] = True
    limited = None
    if job.render:
        from .row_limit import with_limit

        limited = with_limit(job.query, job.max_rows + 1)  # the engine stops one solution past the limit
    if limited is not None:
        try:
            result = store.query(limited, **options)
        except SyntaxError:  # where the reading misjudged the query: the query as sent (and its own answer)
            result = store.query(job.query, **options)
    else:
        result = store.query(job.query, **options)

    if isinstance(result, ox.QueryBoolean):
        if job.render in ("csv", "tsv"):  # neither format defines booleans: the header-and-value form kept
            from .results import ResultTable

            return ("bytes", ResultTable([], [], bool(result)).render(job.render).encode("utf-8"))
        if job.render:
            return ("bytes", result.serialize(format=_results_formats(ox)[job.render]))
        return ("boolean", bool(result))
    if isinstance(result, ox.QuerySolutions):
        if not job.render:
            return ("table", [v.value for v in result.variables], _rows(result, job))
        budget = _Budget(job)
        result.serialize(budget, format=_results_formats(ox)[job.render])
        body = budget.body
        if (len(body) >= _LEAST_ROW_BYTES[job.render] * (job.max_rows + 1)
                and _solutions_in(body, job.render, ox) > job.max_rows):
            raise _too_many(job, "rows")
        return ("bytes", bytes(body))
    triples, budget_left = [], job.max_bytes
    for triple in result:
        if len(triples) >= job.max_rows:
            raise _too_many(job, "triples")
        budget_left -= sum(_term_bytes(term) for term in triple)
        if budget_left < 0:
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

    async def exchange_async(self, job: Job | Task | Status, seconds: float, threads: Any) -> tuple | None:
        """:meth:`exchange` with the wait in the event loop: no thread is woken for a light query.

        A job or an answer small enough to sit whole in the pipe is written or read at once;
        a larger one is moved by a thread of ``threads``, so the loop never waits on a copy.
        Raises EOFError or OSError when the worker died.
        """
        loop = asyncio.get_running_loop()
        data = bytes(_ForkingPickler.dumps(job))
        if len(data) <= _IN_LOOP_BYTES:
            self.parent.send_bytes(data)  # the idle worker's pipe is empty: this never blocks
        else:
            await loop.run_in_executor(threads, self.parent.send_bytes, data)
        descriptor = self.parent.fileno()
        readable = loop.create_future()
        loop.add_reader(descriptor, lambda: readable.done() or readable.set_result(None))
        try:
            async with asyncio.timeout(max(0.0, seconds)):
                await readable
        except TimeoutError:
            return None
        finally:
            loop.remove_reader(descriptor)
        waiting = _waiting_bytes(descriptor)
        if waiting < 4:  # the worker died (end of file) or is not done writing the length yet
            return await loop.run_in_executor(threads, self.parent.recv)
        size = struct.unpack("!i", _read_exactly(descriptor, 4))[0]  # multiprocessing's framing
        if 0 <= size <= waiting - 4:  # all there: a copy from the pipe, no wait
            return _ForkingPickler.loads(_read_exactly(descriptor, size))
        if size == -1:  # over 2 GB: an 8-byte length follows
            size = struct.unpack("!Q", await loop.run_in_executor(threads, _read_exactly, descriptor, 8))[0]
        return _ForkingPickler.loads(await loop.run_in_executor(threads, _read_exactly, descriptor, size))


def _read_exactly(descriptor: int, size: int) -> bytes:
    """``size`` bytes from the pipe; EOFError when it ends first (the worker died)."""
    chunks, left = [], size
    while left:
        chunk = os.read(descriptor, min(left, 1 << 20))
        if not chunk:
            raise EOFError("the worker's pipe ended")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _waiting_bytes(descriptor: int) -> int:
    """How many bytes the pipe holds now."""
    buffer = array.array("i", [0])
    fcntl.ioctl(descriptor, termios.FIONREAD, buffer)
    return buffer[0]


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
            message = await worker.exchange_async(job, deadline - loop.time(), self._threads)
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


__all__ = ["Job", "Task", "Status", "ServedStore", "WorkerPool", "QueryTimeout", "QueryFailed", "Saturated", "copy_into_memory",
           "DEFAULT_MAX_BYTES"]
