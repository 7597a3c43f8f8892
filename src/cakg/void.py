"""A VoID and DCAT description of the built dataset, in its own named graph.

Counts describe every other graph of the build (the description does not count
itself); the description is exported with the data.
"""

from __future__ import annotations

from pyoxigraph import Literal, NamedNode, Quad, Store

from . import __version__
from .build_folder import GRAPH_TRIG, GRAPH_TTL
from .graph_names import DESCRIPTION
from .vocab import CAKG, DCTERMS, GRAPH, ID, RDF, RDFS, XSD

VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
SD = "http://www.w3.org/ns/sparql-service-description#"
DESCRIPTION_GRAPH = DESCRIPTION
DATASET = NamedNode(ID + "void/cakg")
LICENCE = NamedNode("https://creativecommons.org/licenses/by/4.0/")


def _int(value: int) -> Literal:
    return Literal(str(value), datatype=NamedNode(XSD + "integer"))


def _count(store: Store, query: str) -> int:
    row = next(iter(store.query(query, use_default_graph_as_union=True)))
    return int(row[0].value)


def describe(store: Store) -> list[Quad]:
    """Quads of the description (VoID statistics, DCAT metadata, one subset per named graph)."""
    g = DESCRIPTION_GRAPH
    quads: list[Quad] = []

    def add(s: NamedNode, p: str, o) -> None:
        quads.append(Quad(s, NamedNode(p), o, g))

    d = DATASET
    add(d, RDF + "type", NamedNode(VOID + "Dataset"))
    add(d, RDF + "type", NamedNode(DCAT + "Dataset"))
    add(d, RDFS + "label", Literal("China–ASEAN ICT cooperation knowledge graph (cakg)", language="en"))
    add(d, RDFS + "label", Literal("中国—东盟信息通信技术合作知识图谱", language="zh"))
    add(d, DCTERMS + "title", Literal("cakg: China–ASEAN ICT cooperation knowledge graph", language="en"))
    add(d, DCTERMS + "description", Literal(
        "Every relationship stated by the 2016 CAICT white paper on China–ASEAN ICT development and cooperation "
        "and the 2019 ASEAN–China Leaders' Statement on Smart City Cooperation Initiative, each fact citing the "
        "sentence it comes from.", language="en"))
    add(d, DCTERMS + "license", LICENCE)
    add(d, DCTERMS + "hasVersion", Literal(__version__))
    add(d, VOID + "uriSpace", Literal(ID))
    add(d, VOID + "vocabulary", NamedNode(CAKG))
    add(d, DCAT + "keyword", Literal("China", language="en"))
    add(d, DCAT + "keyword", Literal("ASEAN", language="en"))
    add(d, DCAT + "keyword", Literal("ICT cooperation", language="en"))
    for row in store.query(f"SELECT DISTINCT ?doc WHERE {{ ?doc a <{CAKG}Document> }} ORDER BY ?doc",
                           use_default_graph_as_union=True):
        add(d, DCTERMS + "source", row["doc"])
    for name, media in [(GRAPH_TRIG, "application/trig"), (GRAPH_TTL, "text/turtle")]:
        dist = NamedNode(f"{ID}void/cakg/{name}")
        add(d, DCAT + "distribution", dist)
        add(dist, RDF + "type", NamedNode(DCAT + "Distribution"))
        add(dist, DCAT + "mediaType", Literal(media))
        add(dist, DCTERMS + "title", Literal(name))

    add(d, VOID + "triples", _int(_count(store, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")))
    add(d, VOID + "distinctSubjects", _int(_count(store, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }")))
    add(d, VOID + "properties", _int(_count(store, "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?s ?p ?o }")))
    add(d, VOID + "classes", _int(_count(store, "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?s a ?c }")))
    add(d, VOID + "entities", _int(_count(store, f"""SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{
        ?s a ?c . FILTER(STRSTARTS(STR(?s), "{ID}")) }}""")))

    for row in store.query(f"""SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a ?c .
            FILTER(STRSTARTS(STR(?c), "{CAKG}")) }} GROUP BY ?c ORDER BY ?c""", use_default_graph_as_union=True):
        part = NamedNode(f"{ID}void/cakg/class/{row['c'].value[len(CAKG):]}")
        add(d, VOID + "classPartition", part)
        add(part, VOID + "class", row["c"])
        add(part, VOID + "entities", _int(int(row["n"].value)))

    for row in store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"):
        name = row["g"].value
        subset = NamedNode(f"{ID}void/cakg/graph/{name[len(GRAPH):] if name.startswith(GRAPH) else name}")
        add(d, VOID + "subset", subset)
        add(subset, RDF + "type", NamedNode(VOID + "Dataset"))
        add(subset, SD + "name", row["g"])
        add(subset, VOID + "triples", _int(int(row["n"].value)))
    return quads
