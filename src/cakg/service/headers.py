"""What the service adds to every response: the security headers (the pages' CSP, no sniffing, no referrer) and an access-log line."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import re
import time
from typing import Any

ACCESS_LOG = logging.getLogger("cakg.access")


def content_security_policy(script_hashes: list[str] = ()) -> str:
    """The pages' policy: scripts and data from this site only (the vendored scripts ship in the package).

    Styles may be inline: the pages and the ontology documentation set style attributes,
    and YASGUI and vis-network style their elements as they draw them.
    """
    scripts = " ".join(["'self'"] + [f"'{h}'" for h in script_hashes])
    return (f"default-src 'self'; script-src {scripts}; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
            "base-uri 'self'; form-action 'self'; frame-ancestors 'self'")


_INLINE_SCRIPT = re.compile(r"<script(?P<attributes>[^>]*)>(?P<body>.*?)</script>", re.DOTALL | re.IGNORECASE)


def inline_script_hashes(html: str) -> list[str]:
    """CSP hashes of the executable inline scripts of a page cakg.viz generated.

    viz inlines its scripts (vis-network and network.js) so that the page also works
    opened from disk; everything else it embeds is JSON with "<" escaped, which cannot
    open a script element, so the executable scripts are the package's own.
    """
    hashes = []
    for found in _INLINE_SCRIPT.finditer(html):
        attributes = found.group("attributes").lower()
        if "src=" in attributes or ("type=" in attributes and "javascript" not in attributes):
            continue
        digest = hashlib.sha256(found.group("body").encode("utf-8")).digest()
        hashes.append("sha256-" + base64.b64encode(digest).decode("ascii"))
    return hashes


class SecurityHeaders:
    """Headers on every response: no content sniffing, no referrer sent to other sites, the pages' CSP."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.policy = content_security_policy().encode("latin-1")

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_wrapper(message: dict) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                headers += [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin")]
                content_type = next((v for n, v in headers if n.lower() == b"content-type"), b"")
                if content_type.startswith(b"text/html") and b"content-security-policy" not in names:
                    headers.append((b"content-security-policy", self.policy))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_wrapper)


class AccessLog:
    """One JSON line per request on the ``cakg.access`` logger (method, path, status, bytes, ms)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not ACCESS_LOG.isEnabledFor(logging.INFO):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        state = {"status": 500, "bytes": 0}

        async def send_wrapper(message: dict) -> None:
            if message["type"] == "http.response.start":
                state["status"] = message["status"]
            elif message["type"] == "http.response.body":
                state["bytes"] += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            client = scope.get("client") or ("-", 0)
            ACCESS_LOG.info(json.dumps({
                "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()), "client": client[0],
                "method": scope["method"], "path": scope["path"], "query": scope.get("query_string", b"")
                .decode("latin-1")[:200], "status": state["status"], "bytes": state["bytes"],
                "ms": round((time.perf_counter() - started) * 1000, 2)}))


__all__ = ["content_security_policy", "inline_script_hashes", "SecurityHeaders", "AccessLog"]
