"""SHACL validation with pySHACL, and a report a curator can act on.

pySHACL runs on an rdflib copy of the graph: on an Oxigraph-backed rdflib
graph it re-counts the whole store for every result (> 300 s at 10^6 triples
here), and on pySHACL's own pyoxigraph data graph it had not finished after
10 minutes at 10^5.
The copy holds only the triples whose predicate a shape can read (paths,
targets, types, the predicates of the SHACL-SPARQL queries): SHACL
constraints reach data through nothing else, so the report is the same and
the copy is about half the graph. It lives in a ``CompactStore`` (a quarter
of the memory of rdflib's default store). ``prepare`` takes from the store
everything validation reads, ``check`` runs pySHACL without the store (the
build runs it in another process) and ``report`` names the files behind each
result. Shapes are always passed explicitly, never read from the data.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import rdflib
import rdflib.plugins.sparql
from pyoxigraph import BlankNode, Literal, NamedNode, Quad, RdfFormat, Store, parse, serialize
from rdflib.namespace import SH

from .compact_store import CompactStore
from .errors import InputError, ParseError
from .vocab import GRAPH

# SHACL-SPARQL constraints must never fetch anything named in the data (FROM NAMED…).
rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False

SHAPES_DIR = Path(__file__).resolve().parents[2] / "ontology" / "shapes"


@dataclass
class Violation:
    shape: str
    focus: str
    message: str
    severity: str
    path: str | None = None
    value: str | None = None
    files: list[str] = field(default_factory=list)


@dataclass
class Report:
    conforms: bool
    violations: list[Violation]
    results_graph: rdflib.Graph | None = None

    def by_shape(self) -> dict[str, list[Violation]]:
        groups: dict[str, list[Violation]] = defaultdict(list)
        for v in self.violations:
            groups[v.shape].append(v)
        return dict(sorted(groups.items()))

    def to_text(self) -> str:
        if self.conforms:
            return "Validation passed: the graph conforms to every shape."
        lines = [f"Validation failed: {len(self.violations)} problem(s)."]
        for shape, items in self.by_shape().items():
            lines.append("")
            lines.append(f"{shape} ({len(items)})")
            for v in items:
                where = f" in {', '.join(v.files)}" if v.files else ""
                path = f" [{v.path}]" if v.path else ""
                lines.append(f"  {v.focus}{path}{where}: {v.message}")
        return "\n".join(lines)

    def to_json(self) -> str:
        return json.dumps({"conforms": self.conforms,
                           "violations": [asdict(v) for v in self.violations]},
                          indent=2, ensure_ascii=False, sort_keys=True)

    def to_turtle(self) -> str:
        graph = self.results_graph if self.results_graph is not None else rdflib.Graph()
        graph.bind("sh", SH)
        return graph.serialize(format="turtle")


def to_rdflib(term: object) -> rdflib.term.Node:
    if isinstance(term, NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, BlankNode):
        return rdflib.BNode(term.value)
    if isinstance(term, Literal):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))
    raise TypeError(f"unsupported term {term!r}")


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
    for q in _quads_read(quads, predicates):
        add((convert(q.subject), convert(q.predicate), convert(q.object)))
    return graph


def _quads_read(quads: Iterable[Quad] | Store, predicates: set[str] | None) -> Iterable[Quad]:
    if isinstance(quads, Store):
        if predicates is None:
            return quads.quads_for_pattern(None, None, None)
        return (q for p in sorted(predicates) for q in quads.quads_for_pattern(None, NamedNode(p), None))
    if predicates is None:
        return quads
    return (q for q in quads if q.predicate.value in predicates)


_PATH_OPERATORS = (SH.inversePath, SH.alternativePath, SH.zeroOrMorePath, SH.oneOrMorePath,
                   SH.zeroOrOnePath, rdflib.RDF.first, rdflib.RDF.rest)
_PAIR_PARAMETERS = (SH.equals, SH.disjoint, SH.lessThan, SH.lessThanOrEquals)


def predicates_read_by(shapes: rdflib.Graph) -> set[str] | None:
    """Every predicate the shapes can read in the data graph, or None if that is unbounded.

    Core constraints reach the data only through property paths, targets,
    rdf:type and rdfs:subClassOf (class membership) and the property-pair
    parameters; SHACL-SPARQL constraints through the triple patterns of their
    queries. A closed shape, a SPARQL query that cannot be parsed or a pattern
    with a variable predicate make the set unbounded.
    """
    from rdflib.plugins.sparql import prepareQuery
    from rdflib.plugins.sparql.algebra import traverse

    if (None, SH.closed, rdflib.Literal(True)) in shapes:
        return None
    found: set[rdflib.term.Node] = {rdflib.RDF.type, rdflib.RDFS.subClassOf}

    def path_iris(node: rdflib.term.Node) -> Iterator[rdflib.term.Node]:
        if isinstance(node, rdflib.URIRef):
            yield node
            return
        for p, o in shapes.predicate_objects(node):
            if p in _PATH_OPERATORS:
                yield from path_iris(o)

    for path in shapes.objects(None, SH.path):
        found.update(path_iris(path))
    for parameter in (SH.targetSubjectsOf, SH.targetObjectsOf, *_PAIR_PARAMETERS):
        found.update(shapes.objects(None, parameter))
    namespaces = {str(prefix): str(ns) for decl in shapes.objects(None, SH.declare)
                  for prefix in shapes.objects(decl, SH.prefix) for ns in shapes.objects(decl, SH.namespace)}
    unbounded = False

    def visit(node: object) -> None:
        nonlocal unbounded
        if getattr(node, "name", None) == "BGP":
            for _s, p, _o in node.triples:  # type: ignore[attr-defined]
                if isinstance(p, rdflib.URIRef):
                    found.add(p)
                else:
                    unbounded = True

    for query in (*shapes.objects(None, SH.select), *shapes.objects(None, SH.ask)):
        try:
            traverse(prepareQuery(str(query), initNs=namespaces).algebra, visit)
        except Exception:  # pySHACL will report the broken query; read everything meanwhile
            return None
    if unbounded:
        return None
    return {str(p) for p in found if isinstance(p, rdflib.URIRef)}


def load_shapes(shapes_dir: Path = SHAPES_DIR) -> rdflib.Graph:
    """The shapes graph, parsed strictly (pyoxigraph) so a broken shape file is an error."""
    from .loader import SourceFile, parse_file

    quads: list[Quad] = []
    files = sorted(shapes_dir.glob("*.ttl"))
    if not files:
        raise InputError(f"{shapes_dir}: no SHACL shapes (*.ttl) found")
    for path in files:
        # Shapes keep their blank nodes: a property shape is named by the node shape holding it.
        quads.extend(parse_file(SourceFile(path, NamedNode(GRAPH + "shapes")), skolemise_blank_nodes=False))
    return rdflib_graph(quads)


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


def _focus_nodes_to_check(store: Store, shapes: rdflib.Graph) -> dict[rdflib.term.Node, tuple[set, set]]:
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


@dataclass
class Prepared:
    """What pySHACL needs from the store, in a form a process without the store can take.

    ``data`` is the triples the shapes can read, as N-Quads in a file or as
    quads; ``checks`` the SHACL-SPARQL pre-filter (see ``_focus_nodes_to_check``).
    """
    data: Path | Iterable[Quad]
    checks: dict[rdflib.term.Node, tuple[set, set]]


def prepare(store: Store, shapes: rdflib.Graph, nquads: Path | None = None) -> Prepared:
    """Everything validation reads from ``store``; with ``nquads``, the triples are written there."""
    checks = _focus_nodes_to_check(store, shapes)
    quads = _quads_read(store, predicates_read_by(shapes))
    if nquads is None:
        return Prepared(data=quads, checks=checks)
    serialize(quads, output=nquads, format=RdfFormat.N_QUADS)
    return Prepared(data=nquads, checks=checks)


def check(prepared: Prepared, shapes: rdflib.Graph) -> tuple[bool, rdflib.Graph]:
    """pySHACL over the prepared triples: whether they conform, and the results graph."""
    from pyshacl import validate as shacl_validate

    quads = parse(path=prepared.data, format=RdfFormat.N_QUADS) if isinstance(prepared.data, Path) \
        else prepared.data
    data = rdflib_graph(quads)
    with (_parsed_queries_reused(), _property_shapes_batched(), _discarded_results_not_built(),
          _sparql_constraints_pruned(prepared.checks)):
        conforms, results, _text = shacl_validate(
            data, shacl_graph=shapes, inference="none", abort_on_first=False, inplace=True,
            allow_infos=True, allow_warnings=True, advanced=True)
    return bool(conforms), results


def report(conforms: bool, results: rdflib.Graph, shapes: rdflib.Graph, store: Store) -> Report:
    """The report a curator reads: each result with its shape and the files defining its focus node."""
    return Report(conforms=conforms, violations=_violations(results, shapes, store), results_graph=results)


def validate(store: Store, shapes: rdflib.Graph | None = None) -> Report:
    """Validate every graph of ``store`` (as one union graph) against the shapes."""
    shapes = shapes if shapes is not None else load_shapes()
    conforms, results = check(prepare(store, shapes), shapes)
    return report(conforms, results, shapes, store)


def _shape_name(shapes: rdflib.Graph, shape: rdflib.term.Node | None) -> str:
    """The node shape a result came from (property shapes are blank nodes inside one)."""
    if isinstance(shape, rdflib.BNode):
        shape = next(shapes.subjects(SH.property, shape), shape)
    text = str(shape)
    return text.rsplit("#", 1)[-1] if "#" in text else text


def _violations(results: rdflib.Graph, shapes: rdflib.Graph, store: Store) -> list[Violation]:
    found = []
    for result in results.subjects(rdflib.RDF.type, SH.ValidationResult):
        focus = results.value(result, SH.focusNode)
        shape = results.value(result, SH.sourceShape)
        path = results.value(result, SH.resultPath)
        value = results.value(result, SH.value)
        messages = [str(m) for m in results.objects(result, SH.resultMessage)]
        severity = results.value(result, SH.resultSeverity)
        found.append(Violation(
            shape=_shape_name(shapes, shape),
            focus=str(focus),
            message=messages[0] if messages else "constraint violated",
            severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
            path=_short(path) if path is not None and not isinstance(path, rdflib.BNode) else None,
            value=str(value) if value is not None else None,
            files=_files_defining(store, focus),
        ))
    return sorted(found, key=lambda v: (v.focus, v.message, v.path or "", v.value or ""))


def _short(node: rdflib.term.Node) -> str:
    text = str(node)
    from .vocab import PREFIXES

    for prefix, ns in PREFIXES.items():
        if text.startswith(ns):
            return f"{prefix}:{text[len(ns):]}"
    return text


def _files_defining(store: Store, focus: rdflib.term.Node) -> list[str]:
    """The data files (named graphs) in which the focus node is a subject."""
    if not isinstance(focus, rdflib.URIRef):
        return []
    graphs = {q.graph_name.value for q in store.quads_for_pattern(NamedNode(str(focus)), None, None)
              if isinstance(q.graph_name, NamedNode)}
    files = []
    for g in sorted(graphs):
        if g.startswith(GRAPH + "data/"):
            files.append("data/" + g[len(GRAPH + "data/"):] + ".ttl")
        elif g.startswith(GRAPH + "ontology/"):
            files.append("ontology/" + g[len(GRAPH + "ontology/"):] + ".ttl")
    return files


__all__ = ["Prepared", "Report", "Violation", "check", "load_shapes", "prepare", "rdflib_graph", "report",
           "validate", "ParseError"]
