"""Operations: liveness with the facts of the build being served, and the OpenAPI description of every route."""

from __future__ import annotations

import time

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .. import __version__
from .core import Service


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
                         "cached": {"analyses": len(service.analyses), "networks": len(service.networks),
                                    "pages": len(service.pages)},
                         "uptime_s": round(time.time() - service.started, 1)})


async def openapi(request: Request) -> Response:
    """This service's OpenAPI 3.1 description, made from its routes and the catalogue."""
    from ..openapi import openapi_document

    return JSONResponse(openapi_document(__version__, request.app.routes))


__all__ = ["health", "openapi"]
