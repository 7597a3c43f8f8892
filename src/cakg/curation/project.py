"""A project (ontology, shapes, data) assembled as the build assembles it, and what curation looks up in it.

Documents with their passages and the facts citing each passage, the
ontology's classes and properties with labels and definitions, and an index
of every labelled node (labels in every language, alternative labels,
codes) for resolving names. The store is the one ``cakg build`` would
validate, so what the tools show is what the build will hold.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property

from pyoxigraph import Literal, NamedNode, Store

from ..build import Layout, assemble
from ..sources import SourceDocument, documents_in
from ..vocab import CAKG, GRAPH, ID, OWL, PROV, RDF, RDFS, SKOS

_PREFIXES = (f"PREFIX cakg: <{CAKG}>\nPREFIX rdfs: <{RDFS}>\nPREFIX rdf: <{RDF}>\nPREFIX owl: <{OWL}>\n"
             f"PREFIX skos: <{SKOS}>\nPREFIX prov: <{PROV}>\n")
_NOT_NAMED = tuple(f"{ID}{kind}/" for kind in ("passage", "section", "evidence"))
FACT_CLASSES = ("Agreement", "Policy", "InfrastructureLink", "InfrastructureFacility", "Project", "Investment",
                "Mechanism", "Event", "Commitment", "Recommendation", "Partnership", "MarketEntry")


def normalise(text: str) -> str:
    """A name as compared when resolving: case, dashes, quotes and spacing aside."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"[‐‑‒–—―-]", "-", text).replace("’", "'").replace("‘", "'")
    return " ".join(re.sub(r"\s*-\s*", "-", text).split())


@dataclass
class PassageView:
    iri: str
    section: str
    heading: str
    level: int
    kind: str
    position: int
    text: str


@dataclass
class Citation:
    fact: str
    label: str
    classes: list[str]
    quote: str
    file: str | None


@dataclass
class Entry:
    """A labelled node: its labels (language → texts), alternative names and types (asserted and inferred)."""

    iri: str
    labels: dict[str, list[str]] = field(default_factory=dict)
    alt: list[str] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)
    types: set[str] = field(default_factory=set)

    @property
    def label(self) -> str:
        for lang in ("en", ""):
            if self.labels.get(lang):
                return self.labels[lang][0]
        return next((v[0] for v in self.labels.values() if v), self.iri.rsplit("/", 1)[-1])

    def names(self) -> list[str]:
        return [t for texts in self.labels.values() for t in texts] + self.alt


@dataclass
class OntologyTerm:
    iri: str
    label: str
    labels: dict[str, str]
    definition: str
    kind: str  # class | object | datatype | annotation
    parents: list[str] = field(default_factory=list)  # superclasses / superproperties
    domain: list[str] = field(default_factory=list)
    range: list[str] = field(default_factory=list)
    inverse_of: str | None = None


def stamps(layout: Layout) -> tuple:
    """Size and modification time of every visible file under data/ and ontology/: has anything changed?"""
    found = []
    for folder in (layout.data_dir, layout.ontology_dir):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not any(part.startswith(".") for part in path.relative_to(folder).parts):
                info = path.stat()
                found.append((str(path), info.st_size, info.st_mtime_ns))
    return tuple(found)


