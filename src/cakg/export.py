"""Serialising the built graph."""

from __future__ import annotations

import io

from pyoxigraph import NamedNode, Quad, RdfFormat

from .build import write_dataset
from .errors import InputError
from .store import GraphStore
from .vocab import GRAPH

FORMATS = {
    "turtle": RdfFormat.TURTLE,
    "nt": RdfFormat.N_TRIPLES,
    "nq": RdfFormat.N_QUADS,
    "trig": RdfFormat.TRIG,
    "xml": RdfFormat.RDF_XML,
}


def _select_graph(store: GraphStore, graph: str | None) -> list[Quad]:
    quads = sorted(store.quads(), key=lambda q: (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object)))
    if graph is None:
        return quads
    name = graph if "://" in graph else GRAPH + graph
    chosen = [q for q in quads if isinstance(q.graph_name, NamedNode) and q.graph_name.value == name]
    if not chosen:
        raise InputError(f"no named graph {name} in the store (see `cakg stats`)")
    return chosen


def export(store: GraphStore, fmt: str, graph: str | None = None) -> bytes:
    quads = _select_graph(store, graph)
    if fmt == "jsonld":
        from .jsonld import to_jsonld

        return to_jsonld(quads)
    if fmt not in FORMATS:
        raise InputError(f"unknown export format {fmt!r}; choose from {', '.join(sorted(FORMATS) + ['jsonld'])}")
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "out"
        write_dataset(quads, path, FORMATS[fmt])
        return path.read_bytes()


__all__ = ["export", "FORMATS", "io"]
