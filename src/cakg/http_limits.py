"""The HTTP protocol the service runs on: uvicorn's C parser, with a deadline for each request's head.

uvicorn closes a connection left idle between requests (``timeout_keep_alive``)
but restarts that clock at every byte received, so a client sending one header
line every few seconds could hold a connection (and its memory) for as long as
it liked. :class:`HeadDeadlineProtocol` is uvicorn's httptools protocol with one
deadline more: the head of each request (request line and headers) must be
complete within :data:`HEAD_SECONDS` of its first byte, or the connection is
answered 408 and closed. The body has its own deadline in the service.

The protocol is uvicorn's httptools one (llhttp, Node.js's HTTP parser, in C)
rather than its pure-Python h11 one: on this machine a bare uvicorn application
answered 15,000 requests/s with it against 6,600 with h11, and the parser was the
largest part of the service's own time per light query.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

HEAD_SECONDS = 20.0
KEEP_ALIVE_SECONDS = 5
LINGER_SECONDS = 2.0  # after a 408, how long the client's further bytes are read and dropped


class HeadDeadlineProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, closing connections whose request head is not complete in time."""

    head_seconds = HEAD_SECONDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_timer: asyncio.TimerHandle | None = None
        self._awaiting_head = True  # the next bytes belong to a request's head
        self._refused = False

    def data_received(self, data: bytes) -> None:
        if self._refused:  # answered 408: what the client still sends is read and dropped until the close
            return
        if self._head_timer is None and self._awaiting_head:
            self._head_timer = self.loop.call_later(self.head_seconds, self._head_too_slow)
        super().data_received(data)

    def on_headers_complete(self) -> None:
        self._awaiting_head = False
        self._cancel_head_timer()
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._awaiting_head = True  # what comes next is the head of the next request
        super().on_message_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_timer()
        super().connection_lost(exc)

    def _cancel_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_too_slow(self) -> None:
        self._head_timer = None
        if self.transport.is_closing() or not self._awaiting_head:
            return
        self.transport.write(b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\n"
                             b"connection: close\r\ncontent-length: 52\r\n\r\n"
                             b"the request head did not arrive within the deadline\n")
        # Half-close, and keep reading a moment: closing with the client's bytes unread would send
        # a reset, which can reach the client before the answer does.
        self._refused = True
        self.transport.write_eof()
        self.loop.call_later(LINGER_SECONDS, self.transport.close)


def uvicorn_options() -> dict[str, Any]:
    """Keyword arguments for ``uvicorn.Config`` that put these limits in place."""
    return {"http": HeadDeadlineProtocol, "timeout_keep_alive": KEEP_ALIVE_SECONDS}
