"""The build a running service answers from: a snapshot of ``build/`` that a rebuild cannot change.

``cakg build`` replaces its output folder whole and deletes the previous one,
so a service reading ``build/`` directly would see a different build in each
worker started after the swap. Instead the service answers, until it is
restarted, from the build it started with: at start it takes a snapshot into
``.NAME.serving-PID-N`` beside the build folder — the store by
``pyoxigraph.Store.backup`` (a RocksDB checkpoint: hard links to the table
files, which are never modified, and copies of the few small files that are),
``build-info.json`` and the ontology pages (hard links where possible). Every
worker, the analyses and ``/health`` read the snapshot, so they all serve one
build, and deleting the old build leaves the snapshot's files in place.

The build is read through a descriptor of its folder, so a swap during the
snapshot cannot mix two builds (a build deleted part-way is retried). The
snapshot is held under an exclusive ``flock`` and removed when the service
stops; a service that was killed leaves it, and the next service started beside
the same build removes it (its lock is free and its process gone). What a build
folder holds, and so what the snapshot copies, is :mod:`cakg.build_folder`'s to say.

Where no folder can be made beside the build (a read-only parent), no build
can replace it either, so the service reads the build in place.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import itertools
import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

from .build_folder import BuildFolder
from .errors import CakgError


class Snapshot:
    """The folder a service reads its build from; :meth:`release` removes it (when it is a copy)."""

    def __init__(self, path: Path, info: dict[str, Any], copied: bool, lock: int = -1) -> None:
        self.path = path
        self.info = info
        self.copied = copied  # False: the build folder itself (no snapshot could be made)
        self._lock = lock

    def release(self) -> None:
        if self.copied:
            shutil.rmtree(self.path, ignore_errors=True)
        if self._lock >= 0:
            os.close(self._lock)
            self._lock = -1


_taken = itertools.count(1)


def snapshot_path(build_dir: Path) -> Path:
    """A new name beside ``build_dir``: one process may run several services (tests do)."""
    return build_dir.with_name(f".{build_dir.name}.serving-{os.getpid()}-{next(_taken)}")


def take(build_dir: Path) -> Snapshot:
    """A snapshot of ``build_dir`` (its store, build-info.json and ontology pages) beside it."""
    build_dir = build_dir.absolute()
    remove_stale(build_dir)
    target = snapshot_path(build_dir)
    shutil.rmtree(target, ignore_errors=True)
    try:
        target.mkdir()
    except OSError as error:
        if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return Snapshot(build_dir, _read_info(build_dir), copied=False)
        raise
    lock = os.open(target, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    try:
        for attempt in range(3):
            try:
                info = _copy(build_dir, target)
                return Snapshot(target, info, copied=True, lock=lock)
            except (OSError, ValueError, CakgError) as error:
                if attempt == 2:
                    detail = re.sub(r"/proc/self/fd/\d+", str(build_dir), " ".join(str(error).split()))
                    raise OSError(f"{build_dir}: cannot take a snapshot of the build to serve: {detail}") from None
                for entry in target.iterdir():  # a build swapped and deleted mid-way: take the new one
                    shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
        raise AssertionError("unreachable")
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        os.close(lock)
        raise


def _read_info(folder: Path) -> dict[str, Any]:
    return BuildFolder(folder).info()


def _copy(build_dir: Path, target: Path) -> dict[str, Any]:
    import pyoxigraph

    descriptor = os.open(build_dir, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        # /proc/self/fd/N names the folder the descriptor holds, even after a swap renamed it.
        held = Path(f"/proc/self/fd/{descriptor}")
        source = BuildFolder(held if held.is_dir() else build_dir)
        copy = BuildFolder(target)
        info_text = source.info_text()
        info = json.loads(info_text)
        copy.info_file.write_text(info_text, encoding="utf-8")
        if source.ontology_dir.is_dir():
            shutil.copytree(source.ontology_dir, copy.ontology_dir, copy_function=_link_or_copy)
        store = pyoxigraph.Store.read_only(str(source.store_dir))
        try:
            store.backup(str(copy.store_dir))
        finally:
            del store
        return info
    finally:
        os.close(descriptor)


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def remove_stale(build_dir: Path) -> list[Path]:
    """Remove the snapshots that services killed beside ``build_dir`` left; return them."""
    pattern = re.compile(rf"^\.{re.escape(build_dir.name)}\.serving-(\d+)-\d+$")
    removed = []
    with contextlib.suppress(OSError):
        for entry in build_dir.parent.iterdir():
            found = pattern.match(entry.name)
            if not found or entry.is_symlink() or not entry.is_dir() or _alive(int(found.group(1))):
                continue
            if _lock_is_free(entry):
                shutil.rmtree(entry, ignore_errors=True)
                removed.append(entry)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _lock_is_free(folder: Path) -> bool:
    try:
        descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    finally:
        os.close(descriptor)
    return True
