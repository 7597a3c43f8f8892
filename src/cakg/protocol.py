"""The SPARQL 1.1 Protocol's request rules and content negotiation, free of any web framework.

Status codes follow the specification: a malformed request (two queries, a
non-UTF-8 body, a syntax error) is 400, an unsupported request media type 415,
an unacceptable ``Accept`` 406, a method other than GET/HEAD/POST 405 (with
``Allow``); updates are refused with 403 because this service is read-only.
A form may carry at most :data:`MAX_FORM_FIELDS` fields, so reading one stays
cheap whatever its size.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qs

from . import catalogue
from .catalogue import by_name, media_types


class ProtocolError(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.headers = headers or {}


@dataclass
class SparqlRequest:
    query: str | None
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)
    format: str | None = None  # the "format" parameter browsers may send instead of Accept


# Result formats by the short names of the "format" parameter (browsers send it instead of Accept).
RESULT_FORMATS = {**by_name(catalogue.RESULT_FORMATS), catalogue.HTML.name: catalogue.HTML.media_type}
GRAPH_FORMATS = {**by_name(catalogue.GRAPH_FORMATS), catalogue.HTML.name: catalogue.HTML.media_type}
RESULT_ALIASES = catalogue.RESULT_ALIASES
GRAPH_ALIASES = catalogue.GRAPH_ALIASES
# SELECT and ASK media types → the name a worker serialises them by.
RESULT_TABLE_FORMATS = {f.media_type: f.name for f in catalogue.RESULT_FORMATS}
_RESULT_OFFERED = media_types(catalogue.RESULT_FORMATS) + [catalogue.HTML.media_type]
_GRAPH_OFFERED = media_types(catalogue.GRAPH_FORMATS) + [catalogue.HTML.media_type]
ALLOWED_METHODS = "GET, HEAD, POST"
MAX_FORM_FIELDS = 1000  # query, format and the graph URIs: far fewer in any real request


def _single(values: dict[str, list[str]], name: str) -> str | None:
    found = values.get(name, [])
    if len(found) > 1:
        raise ProtocolError(400, f"the request carries {len(found)} '{name}' parameters; send exactly one")
    return found[0] if found else None


def _decode(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ProtocolError(400, f"the request body is not UTF-8 (byte {error.start})") from None


def parse_request(method: str, query_string: str, content_type: str | None, body: bytes) -> SparqlRequest:
    """The query and dataset of a SPARQL protocol request, or a :class:`ProtocolError`."""
    url_params = _parse_form(query_string, "the query string")
    if method in ("GET", "HEAD"):
        params = url_params
        if "update" in params:
            raise ProtocolError(403, "SPARQL Update is not accepted: this endpoint is read-only")
        query = _single(params, "query")
    elif method == "POST":
        media = (content_type or "").split(";")[0].strip().lower()
        if media == "application/x-www-form-urlencoded":
            params = _parse_form(_decode(body), "the form")
            for key, values in url_params.items():
                params.setdefault(key, []).extend(values)
            if "update" in params:
                raise ProtocolError(403, "SPARQL Update is not accepted: this endpoint is read-only")
            query = _single(params, "query")
            if query is None:
                raise ProtocolError(400, "the form carries no 'query' parameter")
        elif media == "application/sparql-query":
            params = url_params
            if "query" in params:
                raise ProtocolError(400, "a query in the body and another in the URL: send exactly one")
            query = _decode(body)
        elif media == "application/sparql-update":
            raise ProtocolError(403, "SPARQL Update is not accepted: this endpoint is read-only")
        else:
            shown = media or "none"
            raise ProtocolError(415, f"unsupported request media type {shown}: POST a query as "
                                     "application/sparql-query or application/x-www-form-urlencoded")
    else:
        raise ProtocolError(405, f"method {method} is not allowed: use GET or POST", {"Allow": ALLOWED_METHODS})
    return SparqlRequest(query=query, default_graphs=params.get("default-graph-uri", []),
                         named_graphs=params.get("named-graph-uri", []),
                         format=_single(params, "format"))


def _parse_form(text: str, what: str) -> dict[str, list[str]]:
    try:
        return parse_qs(text, keep_blank_values=True, encoding="utf-8", errors="strict",
                        max_num_fields=MAX_FORM_FIELDS)
    except UnicodeDecodeError:
        raise ProtocolError(400, f"{what} is not UTF-8") from None
    except ValueError:
        raise ProtocolError(400, f"{what} has more than {MAX_FORM_FIELDS} fields") from None


def _accepted(accept: str | None) -> list[tuple[str, float]]:
    """Media ranges of an Accept header, best first (stable for equal quality)."""
    if not accept:
        return [("*/*", 1.0)]
    ranges = []
    for position, part in enumerate(accept.split(",")):
        pieces = [p.strip() for p in part.split(";")]
        if not pieces[0]:
            continue
        quality = 1.0
        for piece in pieces[1:]:
            if piece.startswith("q="):
                try:
                    quality = float(piece[2:])
                except ValueError:
                    quality = 0.0
        ranges.append((pieces[0].lower(), quality, position))
    ranges.sort(key=lambda r: (-r[1], r[2]))
    return [(media, q) for media, q, _ in ranges if q > 0]


def negotiate(accept: str | None, offered: list[str], aliases: dict[str, str] | None = None) -> str | None:
    """The first offered media type the Accept header admits (offered[0] is the default)."""
    aliases = aliases or {}
    for media, _quality in _accepted(accept):
        media = aliases.get(media, media)
        if media in ("*/*", "*"):
            return offered[0]
        if media.endswith("/*"):
            prefix = media[:-1]
            match = next((o for o in offered if o.startswith(prefix)), None)
            if match:
                return match
        elif media in offered:
            return media
    return None


def choose_format(is_graph: bool, accept: str | None, format_param: str | None) -> str:
    """The response media type for a query's results, from ``format`` or Accept (406 if none fits)."""
    table = GRAPH_FORMATS if is_graph else RESULT_FORMATS
    if format_param:
        key = format_param.lower()
        if key in table:
            return table[key]
        if key in table.values():
            return key
        raise ProtocolError(400, f"unknown format {format_param!r}; choose from {', '.join(sorted(table))}")
    offered = _GRAPH_OFFERED if is_graph else _RESULT_OFFERED
    chosen = negotiate(accept, offered, GRAPH_ALIASES if is_graph else RESULT_ALIASES)
    if chosen is None:
        raise ProtocolError(406, f"none of the accepted media types ({accept}) can carry these results; "
                                 f"offered: {', '.join(offered)}")
    return chosen


def prefers_html(accept: str | None) -> bool:
    """True when a browser asks: text/html is acceptable and ranked before any other specific type."""
    for media, _quality in _accepted(accept):
        if media in ("text/html", "application/xhtml+xml"):
            return True
        if media not in ("*/*", "*"):
            return False
    return False
