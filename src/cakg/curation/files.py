"""Writes into ``data/`` that are atomic and serialised, so no edit is ever half-done or lost.

Every change the curation tools make happens under an exclusive ``flock`` on
``data/.cakg-curation.lock``: a second writer (another command, the
workbench) waits, then reads what the first wrote before changing anything.
Each file is written to a temporary file in the same folder, flushed to disk
and renamed over the old one, then the folder is flushed too: a process
killed at any moment leaves the old file or the new one, never a mix.
Temporary files are named ``.NAME.PID.tmp``, which no build reads.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path

from ..errors import InputError

LOCK_NAME = ".cakg-curation.lock"
LOCK_TIMEOUT = 120.0  # seconds a writer waits for another before giving up


@contextlib.contextmanager
def data_lock(data_dir: Path, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold the curation lock of ``data_dir`` (waiting up to ``timeout`` seconds for it)."""
    path = data_dir / LOCK_NAME
    try:
        handle = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o644)
    except OSError as error:
        raise InputError(f"{path}: cannot open the curation lock ({error.strerror})") from None
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as error:
                if error.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() > deadline:
                    raise InputError(f"{path}: another curation edit has held the lock for over "
                                     f"{timeout:.0f} s; try again") from None
                time.sleep(0.05)
        yield
    finally:
        os.close(handle)  # closing releases the lock


def atomic_write(path: Path, data: bytes) -> None:
    """Replace ``path`` by ``data``: temporary file in the same folder, fsync, rename, fsync folder."""
    folder = path.parent
    temporary = folder / f".{path.name}.{os.getpid()}.tmp"
    try:
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC | os.O_NOFOLLOW, 0o644)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(handle, view):]
            os.fsync(handle)
        finally:
            os.close(handle)
        os.replace(temporary, path)
    except OSError as error:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise InputError(f"{path}: cannot write ({error.strerror or error})") from None
    fsync_folder(folder)


def fsync_folder(folder: Path) -> None:
    handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def make_folder(folder: Path) -> None:
    """Create ``folder`` (one level, inside an existing one) durably."""
    if folder.is_dir():
        return
    try:
        folder.mkdir()
    except OSError as error:
        raise InputError(f"{folder}: cannot create ({error.strerror or error})") from None
    fsync_folder(folder.parent)


def remove_stale_temporaries(folder: Path) -> None:
    """Delete temporary files that killed writers left behind (their process is gone)."""
    for temporary in folder.glob(".*.tmp"):
        pid = temporary.name.rsplit(".", 2)[-2]
        if pid.isdigit() and not _alive(int(pid)):
            with contextlib.suppress(OSError):
                temporary.unlink()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
