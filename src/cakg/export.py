"""Serialising the graph: RDF formats, the cooperation network for Gephi, entities as CSV.

TriG and N-Quads group the per-file graphs of a build into one named graph per
source document (``graph/wp2016`` holds the white paper's passages and facts,
``graph/sc2019`` the statement's) plus ``graph/entities``, ``graph/reference``,
``graph/sources``, ``graph/ontology``, ``graph/inferred`` and ``graph/derived``;
``--graphs file`` keeps one graph per input file instead.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections import defaultdict
from pathlib import Path

import networkx as nx
from pyoxigraph import NamedNode, Quad, RdfFormat, Store, serialize

from .canonical import graph_lines, write_graphs, write_union
from .catalogue import EXPORT_FORMATS
from .errors import InputError
from .graph_names import DATA_PREFIX, document_graph
from .store import EmbeddedStore, GraphStore
from .vocab import CAKG, GRAPH, ID, PREFIXES

# The export formats are the catalogue's; those pyoxigraph writes itself, by their media types. JSON-LD is
# written by cakg.jsonld (compacted with the project's context), not by pyoxigraph's expanded writer.
FORMATS = [f.name for f in EXPORT_FORMATS]
RDF_FORMATS: dict[str, RdfFormat] = {
    f.name: fmt for f in EXPORT_FORMATS
    if f.name != "jsonld" and (fmt := RdfFormat.from_media_type(f.media_type)) is not None}


def _sorted(quads: list[Quad]) -> list[Quad]:
    return sorted(quads, key=lambda q: (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object)))


def select_quads(store: GraphStore, graph: str | None = None, by_document: bool = True) -> list[Quad]:
    quads = store.quads()
    if graph is not None:
        name = graph if "://" in graph else GRAPH + graph
        chosen = [q for q in quads if isinstance(q.graph_name, NamedNode)
                  and (q.graph_name.value == name or document_graph(q.graph_name.value) == name)]
        if not chosen:
            raise InputError(f"no named graph {name} in the store (see `cakg stats`)")
        quads = chosen
    if by_document:
        regrouped = {Quad(q.subject, q.predicate, q.object, NamedNode(document_graph(q.graph_name.value)))
                     for q in quads if isinstance(q.graph_name, NamedNode)}
        quads = list(regrouped)
    return _sorted(quads)


def export(store: GraphStore, fmt: str, graph: str | None = None, by_document: bool = True) -> bytes:
    if fmt in ("graphml", "gexf"):
        from .network import project

        return network_bytes(project(store, graph or "cooperation"), fmt)
    if fmt == "csv":
        return entities_csv(store)
    if isinstance(store, EmbeddedStore) and fmt in RDF_FORMATS:
        return _export_embedded(store.store, RDF_FORMATS[fmt], graph, by_document)
    quads = select_quads(store, graph, by_document)
    if fmt == "jsonld":
        from .jsonld import to_jsonld

        return to_jsonld(quads)
    if fmt not in RDF_FORMATS:
        raise InputError(f"unknown export format {fmt!r}; choose from {', '.join(FORMATS)}")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "out"
        _write_quads(quads, path, RDF_FORMATS[fmt])
        return path.read_bytes()


def _export_embedded(ox: Store, fmt: RdfFormat, graph: str | None, by_document: bool) -> bytes:
    """The same bytes-for-bytes-stable export, ordered by sorted N-Triples lines (see canonical.py).

    At 10^6 triples the generic path (Quad objects sorted by their strings)
    took 44 s for N-Triples.
    """
    wanted = None if graph is None else (graph if "://" in graph else GRAPH + graph)
    groups: dict[NamedNode, list[bytes]] = defaultdict(list)
    for name in ox.named_graphs():
        if not isinstance(name, NamedNode):
            continue
        if wanted is not None and wanted not in (name.value, document_graph(name.value)):
            continue
        target = NamedNode(document_graph(name.value)) if by_document else name
        groups[target].extend(graph_lines(ox, name))
    if wanted is not None and not groups:
        raise InputError(f"no named graph {wanted} in the store (see `cakg stats`)")
    buffer = io.BytesIO()
    if fmt in (RdfFormat.TRIG, RdfFormat.N_QUADS):
        write_graphs(groups, buffer, fmt)
    else:
        write_union([line for lines in groups.values() for line in lines], buffer, fmt)
    return buffer.getvalue()


def _write_quads(quads: list[Quad], path: Path, fmt: RdfFormat) -> None:
    """Already-sorted quads from any store (a remote one included); triple formats get each triple once."""
    prefixes = {k: v for k, v in PREFIXES.items()}
    if fmt in (RdfFormat.TURTLE, RdfFormat.N_TRIPLES, RdfFormat.RDF_XML):
        seen: set[tuple] = set()
        triples = []
        for q in quads:
            key = (q.subject, q.predicate, q.object)
            if key not in seen:
                seen.add(key)
                triples.append(q.triple)
        triples.sort(key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
        data = triples
    else:
        data = quads
    kwargs = {"prefixes": prefixes} if fmt in (RdfFormat.TURTLE, RdfFormat.TRIG) else {}
    with path.open("wb") as handle:
        serialize(data, handle, format=fmt, **kwargs)


def network_bytes(graph: nx.Graph, fmt: str) -> bytes:
    """GraphML or GEXF of a projection, nodes and edges in sorted order (stable bytes)."""
    ordered = nx.Graph(name=graph.graph.get("name", "network"))
    for node in sorted(graph.nodes):
        ordered.add_node(node, **{k: v for k, v in sorted(graph.nodes[node].items())})
    for a, b in sorted(tuple(sorted(e)) for e in graph.edges):
        ordered.add_edge(a, b, **{k: v for k, v in sorted(graph.edges[a, b].items())})
    buffer = io.BytesIO()
    if fmt == "graphml":
        nx.write_graphml(ordered, buffer, encoding="utf-8", prettyprint=True)
    else:
        nx.write_gexf(ordered, buffer, encoding="utf-8", prettyprint=True)
    return buffer.getvalue()


_ENTITIES = f"""PREFIX cakg: <{CAKG}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?entity (SAMPLE(?en) AS ?label_en) (SAMPLE(?zh) AS ?label_zh)
       (GROUP_CONCAT(DISTINCT ?alt; SEPARATOR="; ") AS ?alt_labels)
       (GROUP_CONCAT(DISTINCT ?typeName; SEPARATOR=" ") AS ?types) (SAMPLE(?c) AS ?country)
