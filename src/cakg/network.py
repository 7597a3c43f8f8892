"""Network projections of the graph, built by SPARQL through the store interface.

Every projection is a networkx graph whose nodes carry ``label``, ``kind``
(the most specific cakg class), ``country`` and, where known, ``lat``/``long``;
edges carry ``relation``, ``weight`` (number of supporting facts) and
``facts`` (their IRIs, joined with spaces). Because they are read with SPARQL,
the same projections come out of a remote endpoint.
"""

from __future__ import annotations

from collections import defaultdict

import networkx as nx

from .errors import InputError
from .store import GraphStore
from .vocab import CAKG, GRAPH

PREFIX = f"""PREFIX cakg: <{CAKG}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX geo: <http://www.w3.org/2003/01/geo/wgs84_pos#>
"""

NETWORKS = {
    "cooperation": "actors linked through shared agreements, projects, mechanisms, investments and infrastructure",
    "connectivity": "countries, cities and facilities linked by infrastructure links",
    "city": "cities linked by partnerships, shared facts and the links that connect them",
    "actor-fact": "the bipartite graph of actors and the fact nodes they take part in",
}

_NODE_QUERY = PREFIX + """
SELECT ?node ?label ?kind ?country ?lat ?long WHERE {
  VALUES ?node { %s }
  OPTIONAL { ?node rdfs:label ?label FILTER (LANGMATCHES(LANG(?label), "en")) }
  OPTIONAL {
    GRAPH ?g { ?node a ?kind }
    FILTER (?g != <%sinferred> && STRSTARTS(STR(?kind), STR(cakg:)))
  }
  OPTIONAL { ?node cakg:country ?country }
  OPTIONAL { ?node cakg:locatedIn ?country . ?country a cakg:Country }
  OPTIONAL { ?node geo:lat ?lat ; geo:long ?long }
}"""


def _annotate(store: GraphStore, graph: nx.Graph) -> None:
    """Label, class, country and coordinates for every node, in batches."""
    nodes = list(graph.nodes)
    for start in range(0, len(nodes), 400):
        batch = nodes[start:start + 400]
        values = " ".join(f"<{n}>" for n in batch)
        kinds: dict[str, set[str]] = defaultdict(set)
        for row in store.select(_NODE_QUERY % (values, GRAPH), "network nodes").rows:
            node = row["node"].value
            data = graph.nodes[node]
            if "label" in row:
                data.setdefault("label", row["label"].value)
            if "kind" in row:
                kinds[node].add(row["kind"].value[len(CAKG):])
            if "country" in row:
                data.setdefault("country", row["country"].value)
            if "lat" in row and "long" in row:
                data.setdefault("lat", float(row["lat"].value))
                data.setdefault("long", float(row["long"].value))
        for node in batch:
            data = graph.nodes[node]
            data.setdefault("label", node.rsplit("/", 1)[-1])
            data["kind"] = ",".join(sorted(kinds.get(node, ()))) or "Thing"
            if "Country" in kinds.get(node, ()):
                data.setdefault("country", node)
            data.setdefault("country", "")


def _edges_from_derived(store: GraphStore, relation: str, graph: nx.Graph) -> None:
    query = PREFIX + f"""
SELECT ?a ?b (COUNT(DISTINCT ?fact) AS ?weight) (GROUP_CONCAT(DISTINCT STR(?fact); SEPARATOR=" ") AS ?facts)
WHERE {{
  ?edge a cakg:DerivedEdge ; cakg:relation cakg:{relation} ;
        cakg:edgeSource ?a ; cakg:edgeTarget ?b ; cakg:derivedFrom ?fact .
}} GROUP BY ?a ?b"""
    for row in store.select(query, f"{relation} edges").rows:
        facts = " ".join(sorted(row["facts"].value.split()))
        graph.add_edge(row["a"].value, row["b"].value, relation=relation,
                       weight=int(row["weight"].value), facts=facts)


