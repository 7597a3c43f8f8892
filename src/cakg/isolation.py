"""Cut the calling process off from the network before it evaluates anyone's query.

The SPARQL engine follows ``SERVICE`` clauses to any host. A lexical check
refuses them with a clear message, but it cannot agree with the engine's
grammar in every case, so the processes that evaluate queries are made unable
to open a connection at all, whatever the query says. Two independent layers:

* a **network namespace** of their own (``unshare(CLONE_NEWNET)``; a process
  that is not root first makes a user namespace, which Linux allows unless
  the administrator turned it off): no interface but a loopback that is down,
  so every address, 127.0.0.1 included, is unreachable;
* a **seccomp filter** (libseccomp through ``pyseccomp``): ``socket()``,
  ``socketpair()`` and ``io_uring_setup()`` fail with ``EACCES``, so not even a
  Unix socket on the file system can be opened. The filter sets no_new_privs,
  needs no privilege, and is inherited by every thread created afterwards.

Either layer alone keeps the process off the network; :func:`isolate` applies
both that the system offers and raises :class:`IsolationUnavailable` when it
offers neither, so no worker ever evaluates queries with the network open.
A process keeps the sockets it already holds (a worker's pipe to the server).
"""

from __future__ import annotations

import ctypes
import errno
import os

_CLONE_NEWUSER = 0x10000000
_CLONE_NEWNET = 0x40000000
BLOCKED_SYSCALLS = ("socket", "socketpair", "io_uring_setup")


class IsolationUnavailable(Exception):
    """Neither a network namespace nor a seccomp filter could be set up."""


def _unshare(flags: int) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(ctypes.c_int(flags)) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code))


def _thread_count() -> int:
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return 1


def enter_empty_network_namespace() -> str:
    """Move this process into a new network namespace (a user namespace first when not root)."""
    # Namespaces belong to threads: threads that exist already would stay outside.
    if _thread_count() != 1:
        raise OSError(errno.EBUSY, "the process already runs other threads")
    try:
        _unshare(_CLONE_NEWNET)
    except OSError as error:
        if error.errno != errno.EPERM:
            raise
        _unshare(_CLONE_NEWUSER | _CLONE_NEWNET)
    return "network namespace"


def forbid_sockets() -> str:
    """Install a seccomp filter under which creating a socket fails with EACCES (all threads)."""
    import pyseccomp

    seccomp_filter = pyseccomp.SyscallFilter(pyseccomp.ALLOW)
    seccomp_filter.set_attr(pyseccomp.Attr.CTL_TSYNC, 1)
    for name in BLOCKED_SYSCALLS:
        seccomp_filter.add_rule(pyseccomp.ERRNO(errno.EACCES), name)
    seccomp_filter.load()
    return "seccomp"


def isolate() -> list[str]:
    """Apply every layer the system offers; the names of those applied (never empty)."""
    applied, failures = [], []
    for layer in (enter_empty_network_namespace, forbid_sockets):
        try:
            applied.append(layer())
        except (OSError, RuntimeError, ImportError, AttributeError, ValueError) as error:
            failures.append(f"{layer.__name__}: {error}")
    if not applied:
        raise IsolationUnavailable("query workers cannot be cut off from the network on this system ("
                                   + "; ".join(failures) + ")")
    return applied
