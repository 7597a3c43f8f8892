"""Network analyses of the projections (networkx), each result explained by its facts.

Every function takes a projection from :mod:`cakg.network` and returns plain
data (lists of dicts) that the CLI renders as a table, CSV or JSON, the
service as JSON or HTML, and :func:`to_rdf` as observations in the
``graph/analyses`` named graph.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field

import networkx as nx
from pyoxigraph import Literal, NamedNode, Quad

from .catalogue import ANALYSES
from .errors import InputError
from .folding import key
from .store import GraphStore
from .vocab import CAKG, GRAPH, ID, PROV, RDF, RDFS, XSD

SEED = 42
EXACT_BETWEENNESS_MAX_EDGES = 5000  # beyond this, sample k pivots (exact took 235 s at 16k edges here)
BETWEENNESS_SAMPLE = 200


@dataclass
class Analysis:
    """One result: a table of rows, the algorithm that made it and its parameters."""

    name: str
    network: str
    columns: list[str]
    rows: list[dict]
    algorithm: str
    parameters: dict = field(default_factory=dict)
    summary: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        return {"analysis": self.name, "network": self.network, "algorithm": self.algorithm,
                "parameters": self.parameters, "summary": self.summary, "columns": self.columns, "rows": self.rows}


def _label(graph: nx.Graph, node: str) -> str:
    return graph.nodes[node].get("label", node.rsplit("/", 1)[-1])


# ------------------------------------------------------------------ centrality and communities

def centrality(graph: nx.Graph, top: int | None = None, network: str = "cooperation") -> Analysis:
    """Degree, weighted degree, betweenness and eigenvector centrality, best first."""
    if graph.number_of_nodes() == 0:
        return Analysis("centrality", network, [], [], "none")
    degree = nx.degree_centrality(graph)
    weighted = {n: _rounded(w) for n, w in graph.degree(weight="weight")}
    sampled = graph.number_of_edges() > EXACT_BETWEENNESS_MAX_EDGES
    k = min(BETWEENNESS_SAMPLE, graph.number_of_nodes()) if sampled else None
    betweenness = nx.betweenness_centrality(graph, k=k, seed=SEED if sampled else None, normalized=True)
    eigenvector = _eigenvector(graph)
    rows = [{"node": n, "label": _label(graph, n), "kind": graph.nodes[n].get("kind", ""),
             "degree": graph.degree(n), "degree_centrality": round(degree[n], 6),
             "weighted_degree": weighted[n], "betweenness": round(betweenness[n], 6),
             "eigenvector": round(eigenvector[n], 6)} for n in graph.nodes]
    rows.sort(key=lambda r: (-r["weighted_degree"], -r["betweenness"], r["label"], r["node"]))
    parameters = {"betweenness": f"sampled k={k}, seed={SEED}" if sampled else "exact",
                  "eigenvector": "per connected component, weight=weight", "top": top}
    return Analysis("centrality", network,
                    ["label", "kind", "degree", "weighted_degree", "betweenness", "eigenvector", "node"],
                    rows[:top] if top else rows, "networkx degree/betweenness/eigenvector centrality", parameters)


def _rounded(value: float | int) -> float | int:
    """A sum of edge weights (fractions for cooperation, 1/(n−1) each) to six decimals; whole numbers as integers."""
    value = round(float(value), 6)
    return int(value) if value.is_integer() else value


def _eigenvector(graph: nx.Graph) -> dict[str, float]:
    """Eigenvector centrality per component (it is undefined across components), scaled by component size."""
    scores: dict[str, float] = {}
    total = graph.number_of_nodes()
    for component in nx.connected_components(graph):
        sub = graph.subgraph(component)
        if sub.number_of_nodes() == 1:
            scores[next(iter(component))] = 0.0
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # scipy falls back to a dense solver on tiny graphs
                values = nx.eigenvector_centrality_numpy(sub, weight="weight")
        except (nx.NetworkXException, ValueError, TypeError):
            values = {n: 0.0 for n in component}
        share = sub.number_of_nodes() / total
        scores.update({n: abs(v) * share for n, v in values.items()})
    return scores


def communities(graph: nx.Graph, network: str = "cooperation", resolution: float = 1.0) -> Analysis:
    """Louvain communities with a fixed seed, and the partition's modularity."""
    if graph.number_of_edges() == 0:
        return Analysis("communities", network, [], [], "louvain")
    parts = nx.community.louvain_communities(graph, weight="weight", resolution=resolution, seed=SEED)
    parts = sorted((sorted(p) for p in parts), key=lambda p: (-len(p), p))
    modularity = nx.community.modularity(graph, parts, weight="weight")
    rows = []
    for index, members in enumerate(parts, start=1):
        for node in sorted(members, key=lambda n: (_label(graph, n), n)):
            rows.append({"community": index, "size": len(members), "label": _label(graph, node),
                         "kind": graph.nodes[node].get("kind", ""), "node": node})
    return Analysis("communities", network, ["community", "size", "label", "kind", "node"], rows,
                    "networkx louvain_communities", {"seed": SEED, "resolution": resolution, "weight": "weight"},
                    {"communities": len(parts), "modularity": round(modularity, 6)})


