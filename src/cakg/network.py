"""Network projections of the graph, built by SPARQL through the store interface.

Every projection is a networkx graph whose nodes carry ``label``, ``kind``
(the most specific cakg class), ``country`` and, where known, ``lat``/``long``;
edges carry ``relation``, ``weight`` and ``facts`` (their IRIs, joined with
spaces); edges the build derived also carry ``rules`` (the rules that paired
the ends, joined with spaces). A cooperation edge's weight is the sum of
1/(n−1) over its facts, n being the number of actors a fact relates (see
``rules/cooperates-with.rq``); a connection's or a market's is the number of
links or market entries. :func:`edge_supports` gives, per edge, which fact
paired the two ends in which roles by which rule. A group that is the member
states of an organisation (``cakg:memberStatesOf``) is drawn as that
organisation in every projection: ASEAN is one node. Because they are read
with SPARQL, the same projections come out of a remote endpoint.
"""

from __future__ import annotations

from collections import defaultdict

import networkx as nx

from .catalogue import NETWORKS  # the projections' names and descriptions, listed once
from .errors import InputError
from .store import GraphStore
from .vocab import CAKG, GRAPH

PREFIX = f"""PREFIX cakg: <{CAKG}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX geo: <http://www.w3.org/2003/01/geo/wgs84_pos#>
"""

# The projections drawn from the build's derived edges, and the relation each one draws.
DERIVED_RELATIONS = {"cooperation": "cooperatesWith", "connectivity": "connectedTo", "market": "activeInMarket"}

# What the actor playing each role is called in an edge's explanation ("ASEAN (host) with China (invitee)").
ROLE_NOUNS = {
    "party": "party", "participant": "participant", "hostedBy": "host", "invitee": "invitee",
    "dialoguePartner": "dialogue partner", "builtBy": "builder", "designedBy": "designer", "aidedBy": "aid giver",
    "fundedBy": "funder", "operatedBy": "operator", "investor": "investor", "investee": "investee",
    "connects": "place connected", "entrant": "entrant", "marketCountry": "market",
}

# A group drawn as the organisation whose member states it is (the ASEAN Member States as ASEAN).
_FOLD = "OPTIONAL {{ {var} cakg:memberStatesOf ?{name}Organisation }} BIND (COALESCE(?{name}Organisation, {var}) AS ?{name})"

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
        rows = store.select(_NODE_QUERY % (values, GRAPH), "network nodes").rows
        # Stores give rows in their own order; where a node has several labels, countries or coordinates,
        # the first in value order is kept, so every store gives the same projection (and the same files).
        rows = sorted(rows, key=lambda r: tuple(r[k].value if k in r else "" for k in
                                                 ("node", "label", "country", "lat", "long", "kind")))
        for row in rows:
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


def _weight(value: str) -> float | int:
    """An edge weight as a number: whole numbers stay integers (the sum 0.999… of eleven 1/11 is 1)."""
    number = float(value)
    return int(round(number)) if abs(number - round(number)) < 1e-9 else number


def _edges_from_derived(store: GraphStore, relation: str, graph: nx.Graph) -> None:
    # The weight the build wrote on the edge; an edge from an older build without one weighs its facts.
    query = PREFIX + f"""
SELECT ?a ?b (SAMPLE(?w) AS ?weight) (COUNT(DISTINCT ?fact) AS ?count)
       (GROUP_CONCAT(DISTINCT STR(?fact); SEPARATOR=" ") AS ?facts)
       (GROUP_CONCAT(DISTINCT STR(?rule); SEPARATOR=" ") AS ?rules)
WHERE {{
  ?edge a cakg:DerivedEdge ; cakg:relation cakg:{relation} ;
        cakg:edgeSource ?a ; cakg:edgeTarget ?b ; cakg:derivedFrom ?fact .
  OPTIONAL {{ ?edge cakg:weight ?w }}
  OPTIONAL {{ ?edge cakg:derivedBy ?rule }}
}} GROUP BY ?a ?b"""
    for row in store.select(query, f"{relation} edges").rows:
        facts = " ".join(sorted(row["facts"].value.split()))
        rules = " ".join(sorted(r.rsplit("#", 1)[-1] for r in row["rules"].value.split())) if "rules" in row else ""
        weight = _weight(row["weight"].value) if "weight" in row else int(row["count"].value)
        graph.add_edge(row["a"].value, row["b"].value, relation=relation, weight=weight, facts=facts, rules=rules)


