"""Copy a build into a remote triple store, one named graph at a time, atomically.

Two protocols, usable together:

- ``--update URL`` (SPARQL 1.1 Update): ``INSERT DATA`` in chunks into a
  temporary graph, then ``MOVE GRAPH <tmp> TO <target>`` in one request, so
  readers see the old graph or the new one, never half of it;
- ``--store URL`` (SPARQL 1.1 Graph Store HTTP Protocol): with ``--update``
  too, the temporary graph is filled with one ``PUT`` and then moved; alone,
  each target graph is replaced by a single ``PUT``, which the protocol
  defines as one replacement of the graph.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import httpx
from pyoxigraph import NamedNode, Quad, RdfFormat, serialize

from .errors import EndpointError, InputError

# Virtuoso turns one INSERT DATA into SQL and refuses past 10,000 lines: keep requests small.
CHUNK = 500

Progress = Callable[[str, int, int], None]  # (graph, triples done, triples total)


@dataclass
class PushTarget:
    store_url: str | None = None
    update_url: str | None = None
    user: str | None = None
    password: str | None = None
    timeout: float = 60.0

    def __post_init__(self) -> None:
        if not (self.store_url or self.update_url):
            raise InputError("push needs --store GSP_URL or --update UPDATE_URL (or both)")


def _ntriples(quads: list[Quad]) -> bytes:
    return serialize([q.triple for q in quads], format=RdfFormat.N_TRIPLES)


def push(quads: list[Quad], target: PushTarget, progress: Progress | None = None) -> dict[str, int]:
    """Replace every named graph of ``quads`` in the target; return triples per graph."""
    graphs: dict[str, list[Quad]] = defaultdict(list)
    for quad in quads:
        if not isinstance(quad.graph_name, NamedNode):
            raise InputError("push copies named graphs only; the build has triples in the default graph")
        graphs[quad.graph_name.value].append(quad)
    auth = httpx.BasicAuth(target.user, target.password or "") if target.user else None
    pushed = {}
    with httpx.Client(auth=auth, timeout=target.timeout) as client:
        for name in sorted(graphs):
            members = graphs[name]
            _push_graph(client, target, name, members, progress)
            pushed[name] = len(members)
    return pushed


def _push_graph(client: httpx.Client, target: PushTarget, name: str, quads: list[Quad],
                progress: Progress | None) -> None:
    total = len(quads)
    if target.update_url is None:
        # Graph Store Protocol alone: one PUT replaces the graph.
        _send(client, "PUT", target.store_url, params={"graph": name}, content=_ntriples(quads),
              headers={"Content-Type": "application/n-triples"}, what=f"PUT graph {name}")
        if progress:
            progress(name, total, total)
        return
    temporary = f"{name}--cakg-push-{uuid.uuid4().hex[:12]}"
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
    except EndpointError:
        try:
            _update(client, target, f"DROP SILENT GRAPH <{temporary}>", name)
        except EndpointError:
            pass
        raise


def _update(client: httpx.Client, target: PushTarget, update: str, graph: str) -> None:
    _send(client, "POST", target.update_url, content=update.encode("utf-8"),
          headers={"Content-Type": "application/sparql-update"}, what=f"update of graph {graph}")


def _send(client: httpx.Client, method: str, url: str | None, what: str, **kwargs) -> httpx.Response:
    assert url is not None
    try:
        response = client.request(method, url, **kwargs)
    except httpx.TimeoutException:
        raise EndpointError(f"{url}: no answer within {client.timeout.read or 0:g} s ({what})") from None
    except httpx.HTTPError as error:
        raise EndpointError(f"{url}: unreachable ({error})") from None
    if response.status_code >= 400:
        detail = " ".join(response.text.split())[:200]
        raise EndpointError(f"{url}: the server refused the {what}: HTTP {response.status_code}"
                            + (f" {detail}" if detail else ""))
    return response
