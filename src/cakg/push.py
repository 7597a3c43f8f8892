"""Copy a build into a remote triple store, one named graph at a time, atomically.

Two protocols, usable together:

- ``--update URL`` (SPARQL 1.1 Update): ``INSERT DATA`` in chunks into a
  temporary graph, then ``MOVE GRAPH <tmp> TO <target>`` in one request, so
  readers see the old graph or the new one, never half of it;
- ``--store URL`` (SPARQL 1.1 Graph Store HTTP Protocol): with ``--update``
  too, the temporary graph is filled with one ``PUT`` and then moved; alone,
  each target graph is replaced by a single ``PUT``, which the protocol
  defines as one replacement of the graph.

Temporary graphs are named under :data:`TEMPORARY_PREFIX` with the time the
push started, the machine and the process: ``…/push-temporary/20250101T120000Z/
HOST/PID/TOKEN/N``. A push that is killed cannot remove its own, so every push
first lists the graphs under that prefix (a ``SELECT DISTINCT ?g`` on the query
endpoint) and drops those whose push has ended: from this machine when their
process is gone, from another machine when they are older than
:data:`STALE_AFTER`. A push still running elsewhere keeps its graph.

The query endpoint is ``--endpoint`` when given; otherwise the update URL is
asked, which answers queries on servers that take both at one URL (Virtuoso's
``/sparql``, GraphDB's repository, Fuseki's dataset). Where it does not
(Oxigraph server's ``/update``), the push stops with exit 3 and asks for
``--endpoint``, rather than leave earlier pushes' temporary graphs unseen. With
``--store`` alone no temporary graph is made; leftovers of earlier pushes are
then removed (by Graph Store ``DELETE``) when ``--endpoint`` is given.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import socket
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote, unquote

import httpx
from pyoxigraph import NamedNode, Quad, RdfFormat, serialize

from .errors import CakgError, EndpointError, InputError
from .sparql_client import printable

# Virtuoso turns one INSERT DATA into SQL and refuses past 10,000 lines: keep requests small.
CHUNK = 500

TEMPORARY_PREFIX = "https://w3id.org/cakg/.well-known/push-temporary/"
# Temporary graphs of cakg versions before the prefix: "<target>--cakg-push-<12 hex>".
_OLD_STYLE = re.compile(r"--cakg-push-[0-9a-f]{12}$")
_NAME = re.compile(r"^(\d{8}T\d{6}Z)/([^/]+)/(\d+)/[0-9a-f]+/\d+$")
# A push from another machine whose temporary graph is older than this has ended.
STALE_AFTER = dt.timedelta(hours=24)
_STAMP = "%Y%m%dT%H%M%SZ"
_ERROR_DETAIL_BYTES = 64 * 1024

Progress = Callable[[str, int, int], None]  # (graph, triples done, triples total)


@dataclass
class PushTarget:
    store_url: str | None = None
    update_url: str | None = None
    user: str | None = None
    password: str | None = None
    timeout: float = 60.0
    query_url: str | None = None

    def __post_init__(self) -> None:
        if not (self.store_url or self.update_url):
            raise InputError("push needs --store GSP_URL or --update UPDATE_URL (or both)")


class Pushed(dict):
    """Triples per named graph pushed; ``removed`` names the temporary graphs of ended pushes dropped first."""

    removed: list[str]


def _ntriples(quads: list[Quad]) -> bytes:
    return serialize([q.triple for q in quads], format=RdfFormat.N_TRIPLES)


def push(quads: list[Quad], target: PushTarget, progress: Progress | None = None,
         now: dt.datetime | None = None) -> Pushed:
    """Replace every named graph of ``quads`` in the target; return triples per graph."""
    graphs: dict[str, list[Quad]] = defaultdict(list)
    for quad in quads:
        if not isinstance(quad.graph_name, NamedNode):
            raise InputError("push copies named graphs only; the build has triples in the default graph")
        graphs[quad.graph_name.value].append(quad)
    started = (now or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc)
    auth = httpx.BasicAuth(target.user, target.password or "") if target.user else None
    pushed = Pushed()
    with httpx.Client(auth=auth, timeout=target.timeout, follow_redirects=False) as client:
        pushed.removed = remove_ended_pushes(client, target, started)
        run = f"{started.strftime(_STAMP)}/{quote(socket.gethostname(), safe='')}/{os.getpid()}/{uuid.uuid4().hex[:12]}"
        for index, name in enumerate(sorted(graphs)):
            members = graphs[name]
            _push_graph(client, target, name, f"{TEMPORARY_PREFIX}{run}/{index}", members, progress)
            pushed[name] = len(members)
    return pushed


def temporary_graphs(target: PushTarget) -> list[str] | None:
    """The temporary graphs in the target store (any push's), or None when no query endpoint is known."""
    url = target.query_url or target.update_url
    if url is None:
        return None
    from .store import RemoteStore

    store = RemoteStore(url, target.user, target.password, target.timeout)
    query = ("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
             f'FILTER(STRSTARTS(STR(?g), "{TEMPORARY_PREFIX}") || CONTAINS(STR(?g), "--cakg-push-")) }}')
    try:
        table = store.select(query, "the list of temporary graphs")
    except CakgError as error:
        if target.query_url:
            raise
        raise EndpointError(f"{url}: cannot list the temporary graphs earlier pushes may have left there "
                            f"({error}); name the store's query endpoint with --endpoint QUERY_URL") from None
    return sorted(row["g"].value for row in table.rows if "g" in row and row["g"].kind == "uri")


def has_ended(graph: str, now: dt.datetime, host: str | None = None) -> bool:
    """Whether the push that made temporary graph ``graph`` has ended (so the graph is debris)."""
    if _OLD_STYLE.search(graph):
        return True
    if not graph.startswith(TEMPORARY_PREFIX):
        return False
    match = _NAME.match(graph[len(TEMPORARY_PREFIX):])
    if match is None:
        return True  # not a name any push makes: nothing will ever remove it otherwise
    stamp, made_on, pid = match.group(1), unquote(match.group(2)), int(match.group(3))
    started = dt.datetime.strptime(stamp, _STAMP).replace(tzinfo=dt.timezone.utc)
    if now - started > STALE_AFTER:
        return True
    if made_on != (host or socket.gethostname()):
        return False  # another machine's push, recent: it may be running
    return not _alive(pid)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_ended_pushes(client: httpx.Client, target: PushTarget, now: dt.datetime) -> list[str]:
    """Drop the temporary graphs of pushes that were killed (see the module's description)."""
    if target.update_url is None and target.query_url is None:
        return []  # --store alone makes no temporary graph and cannot list any
    found = temporary_graphs(target) or []
    removed = [graph for graph in found if has_ended(graph, now)]
    for graph in removed:
        if target.update_url:
            _update(client, target, f"DROP SILENT GRAPH <{graph}>", graph)
        else:
            _send(client, "DELETE", target.store_url, params={"graph": graph}, what=f"DELETE graph {graph}",
                  missing_ok=True)
    return removed


def _push_graph(client: httpx.Client, target: PushTarget, name: str, temporary: str, quads: list[Quad],
                progress: Progress | None) -> None:
    total = len(quads)
    if target.update_url is None:
        # Graph Store Protocol alone: one PUT replaces the graph.
        _send(client, "PUT", target.store_url, params={"graph": name}, content=_ntriples(quads),
              headers={"Content-Type": "application/n-triples"}, what=f"PUT graph {name}")
        if progress:
            progress(name, total, total)
        return
    try:
        if target.store_url:
            _send(client, "PUT", target.store_url, params={"graph": temporary}, content=_ntriples(quads),
                  headers={"Content-Type": "application/n-triples"}, what=f"PUT graph {temporary}")
            if progress:
                progress(name, total, total)
        else:
            _update(client, target, f"DROP SILENT GRAPH <{temporary}>", name)
            for start in range(0, total, CHUNK):
                chunk = quads[start:start + CHUNK]
                body = _ntriples(chunk).decode("utf-8")
                _update(client, target, f"INSERT DATA {{ GRAPH <{temporary}> {{\n{body}}} }}", name)
                if progress:
                    progress(name, min(start + CHUNK, total), total)
        _update(client, target, f"MOVE SILENT GRAPH <{temporary}> TO <{name}>", name)
    except (EndpointError, KeyboardInterrupt):
        try:
            _update(client, target, f"DROP SILENT GRAPH <{temporary}>", name)
        except EndpointError:
            pass  # the next push removes it
        raise


def _update(client: httpx.Client, target: PushTarget, update: str, graph: str) -> None:
    _send(client, "POST", target.update_url, content=update.encode("utf-8"),
          headers={"Content-Type": "application/sparql-update"}, what=f"update of graph {graph}")


def _send(client: httpx.Client, method: str, url: str | None, what: str, missing_ok: bool = False,
          **kwargs) -> None:
    """One request; a refusal, a redirect or no answer is an EndpointError. At most 64 KB of the body is read."""
    assert url is not None
    try:
        with client.stream(method, url, **kwargs) as response:
            detail = b""
            if response.status_code >= 300:
                for chunk in response.iter_bytes():
                    detail += chunk
                    if len(detail) >= _ERROR_DETAIL_BYTES:
                        break
    except httpx.TimeoutException:
        raise EndpointError(f"{url}: no answer within {client.timeout.read or 0:g} s ({what})") from None
    except httpx.HTTPError as error:
        raise EndpointError(f"{url}: unreachable ({printable(str(error), 160)})") from None
    if missing_ok and response.status_code == 404:
        return
    if 300 <= response.status_code < 400:
        location = printable(response.headers.get("Location", "?"), 120)
        raise EndpointError(f"{url}: the server redirected the {what} to {location}; give that URL instead "
                            "(cakg does not follow redirects when writing)")
    if response.status_code >= 400:
        text = printable(detail.decode("utf-8", "replace"))
        raise EndpointError(f"{url}: the server refused the {what}: HTTP {response.status_code}"
                            + (f" {text}" if text else ""))