def _add_every(store: GraphStore, graph: nx.Graph, cls: str) -> None:
    """Every instance of ``cakg:cls`` as a node, linked or not."""
    for row in store.select(PREFIX + f"SELECT ?x WHERE {{ ?x a cakg:{cls} }}", f"every {cls}").rows:
        graph.add_node(row["x"].value)


def cooperation_network(store: GraphStore) -> nx.Graph:
    graph = nx.Graph(name="cooperation")
    _edges_from_derived(store, "cooperatesWith", graph)
    _annotate(store, graph)
    return graph


def connectivity_network(store: GraphStore) -> nx.Graph:
    graph = nx.Graph(name="connectivity")
    _edges_from_derived(store, "connectedTo", graph)
    query = PREFIX + """
SELECT ?facility ?place WHERE {
  ?facility a cakg:InfrastructureFacility .
  { ?facility cakg:locatedIn ?place } UNION { ?facility cakg:coversArea ?place }
  ?place a cakg:Place .
}"""
    for row in store.select(query, "facility places").rows:
        a, b = row["facility"].value, row["place"].value
        if graph.has_edge(a, b):
            continue
        graph.add_edge(a, b, relation="locatedIn", weight=1, facts=a)
    # Countries without any link still belong here: "no link" is an answer too.
    _add_every(store, graph, "Country")
    _annotate(store, graph)
    return graph


def city_network(store: GraphStore) -> nx.Graph:
    graph = nx.Graph(name="city")
    query = PREFIX + """
SELECT ?a ?b ?fact ?relation WHERE {
  ?a a cakg:City . ?b a cakg:City . FILTER (STR(?a) < STR(?b))
  {
    ?a cakg:partnerCity ?b . BIND(?a AS ?fact) BIND("partnerCity" AS ?relation)
  } UNION {
    ?fact cakg:involves|cakg:location|cakg:refersTo|cakg:coversArea ?a ;
          cakg:involves|cakg:location|cakg:refersTo|cakg:coversArea ?b .
    BIND("sharedFact" AS ?relation)
  } UNION {
    ?fact a cakg:InfrastructureLink ; cakg:connects ?a , ?b . BIND("connectedTo" AS ?relation)
  }
}"""
    support: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in store.select(query, "city network").rows:
        support[(row["a"].value, row["b"].value)][row["relation"].value].add(row["fact"].value)
    for (a, b), relations in support.items():
        facts = sorted(set().union(*relations.values()))
        graph.add_edge(a, b, relation=",".join(sorted(relations)), weight=len(facts), facts=" ".join(facts))
    _add_every(store, graph, "City")
    _annotate(store, graph)
    return graph


def actor_fact_network(store: GraphStore) -> nx.Graph:
    graph = nx.Graph(name="actor-fact")
    query = PREFIX + """
SELECT ?fact ?actor ?role WHERE {
  ?fact ?role ?actor . ?role rdfs:subPropertyOf cakg:involves . ?actor a cakg:Actor .
  FILTER (?role != cakg:involves)
}"""
    roles: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in store.select(query, "actor-fact network").rows:
        roles[(row["actor"].value, row["fact"].value)].add(row["role"].value[len(CAKG):])
    for (actor, fact), names in roles.items():
        graph.add_node(actor, bipartite=0)
        graph.add_node(fact, bipartite=1)
        graph.add_edge(actor, fact, relation=",".join(sorted(names)), weight=1, facts=fact)
    _annotate(store, graph)
    return graph


BUILDERS = {
    "cooperation": cooperation_network,
    "connectivity": connectivity_network,
    "city": city_network,
    "actor-fact": actor_fact_network,
}


def project(store: GraphStore, name: str) -> nx.Graph:
    """The named projection; an unknown name is an InputError listing the others."""
    if name not in BUILDERS:
        raise InputError(f"unknown network {name!r}; choose from {', '.join(BUILDERS)}")
    return BUILDERS[name](store)
