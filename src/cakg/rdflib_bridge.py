"""pyoxigraph terms and quads as rdflib terms and graphs, for the libraries that read rdflib (pySHACL, JSON-LD).

The graph is built in a :class:`~cakg.compact_store.CompactStore` (a quarter of
the memory of rdflib's default store, same terms and matching), each distinct
term converted once.
"""

from __future__ import annotations

from collections.abc import Iterable

import rdflib
from pyoxigraph import BlankNode, Literal, NamedNode, Quad, Store

from .compact_store import CompactStore

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def to_rdflib(term: object) -> rdflib.term.Node:
    """The rdflib term of a pyoxigraph IRI, blank node or literal."""
    if isinstance(term, NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, BlankNode):
        return rdflib.BNode(term.value)
    if isinstance(term, Literal):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == _XSD_STRING:
            # A simple literal, as rdflib's own parsers make it: rdflib tells "a" from "a"^^xsd:string
            # (RDF 1.1 does not), so pySHACL must see what it sees when rdflib parses the same file.
            return rdflib.Literal(term.value)
        return rdflib.Literal(term.value, datatype=rdflib.URIRef(datatype))
    raise TypeError(f"unsupported term {term!r}")


def quads_with_predicates(quads: Iterable[Quad] | Store, predicates: set[str] | None) -> Iterable[Quad]:
    """The quads of ``quads`` (every graph of a store) whose predicate is one of ``predicates`` (all if None)."""
    if isinstance(quads, Store):
        if predicates is None:
            return quads.quads_for_pattern(None, None, None)
        return (q for p in sorted(predicates) for q in quads.quads_for_pattern(None, NamedNode(p), None))
    if predicates is None:
        return quads
    return (q for q in quads if q.predicate.value in predicates)


def rdflib_graph(quads: Iterable[Quad] | Store, predicates: set[str] | None = None) -> rdflib.Graph:
    """The union of ``quads`` as one rdflib graph (terms converted once each).

    With ``predicates``, only the triples whose predicate is one of them.
    """
    graph = rdflib.Graph(store=CompactStore())
    cache: dict[object, rdflib.term.Node] = {}

    def convert(term: object) -> rdflib.term.Node:
        node = cache.get(term)
        if node is None:
            node = cache[term] = to_rdflib(term)
        return node

    add = graph.add
    for q in quads_with_predicates(quads, predicates):
        add((convert(q.subject), convert(q.predicate), convert(q.object)))
    return graph
