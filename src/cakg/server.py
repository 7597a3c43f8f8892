"""The HTTP service: SPARQL 1.1 Protocol, saved queries, Linked Data and the explorer pages.

One Starlette application; every error is translated into a status and a
one-line message in :func:`_handle_error`, and nowhere else. Queries are
checked and evaluated by :mod:`cakg.workers` processes that are cut off from
the network and that a deadline can kill, so nothing heavier than a linear scan
runs on the event loop. The service answers from a snapshot of the build taken
when it starts (:mod:`cakg.snapshot`), so a rebuild does not change its answers.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import hashlib
import json
import logging
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from . import __version__
from .errors import CakgError
from .protocol import (
    RESULT_TABLE_FORMATS,
    ProtocolError,
    choose_format,
    negotiate,
    parse_request,
    prefers_html,
)
from .queries import SavedQuery, load_saved_queries
from .results import MEDIA_TYPES, ResultTable
from .snapshot import Snapshot, take
from .sparql_guard import Refused
from .store import query_form
from .vocab import ID
from .workers import DEFAULT_MAX_BYTES, Job, QueryFailed, QueryTimeout, Saturated, WorkerPool

ACCESS_LOG = logging.getLogger("cakg.access")
STATIC = Path(__file__).parent / "static"


@dataclass
class ServiceConfig:
    build_dir: Path
    queries_dir: Path
    timeout: float = 10.0
    workers: int = 2
    max_rows: int = 100_000
    max_bytes: int = DEFAULT_MAX_BYTES  # largest answer, as serialised
    max_request_bytes: int = 1_000_000
    max_waiting: int = 64  # requests waiting for a worker before more are refused with 503
    body_seconds: float = 30.0  # a request body must arrive within this
    # Each worker copies the store into memory when the build holds at most this many
    # triples: about 0.4 GB per worker per 10^6 triples, for saved queries 2-8x faster.
    in_memory_max: int = 2_000_000


class Service:
    """What the request handlers share: the build, the worker pool and the saved queries.

    Until :meth:`start`, :attr:`info` describes the build folder as it is; from then on
    the snapshot the service answers from, until :meth:`stop`.
    """

    def __init__(self, config: ServiceConfig) -> None:
        self.config = config
        self.snapshot: Snapshot | None = None
        self._describe((config.build_dir / "build-info.json").read_text(encoding="utf-8"))
        self.saved: dict[str, SavedQuery] = (
            load_saved_queries(config.queries_dir) if config.queries_dir.is_dir() else {})
        self.pool = WorkerPool(str(config.build_dir / "store"), config.workers, config.timeout, self.in_memory,
                               self.graphs, config.max_waiting)
        self.started = time.time()

    def _describe(self, info_text: str) -> None:
        self.info: dict[str, Any] = json.loads(info_text)
        self.graphs: set[str] = set(self.info.get("graphs", {}))
        self.in_memory = 0 < int(self.info.get("triples") or 0) <= self.config.in_memory_max

    @property
    def served_dir(self) -> Path:
        """The folder holding the build being served: the snapshot once started."""
        return self.snapshot.path if self.snapshot is not None else self.config.build_dir

    async def start(self) -> None:
        """Take the snapshot of the build and start the workers on it."""
        loop = asyncio.get_running_loop()
        self.snapshot = await loop.run_in_executor(None, take, self.config.build_dir)
        self.info = self.snapshot.info
        self.graphs = set(self.info.get("graphs", {}))
        self.in_memory = 0 < int(self.info.get("triples") or 0) <= self.config.in_memory_max
        self.pool.store_path, self.pool.graphs = str(self.served_dir / "store"), tuple(sorted(self.graphs))
        self.pool.in_memory = self.in_memory
        try:
            await self.pool.start()
        except BaseException:
            self.snapshot.release()
            raise

    async def stop(self) -> None:
        await self.pool.stop()
        if self.snapshot is not None:
            self.snapshot.release()

    def job(self, query: str, media_type: str = "", default_graphs: list[str] | None = None,
            named_graphs: list[str] | None = None, render: str | None = None) -> Job:
        return Job(query, media_type, self.config.max_rows, tuple(default_graphs or ()), tuple(named_graphs or ()),
                   render=render, max_bytes=self.config.max_bytes)

    async def table(self, query: str, default_graphs: list[str] | None = None,
                    named_graphs: list[str] | None = None) -> ResultTable:
        """Run a SELECT or ASK in a worker; the answer as a :class:`ResultTable`."""
        answer = await self.pool.run(self.job(query, "", default_graphs, named_graphs))
        if answer[0] == "boolean":
            return ResultTable([], [], answer[1])
        if answer[0] != "table":
            raise ProtocolError(400, "expected a SELECT or ASK query")
        _, variables, rows = answer
        if len(rows) > 1000:
            return await off_loop(_table, variables, rows)
        return _table(variables, rows)

    async def graph(self, query: str, media_type: str, default_graphs: list[str] | None = None,
                    named_graphs: list[str] | None = None) -> bytes:
        """Run a CONSTRUCT or DESCRIBE in a worker, serialised as ``media_type``."""
        answer = await self.pool.run(self.job(query, media_type, default_graphs, named_graphs))
        if answer[0] != "graph":
            raise ProtocolError(400, "expected a CONSTRUCT or DESCRIBE query")
        return answer[1]

    async def labels(self, iris: list[str]) -> dict[str, str]:
        """English labels (else any label) of the given IRIs, for showing results to people."""
        found: dict[str, str] = {}
        unique = sorted({i for i in iris if i})
        for start in range(0, len(unique), 300):
            values = " ".join(f"<{i}>" for i in unique[start:start + 300] if ">" not in i and " " not in i)
            if not values:
                continue
            table = await self.table(
                "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
                "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
                f"SELECT ?x ?l WHERE {{ VALUES ?x {{ {values} }} ?x rdfs:label|skos:prefLabel ?l }}")
            for row in table.rows:
                iri, label = row["x"].value, row["l"]
                if label.lang in (None, "en") or iri not in found:
                    if iri not in found or label.lang == "en":
                        found[iri] = label.value
        return found


def _table(variables: list[str], rows: list[tuple]) -> ResultTable:
    return ResultTable(variables, [{v: t for v, t in zip(variables, row) if t is not None} for row in rows])


async def off_loop(function: Any, *args: Any) -> Any:
    """``function(*args)`` in a thread: rendering a page of up to --max-rows rows takes seconds.

    The thread still takes turns with the event loop for the interpreter, so the loop
    keeps answering (/health) while it runs.
    """
    return await asyncio.get_running_loop().run_in_executor(None, functools.partial(function, *args))


# ------------------------------------------------------------------ errors, in one place

def _error_response(request: Request, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    if prefers_html(request.headers.get("accept")) and request.url.path != "/sparql":
        from .pages import error_page

        response = error_page(request, status, message)
    else:
        response = PlainTextResponse(message + "\n", status_code=status)
    response.headers.update(headers or {})
    return response


async def _handle_error(request: Request, error: Exception) -> Response:
    if isinstance(error, ProtocolError):
        return _error_response(request, error.status, str(error), error.headers)
    if isinstance(error, (Refused, QueryFailed)):
        return _error_response(request, error.status, str(error))
    if isinstance(error, Saturated):
        return _error_response(request, 503, str(error), {"Retry-After": str(error.retry_after)})
    if isinstance(error, QueryTimeout):
        return _error_response(request, 503, str(error))
    if isinstance(error, CakgError):
        return _error_response(request, 400, str(error))
    if isinstance(error, HTTPException):
        return _error_response(request, error.status_code, str(error.detail), error.headers)
    logging.getLogger("cakg.server").error("internal error on %s: %s: %s", request.url.path,
                                           type(error).__name__, error)
    return _error_response(request, 500, "internal server error")


# ------------------------------------------------------------------ SPARQL protocol

async def _read_body(request: Request, limit: int, seconds: float) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise ProtocolError(413, f"the request body is larger than {limit} bytes")
    body = bytearray()  # appending to bytes would copy the whole body for every chunk

    async def read() -> None:
        async for chunk in request.stream():
            body.extend(chunk)
            if len(body) > limit:
                raise ProtocolError(413, f"the request body is larger than {limit} bytes")

    try:
        await asyncio.wait_for(read(), seconds)
    except asyncio.TimeoutError:
        raise ProtocolError(408, f"the request body did not arrive within {seconds:g} s") from None
    return bytes(body)


def _check_dataset(service: Service, graphs: list[str]) -> None:
    for name in graphs:
        if name not in service.graphs:
            raise ProtocolError(400, f"graph {name} is not in this store (see the service description)")


async def run_query(request: Request, service: Service, query: str, format_param: str | None,
                    default_graphs: list[str] | None = None, named_graphs: list[str] | None = None,
                    title: str | None = None) -> Response:
    """Check, evaluate and serialise one query for a request (shared by /sparql and /queries)."""
    # Only linear checks here; the guard and the engine run in a worker, off the event loop.
    if len(query.encode("utf-8")) > service.config.max_request_bytes:
        raise ProtocolError(413, f"the query is larger than {service.config.max_request_bytes} bytes")
    _check_dataset(service, (default_graphs or []) + (named_graphs or []))
    is_graph = query_form(query) in ("CONSTRUCT", "DESCRIBE")
    media = choose_format(is_graph, request.headers.get("accept"), format_param)
    if media == "text/html":
        from .pages import results_page

        if is_graph:
            body = await service.graph(query, "text/turtle", default_graphs, named_graphs)
            return await off_loop(results_page, request, query, None, body.decode("utf-8"), {}, title)
        table = await service.table(query, default_graphs, named_graphs)
        iris = [t.value for row in table.rows for t in row.values() if t.kind == "uri"]
        return await off_loop(results_page, request, query, table, None, await service.labels(iris), title)
    if is_graph:
        body = await service.graph(query, media, default_graphs, named_graphs)
        return Response(body, media_type=media + ("; charset=utf-8" if media.startswith("text/") else ""))
    fmt = RESULT_TABLE_FORMATS[media]
    answer = await service.pool.run(service.job(query, "", default_graphs, named_graphs, render=fmt))
    if answer[0] != "bytes":
        raise ProtocolError(400, "expected a SELECT or ASK query")
    return Response(answer[1], media_type=MEDIA_TYPES[fmt] + "; charset=utf-8")


async def sparql_endpoint(request: Request) -> Response:
    service: Service = request.app.state.service
    body = (await _read_body(request, service.config.max_request_bytes, service.config.body_seconds)
            if request.method == "POST" else b"")
    parsed = parse_request(request.method, request.url.query, request.headers.get("content-type"), body)
    if parsed.query is None:
        return service_description(request, service)
    return await run_query(request, service, parsed.query, parsed.format, parsed.default_graphs,
                           parsed.named_graphs)


def service_description(request: Request, service: Service) -> Response:
    endpoint = str(request.url.replace(query=""))
    lines = [
        "@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .",
        "@prefix void: <http://rdfs.org/ns/void#> .",
        "@prefix dcterms: <http://purl.org/dc/terms/> .",
        f"<{endpoint}> a sd:Service ;",
        f"  sd:endpoint <{endpoint}> ;",
        "  sd:supportedLanguage sd:SPARQL11Query ;",
        "  sd:feature sd:UnionDefaultGraph ;",
        "  sd:resultFormat <http://www.w3.org/ns/formats/SPARQL_Results_JSON> ,",
        "    <http://www.w3.org/ns/formats/SPARQL_Results_XML> , <http://www.w3.org/ns/formats/SPARQL_Results_CSV> ,",
        "    <http://www.w3.org/ns/formats/SPARQL_Results_TSV> , <http://www.w3.org/ns/formats/Turtle> ,",
        "    <http://www.w3.org/ns/formats/N-Triples> , <http://www.w3.org/ns/formats/JSON-LD> ,",
        "    <http://www.w3.org/ns/formats/RDF_XML> ;",
        f"  dcterms:title \"cakg {__version__}: China–ASEAN ICT cooperation knowledge graph (read-only)\" ;",
        "  sd:defaultDataset [ a sd:Dataset ;",
        f"    void:triples {int(service.info.get('triples', 0))} ;",
        "    sd:defaultGraph [ a sd:Graph ] ;",
    ]
    named = sorted(service.graphs)
    for index, name in enumerate(named):
        end = " ] ." if index == len(named) - 1 else " ;"
        lines.append(f"    sd:namedGraph [ a sd:NamedGraph ; sd:name <{name}> ]{end}")
    if not named:
        lines.append("  ] .")
    turtle = "\n".join(lines) + "\n"
    media = negotiate(request.headers.get("accept"), ["text/turtle", "application/n-triples", "application/rdf+xml",
                                                      "application/ld+json"]) or "text/turtle"
    if media != "text/turtle":
        import pyoxigraph

        triples = pyoxigraph.parse(turtle.encode("utf-8"), format=pyoxigraph.RdfFormat.TURTLE)
        body = pyoxigraph.serialize(list(triples), format=pyoxigraph.RdfFormat.from_media_type(media))
        return Response(body, media_type=media)
    return Response(turtle.encode("utf-8"), media_type="text/turtle; charset=utf-8")


# ------------------------------------------------------------------ saved queries

async def list_queries(request: Request) -> Response:
    service: Service = request.app.state.service
    if prefers_html(request.headers.get("accept")) and request.query_params.get("format") != "json":
        from .pages import queries_page

        return queries_page(request, list(service.saved.values()))
    return JSONResponse([q.summary() | {"url": f"/queries/{q.name}"} for q in service.saved.values()])


async def saved_query(request: Request) -> Response:
    service: Service = request.app.state.service
    name = request.path_params["name"]
    if name not in service.saved:
        import difflib

        close = difflib.get_close_matches(name, list(service.saved), n=3, cutoff=0.5)
        hint = f"; did you mean: {', '.join(close)}?" if close else ""
        raise ProtocolError(404, f"unknown query {name!r}{hint}")
    query = service.saved[name]
    values = {k: v for k, v in request.query_params.items() if k != "format"}
    format_param = request.query_params.get("format")
    if format_param is None and prefers_html(request.headers.get("accept")):
        from .pages import query_page

        try:
            text = query.bind(values)
        except CakgError as error:
            return query_page(request, query, values, None, str(error))
        table = await service.table(text)
        iris = [t.value for row in table.rows for t in row.values() if t.kind == "uri"]
        return await off_loop(query_page, request, query, values, table, None, await service.labels(iris))
    return await run_query(request, service, query.bind(values), format_param, title=query.title)


# ------------------------------------------------------------------ Linked Data

RDF_EXTENSIONS = {".ttl": "text/turtle", ".nt": "application/n-triples", ".jsonld": "application/ld+json",
                  ".rdf": "application/rdf+xml"}


def describe_query(iri: str) -> str:
    """Everything said about ``iri`` and to it, with the evidence of its facts."""
    return f"""PREFIX cakg: <https://w3id.org/cakg/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
