"""Saved queries with entities given by name: a worker reads each name into the entity's short form, then the query runs.

``/queries/country-figures?country=Viet Nam`` (or ``越南``, ``Việt Nam``, ``vnm``)
has its ``country`` read by a worker against the names of the graph
(:mod:`cakg.names`, task ``resolve_params``); the request then goes on to
:func:`cakg.service.sparql.saved_query` with the short forms in its query
string, so the query is bound exactly as if the code had been typed. A name
that names nothing, or several things, is a 400 with the close matches or the
candidates (on the form, for browsers). Full IRIs and defaults skip the worker.
For browsers the form also gets the entities each parameter offers
(``request.state.param_choices``) and what each name was read as
(``request.state.param_notes``).
"""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from ..names import ENTITY_TYPES, needs_resolving
from ..pages import query_page
from ..protocol import ProtocolError, prefers_html
from . import sparql
from .core import Service, off_loop

# Parameter types whose entities a form lists in full; an ``iri`` parameter completes from /search instead.
LISTED_TYPES = ("actor", "country", "indicator", "topic")


async def saved_query(request: Request) -> Response:
    """Run a saved query; its parameters are query-string parameters (HTML form for browsers), entities by name in any language, code or IRI."""
    service: Service = request.app.state.service
    query = service.saved.get(request.path_params["name"])
    if query is None:
        return await sparql.saved_query(request)  # its 404 with the close names
    types = {p.name: p.type for p in query.params}
    html = request.query_params.get("format") is None and prefers_html(request.headers.get("accept"))
    if html:
        listed = sorted({kind for kind in types.values() if kind in LISTED_TYPES})
        if listed:
            choices = await service.cached_task(service.pages, ("param-choices",), "param_choices", LISTED_TYPES)
            request.state.param_choices = {kind: choices[kind] for kind in listed}
    wanted = {k: v for k, v in request.query_params.items()
              if types.get(k) in ENTITY_TYPES and needs_resolving(v)}
    if not wanted:
        return await sparql.saved_query(request)
    outcome = await service.task("resolve_params", query.name, tuple(types.items()), wanted)
    if "error" in outcome:
        if html:
            values = {k: v for k, v in request.query_params.items() if k != "format"}
            return await off_loop(query_page, request, query, values, None, outcome["error"])
        raise ProtocolError(400, outcome["error"])
    request.state.param_notes = outcome["notes"]
    resolved = outcome["values"]
    items = [(k, resolved[k] if k in wanted else v) for k, v in request.query_params.multi_items()]
    scope = dict(request.scope, query_string=urlencode(items).encode("ascii"))
    return await sparql.saved_query(Request(scope, request.receive))


__all__ = ["saved_query", "LISTED_TYPES"]
