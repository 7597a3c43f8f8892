"""Plain pySHACL in a process where cakg is never imported: the baseline cakg's validation reports are held to.

    python tests/plain_shacl.py DATA.nt SHAPES_DIR OUT.json

Parses the data (N-Triples) into rdflib's own memory graph and every shape file of
SHAPES_DIR with rdflib's Turtle parser, runs pySHACL with the options cakg uses,
and writes whether the data conforms and :func:`summary` of the results. Only
rdflib and pySHACL are imported, so nothing cakg does to them can reach this
process; the script checks that at the end. The test process imports
:func:`summary` too, to summarise cakg's results the same way.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import rdflib
from rdflib.namespace import RDF, SH

_PATHS = {SH.inversePath: "^{}", SH.zeroOrMorePath: "{}*", SH.oneOrMorePath: "{}+", SH.zeroOrOnePath: "{}?"}


def _items(graph: rdflib.Graph, node: rdflib.term.Node) -> list[rdflib.term.Node]:
    items = []
    while node != RDF.nil and (node, RDF.first, None) in graph:
        items.append(graph.value(node, RDF.first))
        node = graph.value(node, RDF.rest)
    return items


def path_text(graphs: list[rdflib.Graph], node: rdflib.term.Node | None) -> str | None:
    """A SHACL property path written out (``^p``, ``(a|b)``, ``a/b``, ``p*``), the same whatever its blank nodes."""
    if node is None or isinstance(node, rdflib.URIRef):
        return None if node is None else str(node)
    for graph in graphs:
        for predicate, pattern in _PATHS.items():
            inner = graph.value(node, predicate)
            if inner is not None:
                return pattern.format(path_text(graphs, inner))
        alternatives = graph.value(node, SH.alternativePath)
        if alternatives is not None:
            return "(" + "|".join(path_text(graphs, n) or "" for n in _items(graph, alternatives)) + ")"
        sequence = _items(graph, node)
        if sequence:
            return "/".join(path_text(graphs, n) or "" for n in sequence)
    return "?"


def shape_name(shapes: rdflib.Graph, node: rdflib.term.Node | None) -> str:
    """An IRI shape's IRI; a blank one named by the way down to it from the nearest IRI shape (``S/property``)."""
    if node is None or isinstance(node, rdflib.URIRef):
        return str(node)
    steps = []
    seen = set()
    while isinstance(node, rdflib.BNode) and node not in seen:
        seen.add(node)
        holders = sorted(shapes.subject_predicates(node), key=lambda sp: (isinstance(sp[0], rdflib.BNode), str(sp[1])))
        if not holders:
            return "(unreferenced blank shape)"
        holder, predicate = holders[0]
        if predicate in (RDF.first, RDF.rest):
            list_head = holder
            while True:  # climb to the list's head, then to what holds the list
                previous = next(shapes.subjects(RDF.rest, list_head), None)
                if previous is None:
                    break
                list_head = previous
            holder, predicate = next(iter(sorted(shapes.subject_predicates(list_head), key=lambda sp: str(sp[1]))),
                                     (None, None))
            if holder is None:
                return "(unreferenced list)"
        steps.append(str(predicate).rsplit("#", 1)[-1])
        node = holder
    return str(node) + "/" + "/".join(reversed(steps))


def summary(results: rdflib.Graph, shapes: rdflib.Graph) -> list[list]:
    """Every validation result as a sorted list of comparable fields, free of blank-node identifiers."""
    found = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        value = results.value(result, SH.value)
        found.append([
            str(results.value(result, SH.focusNode)),
            path_text([results, shapes], results.value(result, SH.resultPath)),
            value.n3() if isinstance(value, (rdflib.URIRef, rdflib.Literal)) else ("(blank)" if value else None),
            str(results.value(result, SH.resultSeverity)),
            str(results.value(result, SH.sourceConstraintComponent)),
            shape_name(shapes, results.value(result, SH.sourceShape)),
            sorted(str(m) for m in results.objects(result, SH.resultMessage)),
        ])
    return sorted(found, key=json.dumps)


def main(data_path: str, shapes_dir: str, out: str) -> None:
    from pyshacl import validate

    data = rdflib.Graph()
    data.parse(data_path, format="nt")
    shapes = rdflib.Graph()
    for path in sorted(Path(shapes_dir).glob("*.ttl")):
        shapes.parse(path, format="turtle")
    conforms, results, _text = validate(data, shacl_graph=shapes, inference="none", abort_on_first=False,
                                        allow_infos=True, allow_warnings=True, advanced=True)
    leaked = sorted(name for name in sys.modules if name == "cakg" or name.startswith("cakg."))
    if leaked:
        raise SystemExit(f"cakg was imported into the baseline process: {leaked}")
    Path(out).write_text(json.dumps({"conforms": bool(conforms), "results": summary(results, shapes)}),
                         encoding="utf-8")


if __name__ == "__main__":
    main(*sys.argv[1:4])