def components(graph: nx.Graph, network: str = "cooperation") -> Analysis:
    parts = sorted((sorted(c) for c in nx.connected_components(graph)), key=lambda c: (-len(c), c))
    rows = [{"component": i, "size": len(c), "label": _label(graph, n), "node": n}
            for i, c in enumerate(parts, start=1) for n in sorted(c, key=lambda n: (_label(graph, n), n))]
    return Analysis("components", network, ["component", "size", "label", "node"], rows,
                    "networkx connected_components", {}, {"components": len(parts)})


# ------------------------------------------------------------------ resilience of connectivity

def resilience(graph: nx.Graph, network: str = "connectivity") -> Analysis:
    """Bridges, articulation points, and per country its distinct links and neighbours."""
    bridges = sorted(tuple(sorted(e)) for e in nx.bridges(graph)) if graph.number_of_edges() else []
    articulation = set(nx.articulation_points(graph)) if graph.number_of_edges() else set()
    rows = []
    for node in graph.nodes:
        data = graph.nodes[node]
        if "Country" not in data.get("kind", "").split(","):
            continue
        links: set[str] = set()
        for neighbour in graph.neighbors(node):
            edge = graph.edges[node, neighbour]
            if edge.get("relation") == "connectedTo":
                links.update(edge.get("facts", "").split())
        neighbours = sorted(_label(graph, n) for n in graph.neighbors(node)
                            if graph.edges[node, n].get("relation") == "connectedTo")
        bridge_edges = [b for b in bridges if node in b]
        rows.append({"label": _label(graph, node), "links": len(links), "neighbours": len(neighbours),
                     "neighbour_names": ", ".join(neighbours),
                     "single_link": len(links) == 1,
                     "bridges": len(bridge_edges), "articulation_point": node in articulation, "node": node})
    rows.sort(key=lambda r: (r["links"], r["neighbours"], r["label"]))
    summary = {"bridges": [[_label(graph, a), _label(graph, b)] for a, b in bridges],
               "articulation_points": sorted(_label(graph, n) for n in articulation),
               "single_link_countries": [r["label"] for r in rows if r["single_link"]]}
    return Analysis("resilience", network, ["label", "links", "neighbours", "single_link", "bridges",
                                            "articulation_point", "neighbour_names", "node"], rows,
                    "networkx bridges/articulation_points; links counted per distinct infrastructure link",
                    {}, summary)


# ------------------------------------------------------------------ actors: names, paths, egos

def resolve_node(store: GraphStore, graph: nx.Graph, name: str) -> str:
    """A node of ``graph`` named by IRI, kind/slug, label in any language or alternative label."""
    if name in graph:
        return name
    if name.startswith(("http://", "https://")):
        raise InputError(f"{name} is not a node of the {graph.graph.get('name', '')} network")
    if "/" in name and ID + name in graph:
        return ID + name
    table = store.select(
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        "SELECT ?x ?l WHERE { ?x rdfs:label|skos:altLabel|skos:prefLabel ?l }", "name lookup")
    # Names compared folded (case, diacritics, spacing: cakg.folding), as saved-query parameters are.
    names: dict[str, set[str]] = {}
    written: dict[str, str] = {}
    for row in table.rows:
        if row["x"].kind == "uri" and row["x"].value in graph:
            folded = key(row["l"].value)
            names.setdefault(folded, set()).add(row["x"].value)
            written.setdefault(folded, row["l"].value.casefold())
    wanted = key(name)
    matches = names.get(wanted, set())
    if len(matches) == 1:
        return next(iter(matches))
    if len(matches) > 1:
        listed = ", ".join(f"{_label(graph, m)} <{m}>" for m in sorted(matches))
        raise InputError(f"{name!r} is ambiguous: {listed}; give the IRI")
    close = difflib.get_close_matches(wanted, list(names), n=5, cutoff=0.6)
    close += [n for n in names if wanted in n and n not in close][: 5 - len(close)]
    hint = "; close matches: " + ", ".join(sorted({written[n] for n in close})) if close else ""
    raise InputError(f"no actor named {name!r} in the {graph.graph.get('name', '')} network{hint}")


