"""SPARQL 1.1 Protocol requests to an endpoint cakg does not trust: a total deadline, a bounded body, its own redirects.

A remote endpoint is input like any other. This client (httpx) guarantees:

- ``timeout`` is a deadline for the whole exchange (connecting, redirects, headers
  and the last byte of the body), enforced by cancelling the request, so a body
  trickled one byte at a time stops there too;
- at most ``max_bytes`` of body are read (a larger declared or streamed answer
  is refused as soon as it passes the cap), so memory stays bounded;
- redirects are followed by cakg, at most five, and never to another origin
  while credentials are set: the Authorization header goes only to the origin
  the user named.

SPARQLWrapper forms the request — the protocol's encoding of the query, the
Accept header for the result format, the parameters some stores read the format
from — exactly as it does for any SPARQL client; only the sending is cakg's. Its
own sending goes through urllib, which follows redirects to any origin and
re-sends the Authorization header, applies its timeout to each socket read
rather than to the exchange, and reads the whole body into memory.
"""

from __future__ import annotations

import asyncio
import base64
import concurrent.futures
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urljoin, urlsplit

import httpx

from . import __version__
from .errors import EndpointError, InputError

DEFAULT_MAX_BYTES = 128 * 2**20
MAX_REDIRECTS = 5
_ERROR_DETAIL_BYTES = 64 * 1024
_REDIRECTS = (301, 302, 303, 307, 308)
_DEFAULT_PORTS = {"http": 80, "https": 443}

T = TypeVar("T")


@dataclass(frozen=True)
class ProtocolRequest:
    """A SPARQL 1.1 Protocol query request, as SPARQLWrapper forms it (no credentials)."""

    url: str
    method: str
    body: bytes | None
    headers: dict[str, str]


def protocol_request(endpoint: str, query: str, form: str) -> ProtocolRequest:
    """The request SPARQLWrapper would send for ``query`` (a POST of the form-encoded query).

    ``form`` is cakg's own reading of the query form (:func:`cakg.store.query_form`):
    SPARQLWrapper's guess is a regex that words in comments can fool. SELECT and ASK
    ask for SPARQL JSON results, CONSTRUCT and DESCRIBE for Turtle.
    """
    from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper

    wrapper = SPARQLWrapper(endpoint, agent=f"cakg/{__version__}")
    wrapper.setMethod(POST)
    wrapper.setQuery(query)
    wrapper.queryType = form
    wrapper.setReturnFormat(TURTLE if form in ("CONSTRUCT", "DESCRIBE") else JSON)
    # SPARQLWrapper has no public way to hand over a request without sending it;
    # this method is how its own query() starts (tests/test_hardening_remote.py pins it).
    request = wrapper._createRequest()
    return ProtocolRequest(request.full_url, request.get_method(), request.data,
                           {name: value for name, value in request.header_items()})


@dataclass(frozen=True)
class Answer:
    body: bytes
    content_type: str


def printable(text: str, limit: int = 200) -> str:
    """A server's words on one line, without control characters (no terminal escapes), cut to ``limit``."""
    flat = " ".join("".join(c if c.isprintable() or c.isspace() else "?" for c in text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), parts.port or _DEFAULT_PORTS.get(scheme)


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode("utf-8")).decode("ascii")


