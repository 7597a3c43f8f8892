"""Counts that tell what a graph holds."""

from __future__ import annotations

from .store import GraphStore
from .vocab import CAKG


def named_graph_sizes(store: GraphStore) -> dict[str, int]:
    """Triples per named graph, sorted by name, counted by the store itself."""
    return {row["g"].value: int(row["n"].value) for row in store.select(
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g", "stats").rows}


def statistics(store: GraphStore) -> tuple[dict[str, int], dict[str, int]]:
    """(triples per named graph, instances per cakg: class), both sorted by name."""
    graphs = named_graph_sizes(store)
    classes = {}
    for row in store.select(f"""
            SELECT ?c (COUNT(DISTINCT ?x) AS ?n) WHERE {{
              ?x a ?c . FILTER(STRSTARTS(STR(?c), "{CAKG}"))
            }} GROUP BY ?c ORDER BY ?c""", "stats").rows:
        classes["cakg:" + row["c"].value[len(CAKG):]] = int(row["n"].value)
    return graphs, classes
