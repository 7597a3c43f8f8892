"""The folders a build keeps beside its output: staging while it works, one atomic swap, no debris left.

A build writes into ``.NAME.staging-PID`` and hands validation a scratch file
``.NAME.validation-PID.nq``, both beside the output folder ``NAME``. Each is
held under an exclusive ``flock`` for as long as the build uses it; the kernel
drops the lock when the process dies, however it dies. The next build removes
what a killed build left: entries whose lock is free and whose PID is no longer
alive (both, so a build that has just created its folder, or one in another PID
namespace, is never disturbed, and two builds can run at once).

The swap is one ``renameat2(RENAME_EXCHANGE)`` on Linux: the output folder is
the old build or the new one at every instant. Where that call is missing (or
the file system refuses it), two renames are used, and a build killed between
them leaves ``.NAME.old-PID``, which the next build puts back.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import os
import re
import shutil
from pathlib import Path

_AT_FDCWD = -100
_RENAME_NOREPLACE = 1
_RENAME_EXCHANGE = 2


def _debris_pattern(out: Path) -> re.Pattern[str]:
    return re.compile(rf"^\.{re.escape(out.name)}\.(staging|validation|old)-(\d+)(\.nq)?$")


def staging_path(out: Path) -> Path:
    return out.with_name(f".{out.name}.staging-{os.getpid()}")


def scratch_path(out: Path) -> Path:
    return out.with_name(f".{out.name}.validation-{os.getpid()}.nq")


class Held:
    """A folder or file this build created and holds locked until :meth:`release`."""

    def __init__(self, path: Path, folder: bool) -> None:
        self.path = path
        if folder:
            path.mkdir()
            self._fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        else:
            self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o644)
        fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def release(self, remove: bool = True) -> None:
        if remove:
            _remove(self.path)
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def _alive(pid: int) -> bool:
    """Whether a process ``pid`` exists; this process's own PID (a killed build's, reused) counts as gone:
    its debris is then judged by its lock alone."""
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _lock_is_free(path: Path) -> bool:
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    finally:
        os.close(descriptor)  # closing drops the lock taken just now
    return True


def remove_debris(out: Path) -> list[Path]:
    """Remove what killed builds into ``out`` left beside it; return what was removed or put back."""
    pattern = _debris_pattern(out)
    handled = []
    try:
        entries = list(out.parent.iterdir())
    except OSError:
        return handled
    for entry in sorted(entries):
        match = pattern.match(entry.name)
        if not match or entry.is_symlink() or _alive(int(match.group(2))):
            continue
        kind = match.group(1)
        if kind == "old":
            # Two-rename swap killed between its renames: the old build is the last good one.
            if not out.exists():
                with contextlib.suppress(FileNotFoundError):
                    entry.rename(out)
                    handled.append(entry)
                continue
        elif not _lock_is_free(entry):
            continue
        _remove(entry)
        handled.append(entry)
    return handled


def _renameat2(source: Path, target: Path, flags: int) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    function = getattr(libc, "renameat2", None)
    if function is None:
        raise OSError(errno.ENOSYS, "renameat2 is not available")
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if function(_AT_FDCWD, os.fsencode(source), _AT_FDCWD, os.fsencode(target), flags) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code), str(source), None, str(target))


def swap(staging: Path, out: Path) -> None:
    """Make ``staging`` the folder ``out`` in one step; the previous ``out`` is removed afterwards."""
    for _attempt in range(5):
        try:
            if out.exists() or out.is_symlink():
                _renameat2(staging, out, _RENAME_EXCHANGE)
                _remove(staging)  # now the previous build
            else:
                _renameat2(staging, out, _RENAME_NOREPLACE)
            return
        except OSError as error:
            if error.errno in (errno.ENOENT, errno.EEXIST):
                continue  # another build swapped meanwhile: look again
            if error.errno not in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
                raise
            break
    _swap_by_two_renames(staging, out)


def _swap_by_two_renames(staging: Path, out: Path) -> None:
    old = out.with_name(f".{out.name}.old-{os.getpid()}")
    if out.exists():
        out.rename(old)
    try:
        staging.rename(out)
    except OSError:
        if old.exists():
            old.rename(out)
        raise
    _remove(old)
