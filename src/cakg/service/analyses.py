"""Network analyses and the interactive network view, computed by a worker once per build and kept in bounded caches."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..catalogue import (ACTOR_DESCRIPTIONS, ANALYSES, EXPORT_FORMATS, FOCUS_SEARCH_ORDER, NETWORKS, ParameterError,
                         analysis_parameters)
from ..pages import analyses_page, analysis_page, network_page
from ..protocol import ProtocolError, prefers_html
from .core import Service, off_loop
from .headers import content_security_policy, inline_script_hashes


def _parameters() -> dict[str, str]:
    described = {"network": "|".join(NETWORKS), "format": "json|html"}
    for spec in ANALYSES.values():
        for name in spec.actors:
            described.setdefault(name, ACTOR_DESCRIPTIONS[name] + f" ({', '.join(k for k, s in ANALYSES.items() if name in s.actors)})")
        for option in spec.options:
            described.setdefault(option.name, f"{option.description} ({spec.name})")
    return described


async def analyses_index(request: Request) -> Response:
    """The analyses, the networks and the parameters they take (JSON, or a page for browsers)."""
    if request.query_params.get("format") != "json" and prefers_html(request.headers.get("accept")):
        return await off_loop(analyses_page, request)
    return JSONResponse({"analyses": [{"name": k, "url": f"/analyses/{k}", "summary": spec.summary,
                                       "default_network": spec.default_network} for k, spec in ANALYSES.items()],
                         "networks": NETWORKS, "parameters": _parameters()})


async def analysis(request: Request) -> Response:
    """One analysis of one network as JSON, or an HTML table for browsers (``format=html``)."""
    service: Service = request.app.state.service
    kind = request.path_params["kind"]
    if kind not in ANALYSES:
        raise ProtocolError(404, f"unknown analysis {kind!r}; choose from {', '.join(ANALYSES)}")
    try:
        network, parameters = analysis_parameters(kind, dict(request.query_params))
    except ParameterError as error:
        raise ProtocolError(400, str(error)) from None
    answer = await service.cached_task(service.analyses, (kind, network, parameters), "analysis", kind, network,
                                       parameters)
    wanted = request.query_params.get("format")
    if wanted == "html" or (wanted is None and prefers_html(request.headers.get("accept"))):
        return await off_loop(analysis_page, request, answer)
    return JSONResponse(answer)


# The network files the page offers for Gephi (the catalogue's export formats of that kind).
NETWORK_FILES = {f.name: f for f in EXPORT_FORMATS if f.name in ("graphml", "gexf")}


async def network_view(request: Request) -> Response:
    """The interactive network page; ``focus`` opens it centred on one node (any network holding it);
    ``format=graphml|gexf`` gives the network as a file for Gephi instead."""
    from ..viz import network_page_html

    service: Service = request.app.state.service
    network = request.query_params.get("network", "auto")
    focus = request.query_params.get("focus")
    if network != "auto" and network not in NETWORKS:
        raise ProtocolError(400, f"unknown network {network!r}; choose from {', '.join(NETWORKS)}")
    wanted = request.query_params.get("format")
    if wanted is not None:
        if wanted not in NETWORK_FILES:
            raise ProtocolError(400, f"unknown format {wanted!r}; choose from {', '.join(NETWORK_FILES)}")
        name = "cooperation" if network == "auto" else network
        spec = NETWORK_FILES[wanted]
        body = await service.task("network_file", name, wanted)
        return Response(body, media_type=spec.media_type,
                        headers={"Content-Disposition": f'attachment; filename="{name}{spec.extension}"'})
    candidates = [network] if network != "auto" else list(FOCUS_SEARCH_ORDER)
    for name in candidates:
        data = await service.cached_task(service.networks, name, "network", name)
        if focus is None or any(node["id"] == focus for node in data["nodes"]):
            html = await off_loop(lambda: network_page_html(data, f"The {name} network", focus=focus, entity_base="/"))
            response = await off_loop(network_page, request, html, name, focus)
            response.headers["Content-Security-Policy"] = content_security_policy(inline_script_hashes(html))
            return response
    raise ProtocolError(404, f"{focus} is in none of the networks ({', '.join(candidates)})")


__all__ = ["analyses_index", "analysis", "network_view"]
