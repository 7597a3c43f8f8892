"""Exports of the real build, read back with a different parser from the one that wrote them."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pyoxigraph
import rdflib

from cakg.export import export, select_quads
from cakg.network import project


def test_jsonld_is_compacted_with_the_local_context_and_reads_back_with_pyoxigraph(real_store):
    data = export(real_store, "jsonld")
    document = json.loads(data)
    context = document["@context"]
    assert isinstance(context, dict) and context["cakg"] == "https://w3id.org/cakg/ontology#"
    assert "http" not in json.dumps(context).split('"@context"')[0][:0]  # an object, never a URL to fetch
    quads = list(pyoxigraph.parse(data, format=pyoxigraph.RdfFormat.JSON_LD))
    assert len(set(quads)) == len(select_quads(real_store))


def test_rdf_xml_reads_back_with_rdflib(real_store):
    graph = rdflib.Graph().parse(data=export(real_store, "xml"), format="xml")
    triples = {(q.subject, q.predicate, q.object) for q in real_store.quads()}
    assert len(graph) == len(triples)


def _graphml_counts(data: bytes) -> tuple[int, int, set[str]]:
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    root = ET.fromstring(data)
    keys = {k.get("attr.name") for k in root.findall("g:key", ns)}
    graph = root.find("g:graph", ns)
    return len(graph.findall("g:node", ns)), len(graph.findall("g:edge", ns)), keys


def test_graphml_carries_the_cooperation_network(real_store):
    network = project(real_store, "cooperation")
    nodes, edges, keys = _graphml_counts(export(real_store, "graphml"))
    assert (nodes, edges) == (network.number_of_nodes(), network.number_of_edges())
    assert {"label", "kind", "country", "relation", "weight", "facts"} <= keys
    assert nodes > 30 and edges > 30  # role-aware cooperation edges: 41 on the two documents


def test_gexf_carries_the_cooperation_network(real_store):
    network = project(real_store, "cooperation")
    root = ET.fromstring(export(real_store, "gexf"))
    ns = {"x": root.tag.split("}")[0].strip("{")}
    graph = root.find("x:graph", ns)
    nodes = graph.find("x:nodes", ns).findall("x:node", ns)
    edges = graph.find("x:edges", ns).findall("x:edge", ns)
    assert (len(nodes), len(edges)) == (network.number_of_nodes(), network.number_of_edges())
    china = next(n for n in nodes if n.get("id") == "https://w3id.org/cakg/id/country/chn")
    assert china.get("label") == "China"
    weights = [float(e.get("weight")) for e in edges]
    assert max(weights) > 1  # some pairs rest on several facts


def test_graphml_of_other_networks(real_store):
    for name in ["connectivity", "city", "actor-fact"]:
        network = project(real_store, name)
        nodes, edges, _ = _graphml_counts(export(real_store, "graphml", graph=name))
        assert (nodes, edges) == (network.number_of_nodes(), network.number_of_edges()), name


def test_csv_lists_entities_with_labels_and_types(real_store):
    rows = list(csv.DictReader(io.StringIO(export(real_store, "csv").decode("utf-8"))))
    by_iri = {r["entity"]: r for r in rows}
    huawei = by_iri["https://w3id.org/cakg/id/org/huawei-marine"]
    assert huawei["label_en"] == "Huawei Marine" and "Company" in huawei["types"].split()
    thailand = by_iri["https://w3id.org/cakg/id/country/tha"]
    assert thailand["label_zh"] == "泰国"
    assert all(r["label_en"] for r in rows), [r["entity"] for r in rows if not r["label_en"]][:5]


def test_dataset_description_is_exported(real_store):
    turtle = export(real_store, "turtle")
    graph = rdflib.Graph().parse(data=turtle, format="turtle")
    void = rdflib.Namespace("http://rdfs.org/ns/void#")
    dataset = rdflib.URIRef("https://w3id.org/cakg/id/void/cakg")
    assert (dataset, rdflib.RDF.type, void.Dataset) in graph
    triples = int(graph.value(dataset, void.triples))
    described = sum(1 for q in real_store.quads() if q.graph_name.value != "https://w3id.org/cakg/graph/void")
    assert triples == described
    assert graph.value(dataset, rdflib.DCTERMS.license) is not None
    assert len(list(graph.objects(dataset, void.subset))) > 40
