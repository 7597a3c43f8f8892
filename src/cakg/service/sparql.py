"""The SPARQL 1.1 Protocol endpoint and the saved queries: check a request, have a worker answer it, send its bytes.

Only linear checks run here (the request's size, its dataset, the form keyword
after the prologue, the format wanted); the guard, the engine and the serialiser
run in a worker, which hands back the answer as bytes.
"""

from __future__ import annotations

import asyncio
import difflib

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .. import __version__
from ..errors import CakgError
from ..pages import base_of, queries_page, query_page, results_page
from ..protocol import RESULT_TABLE_FORMATS, ProtocolError, choose_format, negotiate, parse_request, prefers_html
from ..results import MEDIA_TYPES
from ..sparql_errors import explain_message
from ..store import query_form
from ..workers import QueryFailed
from .core import Service, off_loop


async def read_body(request: Request, limit: int, seconds: float) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise ProtocolError(413, f"the request body is larger than {limit} bytes")
    body = bytearray()  # appending to bytes would copy the whole body for every chunk
    try:
        async with asyncio.timeout(seconds):  # a deadline without a task of its own (wait_for made one)
            async for chunk in request.stream():
                body.extend(chunk)
                if len(body) > limit:
                    raise ProtocolError(413, f"the request body is larger than {limit} bytes")
    except TimeoutError:
        raise ProtocolError(408, f"the request body did not arrive within {seconds:g} s") from None
    return bytes(body)


def _check_dataset(service: Service, graphs: list[str]) -> None:
    for name in graphs:
        if name not in service.graphs:
            raise ProtocolError(400, f"graph {name} is not in this store (see the service description)")


async def run_query(request: Request, service: Service, query: str, format_param: str | None,
                    default_graphs: list[str] | None = None, named_graphs: list[str] | None = None,
                    title: str | None = None) -> Response:
    """Check, evaluate and serialise one query for a request (shared by /sparql and /queries).

    A syntax error, which the worker reports in the parser's words, is restated for people
    here, where the query is at hand: line, column, the text with a caret, the cause.
    """
    try:
        return await _run_query(request, service, query, format_param, default_graphs, named_graphs, title)
    except QueryFailed as error:
        explained = await off_loop(explain_message, str(error), query) if error.status == 400 else None
        if explained is None:
            raise
        raise QueryFailed(400, explained) from None


async def _run_query(request: Request, service: Service, query: str, format_param: str | None,
                     default_graphs: list[str] | None, named_graphs: list[str] | None,
                     title: str | None) -> Response:
    if len(query.encode("utf-8")) > service.config.max_request_bytes:
        raise ProtocolError(413, f"the query is larger than {service.config.max_request_bytes} bytes")
    _check_dataset(service, (default_graphs or []) + (named_graphs or []))
    is_graph = query_form(query) in ("CONSTRUCT", "DESCRIBE")
    media = choose_format(is_graph, request.headers.get("accept"), format_param)
    base_iri = service.base_iri(request)
    if media == "text/html":
        kind, value = await service.task("results", service.job(query, "text/turtle", default_graphs, named_graphs,
                                                                base_iri=base_iri), base_of(request))
        if kind == "graph":
            return await off_loop(results_page, request, query, None, value, title)
        return await off_loop(results_page, request, query, value, None, title)
    if is_graph:
        answer = await service.run(service.job(query, media, default_graphs, named_graphs, base_iri=base_iri))
        if answer[0] != "graph":
            raise ProtocolError(400, "expected a CONSTRUCT or DESCRIBE query")
        return Response(answer[1], media_type=media + ("; charset=utf-8" if media.startswith("text/") else ""))
    fmt = RESULT_TABLE_FORMATS[media]
    answer = await service.run(service.job(query, "", default_graphs, named_graphs, render=fmt, base_iri=base_iri))
    if answer[0] != "bytes":
        raise ProtocolError(400, "expected a SELECT or ASK query")
    return Response(answer[1], media_type=MEDIA_TYPES[fmt] + "; charset=utf-8")


async def sparql_endpoint(request: Request) -> Response:
    """SPARQL 1.1 query by GET or POST; without a query, the service description."""
    service: Service = request.app.state.service
    body = (await read_body(request, service.config.max_request_bytes, service.config.body_seconds)
            if request.method == "POST" else b"")
    try:  # from the scope: request.url would build a whole URL for it
        query_string = request.scope.get("query_string", b"").decode("utf-8")
    except UnicodeDecodeError:
        raise ProtocolError(400, "the query string is not UTF-8") from None
    parsed = parse_request(request.method, query_string, request.headers.get("content-type"), body)
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
    """The saved queries with their metadata (JSON, or HTML for browsers)."""
    service: Service = request.app.state.service
    if prefers_html(request.headers.get("accept")) and request.query_params.get("format") != "json":
        return queries_page(request, list(service.saved.values()))
    return JSONResponse([q.summary() | {"url": f"/queries/{q.name}"} for q in service.saved.values()])


async def saved_query(request: Request) -> Response:
    """Run a saved query; its parameters are query-string parameters (HTML form for browsers)."""
    service: Service = request.app.state.service
    name = request.path_params["name"]
    if name not in service.saved:
        close = difflib.get_close_matches(name, list(service.saved), n=3, cutoff=0.5)
        hint = f"; did you mean: {', '.join(close)}?" if close else ""
        raise ProtocolError(404, f"unknown query {name!r}{hint}")
    query = service.saved[name]
    # format and view choose how the answer is sent and shown; the rest are the query's parameters.
    values = {k: v for k, v in request.query_params.items() if k not in ("format", "view")}
    format_param = request.query_params.get("format")
    if format_param is None and prefers_html(request.headers.get("accept")):
        try:
            text = query.bind(values)
        except CakgError as error:
            return query_page(request, query, values, None, str(error))
        kind, table = await service.task("results", service.job(text, "text/turtle",
                                                                base_iri=service.base_iri(request)), base_of(request))
        if kind == "graph":
            return await off_loop(results_page, request, text, None, table, query.title)
        return await off_loop(query_page, request, query, values, table, None)
    return await run_query(request, service, query.bind(values), format_param, title=query.title)


__all__ = ["sparql_endpoint", "run_query", "list_queries", "saved_query", "service_description", "read_body"]
