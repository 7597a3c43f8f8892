"""The one store interface everything above it uses: embedded (pyoxigraph) or remote (SPARQL 1.1).

Queries see the union of all named graphs as their default graph on both, so
a saved query runs unchanged on the embedded store and on Oxigraph server
(``--union-default-graph``), Virtuoso, GraphDB or Fuseki
(``tdb:unionDefaultGraph``).
"""

from __future__ import annotations

import contextlib
import gc
import json
import re
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Iterator
from typing import Protocol

import pyoxigraph
from pyoxigraph import BlankNode, Literal, NamedNode, Quad, QueryBoolean, QuerySolutions, Triple

from .build_folder import BuildFolder
from .errors import EndpointError, InputError, MalformedAnswer, QueryError
from .results import ResultTable, Term, table_from_sparql_json
from .sparql_client import DEFAULT_MAX_BYTES, SparqlClient, printable

# The prologue (BASE, PREFIX, spaces, comments ending at CR or LF), then the form keyword.
# Possessive loops never backtrack and IRIREF excludes "<", so one match is linear in the
# prologue's length whatever the text (the old search over "<[^>\s]*>" was quadratic).
_GAP = r"(?:[ \t\r\n]++|\#[^\r\n]*+)*+"
_IRIREF = r"<[^<>\"{}|^`\\\x00-\x20]*+>"
_FORM = re.compile(rf"(?:{_GAP}(?:BASE{_GAP}{_IRIREF}|PREFIX{_GAP}[^\s:#<]*+:{_GAP}{_IRIREF}))*+{_GAP}"
                   r"(SELECT|ASK|CONSTRUCT|DESCRIBE)(?![A-Za-z0-9_])", re.IGNORECASE)


def query_form(query: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the form keyword after the prologue (SELECT if none)."""
    match = _FORM.match(query)
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


def syntax_message(error: SyntaxError, query: str | None = None) -> str:
    """A SPARQL syntax error on one line: where and why in words with ``query``, else the parser's own words.

    The query workers send the parser's words (``SPARQL syntax error: error at 4:16: …``); the
    service, which holds the query, restates them for people (:func:`cakg.sparql_errors.explain_message`).
    """
    from .sparql_errors import MESSAGE_PREFIX, diagnose, raw_message

    raw = raw_message(error)
    if query is None:
        return f"{MESSAGE_PREFIX}: {raw}"
    return diagnose(raw, query).one_line()


def _syntax_error(label: str, error: SyntaxError, query: str) -> InputError:
    from .sparql_errors import QuerySyntaxError, diagnose, raw_message

    return QuerySyntaxError(label, diagnose(raw_message(error), query))


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
            raise _syntax_error(label, error, query) from None
        except (OSError, RuntimeError, ValueError) as error:
            detail = " ".join(str(error).split())[:300]
            raise QueryError(f"{label}: the query engine could not evaluate it: {detail}") from None


# Turtle and N-Triples only: RDF/XML would need entity expansion refused (DESIGN.md), JSON-LD
# can name remote contexts. Both are what every SPARQL server offers for CONSTRUCT.
_RDF_FORMATS = {"text/turtle": pyoxigraph.RdfFormat.TURTLE, "application/x-turtle": pyoxigraph.RdfFormat.TURTLE,
                "application/turtle": pyoxigraph.RdfFormat.TURTLE,
                "application/n-triples": pyoxigraph.RdfFormat.N_TRIPLES, "text/plain": pyoxigraph.RdfFormat.N_TRIPLES}


@dataclass
class RemoteStore:
    """A SPARQL 1.1 query endpoint, spoken to as untrusted input (:mod:`cakg.sparql_client`).

    ``timeout`` bounds the whole exchange, ``max_bytes`` the answer read; credentials
    go only to the endpoint's own origin; a malformed answer is an EndpointError.
    """

    endpoint: str
    user: str | None = None
    password: str | None = None
    timeout: float = 30.0
    max_bytes: int = DEFAULT_MAX_BYTES

    @property
    def name(self) -> str:
        return self.endpoint

    def _client(self) -> SparqlClient:
        return SparqlClient(self.endpoint, self.user, self.password, self.timeout, self.max_bytes)

    def select(self, query: str, label: str = "query") -> ResultTable:
        answer = self._client().query(query, query_form(query), label)
        try:
            data = json.loads(answer.body)
        except (ValueError, RecursionError):  # RecursionError: nesting deeper than Python's stack
            raise EndpointError(f"{self.endpoint}: answered {label} with something that is not JSON "
                                f"({answer.content_type or 'no Content-Type'}, {len(answer.body):,} bytes)") from None
        try:
            return table_from_sparql_json(data)
        except MalformedAnswer as error:
            raise EndpointError(f"{self.endpoint}: answered {label} with malformed SPARQL JSON results: "
                                f"{error}") from None

    def construct(self, query: str, label: str = "query") -> list[Triple]:
        answer = self._client().query(query, query_form(query), label)
        fmt = _RDF_FORMATS.get(answer.content_type or "text/turtle")
        if fmt is None:
            raise EndpointError(f"{self.endpoint}: answered {label} as {printable(answer.content_type, 60)}; cakg "
                                "reads Turtle or N-Triples from an endpoint")
        try:
            return list(pyoxigraph.parse(answer.body, format=fmt))
        except (SyntaxError, ValueError) as error:
            raise EndpointError(f"{self.endpoint}: unreadable {answer.content_type or 'Turtle'} answer to {label}: "
                                f"{printable(str(error), 160)}") from None

    def quads(self) -> list[Quad]:
        table = self.select("SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }", "export")
        return [Quad(from_term(r["s"]), from_term(r["p"]), from_term(r["o"]), from_term(r["g"]))
                for r in table.rows]


def open_store(build_dir: Path) -> pyoxigraph.Store:
    """The embedded pyoxigraph store of a build folder, read-only (see :class:`~cakg.build_folder.BuildFolder`)."""
    return BuildFolder(build_dir).open_store()


def connect(build_dir: Path | None = None, endpoint: str | None = None, user: str | None = None,
            password: str | None = None, timeout: float = 30.0,
            max_bytes: int = DEFAULT_MAX_BYTES) -> GraphStore:
    """The embedded store of ``build_dir``, or the remote ``endpoint`` when one is named."""
    if endpoint:
        if not re.match(r"^https?://", endpoint):
            raise InputError(f"{endpoint}: an endpoint is an http:// or https:// URL")
        if not timeout > 0 or not max_bytes > 0:
            raise InputError("--timeout and --max-bytes must be positive")
        return RemoteStore(endpoint, user, password, timeout, max_bytes)
    return EmbeddedStore(open_store(build_dir or Path("build")), name=str(build_dir or "build"))
