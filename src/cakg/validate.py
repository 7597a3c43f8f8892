"""SHACL validation with pySHACL, and a report a curator can act on.

pySHACL runs on an rdflib copy of the graph: on an Oxigraph-backed rdflib
graph it re-counts the whole store for every result (> 300 s at 10^6 triples
here), on a plain rdflib graph it takes 15 s. Shapes are always passed
explicitly, never read from the data.
"""

from __future__ import annotations

import contextlib
import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import rdflib
import rdflib.plugins.sparql
from pyoxigraph import BlankNode, Literal, NamedNode, Quad, Store
from rdflib.namespace import SH

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


def rdflib_graph(quads: list[Quad] | Store) -> rdflib.Graph:
    """The union of ``quads`` as one rdflib graph (terms converted once each)."""
    graph = rdflib.Graph()
    cache: dict[object, rdflib.term.Node] = {}

    def convert(term: object) -> rdflib.term.Node:
        node = cache.get(term)
        if node is None:
            node = cache[term] = to_rdflib(term)
        return node

    source = quads.quads_for_pattern(None, None, None) if isinstance(quads, Store) else quads
    add = graph.add
    for q in source:
        add((convert(q.subject), convert(q.predicate), convert(q.object)))
    return graph


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


def validate(store: Store, shapes: rdflib.Graph | None = None) -> Report:
    """Validate every graph of ``store`` (as one union graph) against the shapes."""
    from pyshacl import validate as shacl_validate

    shapes = shapes if shapes is not None else load_shapes()
    data = rdflib_graph(store)
    with _parsed_queries_reused():
        conforms, results, _text = shacl_validate(
            data, shacl_graph=shapes, inference="none", abort_on_first=False, inplace=True,
            allow_infos=True, allow_warnings=True, advanced=True)
    return Report(conforms=bool(conforms), violations=_violations(results, shapes, store),
                  results_graph=results)


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


__all__ = ["Report", "Violation", "validate", "load_shapes", "rdflib_graph", "ParseError"]
