"""The explorer's pages: home, search and the SPARQL editor, each a view model from a worker rendered by a template."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ..pages import base_of, editor_page, home_page, search_page
from ..views import SEARCH_MAX_LENGTH
from .core import Service, off_loop

# What the home page shows of the build's own description.
_SUMMARY_KEYS = ("triples", "graphs", "inferred", "rules")


async def home(request: Request) -> Response:
    """What the graph holds, counts per class, the documents and their coverage."""
    service: Service = request.app.state.service
    base = base_of(request)
    info = {key: service.info.get(key) for key in _SUMMARY_KEYS if key in service.info}
    view = await service.cached_task(service.pages, ("home", base), "home", base, info)
    return await off_loop(home_page, request, view, len(service.saved))


async def search(request: Request) -> Response:
    """Labels in every language and passage text containing ``q`` (HTML, or JSON with format=json)."""
    service: Service = request.app.state.service
    q = (request.query_params.get("q") or "").strip()
    too_long = len(q) > SEARCH_MAX_LENGTH
    q = q[:SEARCH_MAX_LENGTH]
    found = await service.task("search", q, base_of(request)) if q else ([], [], False)
    return await off_loop(search_page, request, q, too_long, found)


async def editor(request: Request) -> Response:
    """The SPARQL editor (YASGUI, shipped in the package) with prefixes and the saved queries as examples."""
    service: Service = request.app.state.service
    terms = await service.cached_task(service.pages, ("editor-terms",), "editor_terms")
    return await off_loop(editor_page, request, service.saved, terms)


__all__ = ["home", "search", "editor"]
