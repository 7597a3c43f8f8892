"""JSON-LD output, compacted with the context file that ships in the package.

rdflib's JSON-LD serialiser is used because pyoxigraph writes JSON-LD only in
expanded form; the context is read from ``context.jsonld`` beside this module
and never fetched from the network.
"""

from __future__ import annotations

import json
from importlib import resources

import rdflib
from pyoxigraph import NamedNode, Quad

from .rdflib_bridge import to_rdflib


def context() -> dict:
    return json.loads((resources.files("cakg") / "context.jsonld").read_text(encoding="utf-8"))


def to_jsonld(quads: list[Quad]) -> bytes:
    dataset = rdflib.Dataset()
    for q in quads:
        graph = dataset.graph(rdflib.URIRef(q.graph_name.value)) if isinstance(q.graph_name, NamedNode) \
            else dataset.default_graph
        graph.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    text = dataset.serialize(format="json-ld", context=context()["@context"], auto_compact=True,
                             sort_keys=True, indent=1, ensure_ascii=False)
    return text.encode("utf-8")
