"""Query evaluation in worker processes that can be killed at a deadline.

pyoxigraph cannot cancel a running query, so the service never evaluates one
in its own process: each worker opens the build's store read-only and answers
one request at a time over a pipe. When a query outruns the timeout its
worker is killed (freeing the CPU at once) and a fresh one takes its place;
other requests go on in the other workers meanwhile.

A worker can also copy the store into memory once it is ready: Oxigraph's
memory store answers the saved queries 2–8 times faster than RocksDB. Until the
copy is complete (about 20 s at 10^6 triples, in a thread) the worker answers
from disk, so start-up is not delayed; the service asks for the copy only when
the build is small enough for it (see ``cakg serve --in-memory-max``).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import tempfile
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

_CONTEXT = multiprocessing.get_context("spawn")


class QueryTimeout(Exception):
    """The query did not finish within the deadline; its worker was replaced."""


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


@dataclass(frozen=True)
class Status:
    """Asks a worker which store it answers from: "disk", "copying" or "memory"."""


def copy_into_memory(store: Any) -> Any:
    """A memory store holding the same quads as ``store``.

    The quads go through an N-Quads file written by pyoxigraph's own serialiser
    from terms the store already holds, so they are loaded without validating
    them again (``lenient``), which loads about 40% faster. A file rather than
    bytes keeps the copy's peak memory to the store itself.
    """
    import pyoxigraph

    with tempfile.TemporaryDirectory(prefix="cakg-copy-") as folder:
        path = os.path.join(folder, "store.nq")
        store.dump(path, format=pyoxigraph.RdfFormat.N_QUADS)
        memory = pyoxigraph.Store()
        memory.bulk_load(path=path, format=pyoxigraph.RdfFormat.N_QUADS, lenient=True)
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


def _serve(store_path: str, conn: Connection, in_memory: bool = False) -> None:
    """The worker's loop: open the store once, then answer jobs until the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    import pyoxigraph

    from .store import solutions_to_rows, syntax_message

    current = _Current(pyoxigraph.Store.read_only(store_path))
    conn.send(("ready", os.getpid()))
    if in_memory:  # after "ready": the copy's thread must not hold up start-up
        current.copy_in_background()
    while True:
        try:
            job: Job | Status = conn.recv()
        except (EOFError, OSError):
            return
        if isinstance(job, Status):
            conn.send(("ok", ("status", current.where)))
            continue
        try:
            conn.send(("ok", _evaluate(current.store, job, pyoxigraph, solutions_to_rows)))
        except SyntaxError as error:
            conn.send(("error", 400, syntax_message(error)))
        except _TooManyRows as error:
            conn.send(("error", 400, str(error)))
        except Exception as error:  # noqa: BLE001 - any evaluation error becomes an answer, not a dead worker
            detail = " ".join(str(error).split())[:300]
            conn.send(("error", 500, f"query evaluation failed: {type(error).__name__}: {detail}"))


class _TooManyRows(Exception):
    pass


def _evaluate(store: Any, job: Job, ox: Any, solutions_to_rows: Any) -> Any:
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
        try:
            rows = solutions_to_rows(result, job.max_rows)
        except OverflowError:
            raise _TooManyRows(f"the result has more than {job.max_rows} rows; add a LIMIT") from None
        if job.render:
            # Serialising here spreads the work over the workers instead of the server's one event loop.
            return ("bytes", ResultTable(variables, rows).render(job.render).encode("utf-8"))
        return ("table", variables, [tuple(row.get(v) for v in variables) for row in rows])
    triples = []
    for triple in result:
        if len(triples) >= job.max_rows:
            raise _TooManyRows(f"the result has more than {job.max_rows} triples; add a LIMIT")
        triples.append(triple)
    fmt = ox.RdfFormat.from_media_type(job.media_type) or ox.RdfFormat.TURTLE
    return ("graph", ox.serialize(triples, format=fmt))


class _Worker:
    def __init__(self, store_path: str, in_memory: bool) -> None:
        self.parent, child = _CONTEXT.Pipe()
        self.process = _CONTEXT.Process(target=_serve, args=(store_path, child, in_memory), daemon=True)
        self.process.start()
        child.close()

    def wait_ready(self, seconds: float) -> None:
        if not self.parent.poll(seconds):
            self.kill()
            raise RuntimeError("query worker did not start")
        message = self.parent.recv()
        if message[0] != "ready":
            raise RuntimeError(f"query worker failed to start: {message}")

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self.parent.close()


class WorkerPool:
    """N worker processes; :meth:`run` gives a job to an idle one and enforces the deadline."""

    def __init__(self, store_path: str, size: int = 2, timeout: float = 10.0, in_memory: bool = False) -> None:
        self.store_path = store_path
        self.in_memory = in_memory
        self.size = max(1, size)
        self.timeout = timeout
        self._idle: asyncio.Queue[_Worker] | None = None
        self._all: set[_Worker] = set()
        self.killed = 0

    async def start(self) -> None:
        self._idle = asyncio.Queue()
        workers = [_Worker(self.store_path, self.in_memory) for _ in range(self.size)]
        loop = asyncio.get_running_loop()
        await asyncio.gather(*(loop.run_in_executor(None, w.wait_ready, 60.0) for w in workers))
        for worker in workers:
            self._all.add(worker)
            self._idle.put_nowait(worker)

    @property
    def pids(self) -> list[int]:
        return sorted(w.process.pid for w in self._all if w.process.pid is not None)

    async def stop(self) -> None:
        for worker in list(self._all):
            worker.kill()
        self._all.clear()

    async def run(self, job: Job | Status, timeout: float | None = None) -> Any:
        assert self._idle is not None, "pool not started"
        deadline = self.timeout if timeout is None else timeout
        worker = await self._idle.get()
        loop = asyncio.get_running_loop()
        started = time.monotonic()
        try:
            worker.parent.send(job)
            ready = await loop.run_in_executor(None, worker.parent.poll, deadline)
        except (OSError, EOFError, BrokenPipeError):
            ready = False
        if not ready:
            # Past the deadline (or the worker died): kill it and put a fresh one in its place.
            self._all.discard(worker)
            worker.kill()
            self.killed += 1
            replacement = _Worker(self.store_path, self.in_memory)
            await loop.run_in_executor(None, replacement.wait_ready, 60.0)
            self._all.add(replacement)
            self._idle.put_nowait(replacement)
            if time.monotonic() - started >= deadline:
                raise QueryTimeout(f"the query did not finish within the {deadline:g} s timeout")
            raise QueryFailed(500, "the query worker stopped unexpectedly")
        try:
            message = worker.parent.recv()
        finally:
            self._idle.put_nowait(worker)
        if message[0] == "ok":
            return message[1]
        raise QueryFailed(message[1], message[2])
