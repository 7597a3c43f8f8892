"""The named graphs a build puts its triples in, and the way back from a graph's name to its file or document.

One graph per input file (``graph/ontology/NAME``, ``graph/data/PATH`` without
``.ttl``), one per segmented source text (``graph/corpus/CODE``), the shapes
(``graph/shapes``, never loaded into the store), what reasoning and the rules add
(``graph/inferred``, ``graph/derived``) and the build's description
(``graph/void``). Validation names the files behind a result and export groups
graphs by source document through the functions here, so no other module parses
these names.
"""

from __future__ import annotations

from pyoxigraph import NamedNode

from .vocab import GRAPH

INFERRED = NamedNode(GRAPH + "inferred")
DERIVED = NamedNode(GRAPH + "derived")
SHAPES = NamedNode(GRAPH + "shapes")
DESCRIPTION = NamedNode(GRAPH + "void")

# Input folders whose files are loaded, each into a graph named under its label.
_LOADED_FOLDERS = ("ontology", "data")
# Every graph of a ``data/`` file, and only those, starts with this.
DATA_PREFIX = GRAPH + "data/"


def for_input(folder_label: str, relative: str) -> NamedNode:
    """The graph of an input file: ``graph/ontology/NAME`` or ``graph/data/PATH`` (no ``.ttl``)."""
    if folder_label not in _LOADED_FOLDERS:
        raise ValueError(f"files of {folder_label}/ are not loaded into a graph of their own")
    stem = relative[: -len(".ttl")] if relative.endswith(".ttl") else relative
    return NamedNode(f"{GRAPH}{folder_label}/{stem}")


def for_corpus(code: str) -> NamedNode:
    """The graph holding the segmented text (document, sections, passages) of source ``code``."""
    return NamedNode(f"{GRAPH}corpus/{code}")


def input_file(graph: str) -> str | None:
    """The input file a graph was loaded from (``data/wp2016/i-ii.ttl``), or None for any other graph."""
    for label in _LOADED_FOLDERS:
        prefix = f"{GRAPH}{label}/"
        if graph.startswith(prefix) and len(graph) > len(prefix):
            return f"{label}/{graph[len(prefix):]}.ttl"
    return None


def document_graph(graph: str) -> str:
    """The per-document graph a per-file graph belongs to.

    ``graph/data/wp2016/…`` and ``graph/corpus/wp2016`` belong to ``graph/wp2016``,
    ``graph/data/entities/…`` to ``graph/entities``, ``graph/ontology/…`` to
    ``graph/ontology``; ``graph/inferred`` and the other graphs of the build are
    their own; a name outside ``graph/`` is left as it is.
    """
    if not graph.startswith(GRAPH):
        return graph
    head, _, rest = graph[len(GRAPH):].partition("/")
    if head in ("data", "corpus"):
        return GRAPH + rest.split("/", 1)[0]
    return GRAPH + head
