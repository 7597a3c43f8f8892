"""Materialise the entailments saved queries rely on, into their own graph.

The subset is RDFS subclass and subproperty plus the OWL characteristics the
ontology uses: inverse, symmetric and transitive properties. Domain and range
are not used to infer types: a curator's wrong property would otherwise
silently retype a node instead of failing validation. Everything inferred goes
into ``graph/inferred`` so that a query can tell asserted from entailed.
"""

from __future__ import annotations

from collections import defaultdict

from pyoxigraph import NamedNode, Quad, Store

from .vocab import OWL, RDF, RDFS

_TYPE = NamedNode(RDF + "type")
_SUBCLASS = NamedNode(RDFS + "subClassOf")
_SUBPROPERTY = NamedNode(RDFS + "subPropertyOf")
_INVERSE = NamedNode(OWL + "inverseOf")
_SYMMETRIC = NamedNode(OWL + "SymmetricProperty")
_TRANSITIVE = NamedNode(OWL + "TransitiveProperty")


def _closure(edges: dict[NamedNode, set[NamedNode]]) -> dict[NamedNode, set[NamedNode]]:
    """Reflexive-free transitive closure of a small schema hierarchy."""
    result: dict[NamedNode, set[NamedNode]] = {}
    for start in edges:
        seen: set[NamedNode] = set()
        stack = list(edges[start])
        while stack:
            node = stack.pop()
            if node in seen or node == start:
                continue
            seen.add(node)
            stack.extend(edges.get(node, ()))
        result[start] = seen
    return result


def _schema(store: Store, predicate: NamedNode) -> dict[NamedNode, set[NamedNode]]:
    edges: dict[NamedNode, set[NamedNode]] = defaultdict(set)
    for quad in store.quads_for_pattern(None, predicate, None):
        if isinstance(quad.subject, NamedNode) and isinstance(quad.object, NamedNode):
            edges[quad.subject].add(quad.object)
    return edges


def materialise(store: Store, target: NamedNode) -> int:
    """Add the entailed triples missing from ``store`` to graph ``target``; return how many."""
    super_classes = _closure(_schema(store, _SUBCLASS))
    super_properties = _closure(_schema(store, _SUBPROPERTY))
    inverses: dict[NamedNode, set[NamedNode]] = defaultdict(set)
    for p, qs in _schema(store, _INVERSE).items():
        for q in qs:
            inverses[p].add(q)
            inverses[q].add(p)
    symmetric = {q.subject for q in store.quads_for_pattern(None, _TYPE, _SYMMETRIC)}
    transitive = {q.subject for q in store.quads_for_pattern(None, _TYPE, _TRANSITIVE)}
    rule_properties = set(super_properties) | set(inverses) | symmetric | transitive

    added = 0
    # Property rules feed each other (a subproperty of a transitive property…): run to a fixpoint.
    while True:
        new: set[tuple] = set()
        for p in rule_properties:
            pairs = {(q.subject, q.object) for q in store.quads_for_pattern(None, p, None)}
            if not pairs:
                continue
            for sup in super_properties.get(p, ()):
                new.update((s, sup, o) for s, o in pairs)
            for inv in inverses.get(p, ()):
                new.update((o, inv, s) for s, o in pairs if isinstance(o, NamedNode))
            if p in symmetric:
                new.update((o, p, s) for s, o in pairs if isinstance(o, NamedNode))
            if p in transitive:
                forward: dict = defaultdict(set)
                for s, o in pairs:
                    forward[s].add(o)
                for s in list(forward):
                    reach, stack = set(), list(forward[s])
                    while stack:
                        node = stack.pop()
                        if node in reach:
                            continue
                        reach.add(node)
                        stack.extend(forward.get(node, ()))
                    new.update((s, p, o) for o in reach if o != s)
        missing = [t for t in new if not _present(store, t)]
        if not missing:
            break
        store.extend(Quad(s, p, o, target) for s, p, o in missing)
        added += len(missing)

    # The schema's own entailments (rdfs5, rdfs6, rdfs8-11): every class is a subclass of
    # itself and of all its ancestors, every property a subproperty of itself and of its
    # ancestors, so queries say rdfs:subClassOf instead of the slower, less portable
    # rdfs:subClassOf* path.
    schema = []
    classes = set(super_classes) | {c for sups in super_classes.values() for c in sups}
    classes |= {q.subject for q in store.quads_for_pattern(None, _TYPE, NamedNode(OWL + "Class"))}
    for cls in classes:
        if isinstance(cls, NamedNode):
            schema.append((cls, _SUBCLASS, cls))
            schema.extend((cls, _SUBCLASS, sup) for sup in super_classes.get(cls, ()))
    properties = set(super_properties) | {p for sups in super_properties.values() for p in sups}
    for kind in ("ObjectProperty", "DatatypeProperty", "AnnotationProperty"):
        properties |= {q.subject for q in store.quads_for_pattern(None, _TYPE, NamedNode(OWL + kind))}
    for prop in properties:
        if isinstance(prop, NamedNode):
            schema.append((prop, _SUBPROPERTY, prop))
            schema.extend((prop, _SUBPROPERTY, sup) for sup in super_properties.get(prop, ()))
    missing = [t for t in schema if not _present(store, t)]
    store.extend(Quad(s, p, o, target) for s, p, o in missing)
    added += len(missing)

    # Types last: the property rules never produce rdf:type.
    missing_types = set()
    for quad in store.quads_for_pattern(None, _TYPE, None):
        for sup in super_classes.get(quad.object, ()):  # type: ignore[arg-type]
            missing_types.add((quad.subject, sup))
    missing = [(s, c) for s, c in missing_types if not _present(store, (s, _TYPE, c))]
    store.extend(Quad(s, _TYPE, c, target) for s, c in missing)
    return added + len(missing)


def _present(store: Store, triple: tuple) -> bool:
    s, p, o = triple
    return next(iter(store.quads_for_pattern(s, p, o)), None) is not None
