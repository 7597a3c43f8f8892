"""Interactive network pages: the data a projection needs to be drawn, and one self-contained HTML page.

:func:`network_data` reads a projection of :mod:`cakg.network` and everything a
reader needs to explore it — every label in every language, centrality and
community, the topics and years of the facts behind each edge and their
evidence quotes with document and section — into plain JSON-ready data.
:func:`render_html` turns that data into a single page with every script and
style inlined (the vis-network library included), so the file works when
opened from disk and makes no network request. The service embeds the same
page, or its body only (``fragment=True``), for ``GET /network``.
"""

from __future__ import annotations

import colorsys
import json
import re
from collections import Counter, defaultdict
from importlib import resources
from typing import Any

import networkx as nx

from . import analyses
from .errors import InputError
from .network import DERIVED_RELATIONS, NETWORKS, ROLE_NOUNS, edge_supports, project
from .store import GraphStore
from .vocab import CAKG, GRAPH, ID, RDFS, SKOS

SOURCE_LINE = "Source: cakg — CAICT white paper (2016) and ASEAN–China Leaders' Statement (2019)"
VIS_NETWORK = "vendor/vis-network/vis-network.min.js"
BATCH = 400

_PREFIX = f"""PREFIX cakg: <{CAKG}>
PREFIX rdfs: <{RDFS}>
PREFIX skos: <{SKOS}>
PREFIX geo: <http://www.w3.org/2003/01/geo/wgs84_pos#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""

# Classes that say less than the class they come with ("CountryGroup,Place" is a CountryGroup).
GENERIC_CLASSES = ("Thing", "Place", "Actor")

# One hue per family of classes; the classes of a family are shades of it.
FAMILY_COLOURS = {
    "Country": "#1f77b4",
    "CountryGroup": "#17becf",
    "Organisation": "#ff7f0e",
    "Place": "#2ca02c",
    "Agreement": "#9467bd",
    "Policy": "#8c564b",
    "InfrastructureLink": "#d62728",
    "InfrastructureFacility": "#e377c2",
    "Project": "#a3a320",
    "Investment": "#b8860b",
    "Mechanism": "#393b79",
    "Event": "#637939",
    "Commitment": "#843c39",
    "Recommendation": "#6b6ecf",
    "Partnership": "#d6616b",
    "MarketEntry": "#a55194",
    "Product": "#5a9bd4",
}
OTHER_COLOUR = "#8c8c8c"
EXTRA_COLOURS = ["#2f4f4f", "#c49c94", "#7b4173", "#3182bd", "#e6550d", "#31a354"]

RELATION_STYLES = {
    "cooperatesWith": {"colour": "#6a7f99", "dashes": False},
    "connectedTo": {"colour": "#c0392b", "dashes": False},
    "locatedIn": {"colour": "#7f8c8d", "dashes": True},
    "partnerCity": {"colour": "#16a085", "dashes": False},
    "sharedFact": {"colour": "#7d8fa3", "dashes": False},
}
RELATION_PALETTE = ["#34495e", "#c0392b", "#2980b9", "#8e44ad", "#d35400", "#16a085", "#7f8c8d",
                    "#b7950b", "#1e8449", "#a04000", "#5d6d7e", "#922b21"]


# ------------------------------------------------------------------ data

def network_data(store: GraphStore, network: str) -> dict[str, Any]:
    """Everything the page and the static figures draw for one projection, as JSON-ready data.

    Nodes: ``id``, ``label``, ``labels`` (every rdfs:label, skos:prefLabel and
    skos:altLabel with its language), ``kind`` (cakg classes, comma-separated),
    ``class`` (the one the colour and the class filter use), ``country`` and its
    label, ``lat``/``long`` where the data has coordinates, ``geo`` (where the
    geographic layout puts the node and why, or ``None`` for the side band),
    degree, weighted degree, degree centrality, betweenness, eigenvector,
    community, and the topics and years of the facts the node takes part in.
    Edges: ``source``, ``target``, ``relation`` (``relations`` split), ``weight``,
    ``facts`` (IRI and label each), topics and years, and for the edges the
    build derived ``explanation``: per fact, the rules that paired the two ends
    (name and label), each end as the fact names it with its roles, the number
    of actors the fact relates and the weight it gives the edge. ``facts`` at
    the top maps every fact IRI to its label, class, topics, years and evidence
    quotes (quote, document short code, section number).
    """
    if network not in NETWORKS:
        raise InputError(f"unknown network {network!r}; choose from {', '.join(NETWORKS)}")
    graph = project(store, network)
    nodes = list(graph.nodes)

    facts_of_edge = {(u, v): sorted(d.get("facts", "").split()) for u, v, d in graph.edges(data=True)}
    all_facts = sorted({f for fs in facts_of_edge.values() for f in fs}
                       | {n for n in nodes if graph.nodes[n].get("bipartite") == 1})
    evidence = analyses.evidence_for(store, all_facts)
    fact_topics, fact_years, fact_kinds = _fact_details(store, all_facts)
    topics = _topics(store)
    labels = _labels(store, nodes)
    documents = _documents(store)
    family = _class_families(store)

    facts: dict[str, dict] = {}
    for fact in all_facts:
        entries = evidence.get(fact, [])
        label = next((e["label"] for e in entries if e.get("label")), "") or \
            (graph.nodes[fact]["label"] if fact in graph else fact.rsplit("/", 1)[-1])
        expanded = sorted(_with_broader(fact_topics.get(fact, set()), topics))
        facts[fact] = {
            "label": label, "kind": ",".join(sorted(fact_kinds.get(fact, ()))),
            "topics": expanded, "years": sorted(fact_years.get(fact, ())),
            "evidence": [{"quote": e["quote"], "document": e["document"], "section": e["section"],
                          "passage": e.get("passage", "")} for e in entries if e.get("quote")],
        }

    explanations = _explanations(store, network, graph)

    centrality = {r["node"]: r for r in analyses.centrality(graph, network=network).rows}
    community = {r["node"]: r["community"] for r in analyses.communities(graph, network=network).rows}
    positions = _country_positions(store)
    country_labels = _english_labels(store, {graph.nodes[n].get("country") for n in nodes} - {"", None})

    node_topics: dict[str, set[str]] = defaultdict(set)
    node_years: dict[str, set[str]] = defaultdict(set)
    node_facts: dict[str, set[str]] = defaultdict(set)
    edges = []
    for index, (u, v, d) in enumerate(sorted(graph.edges(data=True), key=lambda e: (e[0], e[1]))):
        fs = facts_of_edge.get((u, v)) or facts_of_edge.get((v, u)) or []
        e_topics = sorted({t for f in fs for t in facts[f]["topics"]})
        e_years = sorted({y for f in fs for y in facts[f]["years"]})
        for end in (u, v):
            node_topics[end].update(e_topics)
            node_years[end].update(e_years)
            node_facts[end].update(fs)
        edges.append({
            "id": f"e{index}", "source": u, "target": v, "relation": d.get("relation", ""),
            "relations": sorted(set(d.get("relation", "").split(",")) - {""}),
            "weight": d.get("weight", 1), "facts": [{"iri": f, "label": facts[f]["label"]} for f in fs],
            "topics": e_topics, "years": e_years,
        })
        explanation = explanations.get((u, v))
        if explanation is not None:
            edges[-1]["explanation"] = explanation
            edges[-1]["rules"] = sorted({r["name"] for item in explanation for r in item["rules"]})

    node_rows = []
    for node in sorted(nodes, key=lambda n: (graph.nodes[n].get("label", n).casefold(), n)):
        attrs = graph.nodes[node]
        kinds = [k for k in attrs.get("kind", "Thing").split(",") if k]
        cls = primary_class(kinds)
        scores = centrality.get(node, {})
        country = attrs.get("country", "")
        if node in facts:
            node_topics[node].update(facts[node]["topics"])
            node_years[node].update(facts[node]["years"])
        row = {
            "id": node, "label": attrs.get("label", node.rsplit("/", 1)[-1]),
            "labels": labels.get(node, []), "kind": ",".join(kinds), "class": cls,
            "family": family.get(cls, cls), "country": country,
            "country_label": country_labels.get(country, country.rsplit("/", 1)[-1] if country else ""),
            "role": {0: "actor", 1: "fact"}.get(attrs.get("bipartite"), ""),
            "degree": scores.get("degree", graph.degree(node)),
            "weighted_degree": scores.get("weighted_degree", 0),
            "degree_centrality": scores.get("degree_centrality", 0.0),
            "betweenness": scores.get("betweenness", 0.0), "eigenvector": scores.get("eigenvector", 0.0),
            "community": community.get(node),
            "topics": sorted(node_topics.get(node, ())), "years": sorted(node_years.get(node, ())),
            "facts": sorted(set(node_facts.get(node, ())) | ({node} if node in facts else set())),
        }
        if "lat" in attrs and "long" in attrs:
            row["lat"], row["long"] = attrs["lat"], attrs["long"]
        row["geo"] = _placement(node, row, kinds, positions, country_labels)
        node_rows.append(row)

    classes = Counter(n["class"] for n in node_rows)
    relations = Counter(r for e in edges for r in e["relations"])
    used_topics = sorted({t for e in edges for t in e["topics"]} | {t for n in node_rows for t in n["topics"]})
    countries = Counter(n["country"] for n in node_rows if n["country"])
    return {
        "network": network,
        "description": NETWORKS[network],
        "counts": {"nodes": len(node_rows), "edges": len(edges), "facts": len(facts)},
        "nodes": node_rows,
        "edges": edges,
        "facts": facts,
        "topics": {t: topics.get(t, {"label": t.rsplit("/", 1)[-1], "broader": []}) for t in used_topics},
        "documents": documents,
        "classes": [{"name": c, "count": n, "family": family.get(c, c)} for c, n in
                    sorted(classes.items(), key=lambda kv: (-kv[1], kv[0]))],
        "relations": [{"name": r, "count": n} for r, n in sorted(relations.items(), key=lambda kv: (-kv[1], kv[0]))],
        "countries": [{"id": c, "label": country_labels.get(c, c), "count": n}
                      for c, n in sorted(countries.items(), key=lambda kv: country_labels.get(kv[0], kv[0]))],
        "years": sorted({y for e in edges for y in e["years"]} | {y for n in node_rows for y in n["years"]}),
        "styles": {"classes": class_colours(classes, family), "relations": relation_styles(relations)},
        "source": SOURCE_LINE,
    }


def _explanations(store: GraphStore, network: str, graph: nx.Graph) -> dict[tuple[str, str], list[dict]]:
    """(u, v) as the graph orders the edge → why the build derived it: one entry per fact with the rules,
    both ends as the fact names them with their roles (labelled), the number of actors and the weight."""
    relation = DERIVED_RELATIONS.get(network)
    if relation is None:
        return {}
    supports = edge_supports(store, relation)
    iris = {CAKG + name for items in supports.values() for item in items
            for name in item["rules"] + item["source_roles"] + item["target_roles"]}
    iris |= {x for items in supports.values() for item in items for x in item["source"] + item["target"]}
    labels = _english_labels(store, iris)

    def end(names: list[str], roles: list[str]) -> dict:
        return {"named": [{"iri": x, "label": labels.get(x, x.rsplit("/", 1)[-1])} for x in names],
                "roles": [{"name": r, "label": ROLE_NOUNS.get(r) or labels.get(CAKG + r, r)} for r in roles]}

    found: dict[tuple[str, str], list[dict]] = {}
    for u, v in graph.edges:
        items, flipped = supports.get((u, v)), False
        if items is None:
            items, flipped = supports.get((v, u)), True
        if items is None:
            continue
        entries = []
        for item in items:
            source, target = end(item["source"], item["source_roles"]), end(item["target"], item["target_roles"])
            if flipped:
                source, target = target, source
            entries.append({"fact": item["fact"], "source": source, "target": target,
                            "rules": [{"name": r, "label": labels.get(CAKG + r, r)} for r in item["rules"]],
                            "actors": item["actors"], "weight": item["weight"]})
        found[(u, v)] = entries
    return found


def primary_class(kinds: list[str] | str) -> str:
    """The class a node is coloured and filtered by: its most specific one, generic ones dropped."""
    if isinstance(kinds, str):
        kinds = [k for k in kinds.split(",") if k]
    specific = [k for k in kinds if k not in GENERIC_CLASSES]
    return (specific or kinds or ["Thing"])[0]


def _select(store: GraphStore, query: str, label: str):
    return store.select(query, label).rows


def _batches(items: list[str]):
    for start in range(0, len(items), BATCH):
        yield " ".join(f"<{i}>" for i in items[start:start + BATCH])


def _labels(store: GraphStore, nodes: list[str]) -> dict[str, list[dict]]:
    """Every label of every node, in every language: what search looks in."""
    found: dict[str, list[dict]] = defaultdict(list)
    for values in _batches(nodes):
        rows = _select(store, _PREFIX + f"""
