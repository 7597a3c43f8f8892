"""Derive the binary network edges from the fact nodes with the rules in ``rules/``.

Each rule is a SPARQL CONSTRUCT run over the whole (reasoned) graph; its
triples go into ``graph/derived`` together with the edge nodes that name the
facts every edge rests on. Edges are never written by hand in ``data/``.
"""

from __future__ import annotations

from importlib import resources

from pyoxigraph import NamedNode, Quad, Store


def rules() -> dict[str, str]:
    """Rule name → SPARQL CONSTRUCT text, in name order."""
    folder = resources.files("cakg") / "rules"
    return {entry.name.removesuffix(".rq"): entry.read_text(encoding="utf-8")
            for entry in sorted(folder.iterdir(), key=lambda e: e.name) if entry.name.endswith(".rq")}


def derive(store: Store, target: NamedNode) -> dict[str, int]:
    """Run every rule; return the number of triples each one added."""
    counts: dict[str, int] = {}
    for name, text in rules().items():
        triples = list(store.query(text, use_default_graph_as_union=True))
        store.extend(Quad(t.subject, t.predicate, t.object, target) for t in triples)
        counts[name] = len(triples)
    return counts
