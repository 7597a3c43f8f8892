"""The service's Starlette application: its routes, its middleware, and the one place errors become statuses.

Every error a handler raises — the protocol's, the guard's, a worker's refusal,
the deadline, a saturated pool — is answered by :func:`handle_error` with a status
and a one-line message (an HTML page for browsers outside ``/sparql``), never a
stack trace.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..errors import CakgError
from ..protocol import ProtocolError, prefers_html
from ..sparql_guard import Refused
from ..workers import QueryFailed, QueryTimeout, Saturated
from . import analyses, explorer, linked_data, named_parameters, operations, sparql
from .core import Service, ServiceConfig
from .headers import AccessLog, SecurityHeaders

STATIC = Path(__file__).resolve().parents[1] / "static"


def _error_response(request: Request, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    if prefers_html(request.headers.get("accept")) and request.url.path != "/sparql":
        from ..pages import error_page

        response = error_page(request, status, message)
    else:
        response = PlainTextResponse(message + "\n", status_code=status)
    response.headers.update(headers or {})
    return response


async def handle_error(request: Request, error: Exception) -> Response:
    """Every error of every route, as a status and a one-line message."""
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


class ServiceLifespan:
    """Starts the service (snapshot, workers) before the first request and stops it last.

    A service that cannot start (no way to isolate its workers, no room for the
    snapshot) is reported to the server in one line, with no traceback, and the
    server exits.
    """

    def __init__(self, app: Any, service: Service) -> None:
        self.app, self.service = app, service

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return
        await receive()  # lifespan.startup
        try:
            await self.service.start()
        except (OSError, RuntimeError, ValueError, CakgError) as error:
            message = " ".join(str(error).split())
            await send({"type": "lifespan.startup.failed", "message": f"cakg serve: cannot start: {message}"})
            return
        await send({"type": "lifespan.startup.complete"})
        await receive()  # lifespan.shutdown
        await self.service.stop()
        await send({"type": "lifespan.shutdown.complete"})


ROUTES = [
    Route("/", explorer.home, methods=["GET"]),
    Route("/search", explorer.search, methods=["GET"]),
    Route("/editor", explorer.editor, methods=["GET"]),
    Route("/read", explorer.documents, methods=["GET"]),
    Route("/read/passage/{slug}", explorer.read_passage, methods=["GET"]),
    Route("/read/{code}", explorer.read, methods=["GET"]),
    # PUT, DELETE and PATCH reach the endpoint so that it answers 405 with the protocol's Allow.
    Route("/sparql", sparql.sparql_endpoint, methods=["GET", "POST", "PUT", "DELETE", "PATCH"]),
    Route("/queries", sparql.list_queries, methods=["GET"]),
    Route("/queries/{name}", named_parameters.saved_query, methods=["GET"]),
    Route("/id/{path:path}", linked_data.entity, methods=["GET"]),
    Route("/ontology", linked_data.ontology, methods=["GET"]),
    Route("/ontology.ttl", linked_data.ontology, methods=["GET"]),
    Route("/network", analyses.network_view, methods=["GET"]),
    Route("/analyses", analyses.analyses_index, methods=["GET"]),
    Route("/analyses/{kind}", analyses.analysis, methods=["GET"]),
    Route("/health", operations.health, methods=["GET"]),
    Route("/openapi.json", operations.openapi, methods=["GET"]),
    Mount("/static", app=StaticFiles(directory=STATIC, check_dir=False), name="static"),
]


def create_app(config: ServiceConfig) -> Starlette:
    service = Service(config)
    middleware = [
        Middleware(ServiceLifespan, service=service),
        Middleware(AccessLog),
        Middleware(SecurityHeaders),
        Middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "POST", "OPTIONS"],
                   allow_headers=["*"], expose_headers=["Content-Type"]),
    ]
    app = Starlette(routes=list(ROUTES), middleware=middleware,
                    exception_handlers={cls: handle_error for cls in (
                        ProtocolError, Refused, QueryFailed, QueryTimeout, Saturated, CakgError, HTTPException,
                        Exception)})
    app.state.service = service
    return app


__all__ = ["create_app", "handle_error", "ROUTES"]
