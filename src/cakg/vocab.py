"""Namespaces and IRI minting shared by every module."""

from __future__ import annotations

from pyoxigraph import NamedNode

ONTOLOGY = "https://w3id.org/cakg/ontology"
CAKG = ONTOLOGY + "#"
ID = "https://w3id.org/cakg/id/"
GRAPH = "https://w3id.org/cakg/graph/"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
DCTERMS = "http://purl.org/dc/terms/"
SH = "http://www.w3.org/ns/shacl#"

PREFIXES: dict[str, str] = {
    "cakg": CAKG,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": SKOS,
    "prov": PROV,
    "dcterms": DCTERMS,
    "org": "http://www.w3.org/ns/org#",
    "schema": "https://schema.org/",
    "qb": "http://purl.org/linked-data/cube#",
    "geo": "http://www.w3.org/2003/01/geo/wgs84_pos#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "oa": "http://www.w3.org/ns/oa#",
    "time": "http://www.w3.org/2006/time#",
    "sh": SH,
    "void": "http://rdfs.org/ns/void#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "country": ID + "country/",
    "city": ID + "city/",
    "passage": ID + "passage/",
    "section": ID + "section/",
    "doc": ID + "doc/",
    "topic": ID + "topic/",
    "indicator": ID + "indicator/",
    "unit": ID + "unit/",
}


def cakg(local: str) -> NamedNode:
    return NamedNode(CAKG + local)


def rdf(local: str) -> NamedNode:
    return NamedNode(RDF + local)


def rdfs(local: str) -> NamedNode:
    return NamedNode(RDFS + local)


def entity(kind: str, slug: str) -> NamedNode:
    """``entity("passage", "wp2016-ii-i-3-p2")`` → the instance IRI."""
    return NamedNode(f"{ID}{kind}/{slug}")


def graph(name: str) -> NamedNode:
    return NamedNode(GRAPH + name)
