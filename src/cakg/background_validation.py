"""Validation in a second process, so the build can write its output meanwhile.

The process is forked when the build starts, before any data is parsed, and
is later handed the triples the shapes read as an N-Quads file. It does
nothing but this one validation, so it is where pySHACL may be sped up
(:mod:`cakg.validation_speedups`) without the change reaching anything else. It dies with
the build: on Linux the kernel sends it SIGKILL when the build process ends
(``PR_SET_PDEATHSIG``), elsewhere a thread in it watches for the parent to go. Forking once
the store was full would share the store copy-on-write, but reading a
pyoxigraph memory store writes to its pages (at 10^6 triples, iterating once
made 270 MB of them private), so the store ended up in memory twice.
"""
from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import rdflib
from pyoxigraph import Store

from .errors import CakgError
from . import validation_speedups
from .validate import Prepared, Report, check, prepare, report

# The shapes graph the forked process validates against: inherited at the
# fork rather than pickled, so its blank nodes (property shapes, constraint
# nodes) keep the identifiers the pre-filter in ``Prepared.checks`` uses.
_SHAPES: rdflib.Graph | None = None


_PR_SET_PDEATHSIG = 1


def _ready() -> None:
    return None


def _die_with_parent(parent: int) -> None:
    """Runs first in the forked process: end it when the build process ends, even by SIGKILL."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        # The signal is sent when the thread that forked this process exits: the build's thread,
        # which waits for the report before it returns.
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    else:
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)


def _start_validator(parent: int) -> None:
    """Runs first in the forked process: tie it to the build, and mark it as one that only validates."""
    _die_with_parent(parent)
    validation_speedups.dedicate_this_process()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def _check_forked(prepared: Prepared) -> tuple[bool, list[tuple], float]:
    assert _SHAPES is not None
    started = time.perf_counter()
    conforms, results = check(prepared, _SHAPES)
    return conforms, list(results), time.perf_counter() - started


class BackgroundValidation:
    """Validates a store beside the caller; where fork is unavailable, in the caller at ``start``.

    ``speedups``: None decides by the store's size at :meth:`start`
    (:func:`cakg.validation_speedups.wanted`); in the caller they are never applied.
    """

    def __init__(self, shapes: rdflib.Graph, speedups: bool | None = None) -> None:
        global _SHAPES
        self._shapes = shapes
        self._speedups = speedups
        self.sped_up = False  # whether the validation started was sped up
        self._pool: ProcessPoolExecutor | None = None
        self._future: Future | None = None
        self._scratch: Path | None = None
        self._prepare_s = 0.0
        self._checked: tuple[bool, rdflib.Graph, float] | None = None
        if "fork" not in multiprocessing.get_all_start_methods():
            return
        _SHAPES = shapes
        try:
            self._pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"),
                                             initializer=_start_validator, initargs=(os.getpid(),))
            self._pool.submit(_ready).result()  # the fork happens here, while this process is small
        finally:
            _SHAPES = None

    def start(self, store: Store, scratch: Path) -> None:
        """Hand over what validation reads from ``store`` (written to ``scratch``) and begin.

        Either way validation sees ``store`` as it is now, whatever is added before ``wait``.
        """
        started = time.perf_counter()
        if self._pool is None:  # in this process: plain pySHACL only
            conforms, results = check(prepare(store, self._shapes), self._shapes)
            self._checked = (conforms, results, time.perf_counter() - started)
            return
        self._scratch = scratch
        self.sped_up = self._speedups if self._speedups is not None else validation_speedups.wanted(len(store))
        prepared = prepare(store, self._shapes, nquads=scratch, speedups=self.sped_up)
        self._prepare_s = time.perf_counter() - started
        self._future = self._pool.submit(_check_forked, prepared)

    def wait(self, store: Store) -> tuple[Report, float]:
        """The report on ``store`` (the one given to ``start``) and the seconds validation took."""
        if self._checked is not None:
            conforms, results, seconds = self._checked
            return report(conforms, results, self._shapes, store), seconds
        if self._future is None:
            raise RuntimeError("wait() before start()")
        try:
            conforms, triples, seconds = self._future.result()
        except BrokenProcessPool as error:
            raise CakgError("validation stopped: its process ended without a report "
                            "(out of memory?)") from error
        results = rdflib.Graph()
        for triple in triples:
            results.add(triple)
        return report(conforms, results, self._shapes, store), self._prepare_s + seconds

    def close(self) -> None:
        if self._pool is not None:  # an idle process is joined; a busy one (the build failed) is left to finish
            idle = self._future is None or self._future.done()
            self._pool.shutdown(wait=idle, cancel_futures=True)
        if self._scratch is not None:
            self._scratch.unlink(missing_ok=True)
