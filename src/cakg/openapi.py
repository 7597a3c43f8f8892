"""The OpenAPI 3.1 description of the service (served at /openapi.json)."""

from __future__ import annotations

_TEXT = {"text/plain": {"schema": {"type": "string"}}}
_RESULTS = {media: {"schema": {"type": "string"}} for media in (
    "application/sparql-results+json", "application/sparql-results+xml", "text/csv", "text/tab-separated-values",
    "text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml", "text/html")}


def _errors(*codes: int) -> dict:
    reasons = {400: "Malformed request or query, refused SERVICE/FROM, unknown parameter",
               403: "SPARQL Update refused: the service is read-only", 404: "Unknown query or entity",
               405: "Method not allowed", 406: "No acceptable result format", 413: "Request too large",
               415: "Unsupported request media type", 503: "The query exceeded the timeout"}
    return {str(c): {"description": reasons[c], "content": _TEXT} for c in codes}


def openapi_document(version: str) -> dict:
    query_param = {"name": "query", "in": "query", "required": False, "schema": {"type": "string"},
                   "description": "A SPARQL 1.1 query; without it the service description is returned."}
    format_param = {"name": "format", "in": "query", "required": False,
                    "schema": {"type": "string", "enum": ["json", "xml", "csv", "tsv", "html", "ttl", "turtle", "nt",
                                                          "jsonld", "rdfxml"]},
                    "description": "Result format, instead of content negotiation (for browsers)."}
    graph_params = [{"name": n, "in": "query", "required": False, "schema": {"type": "array", "items": {"type": "string"}},
                     "style": "form", "explode": True} for n in ("default-graph-uri", "named-graph-uri")]
    return {
        "openapi": "3.1.0",
        "info": {"title": "cakg — China–ASEAN ICT cooperation knowledge graph", "version": version,
                 "description": "Read-only SPARQL 1.1 service, saved queries and Linked Data for the graph."},
        "paths": {
            "/sparql": {
                "get": {"summary": "SPARQL 1.1 query (or the service description without a query)",
                        "parameters": [query_param, format_param, *graph_params],
                        "responses": {"200": {"description": "Results or service description", "content": _RESULTS},
                                      **_errors(400, 403, 406, 413, 503)}},
                "post": {"summary": "SPARQL 1.1 query by POST",
                         "parameters": [format_param, *graph_params],
                         "requestBody": {"required": True, "content": {
                             "application/sparql-query": {"schema": {"type": "string"}},
                             "application/x-www-form-urlencoded": {"schema": {
                                 "type": "object", "properties": {"query": {"type": "string"}},
                                 "required": ["query"]}}}},
                         "responses": {"200": {"description": "Results", "content": _RESULTS},
                                       **_errors(400, 403, 406, 413, 415, 503)}},
            },
            "/queries": {"get": {"summary": "The saved queries with their metadata",
                                 "responses": {"200": {"description": "List", "content": {
                                     "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
                                     "text/html": {"schema": {"type": "string"}}}}}}},
            "/queries/{name}": {"get": {
                "summary": "Run a saved query; its parameters are query-string parameters",
                "parameters": [{"name": "name", "in": "path", "required": True, "schema": {"type": "string"}},
                               format_param],
                "responses": {"200": {"description": "Results (HTML form for browsers)", "content": _RESULTS},
                              **_errors(400, 404, 406, 503)}}},
            "/id/{path}": {"get": {
                "summary": "An entity as HTML, Turtle, JSON-LD, N-Triples or RDF/XML (content negotiation or "
                           ".ttl/.jsonld/.nt/.rdf)",
                "parameters": [{"name": "path", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "The entity", "content": _RESULTS}, **_errors(400, 404, 406)}}},
            "/ontology": {"get": {"summary": "Ontology documentation (HTML) or the ontology (Turtle)",
                                  "responses": {"200": {"description": "Ontology", "content": {
                                      "text/html": {"schema": {"type": "string"}},
                                      "text/turtle": {"schema": {"type": "string"}}}}}}},
            "/search": {"get": {"summary": "Search labels in every language and passage text",
                                "parameters": [{"name": "q", "in": "query", "required": False,
                                                "schema": {"type": "string"}}, format_param],
                                "responses": {"200": {"description": "Matches", "content": {
                                    "text/html": {"schema": {"type": "string"}},
                                    "application/json": {"schema": {"type": "object"}}}}}}},
            "/health": {"get": {"summary": "Liveness and build facts",
                                "responses": {"200": {"description": "OK", "content": {
                                    "application/json": {"schema": {"type": "object"}}}}}}},
            "/openapi.json": {"get": {"summary": "This document", "responses": {"200": {
                "description": "OpenAPI", "content": {"application/json": {"schema": {"type": "object"}}}}}}},
        },
    }