SELECT DISTINCT ?node ?property ?label WHERE {{
  VALUES ?node {{ {values} }}
  VALUES ?property {{ rdfs:label skos:prefLabel skos:altLabel }}
  ?node ?property ?label . FILTER (ISLITERAL(?label))
}}""", "network labels")
        for row in rows:
            term = row["label"]
            prop = row["property"].value.rsplit("#", 1)[-1]
            entry = {"value": term.value, "lang": term.lang or "", "property": prop}
            if entry not in found[row["node"].value]:
                found[row["node"].value].append(entry)
    order = {"label": 0, "prefLabel": 1, "altLabel": 2}
    for entries in found.values():
        entries.sort(key=lambda e: (order.get(e["property"], 3), e["lang"] != "en", e["lang"], e["value"]))
    return found


def _english_labels(store: GraphStore, iris: set[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for values in _batches(sorted(iris)):
        for row in _select(store, _PREFIX + f"""
SELECT ?x ?label WHERE {{ VALUES ?x {{ {values} }} ?x rdfs:label ?label FILTER (LANGMATCHES(LANG(?label), "en")) }}""",
                           "country labels"):
            found.setdefault(row["x"].value, row["label"].value)
    return found


def _fact_details(store: GraphStore, facts: list[str]):
    """Topics, years (from cakg:date, startDate, endDate, targetDate) and classes of the facts."""
    topics: dict[str, set[str]] = defaultdict(set)
    years: dict[str, set[str]] = defaultdict(set)
    kinds: dict[str, set[str]] = defaultdict(set)
    for values in _batches(facts):
        for row in _select(store, _PREFIX + f"""
