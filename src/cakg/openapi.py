"""The OpenAPI 3.1 description of the service (served at /openapi.json), made from its routes and the catalogue.

Every route of the application is a path here, with the methods it answers and the
summary its handler's docstring gives; parameters, formats, networks and analyses
come from :mod:`cakg.catalogue`, so the document cannot list what the service does
not offer nor miss what it does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from .catalogue import ACTOR_DESCRIPTIONS, ANALYSES, GRAPH_FORMATS, HTML, NETWORKS, RESULT_FORMATS, by_name

_TEXT = {"text/plain": {"schema": {"type": "string"}}}
_STRING = {"schema": {"type": "string"}}
_JSON_OBJECT = {"application/json": {"schema": {"type": "object"}}}
_HTML = {"text/html": _STRING}
_RESULTS = {f.media_type: _STRING for f in (*RESULT_FORMATS, *GRAPH_FORMATS, HTML)}
_RDF = {f.media_type: _STRING for f in (HTML, *GRAPH_FORMATS)}
_REASONS = {400: "Malformed request or query, refused SERVICE/FROM, unknown parameter",
            403: "SPARQL Update refused: the service is read-only", 404: "Unknown query, entity, analysis or node",
            405: "Method not allowed", 406: "No acceptable result format", 408: "The request body came too slowly",
            413: "Request too large", 415: "Unsupported request media type",
            503: "The request ran past the timeout, or the service is busy (Retry-After)"}


def _errors(*codes: int) -> dict:
    return {str(c): {"description": _REASONS[c], "content": _TEXT} for c in codes}


def _query(name: str, description: str, schema: dict | None = None, required: bool = False) -> dict:
    return {"name": name, "in": "query", "required": required, "schema": schema or {"type": "string"},
            "description": description}


def _format_parameter() -> dict:
    names = sorted(set(by_name(RESULT_FORMATS)) | set(by_name(GRAPH_FORMATS)) | {HTML.name})
    return _query("format", "Result format, instead of content negotiation (for browsers).",
                  {"type": "string", "enum": names})


def _analysis_parameters() -> list[dict]:
    parameters = [_query("network", "The network to analyse (default: the analysis's own)",
                         {"type": "string", "enum": list(NETWORKS)}),
                  _query("format", "json or html", {"type": "string", "enum": ["json", "html"]})]
    seen = {"network", "format"}
    for spec in ANALYSES.values():
        for name in spec.actors:
            if name not in seen:
                seen.add(name)
                users = ", ".join(k for k, s in ANALYSES.items() if name in s.actors)
                parameters.append(_query(name, f"{ACTOR_DESCRIPTIONS[name]}: needed by {users}"))
        for option in spec.options:
            if option.name not in seen:
                seen.add(option.name)
                schema: dict[str, Any] = {"type": "integer" if option.type == "int" else "string"}
                if option.minimum is not None:
                    schema["minimum"] = option.minimum
                if option.default is not None:
                    schema["default"] = option.default
                parameters.append(_query(option.name, f"{option.description} ({spec.name})", schema))
    return parameters


def _details() -> dict[str, dict[str, dict]]:
    """Per path and method: what the route takes and answers beyond its summary."""
    graph_params = [{"name": n, "in": "query", "required": False, "style": "form", "explode": True,
                     "schema": {"type": "array", "items": {"type": "string"}}}
                    for n in ("default-graph-uri", "named-graph-uri")]
    query_param = _query("query", "A SPARQL 1.1 query; without it the service description is returned. Relative "
                                  "IRIs resolve against the endpoint's own IRI.")
    return {
        "/": {"get": {"responses": {"200": {"description": "The home page", "content": _HTML}}}},
        "/search": {"get": {"parameters": [_query("q", "Words to find in names (any language) and passages"),
                                           _query("class", "Only entities of this class (IRI or prefixed name)"),
                                           _query("doc", "Only passages of this document, and entities it cites "
                                                         "(short code)"),
                                           _format_parameter()],
                            "responses": {"200": {"description": "Matches", "content": {**_HTML, **_JSON_OBJECT}},
                                          **_errors(503)}}},
        "/read": {"get": {"responses": {"200": {"description": "The documents to read", "content": _HTML}}}},
        "/read/{code}": {"get": {
            "parameters": [{"name": "code", "in": "path", "required": True, "schema": {"type": "string"},
                            "description": "The document's short code (wp2016, sc2019)"},
                           _query("quote", "A quote to highlight where it occurs")],
            "responses": {"200": {"description": "The document's text with the facts citing each passage",
                                  "content": _HTML}, **_errors(404, 503)}}},
        "/read/passage/{slug}": {"get": {
            "parameters": [{"name": "slug", "in": "path", "required": True, "schema": {"type": "string"},
                            "description": "The passage's IRI after id/passage/ (wp2016-ii-i-3-p1)"},
                           _query("quote", "A quote to highlight")],
            "responses": {"303": {"description": "To the passage in its document's reading view"},
                          **_errors(404, 503)}}},
        "/editor": {"get": {"parameters": [_query("query", "The query to open with"),
                                           _query("example", "A saved query to open with")],
                            "responses": {"200": {"description": "The editor", "content": _HTML}}}},
        "/sparql": {
            "get": {"parameters": [query_param, _format_parameter(), *graph_params],
                    "responses": {"200": {"description": "Results or service description", "content": _RESULTS},
                                  **_errors(400, 403, 406, 413, 503)}},
            "post": {"parameters": [_format_parameter(), *graph_params],
                     "requestBody": {"required": True, "content": {
                         "application/sparql-query": _STRING,
                         "application/x-www-form-urlencoded": {"schema": {
                             "type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]}}}},
                     "responses": {"200": {"description": "Results", "content": _RESULTS},
                                   **_errors(400, 403, 406, 408, 413, 415, 503)}},
        },
        "/queries": {"get": {"responses": {"200": {"description": "List", "content": {
            "application/json": {"schema": {"type": "array", "items": {"type": "object"}}}, **_HTML}}}}},
        "/queries/{name}": {"get": {
            "parameters": [{"name": "name", "in": "path", "required": True, "schema": {"type": "string"}},
                           _format_parameter()],
            "responses": {"200": {"description": "Results (HTML form for browsers)", "content": _RESULTS},
                          **_errors(400, 404, 406, 503)}}},
        "/id/{path}": {"get": {
            "parameters": [{"name": "path", "in": "path", "required": True, "schema": {"type": "string"},
                            "description": "kind/slug, optionally with "
                                           + ", ".join(f.extension for f in GRAPH_FORMATS if f.extension)}],
            "responses": {"200": {"description": "The entity", "content": _RDF}, **_errors(400, 404, 406, 503)}}},
        "/ontology": {"get": {"responses": {"200": {"description": "Ontology", "content": {
            **_HTML, "text/turtle": _STRING}}}}},
        "/ontology.ttl": {"get": {"responses": {"200": {"description": "Ontology", "content": {
            "text/turtle": _STRING}}}}},
        "/network": {"get": {"parameters": [
            _query("network", "The network (default: the first holding focus)",
                   {"type": "string", "enum": ["auto", *NETWORKS]}),
            _query("focus", "IRI of a node to centre the view on"),
            _query("format", "graphml or gexf: the network as a file for Gephi (default network: cooperation)",
                   {"type": "string", "enum": ["graphml", "gexf"]})],
            "responses": {"200": {"description": "The interactive network page, or the network as a GraphML or "
                                                 "GEXF file", "content": {**_HTML, "application/graphml+xml": _STRING,
                                                                         "application/gexf+xml": _STRING}},
                          **_errors(400, 404, 503)}}},
        "/analyses": {"get": {"responses": {"200": {"description": "Analyses, networks and parameters",
                                                    "content": _JSON_OBJECT}}}},
        "/analyses/{kind}": {"get": {
            "parameters": [{"name": "kind", "in": "path", "required": True,
                            "schema": {"type": "string", "enum": list(ANALYSES)}}, *_analysis_parameters()],
            "responses": {"200": {"description": "The analysis: columns, rows, algorithm, parameters, summary",
                                  "content": {**_JSON_OBJECT, **_HTML}}, **_errors(400, 404, 503)}}},
        "/health": {"get": {"responses": {"200": {"description": "OK", "content": _JSON_OBJECT}}}},
        "/openapi.json": {"get": {"responses": {"200": {"description": "OpenAPI", "content": _JSON_OBJECT}}}},
    }


def openapi_path(route_path: str) -> str:
    """A Starlette route's path as OpenAPI writes it (``/id/{path:path}`` → ``/id/{path}``)."""
    return re.sub(r"\{(\w+):\w+\}", r"{\1}", route_path)