@dataclass
class SparqlClient:
    """Sends one query to ``endpoint`` and returns the answer's bytes, or raises a one-line CakgError."""

    endpoint: str
    user: str | None = None
    password: str | None = None
    timeout: float = 30.0
    max_bytes: int = DEFAULT_MAX_BYTES

    def query(self, query: str, form: str, label: str) -> Answer:
        """Send ``query`` (whose form is SELECT, ASK, CONSTRUCT or DESCRIBE); the answer's bytes."""
        return _run(self._within_deadline(protocol_request(self.endpoint, query, form), label))

    async def _within_deadline(self, first: ProtocolRequest, label: str) -> Answer:
        try:
            async with asyncio.timeout(self.timeout):
                return await self._exchange(first, label)
        except TimeoutError:
            raise EndpointError(f"{self.endpoint}: no complete answer to {label} within {self.timeout:g} s "
                                "(--timeout)") from None
        except httpx.TimeoutException:
            raise EndpointError(f"{self.endpoint}: no complete answer to {label} within {self.timeout:g} s "
                                "(--timeout)") from None
        except (httpx.ConnectError, httpx.UnsupportedProtocol) as error:
            raise EndpointError(f"{self.endpoint}: unreachable ({_reason(error)})") from None
        except httpx.HTTPError as error:
            raise EndpointError(f"{self.endpoint}: the exchange failed ({_reason(error)})") from None
        except (httpx.InvalidURL, ValueError) as error:  # an unusable URL, e.g. in a Location header
            raise EndpointError(f"{self.endpoint}: cannot send there ({_reason(error)})") from None

    async def _exchange(self, first: ProtocolRequest, label: str) -> Answer:
        own = origin(self.endpoint)
        url, method = first.url, first.method
        headers = {"Accept-Encoding": "gzip, deflate", **first.headers}
        # Per-operation timeouts as a second line of defence; the deadline above is the real one.
        async with httpx.AsyncClient(follow_redirects=False, timeout=self.timeout) as client:
            for _hop in range(MAX_REDIRECTS + 1):
                sent = {name: value for name, value in headers.items()
                        if method == "POST" or name.lower() != "content-type"}
                if self.user is not None:
                    if origin(url) != own:
                        raise EndpointError(
                            f"{self.endpoint}: redirected to another origin ({_origin_text(url)}); cakg does not "
                            "follow a redirect elsewhere with credentials (name that URL with --endpoint if you "
                            "trust it)")
                    sent["Authorization"] = _basic(self.user, self.password or "")
                if method == "POST":
                    request = client.build_request("POST", url, content=first.body, headers=sent)
                else:  # after a 303: the same parameters, in the URL
                    request = client.build_request("GET", _with_parameters(url, first.body), headers=sent)
                response = await client.send(request, stream=True)
                try:
                    if response.status_code in _REDIRECTS:
                        url = self._redirect_target(url, response)
                        if response.status_code == 303:
                            method = "GET"  # "see other": fetch the answer there
                        continue
                    if response.status_code >= 400:
                        detail = await _read(response, _ERROR_DETAIL_BYTES, self.endpoint, truncate=True)
                        raise self._refusal(response, detail.decode("utf-8", "replace"), label)
                    body = await _read(response, self.max_bytes, self.endpoint)
                    content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
                    return Answer(body, content_type)
                finally:
                    await response.aclose()
        raise EndpointError(f"{self.endpoint}: more than {MAX_REDIRECTS} redirects")

    def _redirect_target(self, url: str, response: httpx.Response) -> str:
        location = response.headers.get("Location")
        if not location:
            raise EndpointError(f"{self.endpoint}: HTTP {response.status_code} redirect without a Location")
        target = urljoin(url, location)
        if urlsplit(target).scheme.lower() not in _DEFAULT_PORTS:
            raise EndpointError(f"{self.endpoint}: redirected to a URL that is not http(s): {printable(target, 100)}")
        return target

    def _refusal(self, response: httpx.Response, text: str, label: str) -> Exception:
        code, detail = response.status_code, printable(text)
        if code == 400:
            return InputError(f"{label}: the endpoint {self.endpoint} rejected the query as malformed: {detail}")
        if code in (401, 403):
            return EndpointError(f"{self.endpoint}: credentials refused (HTTP {code})")
        if code == 404:
            return EndpointError(f"{self.endpoint}: no SPARQL endpoint here (HTTP 404)")
        if code >= 500:
            return EndpointError(f"{self.endpoint}: server error running {label}: HTTP {code}"
                                 + (f" {detail}" if detail else ""))
        return EndpointError(f"{self.endpoint}: HTTP {code} {printable(response.reason_phrase, 60)}".rstrip())


def _with_parameters(url: str, form_body: bytes | None) -> str:
    encoded = (form_body or b"").decode("ascii")
    return url + ("&" if urlsplit(url).query else "?") + encoded if encoded else url


def _reason(error: Exception) -> str:
    return printable(str(error), 160) or type(error).__name__


def _origin_text(url: str) -> str:
    scheme, host, port = origin(url)
    return printable(f"{scheme}://{host}:{port}", 120)


async def _read(response: httpx.Response, limit: int, endpoint: str, truncate: bool = False) -> bytes:
    """At most ``limit`` bytes of the (decoded) body; past it, an EndpointError (or the first ``limit``)."""
    declared = response.headers.get("Content-Length", "")
    if not truncate and declared.isdigit() and int(declared) > limit:
        raise EndpointError(f"{endpoint}: the answer is {int(declared):,} bytes, over the {limit:,}-byte cap "
                            "(--max-bytes)")
    chunks, total = [], 0
    async for chunk in response.aiter_bytes():
        chunks.append(chunk)
        total += len(chunk)
        if total > limit:
            if truncate:
                break
            raise EndpointError(f"{endpoint}: the answer passed the {limit:,}-byte cap (--max-bytes); "
                                "stopped reading")
    return b"".join(chunks)[:limit]


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run ``coroutine`` to completion from synchronous code, in a thread if a loop is running here."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
