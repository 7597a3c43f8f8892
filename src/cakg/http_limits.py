"""The HTTP server's own limits: how long a client may take to send a request's head.

uvicorn closes a connection left idle between requests (``timeout_keep_alive``)
but restarts that clock at every byte received, so a client sending one header
line every few seconds could hold a connection (and its memory) for as long as
it liked. :class:`HeadDeadlineProtocol` is uvicorn's h11 protocol with one
deadline more: the head of each request (request line and headers) must be
complete within :data:`HEAD_SECONDS` of its first byte, or the connection is
answered 408 and closed. The body has its own deadline in the service.
"""

from __future__ import annotations

import asyncio
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

HEAD_SECONDS = 20.0
KEEP_ALIVE_SECONDS = 5


class HeadDeadlineProtocol(H11Protocol):
    """uvicorn's h11 protocol, closing connections whose request head is not complete in time."""

    head_seconds = HEAD_SECONDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_timer: asyncio.TimerHandle | None = None

    def data_received(self, data: bytes) -> None:
        if self._head_timer is None and self.conn.their_state is h11.IDLE:
            self._head_timer = self.loop.call_later(self.head_seconds, self._head_too_slow)
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:  # the head is complete (or the connection failed)
            self._cancel_head_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_timer()
        super().connection_lost(exc)

    def _cancel_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_too_slow(self) -> None:
        self._head_timer = None
        if self.transport.is_closing() or self.conn.their_state is not h11.IDLE:
            return
        self.transport.write(b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\n"
                             b"connection: close\r\ncontent-length: 52\r\n\r\n"
                             b"the request head did not arrive within the deadline\n")
        self.transport.close()


def uvicorn_options() -> dict[str, Any]:
    """Keyword arguments for ``uvicorn.Config`` that put these limits in place."""
    return {"http": HeadDeadlineProtocol, "timeout_keep_alive": KEEP_ALIVE_SECONDS}