SELECT DISTINCT ?fact ?topic WHERE {{ VALUES ?fact {{ {values} }} ?fact cakg:topic ?topic }}""", "fact topics"):
            topics[row["fact"].value].add(row["topic"].value)
        for row in _select(store, _PREFIX + f"""
SELECT DISTINCT ?fact ?date WHERE {{
  VALUES ?fact {{ {values} }} ?fact cakg:date|cakg:startDate|cakg:endDate|cakg:targetDate ?date }}""", "fact dates"):
            match = re.match(r"^(\d{4})", row["date"].value)
            if match:
                years[row["fact"].value].add(match.group(1))
        for row in _select(store, _PREFIX + f"""
SELECT DISTINCT ?fact ?kind WHERE {{
  VALUES ?fact {{ {values} }} GRAPH ?g {{ ?fact a ?kind }}
  FILTER (?g != <{GRAPH}inferred> && STRSTARTS(STR(?kind), STR(cakg:))) }}""", "fact classes"):
            kinds[row["fact"].value].add(row["kind"].value[len(CAKG):])
    return topics, years, kinds


def _topics(store: GraphStore) -> dict[str, dict]:
    """Every topic concept with its English label and all its broader concepts."""
    found: dict[str, dict] = {}
    for row in _select(store, _PREFIX + """
