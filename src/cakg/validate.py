"""SHACL validation with pySHACL, and a report a curator can act on.

pySHACL runs unchanged on an rdflib copy of the graph: on an Oxigraph-backed
rdflib graph it re-counts the whole store for every result (> 300 s at 10^6
triples here), and on pySHACL's own pyoxigraph data graph it had not finished
after 10 minutes at 10^5.
The copy holds only the triples whose predicate a shape can read (paths,
targets, types, the predicates of the SHACL-SPARQL queries): SHACL
constraints reach data through nothing else, so the report is the same and
the copy is about half the graph. It lives in a ``CompactStore`` (a quarter
of the memory of rdflib's default store). ``prepare`` takes from the store
everything validation reads, ``check`` runs pySHACL without the store (the
build runs it in another process) and ``report`` names the files behind each
result. Shapes are always passed explicitly, never read from the data, and a
shape whose SPARQL would fetch something (``FROM``, ``FROM NAMED``, ``SERVICE``)
is refused.

Above :data:`~cakg.validation_speedups.THRESHOLD_TRIPLES` triples pySHACL is
sped up (:mod:`cakg.validation_speedups`), only ever inside a process that does
nothing but this one validation; the report is the same either way.
"""

from __future__ import annotations

import json
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import rdflib
from pyoxigraph import NamedNode, Quad, RdfFormat, Store, parse, serialize
from rdflib.namespace import SH

from . import graph_names, validation_speedups
from .errors import InputError, ParseError
from .rdflib_bridge import quads_with_predicates, rdflib_graph

# The options cakg runs pySHACL with, plain or sped up: every severity reported, SHACL-AF
# (SHACL-SPARQL) on, no inference (the build has reasoned already).
PYSHACL_OPTIONS = {"inference": "none", "abort_on_first": False, "allow_infos": True, "allow_warnings": True,
                   "advanced": True}


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


_PATH_OPERATORS = (SH.inversePath, SH.alternativePath, SH.zeroOrMorePath, SH.oneOrMorePath,
                   SH.zeroOrOnePath, rdflib.RDF.first, rdflib.RDF.rest)
_PAIR_PARAMETERS = (SH.equals, SH.disjoint, SH.lessThan, SH.lessThanOrEquals)
_QUERY_PARAMETERS = (SH.select, SH.ask, SH.construct)


def _declared_namespaces(shapes: rdflib.Graph) -> dict[str, str]:
    return {str(prefix): str(ns) for decl in shapes.objects(None, SH.declare)
            for prefix in shapes.objects(decl, SH.prefix) for ns in shapes.objects(decl, SH.namespace)}


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
    namespaces = _declared_namespaces(shapes)
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


def refuse_fetching_queries(shapes: rdflib.Graph, where: Path | str) -> None:
    """An InputError if a SPARQL query of the shapes names a dataset (FROM, FROM NAMED) or a SERVICE.

    rdflib's SPARQL engine, which pySHACL uses, loads the graphs a query names
    from the web or from files and calls SERVICE endpoints. Reading the parsed
    query (not its text) finds them wherever they are written; a query rdflib
    cannot parse is one pySHACL cannot run either, and it reports it.
    """
    from rdflib.plugins.sparql import prepareQuery
    from rdflib.plugins.sparql.algebra import traverse

    namespaces = _declared_namespaces(shapes)
    for parameter in _QUERY_PARAMETERS:
        for holder, query in shapes.subject_objects(parameter):
            try:
                algebra = prepareQuery(str(query), initNs=namespaces).algebra
            except Exception:  # noqa: BLE001 - unparseable: never evaluated, pySHACL reports it
                continue
            services: list[object] = []
            traverse(algebra, lambda node: services.append(node)
                     if getattr(node, "name", None) == "ServiceGraphPattern" else None)
            if algebra.get("datasetClause") or services:
                shape = next(shapes.subjects(SH.sparql, holder), holder)
                raise InputError(f"{where}: the SPARQL of shape {_shape_name(shapes, shape)} names "
                                 f"{'a SERVICE' if services else 'a dataset (FROM)'}; shapes may read only the "
                                 "graph being validated")


def shapes_graph(quads: Iterable[Quad], where: Path | str) -> rdflib.Graph:
    """The shapes graph of parsed shape files (``where`` names them in errors), checked to fetch nothing."""
    shapes = rdflib_graph(quads)
    refuse_fetching_queries(shapes, where)
    return shapes