def evidence_for(store: GraphStore, facts: Iterable[str]) -> dict[str, list[dict]]:
    """Fact IRI → its label and evidence quotes with document and section."""
    values = " ".join(f"<{f}>" for f in sorted(set(facts)))
    if not values:
        return {}
    table = store.select(f"""PREFIX cakg: <{CAKG}> PREFIX prov: <{PROV}> PREFIX rdfs: <{RDFS}>
SELECT DISTINCT ?fact ?label ?quote ?number ?code ?p WHERE {{
  VALUES ?fact {{ {values} }}
  OPTIONAL {{ ?fact rdfs:label ?label FILTER(LANGMATCHES(LANG(?label), "en")) }}
  OPTIONAL {{ ?fact cakg:evidence ?e . ?e cakg:quote ?quote ; prov:wasQuotedFrom ?p .
             ?p cakg:section ?s . ?s cakg:sectionNumber ?number ; cakg:inDocument ?d . ?d cakg:shortCode ?code }}
}} ORDER BY ?fact ?code ?number ?quote""", "evidence")
    found: dict[str, list[dict]] = {}
    for row in table.rows:
        entry = {"fact": row["fact"].value, "label": row["label"].value if "label" in row else ""}
        if "quote" in row:
            entry.update(quote=row["quote"].value, document=row["code"].value, section=row["number"].value,
                         passage=row["p"].value)
        found.setdefault(row["fact"].value, []).append(entry)
    return found


def path(store: GraphStore, graph: nx.Graph, source: str, target: str, network: str = "cooperation") -> Analysis:
    """The shortest path between two actors, each step with the facts and quotes that support it."""
    a, b = resolve_node(store, graph, source), resolve_node(store, graph, target)
    try:
        nodes = nx.shortest_path(graph, a, b)
    except nx.NetworkXNoPath:
        raise InputError(f"no path between {_label(graph, a)} and {_label(graph, b)} in the {network} network") \
            from None
    steps = list(zip(nodes, nodes[1:]))
    evidence = evidence_for(store, [f for u, v in steps for f in graph.edges[u, v].get("facts", "").split()])
    rows = []
    for number, (u, v) in enumerate(steps, start=1):
        edge = graph.edges[u, v]
        for fact in sorted(edge.get("facts", "").split()):
            for item in evidence.get(fact, [{"fact": fact, "label": ""}]):
                rows.append({"step": number, "from": _label(graph, u), "to": _label(graph, v),
                             "relation": edge.get("relation", ""), "fact": item.get("label") or fact,
                             "quote": item.get("quote", ""), "document": item.get("document", ""),
                             "section": item.get("section", ""), "fact_iri": fact,
                             "passage_iri": item.get("passage", "")})
    return Analysis("path", network, ["step", "from", "to", "relation", "fact", "quote", "document", "section"],
                    rows, "networkx shortest_path (unweighted)", {"source": a, "target": b},
                    {"length": len(steps), "nodes": [_label(graph, n) for n in nodes]})


def ego(store: GraphStore, graph: nx.Graph, name: str, depth: int = 1, network: str = "cooperation") -> Analysis:
    if depth < 1:
        raise InputError("--depth must be 1 or more")
    centre = resolve_node(store, graph, name)
    sub = nx.ego_graph(graph, centre, radius=depth)
    distance = nx.single_source_shortest_path_length(sub, centre)
    rows = [{"distance": distance[n], "label": _label(graph, n), "kind": graph.nodes[n].get("kind", ""),
             "weight_to_centre": graph.edges[centre, n]["weight"] if graph.has_edge(centre, n) else "",
             "node": n} for n in sub.nodes if n != centre]
    rows.sort(key=lambda r: (r["distance"], -(r["weight_to_centre"] or 0), r["label"]))
    return Analysis("ego", network, ["distance", "label", "kind", "weight_to_centre", "node"], rows,
                    "networkx ego_graph", {"centre": centre, "depth": depth},
                    {"centre": _label(graph, centre), "nodes": sub.number_of_nodes(), "edges": sub.number_of_edges()})