def edge_supports(store: GraphStore, relation: str) -> dict[tuple[str, str], list[dict]]:
    """(source, target) → one entry per fact: the fact, the rules, the two ends as the fact names them, their roles,
    the number of actors the fact relates and the weight it gives the edge (the explanation of the edge)."""
    query = PREFIX + f"""
SELECT ?a ?b ?fact ?rule ?sourceInFact ?sourceRole ?targetInFact ?targetRole ?n ?w WHERE {{
  ?edge a cakg:DerivedEdge ; cakg:relation cakg:{relation} ; cakg:edgeSource ?a ; cakg:edgeTarget ?b ;
        cakg:support ?support .
  ?support cakg:derivedFrom ?fact .
  OPTIONAL {{ ?support cakg:derivedBy ?rule }}
  OPTIONAL {{ ?support cakg:sourceInFact ?sourceInFact }} OPTIONAL {{ ?support cakg:sourceRole ?sourceRole }}
  OPTIONAL {{ ?support cakg:targetInFact ?targetInFact }} OPTIONAL {{ ?support cakg:targetRole ?targetRole }}
  OPTIONAL {{ ?support cakg:actorCount ?n }} OPTIONAL {{ ?support cakg:weight ?w }}
}}"""
    found: dict[tuple[str, str], dict[str, dict]] = defaultdict(dict)
    for row in store.select(query, f"{relation} edge supports").rows:
        fact = row["fact"].value
        entry = found[(row["a"].value, row["b"].value)].setdefault(fact, {
            "fact": fact, "rules": set(), "source": set(), "source_roles": set(), "target": set(),
            "target_roles": set(), "actors": int(row["n"].value) if "n" in row else None,
            "weight": _weight(row["w"].value) if "w" in row else 1})
        for key, column, local in (("rules", "rule", True), ("source", "sourceInFact", False),
                                   ("source_roles", "sourceRole", True), ("target", "targetInFact", False),
                                   ("target_roles", "targetRole", True)):
            if column in row:
                value = row[column].value
                entry[key].add(value.rsplit("#", 1)[-1] if local and value.startswith(CAKG) else value)
    return {pair: [{k: sorted(v) if isinstance(v, set) else v for k, v in entry.items()}
                   for _fact, entry in sorted(facts.items())]
            for pair, facts in found.items()}


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


def market_network(store: GraphStore) -> nx.Graph:
    """Entrants and the markets they entered or explored (derived cakg:activeInMarket edges)."""
    graph = nx.Graph(name="market")
    _edges_from_derived(store, "activeInMarket", graph)
    _annotate(store, graph)
    return graph


def actor_fact_network(store: GraphStore) -> nx.Graph:
    graph = nx.Graph(name="actor-fact")
    query = PREFIX + """
SELECT ?fact ?actor ?role WHERE {
  ?fact ?role ?member . ?role rdfs:subPropertyOf cakg:involves . ?member a cakg:Actor .
  FILTER (?role != cakg:involves)
  """ + _FOLD.format(var="?member", name="actor") + """
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
    "market": market_network,
}


def project(store: GraphStore, name: str) -> nx.Graph:
    """The named projection; an unknown name is an InputError listing the others."""
    if name not in BUILDERS:
        raise InputError(f"unknown network {name!r}; choose from {', '.join(BUILDERS)}")
    return BUILDERS[name](store)