def load_shapes(shapes_dir: Path) -> rdflib.Graph:
    """The shapes graph of ``shapes_dir`` (a project's ``ontology/shapes``), parsed strictly (pyoxigraph),
    so a broken shape file is an error."""
    from .loader import SourceFile, parse_file

    quads: list[Quad] = []
    files = sorted(shapes_dir.glob("*.ttl"))
    if not files:
        raise InputError(f"{shapes_dir}: no SHACL shapes (*.ttl) found")
    for path in files:
        # Shapes keep their blank nodes: a property shape is named by the node shape holding it.
        quads.extend(parse_file(SourceFile(path, graph_names.SHAPES), skolemise_blank_nodes=False))
    return shapes_graph(quads, shapes_dir)


@dataclass
class Prepared:
    """What pySHACL needs from the store, in a form a process without the store can take.

    ``data`` is the triples the shapes can read, as N-Quads in a file or as
    quads; ``speedups`` whether pySHACL is sped up (only ever in a process of its
    own) and ``checks`` the speed-ups' SHACL-SPARQL pre-filter.
    """
    data: Path | Iterable[Quad]
    speedups: bool = False
    checks: dict[rdflib.term.Node, tuple[set, set]] = field(default_factory=dict)


def prepare(store: Store, shapes: rdflib.Graph, nquads: Path | None = None, speedups: bool = False) -> Prepared:
    """Everything validation reads from ``store``; with ``nquads``, the triples are written there."""
    checks = validation_speedups.focus_nodes_to_check(store, shapes) if speedups else {}
    quads = quads_with_predicates(store, predicates_read_by(shapes))
    if nquads is None:
        return Prepared(data=quads, speedups=speedups, checks=checks)
    serialize(quads, output=nquads, format=RdfFormat.N_QUADS)
    return Prepared(data=nquads, speedups=speedups, checks=checks)


def check(prepared: Prepared, shapes: rdflib.Graph) -> tuple[bool, rdflib.Graph]:
    """pySHACL over the prepared triples: whether they conform, and the results graph.

    Plain pySHACL unless ``prepared.speedups``, which only a process dedicated to this
    validation may ask for (:func:`cakg.validation_speedups.applied` refuses otherwise).
    """
    from pyshacl import validate as shacl_validate

    quads = parse(path=prepared.data, format=RdfFormat.N_QUADS) if isinstance(prepared.data, Path) \
        else prepared.data
    data = rdflib_graph(quads)
    if not prepared.speedups:
        conforms, results, _text = shacl_validate(data, shacl_graph=shapes, inplace=True, **PYSHACL_OPTIONS)
        return bool(conforms), results
    with validation_speedups.applied(prepared.checks):
        conforms, results, _text = shacl_validate(data, shacl_graph=shapes, inplace=True, **PYSHACL_OPTIONS)
    return bool(conforms), results


def report(conforms: bool, results: rdflib.Graph, shapes: rdflib.Graph, store: Store) -> Report:
    """The report a curator reads: each result with its shape and the files defining its focus node."""
    return Report(conforms=conforms, violations=_violations(results, shapes, store), results_graph=results)


def validate(store: Store, shapes: rdflib.Graph, speedups: bool | None = None) -> Report:
    """Validate every graph of ``store`` (as one union graph) against the shapes.

    ``speedups``: None decides by the store's size (:func:`cakg.validation_speedups.wanted`);
    sped-up validation runs in a process forked for it, plain validation in this one.
    """
    if speedups is None:
        speedups = validation_speedups.wanted(len(store))
    if not speedups:
        conforms, results = check(prepare(store, shapes), shapes)
        return report(conforms, results, shapes, store)
    from .background_validation import BackgroundValidation

    validation = BackgroundValidation(shapes, speedups=True)
    try:
        with tempfile.TemporaryDirectory(prefix="cakg-validation-") as scratch:
            validation.start(store, Path(scratch) / "data.nq")
            found, _seconds = validation.wait(store)
    finally:
        validation.close()
    return found


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
    """The input files (named graphs, see :mod:`cakg.graph_names`) in which the focus node is a subject."""
    if not isinstance(focus, rdflib.URIRef):
        return []
    graphs = {q.graph_name.value for q in store.quads_for_pattern(NamedNode(str(focus)), None, None)
              if isinstance(q.graph_name, NamedNode)}
    return [file for file in (graph_names.input_file(g) for g in sorted(graphs)) if file is not None]


__all__ = ["PYSHACL_OPTIONS", "Prepared", "Report", "Violation", "check", "load_shapes", "predicates_read_by",
           "prepare", "refuse_fetching_queries", "report", "shapes_graph", "validate", "ParseError"]
