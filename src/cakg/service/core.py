"""What the service's request handlers share: the build being served, the query workers, the saved queries and the caches.

Every read of the store goes to the workers (:mod:`cakg.workers`): a :class:`Job`
for a SPARQL query, a :class:`Task` for a page, an analysis or a network's data.
The server's process only routes, checks and streams the bytes they hand back.
"""

from __future__ import annotations

import asyncio
import functools
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.requests import Request

from ..build_folder import BuildFolder
from ..catalogue import NETWORKS
from ..queries import SavedQuery, load_saved_queries
from ..snapshot import Snapshot, take
from ..workers import DEFAULT_MAX_BYTES, Job, Task, WorkerPool
from .cache import LruCache

ANALYSES_KEPT = 64  # analysis answers cached per service (each a few kB to a few MB of JSON-ready data)
PAGES_KEPT = 8  # the home page and the editor's vocabulary, per mount path
_HOST = re.compile(r"[A-Za-z0-9.\-]{1,253}(:[0-9]{1,5})?|\[[0-9A-Fa-f:.]{2,45}\](:[0-9]{1,5})?")


@dataclass
class ServiceConfig:
    build_dir: Path
    queries_dir: Path
    timeout: float = 10.0
    workers: int = 2
    max_rows: int = 100_000
    max_bytes: int = DEFAULT_MAX_BYTES  # largest answer, as serialised
    max_request_bytes: int = 1_000_000
    max_waiting: int = 64  # requests waiting for a worker before more are refused with 503
    body_seconds: float = 30.0  # a request body must arrive within this
    # Each worker copies the store into memory when the build holds at most this many
    # triples: about 0.4 GB per worker per 10^6 triples, for saved queries 2-8x faster.
    in_memory_max: int = 2_000_000


class Service:
    """The build, the worker pool, the saved queries and the bounded caches of one running service.

    Until :meth:`start`, :attr:`info` describes the build folder as it is; from then on
    the snapshot the service answers from, until :meth:`stop`.
    """

    def __init__(self, config: ServiceConfig) -> None:
        self.config = config
        self.snapshot: Snapshot | None = None
        self._describe(BuildFolder(config.build_dir).info())
        self.saved: dict[str, SavedQuery] = (
            load_saved_queries(config.queries_dir) if config.queries_dir.is_dir() else {})
        self.pool = WorkerPool(str(BuildFolder(config.build_dir).store_dir), config.workers, config.timeout, self.in_memory,
                               self.graphs, config.max_waiting)
        self.started = time.time()
        self.analyses = LruCache(ANALYSES_KEPT)
        self.networks = LruCache(len(NETWORKS))
        self.pages = LruCache(PAGES_KEPT)

    def _describe(self, info: dict[str, Any]) -> None:
        self.info: dict[str, Any] = info
        self.graphs: set[str] = set(info.get("graphs", {}))
        self.in_memory = 0 < int(info.get("triples") or 0) <= self.config.in_memory_max

    @property
    def served_dir(self) -> Path:
        """The folder holding the build being served: the snapshot once started."""
        return self.snapshot.path if self.snapshot is not None else self.config.build_dir

    @property
    def served(self) -> BuildFolder:
        """The build being served, as its layout names its parts."""
        return BuildFolder(self.served_dir)

    async def start(self) -> None:
        """Take the snapshot of the build and start the workers on it."""
        loop = asyncio.get_running_loop()
        self.snapshot = await loop.run_in_executor(None, take, self.config.build_dir)
        self._describe(self.snapshot.info)
        self.pool.store_path, self.pool.graphs = str(self.served.store_dir), tuple(sorted(self.graphs))
        self.pool.in_memory = self.in_memory
        try:
            await self.pool.start()
        except BaseException:
            self.snapshot.release()
            raise

    async def stop(self) -> None:
        await self.pool.stop()
        if self.snapshot is not None:
            self.snapshot.release()

    # -------------------------------------------------------------- reads, all in the workers

    def job(self, query: str, media_type: str = "", default_graphs: list[str] | None = None,
            named_graphs: list[str] | None = None, render: str | None = None, base_iri: str | None = None) -> Job:
        return Job(query, media_type, self.config.max_rows, tuple(default_graphs or ()), tuple(named_graphs or ()),
                   render=render, max_bytes=self.config.max_bytes, base_iri=base_iri)

    async def run(self, job: Job) -> Any:
        """A query's answer from a worker, within the deadline (errors: see :mod:`cakg.service.app`)."""
        return await self.pool.run(job)

    async def task(self, name: str, *args: Any) -> Any:
        """A named read of :mod:`cakg.service.tasks` from a worker, within the deadline."""
        return await self.pool.run(Task(name, args))

    async def cached_task(self, cache: LruCache, key: Any, name: str, *args: Any) -> Any:
        """:meth:`task`, answered from ``cache`` under ``key`` once computed (only answers are kept, not errors)."""
        value = cache.get(key)
        if value is None:
            value = await self.task(name, *args)
            cache.put(key, value)
        return value

    def base_iri(self, request: Request) -> str:
        """The IRI relative IRIs of a query resolve against: the service's SPARQL endpoint as the client named it."""
        host = request.headers.get("host") or ""
        if not _HOST.fullmatch(host):
            host = "localhost"
        root = (request.scope.get("root_path") or "").rstrip("/")
        if not re.fullmatch(r"[A-Za-z0-9\-._~/%]*", root):
            root = ""
        scheme = "https" if request.url.scheme == "https" else "http"
        return f"{scheme}://{host}{root}/sparql"


async def off_loop(function: Any, *args: Any) -> Any:
    """``function(*args)`` in a thread: rendering a page of up to --max-rows rows takes seconds.

    The thread still takes turns with the event loop for the interpreter, so the loop
    keeps answering (/health) while it runs.
    """
    return await asyncio.get_running_loop().run_in_executor(None, functools.partial(function, *args))


__all__ = ["ServiceConfig", "Service", "off_loop"]
