"""Ontology documentation: the merged ontology as Turtle and as HTML (pyLODE)."""

from __future__ import annotations

from pathlib import Path

from pyoxigraph import NamedNode, RdfFormat, serialize

from .loader import SourceFile, parse_file
from .vocab import GRAPH, PREFIXES

ONTOLOGY_TTL = "cakg-ontology.ttl"
ONTOLOGY_HTML = "index.html"


def merged_ontology(ontology_dir: Path) -> bytes:
    """All ``ontology/*.ttl`` files as one Turtle document, sorted for stable bytes."""
    triples = set()
    for path in sorted(ontology_dir.glob("*.ttl")):
        for quad in parse_file(SourceFile(path, NamedNode(GRAPH + "ontology"))):
            triples.add(quad.triple)
    ordered = sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    return serialize(ordered, format=RdfFormat.TURTLE, prefixes=dict(PREFIXES))


def _import_pylode():
    """pyLODE configures the root logger when imported; undo that, cakg does not log to stderr."""
    import logging

    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    from pylode import OntPub

    root.handlers[:] = handlers
    root.setLevel(level)
    return OntPub


def write_ontology_docs(ontology_dir: Path, out: Path) -> None:
    """Write ``cakg-ontology.ttl`` and the pyLODE page ``index.html`` into ``out``."""
    OntPub = _import_pylode()
    (out / ONTOLOGY_TTL).write_bytes(merged_ontology(ontology_dir))
    # pyLODE reads the files with their blank nodes, so class expressions render as "A or B".
    import rdflib

    graph = rdflib.Graph()
    for path in sorted(ontology_dir.glob("*.ttl")):
        graph.parse(path, format="turtle")
    html = OntPub(ontology=graph).make_html()
    (out / ONTOLOGY_HTML).write_text(html, encoding="utf-8")
