"""The reads of the store a query worker runs for the service besides user SPARQL: view models, analyses, network data.

Each task is a function of the worker's :class:`~cakg.workers.ServedStore` (the one
store interface of a worker) and plain arguments, returning plain data that is
pickled back to the server; :data:`TASKS` names them for :class:`~cakg.workers.Task`.
They run in the worker's evaluation thread, so the deadline that kills a runaway
query kills a runaway analysis the same way. A task refuses with
:class:`TaskRefused` (a status and a message); a :class:`~cakg.errors.CakgError`
(an unknown actor, say) is a 400, as everywhere in the service.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from .. import views
from ..results import ResultTable

# Projections a worker keeps for path, ego and compare requests on the same network; each
# holds the whole network (hundreds of MB at 10^6 triples), so only the last few.
PROJECTIONS_KEPT = 2


class TaskRefused(Exception):
    """A task's answer is a refusal: ``status`` is the HTTP status (404: no such entity, 400: a bad query...)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def results(store: Any, job: Any, base: str) -> tuple[str, Any]:
    """A query's answer for a page: ("table", a TableView with labels) or ("graph", Turtle text)."""
    answer = store.answer(job)
    if answer[0] == "error":
        raise TaskRefused(answer[1], answer[2])
    result = answer[1]
    if result[0] == "graph":
        return "graph", result[1].decode("utf-8")
    if result[0] == "boolean":
        return "table", views.table_view(ResultTable([], [], result[1]), {}, base)
    _, variables, rows = result
    table = ResultTable(variables, [{v: t for v, t in zip(variables, row) if t is not None} for row in rows])
    shown = table.rows[:views.MAX_HTML_ROWS]
    iris = [t.value for row in shown for t in row.values() if t.kind == "uri"]
    return "table", views.table_view(table, views.labels_of(store, iris), base)


def entity_rdf(store: Any, iri: str, job: Any) -> bytes | None:
    """Everything said about ``iri`` and to it, with its evidence, serialised as ``job`` asks; None if unknown."""
    if not views.exists(store, iri):
        return None
    answer = store.answer(job)
    if answer[0] == "error":
        raise TaskRefused(answer[1], answer[2])
    return answer[1][1]


_projections: OrderedDict[str, Any] = OrderedDict()


def _projection(store: Any, network: str) -> Any:
    from ..network import project

    graph = _projections.get(network)
    if graph is None:
        graph = project(store, network)
        _projections[network] = graph
        while len(_projections) > PROJECTIONS_KEPT:
            _projections.popitem(last=False)
    _projections.move_to_end(network)
    return graph


def analysis(store: Any, kind: str, network: str, parameters: tuple[tuple[str, Any], ...]) -> dict:
    """An analysis of :data:`cakg.catalogue.ANALYSES` with the canonical parameters the service checked."""
    from ..analyses import run_named
    from ..catalogue import ANALYSES

    values = dict(parameters)
    actors = tuple(values[name] for name in ANALYSES[kind].actors)
    result = run_named(store, kind, network, top=values.get("top"), actors=actors, depth=values.get("depth") or 1,
                       graph=_projection(store, network))
    return result.as_json()


def network_data(store: Any, network: str) -> dict:
    """What the interactive network page draws (:func:`cakg.viz.network_data`)."""
    from ..viz import network_data as data

    return data(store, network)


def network_file(store: Any, network: str, fmt: str) -> bytes:
    """A projection as GraphML or GEXF for Gephi: the bytes ``cakg export --format FMT --graph NETWORK`` writes."""
    from ..export import network_bytes

    return network_bytes(_projection(store, network), fmt)


_names: list[Any] = []  # the worker's cakg.names.Names, read at its first use (a worker serves one build)


def _names_of(store: Any) -> Any:
    from ..names import Names

    if not _names:
        _names.append(Names.read(store))
    return _names[0]


def param_choices(store: Any, kinds: tuple[str, ...]) -> dict[str, list[dict]]:
    """Per parameter type of ``kinds``, the entities a saved query's form offers (:meth:`cakg.names.Names.choices`)."""
    names = _names_of(store)
    return {kind: names.choices(kind) for kind in kinds}


def resolve_params(store: Any, query: str, params: tuple[tuple[str, str], ...], values: dict[str, str]) -> dict:
    """Saved-query values naming entities read into short forms: {"values", "notes"} or {"error": one line}."""
    from ..errors import InputError
    from ..names import resolve_values

    try:
        resolved, notes = resolve_values(_names_of(store), list(params), values, query)
    except InputError as error:
        return {"error": str(error)}
    return {"values": resolved, "notes": notes}


_search_index: list[Any] = []  # the worker's cakg.search_index.SearchIndex, built at its first search


def search(store: Any, q: str, base: str, class_filter: str | None = None, doc_filter: str | None = None) -> dict:
    """The explorer's search (:func:`cakg.views.search`) on the worker's index of names and passages."""
    from ..search_index import SearchIndex

    if not _search_index:
        _search_index.append(SearchIndex.read(store))
    return views.search(_search_index[0], q, base, class_filter, doc_filter)


TASKS: dict[str, Callable[..., Any]] = {
    "home": views.home,
    "entity": views.entity,
    "exists": views.exists,
    "entity_rdf": entity_rdf,
    "search": search,
    "editor_terms": views.editor_terms,
    "results": results,
    "analysis": analysis,
    "network": network_data,
    "network_file": network_file,
    "param_choices": param_choices,
    "reading": views.reading,
    "documents": views.documents,
    "passage_document": views.passage_document,
    "resolve_params": resolve_params,
}

__all__ = ["TASKS", "TaskRefused"]