def _summary(endpoint: Any) -> str:
    doc = (getattr(endpoint, "__doc__", None) or "").strip()
    return doc.splitlines()[0].rstrip(".") if doc else ""


# Methods a route takes only to answer them 405 with the protocol's Allow header are not offered.
_OFFERED = ("get", "post")


def openapi_document(version: str, routes: Iterable[Any] | None = None) -> dict:
    """The document for ``routes`` (default: the service's own), every route a path."""
    if routes is None:
        from .service.app import ROUTES

        routes = ROUTES
    details = _details()
    paths: dict[str, dict] = {}
    for route in routes:
        methods = getattr(route, "methods", None)
        if not methods:  # a mount (/static): files, not an API
            continue
        path = openapi_path(route.path)
        operations = paths.setdefault(path, {})
        for method in sorted(m.lower() for m in methods):
            if method not in _OFFERED:
                continue
            operation = {"summary": _summary(route.endpoint),
                         "responses": {"200": {"description": "OK"}}}
            operation.update(details.get(path, {}).get(method, {}))
            operations[method] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": "cakg — China–ASEAN ICT cooperation knowledge graph", "version": version,
                 "description": "Read-only SPARQL 1.1 service, saved queries, Linked Data, the explorer and the "
                                "network analyses of the graph."},
        "paths": paths,
    }


__all__ = ["openapi_document", "openapi_path"]