SELECT DISTINCT ?topic ?label ?broader WHERE {
  ?topic a skos:Concept ; skos:inScheme <https://w3id.org/cakg/id/topic/scheme> .
  OPTIONAL { ?topic skos:prefLabel ?label FILTER (LANGMATCHES(LANG(?label), "en")) }
  OPTIONAL { ?topic skos:broader+ ?broader }
}""", "topics"):
        iri = row["topic"].value
        entry = found.setdefault(iri, {"label": iri.rsplit("/", 1)[-1], "broader": []})
        if "label" in row:
            entry["label"] = row["label"].value
        if "broader" in row and row["broader"].value not in entry["broader"]:
            entry["broader"].append(row["broader"].value)
    return found


def _with_broader(topics: set[str], scheme: dict[str, dict]) -> set[str]:
    """A fact about submarine cables is also about information infrastructure."""
    return set(topics) | {b for t in topics for b in scheme.get(t, {}).get("broader", [])}


def _documents(store: GraphStore) -> dict[str, str]:
    found: dict[str, str] = {}
    for row in _select(store, _PREFIX + """
SELECT ?code ?title WHERE { ?d cakg:shortCode ?code . OPTIONAL { ?d dcterms:title ?title } }""", "documents"):
        if "title" in row:
            found.setdefault(row["code"].value, row["title"].value)
        else:
            found.setdefault(row["code"].value, row["code"].value)
    return found


def _class_families(store: GraphStore) -> dict[str, str]:
    """cakg class → its family (the class under Actor, or the top class otherwise), from the ontology."""
    parents: dict[str, set[str]] = defaultdict(set)
    for row in _select(store, _PREFIX + f"""