class Project:
    """The assembled project at one moment; make a new one after the files change."""

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self.stamps = stamps(layout)
        self.store: Store = assemble(layout)[0]

    def query(self, text: str):
        return self.store.query(_PREFIXES + text, use_default_graph_as_union=True)

    # ------------------------------------------------------------------ documents

    @cached_property
    def documents(self) -> dict[str, SourceDocument]:
        return {d.short_code: d for d in documents_in(self.store, self.layout.sources_dir)}

    def title(self, code: str) -> str:
        document = self.documents[code]
        rows = list(self.query(f"SELECT ?t WHERE {{ <{document.iri.value}> rdfs:label ?t FILTER(LANG(?t) = 'en') }}"))
        return rows[0]["t"].value if rows else code

    def passages(self, code: str) -> list[PassageView]:
        graph = f"{GRAPH}corpus/{code}"
        rows = self.store.query(_PREFIXES + f"""
            SELECT ?p ?number ?heading ?level ?kind ?position ?text WHERE {{ GRAPH <{graph}> {{
              ?p cakg:text ?text ; cakg:passageKind ?kind ; cakg:position ?position ;
                 cakg:documentOrder ?order ; cakg:section ?s .
              ?s cakg:sectionNumber ?number ; cakg:level ?level .
              OPTIONAL {{ ?s cakg:heading ?heading }} }} }} ORDER BY ?order""")
        return [PassageView(r["p"].value, r["number"].value, r["heading"].value if r["heading"] else "",
                            int(r["level"].value), r["kind"].value, int(r["position"].value), r["text"].value)
                for r in rows]

    def citations(self, code: str) -> dict[str, list[Citation]]:
        document = self.documents[code]
        found: dict[str, list[Citation]] = {}
        rows = self.query(f"""
            SELECT ?p ?fact ?quote (SAMPLE(?l) AS ?label) (SAMPLE(?g) AS ?graph)
                   (GROUP_CONCAT(DISTINCT STR(?type); SEPARATOR=" ") AS ?types) WHERE {{
              ?p cakg:inDocument <{document.iri.value}> .
              ?e prov:wasQuotedFrom ?p ; cakg:quote ?quote .
              GRAPH ?g {{ ?fact cakg:evidence ?e . OPTIONAL {{ ?fact a ?type }} }}
              OPTIONAL {{ ?fact rdfs:label ?l FILTER(LANG(?l) = 'en') }}
            }} GROUP BY ?p ?fact ?quote ORDER BY ?p ?fact""")
        for r in rows:
            graph = r["graph"].value if r["graph"] else ""
            file = "data/" + graph[len(GRAPH + "data/"):] + ".ttl" if graph.startswith(GRAPH + "data/") else None
            found.setdefault(r["p"].value, []).append(Citation(
                r["fact"].value, r["label"].value if r["label"] else r["fact"].value.rsplit("/", 1)[-1],
                sorted(r["types"].value.split()) if r["types"] else [], r["quote"].value, file))
        return found

    # ------------------------------------------------------------------ names

    @cached_property
    def entries(self) -> dict[str, Entry]:
        """Every node with a label, alternative label or code (ontology terms aside)."""
        entries: dict[str, Entry] = {}
        label_predicates = {RDFS + "label": "label", SKOS + "prefLabel": "label", SKOS + "altLabel": "alt",
                            CAKG + "isoAlpha3": "code", CAKG + "isoAlpha2": "code", SKOS + "notation": "code"}
        for predicate, role in label_predicates.items():
            for quad in self.store.quads_for_pattern(None, NamedNode(predicate), None):
                subject, value = quad.subject, quad.object
                if not isinstance(subject, NamedNode) or not isinstance(value, Literal):
                    continue
                if subject.value.startswith((CAKG, *_NOT_NAMED)) or "/.well-known/" in subject.value:
                    continue
                entry = entries.setdefault(subject.value, Entry(subject.value))
                if role == "label":
                    texts = entry.labels.setdefault(value.language or "", [])
                    if value.value not in texts:
                        texts.append(value.value)
                elif role == "alt":
                    if value.value not in entry.alt:
                        entry.alt.append(value.value)
                elif value.value not in entry.codes:
                    entry.codes.append(value.value)
        for quad in self.store.quads_for_pattern(None, NamedNode(RDF + "type"), None):
            entry = entries.get(quad.subject.value) if isinstance(quad.subject, NamedNode) else None
            if entry is not None and isinstance(quad.object, NamedNode):
                entry.types.add(quad.object.value)
        return entries

    def is_subject(self, iri: str) -> bool:
        return next(iter(self.store.quads_for_pattern(NamedNode(iri), None, None)), None) is not None

    def asserted_types(self, iri: str) -> list[str]:
        return sorted({q.object.value for q in self.store.quads_for_pattern(NamedNode(iri), NamedNode(RDF + "type"), None)
                       if q.graph_name != NamedNode(GRAPH + "inferred") and isinstance(q.object, NamedNode)})

    def files_describing(self, iri: str) -> list[str]:
        """The data files (relative to data/) in which ``iri`` is a subject."""
        graphs = {q.graph_name.value for q in self.store.quads_for_pattern(NamedNode(iri), None, None)
                  if isinstance(q.graph_name, NamedNode) and q.graph_name.value.startswith(GRAPH + "data/")}
        return sorted(g[len(GRAPH + "data/"):] + ".ttl" for g in graphs)

    # ------------------------------------------------------------------ ontology

    @cached_property
    def ontology(self) -> dict[str, OntologyTerm]:
        terms: dict[str, OntologyTerm] = {}
        kinds = {OWL + "Class": "class", OWL + "ObjectProperty": "object", OWL + "DatatypeProperty": "datatype",
                 OWL + "AnnotationProperty": "annotation", RDF + "Property": "annotation"}
        for kind_iri, kind in kinds.items():
            for row in self.store.query(_PREFIXES + f"""
                    SELECT DISTINCT ?t WHERE {{ GRAPH ?g {{ ?t a <{kind_iri}> }}
                    FILTER(STRSTARTS(STR(?g), "{GRAPH}ontology/")) FILTER(isIRI(?t)) }}"""):
                iri = row["t"].value
                if iri not in terms or terms[iri].kind == "annotation":
                    terms[iri] = OntologyTerm(iri, iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1], {}, "", kind)
        for term in terms.values():
            node = NamedNode(term.iri)
            for q in self.store.quads_for_pattern(node, NamedNode(RDFS + "label"), None):
                term.labels.setdefault(q.object.language or "en", q.object.value)
            term.label = term.labels.get("en", term.label)
            for q in self.store.quads_for_pattern(node, NamedNode(SKOS + "definition"), None):
                if (q.object.language or "en") == "en":
                    term.definition = q.object.value
            sub = RDFS + ("subClassOf" if term.kind == "class" else "subPropertyOf")
            term.parents = sorted({q.object.value for q in self.store.quads_for_pattern(node, NamedNode(sub), None)
                                   if isinstance(q.object, NamedNode) and q.graph_name.value.startswith(GRAPH + "ontology/")})
            term.domain = self._class_list(node, RDFS + "domain")
            term.range = self._class_list(node, RDFS + "range")
            inverse = next(iter(self.store.quads_for_pattern(node, NamedNode(OWL + "inverseOf"), None)), None)
            term.inverse_of = inverse.object.value if inverse is not None else None
        return terms

    def _class_list(self, node: NamedNode, predicate: str) -> list[str]:
        """The classes named by a domain or range, unions unfolded."""
        out: list[str] = []
        for q in self.store.quads_for_pattern(node, NamedNode(predicate), None):
            if not q.graph_name.value.startswith(GRAPH + "ontology/"):
                continue
            target = q.object
            if isinstance(target, NamedNode) and "/.well-known/genid/" not in target.value:
                out.append(target.value)
                continue
            for union in self.store.quads_for_pattern(target, NamedNode(OWL + "unionOf"), None):
                item = union.object
                while item != NamedNode(RDF + "nil"):
                    first = next(iter(self.store.quads_for_pattern(item, NamedNode(RDF + "first"), None)), None)
                    rest = next(iter(self.store.quads_for_pattern(item, NamedNode(RDF + "rest"), None)), None)
                    if first is None or rest is None:
                        break
                    out.append(first.object.value)
                    item = rest.object
        return out

    def superclasses(self, iri: str) -> list[str]:
        """``iri`` and every class above it, nearest first."""
        order, todo = [], [iri]
        while todo:
            current = todo.pop(0)
            if current in order:
                continue
            order.append(current)
            term = self.ontology.get(current)
            if term is not None:
                todo.extend(term.parents)
        return order

    def subclasses(self, iri: str) -> set[str]:
        return {c for c, t in self.ontology.items() if t.kind == "class" and iri in self.superclasses(c)}
