"""Ontology documentation: the merged ontology as Turtle and as HTML (pyLODE)."""

from __future__ import annotations

import hashlib
import shutil
from importlib import metadata
from pathlib import Path

from pyoxigraph import NamedNode, RdfFormat, serialize

from .build_folder import ONTOLOGY_HTML, ONTOLOGY_STAMP, ONTOLOGY_TTL
from .loader import SourceFile, parse_file
from .vocab import GRAPH, PREFIXES

# The file names are the build folder's (:mod:`cakg.build_folder`). INPUTS_STAMP holds what the
# two files were made from; a build whose ontology has not changed copies them.
INPUTS_STAMP = ONTOLOGY_STAMP


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


def _inputs_digest(ontology_dir: Path) -> str:
    """The ontology files' names and bytes, and the versions of what renders them (this module and
    the two it uses included, so an edited source tree re-renders too)."""
    digest = hashlib.sha256()
    here = Path(__file__).parent
    for module in ("ontology_docs.py", "loader.py", "vocab.py"):
        digest.update((here / module).read_bytes())
    for package in ("cakg", "pylode", "rdflib", "pyoxigraph"):
        try:
            version = metadata.version(package)
        except metadata.PackageNotFoundError:  # run from a source tree that is not installed
            version = "unknown"
        digest.update(f"{package} {version}\n".encode())
    for path in sorted(ontology_dir.glob("*.ttl")):
        digest.update(f"{path.name} {path.stat().st_size}\n".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def write_ontology_docs(ontology_dir: Path, out: Path, previous: Path | None = None) -> None:
    """Write ``cakg-ontology.ttl`` and the pyLODE page ``index.html`` into ``out``.

    When ``previous`` (the same folder of the last build) was made from the same
    inputs, its files are copied instead: pyLODE takes some 2.5 s whatever the data's
    size.
    """
    digest = _inputs_digest(ontology_dir)
    if previous is not None and _made_from(previous, digest):
        for name in (ONTOLOGY_TTL, ONTOLOGY_HTML, INPUTS_STAMP):
            shutil.copyfile(previous / name, out / name)
        return
    _render(ontology_dir, out)
    (out / INPUTS_STAMP).write_text(digest + "\n", encoding="utf-8")


def _made_from(folder: Path, digest: str) -> bool:
    try:
        stamp = (folder / INPUTS_STAMP).read_text(encoding="utf-8").strip()
    except OSError:
        return False
    return stamp == digest and all((folder / name).is_file() for name in (ONTOLOGY_TTL, ONTOLOGY_HTML))


def _for_pylode(graph):
    """The graph as pyLODE should document it: the ontology's own metadata once, in English.

    pyLODE reads every ``skos:ConceptScheme`` (topics, indicators, units) as more
    metadata of the ontology and writes all their titles, creators and dates together,
    and it runs the labels of a term in every language into one string
    ("Actor行为体"). The page keeps the schemes' concepts and the terms; the Turtle file
    keeps every language.
    """
    from rdflib import OWL, RDF, RDFS, SKOS, Literal
    from rdflib.namespace import DCTERMS

    for scheme in list(graph.subjects(RDF.type, SKOS.ConceptScheme)):
        graph.remove((scheme, None, None))
    for ontology in graph.subjects(RDF.type, OWL.Ontology):  # pyLODE heads the page with its titles and labels
        if (ontology, DCTERMS.title, None) in graph:
            graph.remove((ontology, RDFS.label, None))
    for subject, predicate in {(s, p) for s, p, o in graph if isinstance(o, Literal) and o.language == "en"}:
        for value in list(graph.objects(subject, predicate)):
            if isinstance(value, Literal) and value.language not in (None, "en"):
                graph.remove((subject, predicate, value))
    return graph


def _render(ontology_dir: Path, out: Path) -> None:
    OntPub = _import_pylode()
    (out / ONTOLOGY_TTL).write_bytes(merged_ontology(ontology_dir))
    # pyLODE reads the files with their blank nodes, so class expressions render as "A or B".
    import rdflib

    graph = rdflib.Graph()
    for path in sorted(ontology_dir.glob("*.ttl")):
        graph.parse(path, format="turtle")
    html = OntPub(ontology=_for_pylode(graph)).make_html()
    (out / ONTOLOGY_HTML).write_text(html, encoding="utf-8")