SELECT DISTINCT ?c ?s WHERE {{
  GRAPH ?g {{ ?c rdfs:subClassOf ?s }} FILTER (?g != <{GRAPH}inferred>)
  FILTER (STRSTARTS(STR(?c), STR(cakg:)) && STRSTARTS(STR(?s), STR(cakg:)) && ?c != ?s) }}""", "class tree"):
        parents[row["c"].value[len(CAKG):]].add(row["s"].value[len(CAKG):])

    def family(cls: str, seen: frozenset = frozenset()) -> str:
        ups = sorted(parents.get(cls, set()) - seen)
        if not ups:
            return cls
        if "Actor" in ups:
            return cls
        return family(ups[0], seen | {cls})

    return {cls: family(cls) for cls in set(parents) | {p for ps in parents.values() for p in ps}}


def _country_positions(store: GraphStore) -> dict[str, dict]:
    """Country → mean of the coordinates of its cities that have geo:lat/geo:long in the data."""
    rows = _select(store, _PREFIX + """
SELECT DISTINCT ?country ?city ?lat ?long WHERE {
  ?city a cakg:City ; cakg:locatedIn ?country ; geo:lat ?lat ; geo:long ?long . ?country a cakg:Country
}""", "country positions")
    cities: dict[str, dict[str, tuple[float, float]]] = defaultdict(dict)
    for r in rows:
        cities[r["country"].value].setdefault(r["city"].value, (float(r["lat"].value), float(r["long"].value)))
    names = _english_labels(store, {c for members in cities.values() for c in members})
    return {country: {"lat": round(sum(p[0] for p in members.values()) / len(members), 4),
                      "long": round(sum(p[1] for p in members.values()) / len(members), 4),
                      "cities": sorted(names.get(c, c.rsplit("/", 1)[-1]) for c in members)}
            for country, members in cities.items()}


def _placement(node: str, row: dict, kinds: list[str], positions: dict[str, dict],
               country_labels: dict[str, str]) -> dict | None:
    """Where the geographic layout puts a node, and on what grounds; None = the side band."""
    if "lat" in row:
        return {"lat": row["lat"], "long": row["long"], "basis": "coordinates",
                "note": "coordinates in the data"}
    if "Country" in kinds and node in positions:
        p = positions[node]
        return {"lat": p["lat"], "long": p["long"], "basis": "cities",
                "note": "mean of the coordinates of its cities in the data: " + ", ".join(p["cities"])}
    country = row.get("country")
    if country and country != node and country in positions:
        p = positions[country]
        name = country_labels.get(country, country.rsplit("/", 1)[-1])
        return {"lat": p["lat"], "long": p["long"], "basis": "country", "anchor": country,
                "note": f"no coordinates in the data: drawn beside {name}"}
    return None


# ------------------------------------------------------------------ styles

def _shade(colour: str, step: int) -> str:
    """The step-th variant of a colour: 0 is the colour, then lighter and darker in turn."""
    if step == 0:
        return colour
    r, g, b = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    h, light, s = colorsys.rgb_to_hls(r, g, b)
    amount = 0.14 * ((step + 1) // 2)
    light = min(0.85, light + amount) if step % 2 else max(0.15, light - amount)
    r, g, b = colorsys.hls_to_rgb(h, light, s)
    return "#" + "".join(f"{round(c * 255):02x}" for c in (r, g, b))


def class_colours(classes: Counter | dict[str, int], family: dict[str, str]) -> dict[str, str]:
    """Class → colour: the family's hue, shaded for each further class of the family (most frequent first)."""
    colours: dict[str, str] = {}
    used: dict[str, int] = defaultdict(int)
    extra = iter(EXTRA_COLOURS)
    bases = dict(FAMILY_COLOURS, Thing=OTHER_COLOUR)
    for cls, _count in sorted(classes.items(), key=lambda kv: (-kv[1], kv[0])):
        fam = family.get(cls, cls)
        if fam not in bases:
            bases[fam] = next(extra, OTHER_COLOUR)
        base = bases[fam]
        colours[cls] = _shade(base, used[fam])
        used[fam] += 1
    return colours