CONSTRUCT {{ <{iri}> ?p ?o . ?s ?q <{iri}> . ?e ?ep ?eo . }}
WHERE {{
  {{ <{iri}> ?p ?o }}
  UNION {{ ?s ?q <{iri}> }}
  UNION {{ <{iri}> cakg:evidence ?e . ?e ?ep ?eo }}
}}"""


async def entity(request: Request) -> Response:
    service: Service = request.app.state.service
    path = request.path_params["path"]
    media = None
    for extension, candidate in RDF_EXTENSIONS.items():
        if path.endswith(extension):
            path, media = path[: -len(extension)], candidate
            break
    iri = ID + path
    if any(c in iri for c in '<>" {}|\\^`'):
        raise ProtocolError(400, "not a valid entity path")
    exists = await service.table(f"ASK {{ {{ <{iri}> ?p ?o }} UNION {{ ?s ?q <{iri}> }} }}")
    if not exists.boolean:
        raise ProtocolError(404, f"no entity {iri} in this graph")
    if media is None:
        if prefers_html(request.headers.get("accept")):
            from .pages import entity_page

            return await entity_page(request, iri)
        media = negotiate(request.headers.get("accept"), ["text/turtle", "application/ld+json",
                                                          "application/n-triples", "application/rdf+xml"],
                          {"application/json": "application/ld+json"})
        if media is None:
            raise ProtocolError(406, "entities are served as text/html, text/turtle, application/ld+json, "
                                     "application/n-triples or application/rdf+xml")
    body = await service.graph(describe_query(iri), media)
    return Response(body, media_type=media, headers={"Vary": "Accept"})


async def ontology(request: Request) -> Response:
    service: Service = request.app.state.service
    folder = service.served_dir / "ontology"
    wants_turtle = request.url.path.endswith(".ttl") or (
        not prefers_html(request.headers.get("accept"))
        and negotiate(request.headers.get("accept"), ["text/turtle"]) == "text/turtle"
        and "text/html" not in (request.headers.get("accept") or ""))
    if wants_turtle:
        return FileResponse(folder / "cakg-ontology.ttl", media_type="text/turtle; charset=utf-8")
    return FileResponse(folder / "index.html", media_type="text/html; charset=utf-8")


# ------------------------------------------------------------------ analyses

ANALYSIS_KINDS = ("centrality", "communities", "components", "resilience", "path", "ego", "compare")


class AnalysisRunner:
    """Network analyses for the service: computed in a thread on a read-only store, cached.

    The projections are cakg's own fixed queries, not user SPARQL, so they run in
    the server process; a build does not change while it is served, so results
    are cached by their parameters.
    """

    def __init__(self, build_dir: Path) -> None:
        self.build_dir = build_dir
        self._store = None
        self._graphs: dict[str, Any] = {}
        self._results: dict[tuple, dict] = {}

    def _embedded(self):
        if self._store is None:
            from .store import EmbeddedStore, open_store

            self._store = EmbeddedStore(open_store(self.build_dir))
        return self._store

    def network_data(self, network: str) -> dict:
        from .viz import network_data

        key = ("network-data", network, ())
        if key not in self._results:
            self._results[key] = network_data(self._embedded(), network)
        return self._results[key]

    def compute(self, kind: str, network: str, params: dict[str, str]) -> dict:
        from . import analyses
        from .network import project

        key = (kind, network, tuple(sorted(params.items())))
        if key in self._results:
            return self._results[key]
        store = self._embedded()
        if network not in self._graphs:
            self._graphs[network] = project(store, network)
        graph = self._graphs[network]
        top = int(params["top"]) if params.get("top", "").isdigit() else None
        if kind == "centrality":
            result = analyses.centrality(graph, top, network)
        elif kind == "communities":
            result = analyses.communities(graph, network)
        elif kind == "components":
            result = analyses.components(graph, network)
        elif kind == "resilience":
            result = analyses.resilience(graph, network)
        else:
            names = [params.get("a"), params.get("b")] if kind in ("path", "compare") else [params.get("a")]
            if any(not n for n in names):
                raise ProtocolError(400, f"{kind} needs the actor parameter(s) "
                                         f"{'a and b' if len(names) == 2 else 'a'} (label, acronym or IRI)")
            if kind == "path":
                result = analyses.path(store, graph, names[0], names[1], network)
            elif kind == "compare":
                result = analyses.compare(store, graph, names[0], names[1], network)
            else:
                depth = params.get("depth", "1")
                if not depth.isdigit():
                    raise ProtocolError(400, f"depth={depth!r} is not a positive integer")
                result = analyses.ego(store, graph, names[0], int(depth), network)
        answer = result.as_json()
        self._results[key] = answer
        return answer


async def network_view(request: Request) -> Response:
    """The interactive network page; ``focus`` opens it centred on one node (any network holding it)."""
    import asyncio

    from .network import NETWORKS

    network = request.query_params.get("network", "auto")
    focus = request.query_params.get("focus")
    if network != "auto" and network not in NETWORKS:
        raise ProtocolError(400, f"unknown network {network!r}; choose from {', '.join(NETWORKS)}")
    runner: AnalysisRunner = request.app.state.analyses
    loop = asyncio.get_running_loop()
    candidates = [network] if network != "auto" else ["cooperation", "connectivity", "actor-fact", "city"]
    for name in candidates:
        data = await loop.run_in_executor(None, runner.network_data, name)
        if focus is None or any(node["id"] == focus for node in data["nodes"]):
            from .pages import network_page
            from .viz import network_page_html

            html = network_page_html(data, f"The {name} network", focus=focus, entity_base="/")
            response = network_page(request, html, name, focus)
            response.headers["Content-Security-Policy"] = content_security_policy(_inline_script_hashes(html))
            return response
    raise ProtocolError(404, f"{focus} is in none of the networks ({', '.join(candidates)})")


async def analyses_index(request: Request) -> Response:
    from .network import NETWORKS

    return JSONResponse({"analyses": [{"name": k, "url": f"/analyses/{k}"} for k in ANALYSIS_KINDS],
                         "networks": NETWORKS,
                         "parameters": {"network": "cooperation|connectivity|city|actor-fact", "top": "N",
                                        "a": "actor (path, ego, compare)", "b": "second actor (path, compare)",
                                        "depth": "ego depth", "format": "json|html"}})


async def analysis(request: Request) -> Response:
    import asyncio

    from .network import NETWORKS

    kind = request.path_params["kind"]
    if kind not in ANALYSIS_KINDS:
        raise ProtocolError(404, f"unknown analysis {kind!r}; choose from {', '.join(ANALYSIS_KINDS)}")
    params = {k: v for k, v in request.query_params.items() if k != "format"}
    default_network = "connectivity" if kind == "resilience" else "cooperation"
    network = params.pop("network", default_network)
    if network not in NETWORKS:
        raise ProtocolError(400, f"unknown network {network!r}; choose from {', '.join(NETWORKS)}")
    runner: AnalysisRunner = request.app.state.analyses
    answer = await asyncio.get_running_loop().run_in_executor(None, runner.compute, kind, network, params)
    wants_html = request.query_params.get("format") == "html" or (
        request.query_params.get("format") is None and prefers_html(request.headers.get("accept")))
    if wants_html:
        from .pages import analysis_page

        return analysis_page(request, answer)
    return JSONResponse(answer)


# ------------------------------------------------------------------ operations

async def health(request: Request) -> Response:
    """Liveness and the facts of the build being served (the snapshot's, whatever build/ holds now)."""
    service: Service = request.app.state.service
    snapshot = service.snapshot
    return JSONResponse({"status": "ok", "version": __version__, "triples": service.info.get("triples"),
                         "graphs": len(service.graphs), "fingerprint": service.info.get("fingerprint"),
                         "build": str(service.config.build_dir),
                         "snapshot": str(snapshot.path) if snapshot is not None and snapshot.copied else None,
                         "workers": service.pool.size, "worker_pids": service.pool.pids,
                         "isolation": service.pool.isolation,
                         "store": "memory copy" if service.in_memory else "disk",
                         "timeout_s": service.config.timeout, "max_rows": service.config.max_rows,
                         "max_bytes": service.config.max_bytes,
                         "killed_workers": service.pool.killed, "crashed_workers": service.pool.crashed,
                         "uptime_s": round(time.time() - service.started, 1)})


async def openapi(request: Request) -> Response:
    from .openapi import openapi_document

    return JSONResponse(openapi_document(__version__))


async def page(request: Request) -> Response:
    """The explorer's server-rendered pages."""
    from . import pages

    handler = {"/": pages.home_page, "/search": pages.search_page, "/editor": pages.editor_page}[request.url.path]
    return await handler(request)


# ------------------------------------------------------------------ response headers

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


def _inline_script_hashes(html: str) -> list[str]:
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
        if scope["type"] != "http":
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
            if ACCESS_LOG.isEnabledFor(logging.INFO):
                client = scope.get("client") or ("-", 0)
                ACCESS_LOG.info(json.dumps({
                    "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()), "client": client[0],
                    "method": scope["method"], "path": scope["path"], "query": scope.get("query_string", b"")
                    .decode("latin-1")[:200], "status": state["status"], "bytes": state["bytes"],
                    "ms": round((time.perf_counter() - started) * 1000, 2)}))


class ServiceLifespan:
    """Starts the service (snapshot, workers) before the first request and stops it last.

    A service that cannot start (no way to isolate its workers, no room for the
    snapshot) is reported to the server in one line, with no traceback, and the
    server exits.
    """

    def __init__(self, app: Any, service: Service, analyses: AnalysisRunner) -> None:
        self.app, self.service, self.analyses = app, service, analyses

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return
        await receive()  # lifespan.startup
        try:
            await self.service.start()
        except (OSError, RuntimeError, ValueError) as error:
            message = " ".join(str(error).split())
            await send({"type": "lifespan.startup.failed", "message": f"cakg serve: cannot start: {message}"})
            return
        self.analyses.build_dir = self.service.served_dir
        await send({"type": "lifespan.startup.complete"})
        await receive()  # lifespan.shutdown
        await self.service.stop()
        await send({"type": "lifespan.shutdown.complete"})


def create_app(config: ServiceConfig) -> Starlette:
    service = Service(config)
    analyses = AnalysisRunner(config.build_dir)

    routes = [
        Route("/", page, methods=["GET"]),
        Route("/search", page, methods=["GET"]),
        Route("/editor", page, methods=["GET"]),
        Route("/sparql", sparql_endpoint, methods=["GET", "POST", "PUT", "DELETE", "PATCH"]),
        Route("/queries", list_queries, methods=["GET"]),
        Route("/queries/{name}", saved_query, methods=["GET"]),
        Route("/id/{path:path}", entity, methods=["GET"]),
        Route("/ontology", ontology, methods=["GET"]),
        Route("/ontology.ttl", ontology, methods=["GET"]),
        Route("/network", network_view, methods=["GET"]),
        Route("/analyses", analyses_index, methods=["GET"]),
        Route("/analyses/{kind}", analysis, methods=["GET"]),
        Route("/health", health, methods=["GET"]),
        Route("/openapi.json", openapi, methods=["GET"]),
        Mount("/static", app=StaticFiles(directory=STATIC, check_dir=False), name="static"),
    ]
    middleware = [
        Middleware(ServiceLifespan, service=service, analyses=analyses),
        Middleware(AccessLog),
        Middleware(SecurityHeaders),
        Middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "POST", "OPTIONS"],
                   allow_headers=["*"], expose_headers=["Content-Type"]),
    ]
    app = Starlette(routes=routes, middleware=middleware,
                    exception_handlers={cls: _handle_error for cls in (
                        ProtocolError, Refused, QueryFailed, QueryTimeout, Saturated, CakgError, HTTPException,
                        Exception)})
    app.state.service = service
    app.state.analyses = analyses
    return app


__all__ = ["ServiceConfig", "Service", "create_app"]
