"""A compact in-memory rdflib store for the graph pySHACL validates.

rdflib's default ``Memory`` store keeps three nested-dict indexes plus a
context entry and a context-set entry per triple: about 750 bytes per triple
beyond the terms themselves (387 MB for the 511k triples pySHACL reads at
10^6). Validation needs one graph, no contexts, and lookups by subject or by
predicate, so this store keeps two indexes whose leaves are lists (dicts only
once they grow long): 83 MB for the same triples, built four times faster.
Terms are rdflib's own, so matching and ordering semantics are unchanged.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from rdflib.graph import Graph
from rdflib.plugins.stores.memory import SimpleMemory
from rdflib.term import Node

# A leaf holds the objects of one (subject, predicate) or the subjects of one
# (predicate, object). Most hold one or two terms; a list is the smallest
# container, and it becomes an ordered dict once membership tests on it
# would cost more than a hash.
_LIST_LIMIT = 16

Leaf = list[Node] | dict[Node, None]


def _append(leaf: Leaf, term: Node) -> Leaf:
    if isinstance(leaf, list):
        if len(leaf) < _LIST_LIMIT:
            leaf.append(term)
            return leaf
        leaf = dict.fromkeys(leaf)
    leaf[term] = None
    return leaf


def _discard(leaf: Leaf, term: Node) -> None:
    if isinstance(leaf, list):
        leaf.remove(term)
    else:
        del leaf[term]


def _unindex(index: dict[Node, dict[Node, Leaf]], first: Node, second: Node, term: Node) -> None:
    """Remove ``term`` from ``index[first][second]``, dropping levels left empty."""
    inner = index[first]
    _discard(inner[second], term)
    if not inner[second]:
        del inner[second]
        if not inner:
            del index[first]


class CompactStore(SimpleMemory):
    """One graph, indexed by subject-predicate-object and predicate-object-subject.

    Prefix bindings are ``SimpleMemory``'s; every method that touches triples is
    replaced. No events are dispatched on ``add`` (nothing here listens).
    """

    # pySHACL wraps the data graph in an rdflib Dataset, which asserts these;
    # every triple is in the one graph the store was made for.
    context_aware = True
    formula_aware = False
    graph_aware = True

    def __init__(self, configuration: Any = None, identifier: Any = None) -> None:
        super().__init__(configuration, identifier)
        self._spo: dict[Node, dict[Node, Leaf]] = {}
        self._pos: dict[Node, dict[Node, Leaf]] = {}
        self._size = 0

    # -- writing ---------------------------------------------------------
    def add(self, triple: tuple[Node, Node, Node], context: Any = None, quoted: bool = False) -> None:
        s, p, o = triple
        by_predicate = self._spo.get(s)
        if by_predicate is None:
            by_predicate = self._spo[s] = {}
        objects = by_predicate.get(p)
        if objects is None:
            by_predicate[p] = [o]
        elif o in objects:
            return
        else:
            by_predicate[p] = _append(objects, o)
        by_object = self._pos.get(p)
        if by_object is None:
            by_object = self._pos[p] = {}
        subjects = by_object.get(o)
        by_object[o] = [s] if subjects is None else _append(subjects, s)
        self._size += 1

    def remove(self, triple_pattern: Any, context: Any = None) -> None:
        for (s, p, o), _contexts in list(self.triples(triple_pattern, context)):
            _unindex(self._spo, s, p, o)
            _unindex(self._pos, p, o, s)
            self._size -= 1

    # -- reading ---------------------------------------------------------
    def triples(self, triple_pattern: Any, context: Any = None) -> Iterator[tuple[tuple[Node, Node, Node], Iterator[Any]]]:
        for triple in self._match(*triple_pattern):
            yield triple, iter(())

    def _match(self, s: Node | None, p: Node | None, o: Node | None) -> Iterator[tuple[Node, Node, Node]]:
        # Leaves are copied before iterating, so callers may add while reading.
        spo, pos = self._spo, self._pos
        if s is not None:
            by_predicate = spo.get(s)
            if by_predicate is None:
                return
            if p is not None:
                objects = by_predicate.get(p)
                if objects is None:
                    return
                if o is not None:
                    if o in objects:
                        yield s, p, o
                    return
                for obj in tuple(objects):
                    yield s, p, obj
                return
            for pred, objects in tuple(by_predicate.items()):
                if o is None:
                    for obj in tuple(objects):
                        yield s, pred, obj
                elif o in objects:
                    yield s, pred, o
            return
        chosen = ((p, pos.get(p)),) if p is not None else tuple(pos.items())
        for pred, by_object in chosen:
            if by_object is None:
                continue
            if o is not None:
                for subj in tuple(by_object.get(o, ())):
                    yield subj, pred, o
                continue
            for obj, subjects in tuple(by_object.items()):
                for subj in tuple(subjects):
                    yield subj, pred, obj

    def __len__(self, context: Any = None) -> int:
        return self._size

    def contexts(self, triple: Any = None) -> Iterator[Graph]:
        return iter(())

    def add_graph(self, graph: Graph) -> None:
        pass

    def remove_graph(self, graph: Graph) -> None:
        pass
