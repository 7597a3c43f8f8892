"""The explorer's pages: home, search, the documents to read and the SPARQL editor, each a view model from a worker rendered by a template."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..pages import base_of, documents_page, editor_page, home_page, reading_page, search_page
from ..protocol import ProtocolError
from ..views import DOCUMENT_CODE, SEARCH_MAX_LENGTH
from .core import Service, off_loop

QUOTE_MAX_LENGTH = 2000  # a quote to highlight, from a link (quotes are sentences)
PASSAGE_SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,200}")
# What the home page shows of the build's own description.
_SUMMARY_KEYS = ("triples", "graphs", "inferred", "rules")


async def home(request: Request) -> Response:
    """What the graph holds, counts per class, the documents and their coverage."""
    service: Service = request.app.state.service
    base = base_of(request)
    info = {key: service.info.get(key) for key in _SUMMARY_KEYS if key in service.info}
    view = await service.cached_task(service.pages, ("home", base), "home", base, info)
    return await off_loop(home_page, request, view, list(service.saved.values()))


async def search(request: Request) -> Response:
    """Entities by their names in any language and passages by their words, forgiving spelling (HTML, or JSON with format=json)."""
    service: Service = request.app.state.service
    q = (request.query_params.get("q") or "").strip()
    too_long = len(q) > SEARCH_MAX_LENGTH
    q = q[:SEARCH_MAX_LENGTH]
    class_filter = (request.query_params.get("class") or "").strip()[:SEARCH_MAX_LENGTH] or None
    doc_filter = (request.query_params.get("doc") or "").strip()[:SEARCH_MAX_LENGTH] or None
    found = await service.task("search", q, base_of(request), class_filter, doc_filter) if q else None
    return await off_loop(search_page, request, q, too_long, found)


async def editor(request: Request) -> Response:
    """The SPARQL editor (YASGUI, shipped in the package) with prefixes and the saved queries as examples."""
    service: Service = request.app.state.service
    terms = await service.cached_task(service.pages, ("editor-terms",), "editor_terms")
    return await off_loop(editor_page, request, service.saved, terms)


async def documents(request: Request) -> Response:
    """The documents to read, each with its passages and the facts citing them."""
    service: Service = request.app.state.service
    base = base_of(request)
    found = await service.cached_task(service.pages, ("documents", base), "documents", base)
    return await off_loop(documents_page, request, found)


async def read(request: Request) -> Response:
    """A document's text section by section, each passage beside the facts that cite it (``quote`` is highlighted)."""
    service: Service = request.app.state.service
    code = request.path_params["code"]
    if not DOCUMENT_CODE.fullmatch(code):
        raise ProtocolError(404, f"no document {code!r}; /read lists them")
    base = base_of(request)
    view = await service.cached_task(service.pages, ("read", code, base), "reading", code, base)
    if view is None:
        raise ProtocolError(404, f"no document {code!r}; /read lists them")
    focus = (request.query_params.get("quote") or "")[:QUOTE_MAX_LENGTH] or None
    return await off_loop(reading_page, request, view, focus)


async def read_passage(request: Request) -> Response:
    """Where a passage is read: a redirect to its document's reading view at the passage (``quote`` kept)."""
    service: Service = request.app.state.service
    slug = request.path_params["slug"]
    code = await service.task("passage_document", slug) if PASSAGE_SLUG.fullmatch(slug) else None
    if code is None:
        raise ProtocolError(404, f"no passage {slug!r} in this graph")
    focus = (request.query_params.get("quote") or "")[:QUOTE_MAX_LENGTH]
    target = f"{base_of(request)}/read/{code}" + (f"?{urlencode({'quote': focus})}" if focus else "")
    return RedirectResponse(f"{target}#passage-{slug}", status_code=303)


__all__ = ["home", "search", "editor", "documents", "read", "read_passage"]