WHERE {{
  GRAPH ?g {{ ?entity a ?type }}
  FILTER (STRSTARTS(STR(?g), "{DATA_PREFIX}") && STRSTARTS(STR(?type), STR(cakg:)))
  FILTER (STRSTARTS(STR(?entity), "{ID}") && ?type NOT IN (cakg:Evidence, cakg:MonetaryAmount))
  BIND (STRAFTER(STR(?type), "#") AS ?typeName)
  OPTIONAL {{ ?entity rdfs:label ?en FILTER (LANGMATCHES(LANG(?en), "en")) }}
  OPTIONAL {{ ?entity rdfs:label ?zh FILTER (LANGMATCHES(LANG(?zh), "zh")) }}
  OPTIONAL {{ ?entity skos:altLabel ?alt }}
  OPTIONAL {{ ?entity cakg:country|cakg:locatedIn ?c . ?c a cakg:Country }}
}} GROUP BY ?entity ORDER BY ?entity"""


def entities_csv(store: GraphStore) -> bytes:
    """Every entity and fact node of the data with its labels, classes and country."""
    table = store.select(_ENTITIES, "entities")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    columns = ["entity", "label_en", "label_zh", "alt_labels", "types", "country"]
    writer.writerow(columns)
    for row in table.rows:
        writer.writerow([row[c].value if c in row else "" for c in columns])
    return buffer.getvalue().encode("utf-8")
