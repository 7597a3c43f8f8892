"""Derive the binary network edges from the fact nodes with the rules in ``rules/``.

Each rule is a SPARQL CONSTRUCT run over the whole (reasoned) graph; its
triples go into ``graph/derived`` together with the edge nodes that name the
facts, rules and roles every edge rests on. Edges are never written by hand in
``data/``. Rules run in file-name order, except that the ``aggregate-`` rules
run last: they read what the others derived (an edge's weight is the sum of
the weights of its supports).
"""

from __future__ import annotations

from importlib import resources

from pyoxigraph import NamedNode, Quad, Store

AGGREGATE_PREFIX = "aggregate-"


def rules() -> dict[str, str]:
    """Rule name → SPARQL CONSTRUCT text, in the order they run."""
    folder = resources.files("cakg") / "rules"
    names = sorted((entry.name for entry in folder.iterdir() if entry.name.endswith(".rq")),
                   key=lambda name: (name.startswith(AGGREGATE_PREFIX), name))
    return {name.removesuffix(".rq"): (folder / name).read_text(encoding="utf-8") for name in names}


def derive(store: Store, target: NamedNode) -> dict[str, int]:
    """Run every rule, each seeing what the ones before it added; return the number of triples each added."""
    counts: dict[str, int] = {}
    for name, text in rules().items():
        triples = list(store.query(text, use_default_graph_as_union=True))
        store.extend(Quad(t.subject, t.predicate, t.object, target) for t in triples)
        counts[name] = len(triples)
    return counts
