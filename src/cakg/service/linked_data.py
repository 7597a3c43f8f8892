"""Linked Data: every entity IRI dereferences to HTML or RDF, and the ontology to its documentation or Turtle."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import FileResponse, Response

from ..catalogue import GRAPH_ALIASES, GRAPH_FORMATS, by_extension
from ..pages import base_of, entity_page, ontology_page
from ..protocol import ProtocolError, negotiate, prefers_html
from ..vocab import ID
from .core import Service, off_loop

RDF_EXTENSIONS = by_extension(GRAPH_FORMATS)
# Entities by content negotiation, first the default (Turtle).
ENTITY_MEDIA_TYPES = ["text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml"]


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
    """An entity as HTML, Turtle, JSON-LD, N-Triples or RDF/XML (content negotiation or .ttl/.jsonld/.nt/.rdf)."""
    service: Service = request.app.state.service
    path = request.path_params["path"]
    media = None
    for extension, candidate in RDF_EXTENSIONS.items():
        if path.endswith(extension):
            path, media = path[: -len(extension)], candidate
            break
    iri = ID + path
    if any(c in iri for c in '<>" {}|\\^`\n\r\t'):
        raise ProtocolError(400, "not a valid entity path")
    accept = request.headers.get("accept")
    if media is None and prefers_html(accept):
        view = await service.task("entity", iri, base_of(request))
        if view is None:
            raise ProtocolError(404, f"no entity {iri} in this graph")
        return await off_loop(entity_page, request, view)
    if media is None:
        media = negotiate(accept, ENTITY_MEDIA_TYPES, {"application/json": GRAPH_ALIASES["application/json"]})
        if media is None:
            if not await service.task("exists", iri):
                raise ProtocolError(404, f"no entity {iri} in this graph")
            raise ProtocolError(406, "entities are served as text/html, text/turtle, application/ld+json, "
                                     "application/n-triples or application/rdf+xml")
    body = await service.task("entity_rdf", iri, service.job(describe_query(iri), media))
    if body is None:
        raise ProtocolError(404, f"no entity {iri} in this graph")
    return Response(body, media_type=media, headers={"Vary": "Accept"})


async def ontology(request: Request) -> Response:
    """The ontology's documentation (HTML, in the site's frame) or the ontology itself (Turtle), from the build being served."""
    service: Service = request.app.state.service
    build = service.served
    wants_turtle = request.url.path.endswith(".ttl") or (
        not prefers_html(request.headers.get("accept"))
        and negotiate(request.headers.get("accept"), ["text/turtle"]) == "text/turtle"
        and "text/html" not in (request.headers.get("accept") or ""))
    if wants_turtle:
        return FileResponse(build.ontology_ttl, media_type="text/turtle; charset=utf-8")
    parts = service.pages.get(("ontology",))
    if parts is None:
        parts = await off_loop(_ontology_parts, build.ontology_html)
        if parts is None:  # not laid out as pyLODE lays it out: the page as the build wrote it
            return FileResponse(build.ontology_html, media_type="text/html; charset=utf-8")
        service.pages.put(("ontology",), parts)
    return await off_loop(ontology_page, request, parts)


def _ontology_parts(path):
    from ..ontology_page import frame_parts

    return frame_parts(path.read_text(encoding="utf-8"))


__all__ = ["entity", "ontology", "describe_query"]