def compare(store: GraphStore, graph: nx.Graph, first: str, second: str, network: str = "cooperation") -> Analysis:
    a, b = resolve_node(store, graph, first), resolve_node(store, graph, second)
    pa, pb = set(graph.neighbors(a)), set(graph.neighbors(b))
    rows = []
    for node in sorted(pa | pb, key=lambda n: (_label(graph, n), n)):
        side = "both" if node in pa and node in pb else (_label(graph, a) if node in pa else _label(graph, b))
        rows.append({"partner": _label(graph, node), "with": side,
                     "weight_first": graph.edges[a, node]["weight"] if node in pa else 0,
                     "weight_second": graph.edges[b, node]["weight"] if node in pb else 0, "node": node})
    rows.sort(key=lambda r: (r["with"] != "both", r["with"], r["partner"]))
    union = pa | pb
    return Analysis("compare", network, ["partner", "with", "weight_first", "weight_second", "node"], rows,
                    "partner sets of two nodes", {"first": a, "second": b},
                    {"first": _label(graph, a), "second": _label(graph, b), "common": len(pa & pb),
                     "only_first": len(pa - pb), "only_second": len(pb - pa),
                     "jaccard": round(len(pa & pb) / len(union), 6) if union else 0.0})


# ------------------------------------------------------------------ write-back as RDF

ANALYSES_GRAPH = NamedNode(GRAPH + "analyses")
SCORE_COLUMNS = {"degree", "weighted_degree", "betweenness", "eigenvector", "community"}


def to_rdf(result: Analysis) -> list[Quad]:
    """Scores as observations of an analysis run (algorithm, parameters), in ``graph/analyses``."""
    g = ANALYSES_GRAPH
    key = json.dumps([result.name, result.network, result.parameters], sort_keys=True)
    run = NamedNode(f"{ID}analysis/{result.name}-{result.network}-{hashlib.sha1(key.encode()).hexdigest()[:10]}")
    quads = [
        Quad(run, NamedNode(RDF + "type"), NamedNode(CAKG + "AnalysisRun"), g),
        Quad(run, NamedNode(RDF + "type"), NamedNode(PROV + "Activity"), g),
        Quad(run, NamedNode(RDFS + "label"), Literal(f"{result.name} of the {result.network} network",
                                                     language="en"), g),
        Quad(run, NamedNode(CAKG + "algorithm"), Literal(result.algorithm), g),
        Quad(run, NamedNode(CAKG + "parameters"), Literal(json.dumps(result.parameters, sort_keys=True)), g),
        Quad(run, NamedNode(CAKG + "network"), Literal(result.network), g),
    ]
    if result.summary:
        quads.append(Quad(run, NamedNode(CAKG + "summary"), Literal(json.dumps(result.summary, sort_keys=True,
                                                                                ensure_ascii=False)), g))
    for row in result.rows:
        node = row.get("node")
        if not node:
            continue
        for column in sorted(SCORE_COLUMNS & set(row)):
            score = NamedNode(f"{run.value}/{hashlib.sha1(f'{node} {column}'.encode()).hexdigest()[:12]}")
            quads += [
                Quad(score, NamedNode(RDF + "type"), NamedNode(CAKG + "AnalysisScore"), g),
                Quad(score, NamedNode(RDF + "type"), NamedNode("http://purl.org/linked-data/cube#Observation"), g),
                Quad(score, NamedNode(PROV + "wasGeneratedBy"), run, g),
                Quad(score, NamedNode(CAKG + "scoreOf"), NamedNode(node), g),
                Quad(score, NamedNode(CAKG + "measure"), Literal(column), g),
                Quad(score, NamedNode(CAKG + "scoreValue"), _number(row[column]), g),
            ]
    return quads


def _number(value: float | int) -> Literal:
    if isinstance(value, int):
        return Literal(str(value), datatype=NamedNode(XSD + "integer"))
    return Literal(repr(float(value)), datatype=NamedNode(XSD + "double"))


# The analyses of a whole network (the others take actors), by the catalogue.
KINDS = tuple(name for name, spec in ANALYSES.items() if not spec.actors)


def run_named(store: GraphStore, kind: str, network: str, top: int | None = None, actors: tuple[str, ...] = (),
              depth: int = 1, graph: nx.Graph | None = None) -> Analysis:
    """Any analysis of :data:`cakg.catalogue.ANALYSES` by name: the one dispatch of the CLI and the service.

    ``actors`` are the names the kind takes (path and compare two, ego one); ``graph`` is
    the projection when the caller already has it.
    """
    from .network import project

    spec = ANALYSES.get(kind)
    if spec is None:
        raise InputError(f"unknown analysis {kind!r}; choose from {', '.join(ANALYSES)}")
    if len(actors) != len(spec.actors):
        raise InputError(f"analyze {kind} takes {len(spec.actors)} actor name(s), got {len(actors)}")
    graph = project(store, network) if graph is None else graph
    function = globals()[spec.function]
    if kind == "centrality":
        return function(graph, top, network)
    if kind == "ego":
        return function(store, graph, actors[0], depth, network)
    if spec.actors:
        return function(store, graph, *actors, network)
    return function(graph, network)
