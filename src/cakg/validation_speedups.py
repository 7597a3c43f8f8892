"""Speed-ups for pySHACL on large graphs: the same report, less repeated work, only in a process of its own.

Plain pySHACL is what cakg runs by default. Above :data:`THRESHOLD_TRIPLES`
triples, where they start to pay (docs/performance.md, "Validation"), four
changes to how pySHACL works and one pre-filter are applied:

1. each SHACL-SPARQL query text is parsed once per validation rather than once
   per focus node (rdflib's ``parseQuery``/``translateQuery``);
2. a node shape's property shapes are validated once for all its focus nodes;
3. results that ``sh:or`` and ``sh:qualifiedValueShape`` throw away are not built;
4. a SHACL-SPARQL constraint is evaluated only for the focus nodes that
   Oxigraph, running the same query once for all targets, says may violate it
   (:func:`focus_nodes_to_check`, computed where the store is).

1–4 replace pySHACL and rdflib methods (pySHACL 0.40.x and rdflib 7.1–7.6, the
versions pyproject.toml pins them to). They are applied by :func:`applied`,
which restores the originals on leaving and refuses to run in any process but
one that :func:`dedicate_this_process` marked: the build's validation process,
forked for this one validation. Nothing here runs at import time, so importing
cakg leaves pySHACL and rdflib as they are. ``tests/test_validation_speedups.py``
checks that the report equals that of pySHACL in a process where cakg was never
imported, on the real data and on synthetic data.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator

import rdflib
from pyoxigraph import Store
from rdflib.namespace import SH

from .rdflib_bridge import to_rdflib

# Validation of a store of more quads than this is sped up. Measured on this machine
# (benchmarks/validation.py, docs/performance.md): at 5,391 and 6,337 plain pySHACL took
# 0.15-0.7 s and the speed-ups saved at most 0.5 s, not worth running a changed pySHACL;
# at 8,363 plain took 2.5 s against 0.19 s, on the real data (19,675) 9.9 s against 0.40 s,
# at 142,975 110 s against 2.9 s: the SHACL-SPARQL constraints, parsed and run once per
# focus node, grow with the data.
THRESHOLD_TRIPLES = 7_500

_dedicated = False


def wanted(triples: int) -> bool:
    """Whether validating a graph of ``triples`` triples is worth the speed-ups."""
    return triples > THRESHOLD_TRIPLES


def dedicate_this_process() -> None:
    """Mark this process as one that does nothing but validation (the build's forked validator):
    the only kind of process in which :func:`applied` changes pySHACL."""
    global _dedicated
    _dedicated = True


@contextlib.contextmanager
def applied(checks: dict[rdflib.term.Node, tuple[set, set]]) -> Iterator[None]:
    """pySHACL sped up for the duration of the block, in a process dedicated to validation only."""
    if not _dedicated:
        raise RuntimeError("pySHACL's speed-ups apply only in a process dedicated to validation "
                           "(see cakg.validation_speedups.dedicate_this_process)")
    with (_parsed_queries_reused(), _property_shapes_batched(), _discarded_results_not_built(),
          _sparql_constraints_pruned(checks)):
        yield


@contextlib.contextmanager
def _parsed_queries_reused() -> Iterator[None]:
    """Parse each SHACL-SPARQL query once per validation instead of once per focus node.

    pySHACL hands rdflib the query text for every focus node, and rdflib parses
    it again each time: on the real data 777 parses took 41 of 51 s. The
    translated query is immutable during evaluation (it is what ``prepareQuery``
    returns for reuse), so identical texts can share it.
    """
    from rdflib.plugins.sparql import processor

    original = processor.translateQuery
    cache: dict[tuple, object] = {}
    original_parse = processor.parseQuery

    def parse(text):
        return ("cakg-parsed", text)

    def translate(parsed, base=None, initNs=None):
        if isinstance(parsed, tuple) and parsed and parsed[0] == "cakg-parsed":
            key = (parsed[1], base, tuple(sorted((initNs or {}).items())))
            if key not in cache:
                cache[key] = original(original_parse(parsed[1]), base, initNs)
            return cache[key]
        return original(parsed, base, initNs)

    processor.parseQuery, processor.translateQuery = parse, translate
    try:
        yield
    finally:
        processor.parseQuery, processor.translateQuery = original_parse, original


@contextlib.contextmanager
def _property_shapes_batched() -> Iterator[None]:
    """Validate a node shape's property shapes once for all its focus nodes.

    pySHACL validates each ``sh:property`` shape once per focus node, and each
    call rebuilds the shape's constraint components from the shapes graph; on
    the 10^5-triple synthetic graph that overhead was 40% of validation. When
    every value node belongs to exactly one focus node (always so under a node
    shape, whose value node is the focus node itself), one call with all of
    them yields the same results.
    """
    from pyshacl.constraints.core import shape_based_constraints as module

    component = module.PropertyConstraintComponent
    original = component._evaluate_property_shape

    def batched(self, executor, prop_shape, target_graph, focus_value_nodes, potentially_recursive,
                _evaluation_path):
        values = [v for nodes in focus_value_nodes.values() for v in nodes]
        unique = list(dict.fromkeys(values))
        shape = self.shape.get_other_shape(prop_shape) if unique and len(unique) == len(values) else None
        if shape is None or not shape.is_property_shape or (potentially_recursive and shape in potentially_recursive):
            return original(self, executor, prop_shape, target_graph, focus_value_nodes, potentially_recursive,
                            _evaluation_path)
        conforms, reports = shape.validate(executor, target_graph, focus=unique, _evaluation_path=_evaluation_path[:])
        return (not conforms), reports

    component._evaluate_property_shape = batched
    try:
        yield
    finally:
        component._evaluate_property_shape = original


@contextlib.contextmanager
def _discarded_results_not_built() -> Iterator[None]:
    """Skip building the results that sh:or and sh:qualifiedValueShape throw away.

    Both validate value nodes against other shapes only to learn whether they
    conform; pySHACL builds a full result for every failure in there (message,
    value rendered as text) and then drops it unless debugging: about a
    quarter of validation at 10^5 triples. Inside them, a result made by any
    other component becomes a stub carrying only its severity, the one part
    pySHACL's conformance logic reads; the outermost component's own results
    are built as usual.
    """
    from pyshacl.constraints.constraint_component import ConstraintComponent
    from pyshacl.constraints.core.logical_constraints import OrConstraintComponent
    from pyshacl.constraints.core.shape_based_constraints import QualifiedValueShapeConstraintComponent

    owners: list[object] = []
    wrapped = [(OrConstraintComponent, "_evaluate_or_constraint"),
               (QualifiedValueShapeConstraintComponent, "_evaluate_value_shape")]
    originals = [getattr(cls, name) for cls, name in wrapped]
    original_make = ConstraintComponent.make_v_result

    def owning(original):
        def evaluate(self, *args, **kwargs):
            owners.append(self)
            try:
                return original(self, *args, **kwargs)
            finally:
                owners.pop()
        return evaluate

    def make_v_result(self, datagraph, focus_node, *args, **kwargs):
        if owners and self is not owners[0]:
            node = rdflib.BNode()
            return "", node, [(node, SH.resultSeverity, self.shape.severity)]
        return original_make(self, datagraph, focus_node, *args, **kwargs)

    for (cls, name), original in zip(wrapped, originals):
        setattr(cls, name, owning(original))
    ConstraintComponent.make_v_result = make_v_result
    try:
        yield
    finally:
        for (cls, name), original in zip(wrapped, originals):
            setattr(cls, name, original)
        ConstraintComponent.make_v_result = original_make


# Queries for which evaluating once for all focus nodes may differ from pre-binding $this.
_NOT_PRUNABLE = re.compile(r"\$(currentShape|shapesGraph|PATH)\b|\b(LIMIT|OFFSET|GROUP\s+BY|HAVING|COUNT|SUM|MIN|MAX|"
                           r"AVG|SAMPLE|GROUP_CONCAT|SERVICE)\b", re.IGNORECASE)
_TARGETS = {SH.targetClass: "{{ ?this rdf:type/rdfs:subClassOf* <{}> }}",
            SH.targetNode: "{{ VALUES ?this {{ <{}> }} }}",
            SH.targetSubjectsOf: "{{ ?this <{}> ?cakg_target_any }}",
            SH.targetObjectsOf: "{{ ?cakg_target_any <{}> ?this }}"}


def _target_pattern(shapes: rdflib.Graph, shape: rdflib.term.Node) -> str | None:
    """The shape's targets as one SPARQL group binding ?this, or None if they cannot be written so."""
    if (shape, SH.target, None) in shapes:
        return None
    parts = [pattern.format(node) for parameter, pattern in _TARGETS.items()
             for node in shapes.objects(shape, parameter)]
    if {rdflib.RDFS.Class, rdflib.OWL.Class} & set(shapes.objects(shape, rdflib.RDF.type)):
        parts.append(_TARGETS[SH.targetClass].format(shape))
    if not parts or any(not isinstance(n, rdflib.URIRef) for p in _TARGETS for n in shapes.objects(shape, p)):
        return None
    return " UNION ".join(parts)


def focus_nodes_to_check(store: Store, shapes: rdflib.Graph) -> dict[rdflib.term.Node, tuple[set, set]]:
    """For each SHACL-SPARQL constraint: its shape's targets, and those of them that may violate it.

    pySHACL runs a constraint's query once per focus node (on the real data
    and at 10^5 triples, a third of validation). Oxigraph runs it once for all
    targets instead, with the target pattern joined first where pySHACL
    pre-binds $this; pySHACL then evaluates only the focus nodes that query
    returned and any focus node outside the targets (reached through
    sh:node and the like), so it still writes every result itself.
    """
    namespaces: dict[str, str] = {}
    for decl in shapes.objects(None, SH.declare):
        for prefix in shapes.objects(decl, SH.prefix):
            for ns in shapes.objects(decl, SH.namespace):
                if namespaces.setdefault(str(prefix), str(ns)) != str(ns):
                    return {}
    for prefix, ns in (("rdf", str(rdflib.RDF)), ("rdfs", str(rdflib.RDFS))):  # the target patterns use them
        if namespaces.setdefault(prefix, ns) != ns:
            return {}
    head = "".join(f"PREFIX {k}: <{v}>\n" for k, v in sorted(namespaces.items()))
    found: dict[rdflib.term.Node, tuple[set, set]] = {}
    for shape, constraint in shapes.subject_objects(SH.sparql):
        select = shapes.value(constraint, SH.select)
        targets = _target_pattern(shapes, shape)
        if select is None or targets is None:
            continue
        text = str(select)
        where = re.search(r"\bWHERE\s*\{", text, re.IGNORECASE)
        if (where is None or _NOT_PRUNABLE.search(text) or len(re.findall(r"\bSELECT\b", text, re.IGNORECASE)) != 1
                or not re.search(r"\bSELECT\s+(DISTINCT\s+|REDUCED\s+)?(\*|[^{]*[?$]this\b)", text, re.IGNORECASE)):
            continue
        joined = f"{text[:where.end()]} {{ SELECT DISTINCT ?this WHERE {{ {targets} }} }} {text[where.end():]}"
        try:
            in_target = {to_rdflib(row[0]) for row in store.query(
                f"{head}SELECT DISTINCT ?this WHERE {{ {targets} }}", use_default_graph_as_union=True)}
            candidates = {to_rdflib(row["this"]) for row in store.query(
                f"{head}{joined}", use_default_graph_as_union=True) if row["this"] is not None}
        except SyntaxError:
            continue  # pySHACL evaluates it node by node and reports a broken query itself
        found[constraint] = (in_target, candidates)
    return found


@contextlib.contextmanager
def _sparql_constraints_pruned(checks: dict[rdflib.term.Node, tuple[set, set]]) -> Iterator[None]:
    from pyshacl.constraints.sparql.sparql_based_constraints import SPARQLBasedConstraint

    original = SPARQLBasedConstraint._evaluate_sparql_constraint

    def pruned(self, sparql_constraint, target_graph, f_v_dict):
        check = checks.get(sparql_constraint.node)
        if check is not None:
            in_target, candidates = check
            f_v_dict = {f: v for f, v in f_v_dict.items() if f in candidates or f not in in_target}
        return original(self, sparql_constraint, target_graph, f_v_dict)

    SPARQLBasedConstraint._evaluate_sparql_constraint = pruned
    try:
        yield
    finally:
        SPARQLBasedConstraint._evaluate_sparql_constraint = original
