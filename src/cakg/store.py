"""The one store interface everything above it uses: embedded (pyoxigraph) or remote (SPARQL 1.1).

Queries see the union of all named graphs as their default graph on both, so
a saved query runs unchanged on the embedded store and on Oxigraph server
(``--union-default-graph``), Virtuoso, GraphDB or Fuseki
(``tdb:unionDefaultGraph``).
"""

from __future__ import annotations

import contextlib
import gc
import re
import socket
import urllib.error
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Iterator
from typing import Protocol

import pyoxigraph
from pyoxigraph import BlankNode, Literal, NamedNode, Quad, QueryBoolean, QuerySolutions, Triple

from .errors import EndpointError, InputError, QueryError
from .results import ResultTable, Term, table_from_sparql_json

_FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)


def query_form(query: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first form keyword after the prologue."""
    without_comments = re.sub(r"(?m)#[^\n]*$", "", re.sub(r"<[^>\s]*>", "<>", query))
    match = _FORM.search(without_comments)
    return match.group(1).upper() if match else "SELECT"


class GraphStore(Protocol):
    """What saved queries, analyses, exports and the service need from a store."""

    name: str

    def select(self, query: str, label: str = "query") -> ResultTable:
        """Run a SELECT or ASK query."""

    def construct(self, query: str, label: str = "query") -> list[Triple]:
        """Run a CONSTRUCT or DESCRIBE query."""

    def quads(self) -> list[Quad]:
        """Every quad of every named graph."""


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_new_tuple = tuple.__new__  # Terms are named tuples: built here from parts already normalised


def _iri_term(term: NamedNode) -> Term:
    return _new_tuple(Term, ("uri", term.value, None, None))


def _blank_term(term: BlankNode) -> Term:
    return _new_tuple(Term, ("bnode", term.value, None, None))


def _literal_term(term: Literal) -> Term:
    language = term.language
    if language:
        return _new_tuple(Term, ("literal", term.value, None, language.lower()))
    datatype = term.datatype.value
    return _new_tuple(Term, ("literal", term.value, None if datatype == _XSD_STRING else datatype, None))


_CONVERTERS = {NamedNode: _iri_term, BlankNode: _blank_term, Literal: _literal_term}


def to_term(term: object) -> Term:
    converter = _CONVERTERS.get(type(term))
    if converter is None:
        raise TypeError(f"unsupported term {term!r}")
    return converter(term)


@contextlib.contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause the cycle collector while building many acyclic objects.

    Every few hundred new dicts and Terms trigger a collection that walks the
    growing heap: at 10^6 triples, 17% of the time `timeline` (16,609 rows of 9
    cells) took from Oxigraph's first solution to the last row. Rows and Terms
    hold no cycles, so nothing is left for the collector to find.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def solutions_to_rows(result: QuerySolutions, limit: int | None = None) -> list[dict[str, Term]]:
    """Rows of Terms; each distinct pyoxigraph term is converted once (results repeat them a lot)."""
    variables = [v.value for v in result.variables]
    cache: dict[object, Term] = {}
    cached, convert = cache.get, to_term  # locals: this loop runs once per cell of large results
    rows: list[dict[str, Term]] = []
    append = rows.append
    with _cyclic_gc_paused():
        for solution in result:
            if limit is not None and len(rows) >= limit:
                raise OverflowError(limit)
            row = {}
            for name, value in zip(variables, solution):
                if value is not None:
                    term = cached(value)
                    if term is None:
                        term = cache[value] = convert(value)
                    row[name] = term
            append(row)
    return rows


def from_term(term: Term):
    if term.kind == "uri":
        return NamedNode(term.value)
    if term.kind == "bnode":
        return BlankNode(term.value)
    if term.lang:
        return Literal(term.value, language=term.lang)
    if term.datatype:
        return Literal(term.value, datatype=NamedNode(term.datatype))
    return Literal(term.value)


def syntax_message(error: SyntaxError) -> str:
    """pyoxigraph's parse error on one line, cut to a readable length."""
    message = str(error.args[0]) if error.args else str(error)
    first = (message.splitlines() or [""])[0]
    return f"SPARQL syntax error: {first[:160]}{'…' if len(first) > 160 else ''}"


def _syntax_error(label: str, error: SyntaxError) -> InputError:
    return InputError(f"{label}: {syntax_message(error)}")


@dataclass
class EmbeddedStore:
    """A read-only pyoxigraph store (a build's ``store/``) or an in-memory one."""

    store: pyoxigraph.Store
    name: str = "embedded"

    def select(self, query: str, label: str = "query") -> ResultTable:
        result = self._run(query, label)
        if isinstance(result, QueryBoolean):
            return ResultTable([], [], bool(result))
        if not isinstance(result, QuerySolutions):
            raise InputError(f"{label}: expected a SELECT or ASK query")
        return ResultTable([v.value for v in result.variables], solutions_to_rows(result))

    def construct(self, query: str, label: str = "query") -> list[Triple]:
        result = self._run(query, label)
        if isinstance(result, (QueryBoolean, QuerySolutions)):
            raise InputError(f"{label}: expected a CONSTRUCT or DESCRIBE query")
        return list(result)

    def quads(self) -> list[Quad]:
        return list(self.store.quads_for_pattern(None, None, None))

    def _run(self, query: str, label: str):
        try:
            return self.store.query(query, use_default_graph_as_union=True)
        except SyntaxError as error:
            raise _syntax_error(label, error) from None
        except (OSError, RuntimeError, ValueError) as error:
            detail = " ".join(str(error).split())[:300]
            raise QueryError(f"{label}: the query engine could not evaluate it: {detail}") from None


@dataclass
class RemoteStore:
    """A SPARQL 1.1 query endpoint reached with SPARQLWrapper."""

    endpoint: str
    user: str | None = None
    password: str | None = None
    timeout: float = 30.0

    @property
    def name(self) -> str:
        return self.endpoint

    def _wrapper(self, query: str):
        from SPARQLWrapper import POST, SPARQLWrapper

        sparql = SPARQLWrapper(self.endpoint, agent="cakg")
        sparql.setMethod(POST)
        sparql.setTimeout(int(max(1, self.timeout)))
        if self.user is not None:
            sparql.setCredentials(self.user, self.password or "")
        sparql.setQuery(query)
        # SPARQLWrapper guesses the form with a regex that comments can fool ("designed and
        # constructed"); cakg's own reading skips comments and IRIs.
        sparql.queryType = query_form(query)
        return sparql

    def select(self, query: str, label: str = "query") -> ResultTable:
        from SPARQLWrapper import JSON

        sparql = self._wrapper(query)
        sparql.setReturnFormat(JSON)
        data = self._call(sparql, label).convert()
        if not isinstance(data, dict):
            raise EndpointError(f"{self.endpoint}: answered {label} with something that is not SPARQL JSON results")
        return table_from_sparql_json(data)

    def construct(self, query: str, label: str = "query") -> list[Triple]:
        from SPARQLWrapper import TURTLE

        sparql = self._wrapper(query)
        sparql.setReturnFormat(TURTLE)
        response = self._call(sparql, label)
        body = response.response.read()
        content_type = response.response.headers.get("Content-Type", "text/turtle").split(";")[0].strip()
        fmt = pyoxigraph.RdfFormat.from_media_type(content_type) or pyoxigraph.RdfFormat.TURTLE
        try:
            return list(pyoxigraph.parse(body, format=fmt))
        except SyntaxError as error:
            raise EndpointError(f"{self.endpoint}: unreadable {content_type} answer to {label}: {error}") from None

    def quads(self) -> list[Quad]:
        table = self.select("SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }", "export")
        return [Quad(from_term(r["s"]), from_term(r["p"]), from_term(r["o"]), from_term(r["g"]))
                for r in table.rows]

    def _call(self, sparql, label: str):
        from SPARQLWrapper.SPARQLExceptions import (
            EndPointInternalError,
            EndPointNotFound,
            QueryBadFormed,
            SPARQLWrapperException,
            Unauthorized,
        )

        try:
            return sparql.query()
        except QueryBadFormed as error:
            detail = str(error).splitlines()[-1] if str(error) else ""
            raise InputError(f"{label}: the endpoint {self.endpoint} rejected the query as malformed: {detail}") from None
        except Unauthorized:
            raise EndpointError(f"{self.endpoint}: credentials refused (HTTP 401)") from None
        except EndPointNotFound:
            raise EndpointError(f"{self.endpoint}: no SPARQL endpoint here (HTTP 404)") from None
        except EndPointInternalError as error:
            raise EndpointError(f"{self.endpoint}: server error running {label}: {str(error).splitlines()[-1]}") from None
        except SPARQLWrapperException as error:
            raise EndpointError(f"{self.endpoint}: {str(error).splitlines()[0]}") from None
        except urllib.error.HTTPError as error:
            raise EndpointError(f"{self.endpoint}: HTTP {error.code} {error.reason}") from None
        except urllib.error.URLError as error:
            raise EndpointError(f"{self.endpoint}: unreachable ({error.reason})") from None
        except (socket.timeout, TimeoutError):
            raise EndpointError(f"{self.endpoint}: no answer within {self.timeout:g} s") from None
        except (ConnectionError, OSError) as error:
            raise EndpointError(f"{self.endpoint}: unreachable ({error})") from None


def open_store(build_dir: Path, writable: bool = False) -> pyoxigraph.Store:
    """The embedded pyoxigraph store of a build folder, read-only unless ``writable``.

    Opening it for writing fails while another process writes to it.
    """
    folder = build_dir / "store"
    if not folder.is_dir():
        raise InputError(f"{build_dir}: no built store here (run `cakg build --out {build_dir}` first)")
    try:
        return pyoxigraph.Store(str(folder)) if writable else pyoxigraph.Store.read_only(str(folder))
    except OSError as error:
        mode = " for writing" if writable else ""
        raise InputError(f"{folder}: cannot open the store{mode} ({error})") from error


def connect(build_dir: Path | None = None, endpoint: str | None = None, user: str | None = None,
            password: str | None = None, timeout: float = 30.0) -> GraphStore:
    """The embedded store of ``build_dir``, or the remote ``endpoint`` when one is named."""
    if endpoint:
        if not re.match(r"^https?://", endpoint):
            raise InputError(f"{endpoint}: an endpoint is an http:// or https:// URL")
        return RemoteStore(endpoint, user, password, timeout)
    return EmbeddedStore(open_store(build_dir or Path("build")), name=str(build_dir or "build"))