def relation_styles(relations: Counter | dict[str, int]) -> dict[str, dict]:
    styles: dict[str, dict] = {}
    palette = iter(RELATION_PALETTE)
    for index, (rel, _count) in enumerate(sorted(relations.items(), key=lambda kv: (-kv[1], kv[0]))):
        if rel in RELATION_STYLES:
            styles[rel] = dict(RELATION_STYLES[rel])
        else:
            styles[rel] = {"colour": next(palette, "#7f8c8d"), "dashes": index % 3 == 2}
    return styles


# ------------------------------------------------------------------ HTML

def _asset(name: str) -> str:
    return resources.files("cakg").joinpath("static", *name.split("/")).read_text(encoding="utf-8")


def _script_safe(text: str) -> str:
    """Text that cannot close the <script> or <style> element it is inlined in."""
    return re.sub(r"</(script|style)", r"<\\/\1", text, flags=re.IGNORECASE).replace("<!--", "<\\!--")


def _json_for_html(value: Any) -> str:
    return (json.dumps(value, ensure_ascii=False, separators=(",", ":"))
            .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def render_html(data: dict[str, Any], title: str | None = None, *, focus: str | None = None,
                layout: str = "force", fragment: bool = False, entity_base: str | None = None) -> str:
    """One self-contained page drawing ``data`` (from :func:`network_data`).

    Every script and style is inlined: the page works opened from disk and
    requests nothing. ``focus`` (a node IRI) opens the page centred on that
    node with its ego network highlighted and its details shown; ``layout`` is
    ``force`` or ``geo``; ``fragment=True`` leaves out ``<html>``, ``<head>``
    and ``<body>`` so the service can embed the page in its own; entity links
    point at the IRIs themselves, or below ``entity_base`` (e.g. ``/`` for the
    service's ``/id/...`` pages).
    """
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    if layout not in ("force", "geo"):
        raise InputError(f"unknown layout {layout!r}; choose force or geo")
    ids = {n["id"] for n in data["nodes"]}
    if focus is not None and focus not in ids:
        raise InputError(f"{focus} is not a node of the {data.get('network', '')} network")
    title = title or f"cakg — {data.get('network', '')} network"
    options = {"focus": focus, "layout": layout, "entityBase": entity_base, "idBase": ID, "title": title}
    folder = resources.files("cakg").joinpath("templates")
    env = Environment(loader=FileSystemLoader(str(folder)), autoescape=select_autoescape(default=True,
                      default_for_string=True), trim_blocks=True, lstrip_blocks=True)
    return env.get_template("network.html").render(
        title=title, data=data, fragment=fragment,
        topic_options=sorted(((iri, t["label"]) for iri, t in data.get("topics", {}).items()),
                             key=lambda item: (item[1].casefold(), item[0])),
        data_json=_json_for_html(data), options_json=_json_for_html(options),
        vis_js=_script_safe(_asset(VIS_NETWORK)), page_js=_script_safe(_asset("network.js")),
        page_css=_script_safe(_asset("network.css")))


def network_page_html(data: dict[str, Any], title: str | None = None, focus: str | None = None,
                      entity_base: str | None = "/") -> str:
    """The page's body only, for the service's GET /network?network=NAME&focus=IRI."""
    return render_html(data, title, focus=focus, fragment=True, entity_base=entity_base)


def graph_from_data(data: dict[str, Any]) -> nx.Graph:
    """The projection back as a networkx graph (for the static figures)."""
    graph = nx.Graph(name=data.get("network", ""))
    for node in data["nodes"]:
        graph.add_node(node["id"], **{k: v for k, v in node.items() if k != "id"})
    for edge in data["edges"]:
        graph.add_edge(edge["source"], edge["target"], **{k: v for k, v in edge.items()
                                                         if k not in ("source", "target")})
    return graph
