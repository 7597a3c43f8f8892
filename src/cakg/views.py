"""The explorer's data: what each page shows, read through a store and returned as view models.

Every function here takes a :class:`~cakg.store.GraphStore` (in the service, the
worker's :class:`~cakg.workers.ServedStore`: these reads run as jobs in the
killable query workers, under the same deadline as any query) and returns plain
data that :mod:`cakg.pages` renders with the templates; nothing here knows HTTP.
Values from a request reach SPARQL only as RDF terms that pyoxigraph serialises
(escaped), never as pasted text.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from pyoxigraph import Literal

from .catalogue import GRAPH_FORMATS
from .results import ResultTable, Term
from .store import GraphStore
from .vocab import CAKG, DCTERMS, GRAPH, ID, ONTOLOGY, OWL, PREFIXES, PROV, RDF, RDFS, SKOS, XSD

GEO = "http://www.w3.org/2003/01/geo/wgs84_pos#"
SCHEMA = "https://schema.org/"
WIKIDATA = ("http://www.wikidata.org/entity/", "https://www.wikidata.org/entity/",
            "https://www.wikidata.org/wiki/")
INFERRED_GRAPH = GRAPH + "inferred"
DERIVED_GRAPH = GRAPH + "derived"

LABEL_PROPERTIES = (RDFS + "label", SKOS + "prefLabel", SKOS + "altLabel")
MATCH_PROPERTIES = (OWL + "sameAs", SKOS + "exactMatch", SKOS + "closeMatch")

MAX_HTML_ROWS = 5000
SEARCH_MAX_LENGTH = 200
INCOMING_LIMIT = 3000
# The entity page's links to its data, one per RDF format (Turtle, JSON-LD, N-Triples, RDF/XML).
DATA_LINK_FORMATS = sorted(GRAPH_FORMATS, key=lambda f: (f.name != "ttl", f.name != "jsonld", f.name != "nt"))

PREFIX_BLOCK = "".join(f"PREFIX {p}: <{PREFIXES[p]}>\n" for p in
                       ("cakg", "rdf", "rdfs", "skos", "owl", "prov", "dcterms", "schema", "geo"))


# ------------------------------------------------------------------ terms for templates

def compact(iri: str) -> str:
    """``cakg:builtBy`` for a known namespace, else the IRI itself."""
    best = ""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(namespace) > len(PREFIXES.get(best, "")):
            best = prefix
    if best:
        local = iri[len(PREFIXES[best]):]
        if re.fullmatch(r"[A-Za-z0-9_][\w.-]*", local or "_") and not local.endswith("."):
            return f"{best}:{local}"
    return iri


def href_for(iri: str, base: str = "") -> str | None:
    """Where a link to ``iri`` goes: entities and ontology terms stay on this site."""
    if iri.startswith(ID):
        return base + "/id/" + quote(iri[len(ID):], safe="/:@-._~!$&'()*+,;=")
    if iri.startswith(CAKG):
        return base + "/ontology#" + quote(iri[len(CAKG):], safe="-._~")
    if iri == ONTOLOGY:
        return base + "/ontology"
    if iri.startswith(WIKIDATA[0]):
        return "https://www.wikidata.org/wiki/" + iri[len(WIKIDATA[0]):]
    if iri.startswith(("http://", "https://")):
        return iri
    return None


def short_datatype(datatype: str | None) -> str | None:
    if not datatype:
        return None
    return compact(datatype)


@dataclass
class TermView:
    kind: str
    value: str
    label: str = ""
    href: str | None = None
    external: bool = False
    lang: str | None = None
    datatype: str | None = None
    note: str | None = None  # "inferred" / "derived" for statements the build added

    @property
    def is_iri(self) -> bool:
        return self.kind == "uri"


def view(term: Term, labels: dict[str, str], base: str = "", note: str | None = None) -> TermView:
    if term.kind == "uri":
        href = href_for(term.value, base)
        external = bool(href) and not href.startswith(base + "/")
        return TermView("uri", term.value, labels.get(term.value) or compact(term.value), href, external,
                        note=note)
    if term.kind == "bnode":
        return TermView("bnode", term.value, "_:" + term.value, note=note)
    datatype = term.datatype if term.datatype and term.datatype != XSD + "string" else None
    return TermView("literal", term.value, term.value, lang=term.lang, datatype=short_datatype(datatype), note=note)


def iri_view(iri: str, labels: dict[str, str], base: str = "") -> TermView:
    return view(Term("uri", iri), labels, base)



# ------------------------------------------------------------------ helpers

def _lit(value: str) -> str:
    """A SPARQL string literal for ``value`` (pyoxigraph escapes quotes, backslashes and newlines)."""
    return str(Literal(value))


def _safe_iri(iri: str) -> bool:
    return bool(iri) and not any(c in iri for c in '<>" {}|\\^`\n\r\t')


def _iris(table: ResultTable) -> list[str]:
    return [t.value for row in table.rows for t in row.values() if t.kind == "uri"]


def _val(row: dict[str, Term], name: str, default: str | None = None) -> str | None:
    term = row.get(name)
    return term.value if term is not None else default


def url_with(path: str, params: list[tuple[str, str]]) -> str:
    return path + ("?" + urlencode(params) if params else "")


def labels_of(store: GraphStore, iris: list[str]) -> dict[str, str]:
    """English labels (else any label) of the given IRIs, for showing results to people."""
    found: dict[str, str] = {}
    unique = sorted({i for i in iris if i})
    for start in range(0, len(unique), 300):
        values = " ".join(f"<{i}>" for i in unique[start:start + 300] if _safe_iri(i))
        if not values:
            continue
        table = store.select(
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
            "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
            f"SELECT ?x ?l WHERE {{ VALUES ?x {{ {values} }} ?x rdfs:label|skos:prefLabel ?l }}", "labels")
        for row in table.rows:
            iri, label = row["x"].value, row["l"]
            if label.lang in (None, "en") or iri not in found:
                if iri not in found or label.lang == "en":
                    found[iri] = label.value
    return found


# ------------------------------------------------------------------ result tables

@dataclass
class TableView:
    variables: list[str]
    rows: list[list[TermView | None]]
    boolean: bool | None = None
    total: int = 0
    shown: int = 0


def table_view(table: ResultTable, labels: dict[str, str], base: str) -> TableView:
    rows = [[view(row[v], labels, base) if v in row else None for v in table.variables]
            for row in table.rows[:MAX_HTML_ROWS]]
    return TableView(list(table.variables), rows, table.boolean, len(table.rows), len(rows))


# ------------------------------------------------------------------ home

def _coverage(store: GraphStore, base: str = "") -> tuple[dict[str, list[dict]], dict[str, int]]:
    """Per document code, its sections in order (facts citing each, cited and total paragraphs),
    and the number of facts citing the document."""
    from .coverage import PASSAGE_CITATIONS_QUERY, COUNTED_KINDS, is_header_row_text

    facts: dict[str, set[str]] = {}
    table = store.select(f"""PREFIX cakg: <{CAKG}> PREFIX prov: <{PROV}>
        SELECT DISTINCT ?section ?fact WHERE {{
          ?fact cakg:evidence ?e . ?e prov:wasQuotedFrom ?p . ?p cakg:section ?section }}""")
    for row in table.rows:
        facts.setdefault(row["section"].value, set()).add(row["fact"].value)
    titles = {row["s"].value: row["t"].value for row in store.select(
        f"PREFIX cakg: <{CAKG}> PREFIX dcterms: <{DCTERMS}> "
        "SELECT ?s ?t WHERE { ?s a cakg:Section ; dcterms:title ?t }").rows}
    sections: OrderedDict[str, dict] = OrderedDict()
    for row in store.select(PASSAGE_CITATIONS_QUERY).rows:
        key = row["section"].value
        entry = sections.get(key)
        if entry is None:
            entry = sections[key] = {"iri": key, "href": href_for(key, base), "code": row["code"].value, "number": row["number"].value,
                                     "title": titles.get(key, ""), "facts": len(facts.get(key, ())),
                                     "passages": 0, "cited": 0}
        kind, text = row["kind"].value, row["text"].value
        if kind not in COUNTED_KINDS or is_header_row_text(kind, text):
            continue
        entry["passages"] += 1
        if int(row["quotes"].value) > 0:
            entry["cited"] += 1
    by_code: dict[str, list[dict]] = {}
    facts_per_doc: dict[str, int] = {}
    per_doc = store.select(f"""PREFIX cakg: <{CAKG}> PREFIX prov: <{PROV}>
        SELECT ?code (COUNT(DISTINCT ?fact) AS ?n) WHERE {{
          ?fact cakg:evidence ?e . ?e prov:wasQuotedFrom ?p . ?p cakg:inDocument ?doc . ?doc cakg:shortCode ?code }}
        GROUP BY ?code""")
    for row in per_doc.rows:
        facts_per_doc[row["code"].value] = int(row["n"].value)
    for entry in sections.values():
        entry["percent"] = round(100 * entry["cited"] / entry["passages"]) if entry["passages"] else None
        by_code.setdefault(entry["code"], []).append(entry)
    return by_code, facts_per_doc


def home(store: GraphStore, base: str, info: dict[str, Any]) -> dict[str, Any]:
    """The home page: counts per class, the documents with their coverage, the build's summary (``info``)."""
    classes = store.select(f"""PREFIX rdfs: <{RDFS}>
        SELECT ?c (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a ?c FILTER(STRSTARTS(STR(?c), "{CAKG}")) }}
        GROUP BY ?c ORDER BY DESC(?n) ?c""")
    counts = store.select(f"""PREFIX cakg: <{CAKG}> PREFIX prov: <{PROV}>
        SELECT (COUNT(DISTINCT ?f) AS ?facts) (COUNT(DISTINCT ?e) AS ?quotes) WHERE {{
          ?f cakg:evidence ?e }}""")
    documents = store.select(f"""PREFIX cakg: <{CAKG}>
        SELECT ?doc ?p ?o WHERE {{ ?doc a cakg:Document ; ?p ?o }}""")
    labels = labels_of(store, _iris(classes) + _iris(documents))
    class_rows = []
    for row in classes.rows:
        iri = row["c"].value
        listing = (f"PREFIX cakg: <{CAKG}>\nPREFIX rdfs: <{RDFS}>\n"
                   f"SELECT ?item ?label WHERE {{\n  ?item a {compact(iri)} .\n"
                   "  OPTIONAL { ?item rdfs:label ?label FILTER(LANGMATCHES(LANG(?label), \"en\")) }\n}\n"
                   "ORDER BY ?label ?item")
        class_rows.append({"iri": iri, "label": labels.get(iri, compact(iri)), "count": int(row["n"].value),
                           "href": href_for(iri, base),
                           "list": url_with(base + "/sparql", [("query", listing), ("format", "html")])})
    docs: OrderedDict[str, dict[str, list[Term]]] = OrderedDict()
    for row in documents.rows:
        docs.setdefault(row["doc"].value, {}).setdefault(row["p"].value, []).append(row["o"])
    coverage, facts_per_doc = _coverage(store, base)
    doc_views = []
    for iri, props in docs.items():
        def first(prop: str, lang: str | None = "en") -> str | None:
            terms = props.get(prop, [])
            for term in terms:
                if lang is None or term.lang in (None, lang):
                    return term.value
            return terms[0].value if terms else None
        code = first(CAKG + "shortCode")
        issuers = []
        for prop in (DCTERMS + "publisher", DCTERMS + "creator", CAKG + "issuedBy"):
            for term in props.get(prop, []):
                if term.kind == "uri" and term.value not in [i.value for i in issuers]:
                    issuers.append(iri_view(term.value, labels, base))
        sections = coverage.get(code or "", [])
        doc_views.append({
            "iri": iri, "href": href_for(iri, base), "code": code,
            "label": first(RDFS + "label") or labels.get(iri) or compact(iri),
            "title": first(DCTERMS + "title"), "issuers": issuers,
            "date": first(DCTERMS + "issued") or first(CAKG + "date"),
            "rights": first(DCTERMS + "rights"), "citation": first(DCTERMS + "bibliographicCitation"),
            "description": first(DCTERMS + "description"),
            "sections": sections,
            "passages": sum(s["passages"] for s in sections), "cited": sum(s["cited"] for s in sections),
            "facts": facts_per_doc.get(code or "", 0),
        })
    # Source documents first (those with text and sections), then reference tables.
    doc_views.sort(key=lambda d: (d["code"] is None, d["date"] or "", d["label"]))
    summary = {
        "triples": int(info.get("triples", 0)), "graphs": len(info.get("graphs", {})),
        "inferred": int(info.get("inferred", 0)),
        "derived": sum(int(v) for v in (info.get("rules") or {}).values()),
        "facts": int(_val(counts.rows[0], "facts", "0")) if counts.rows else 0,
        "quotes": int(_val(counts.rows[0], "quotes", "0")) if counts.rows else 0,
    }
    return {"classes": class_rows, "documents": doc_views, "summary": summary}


# ------------------------------------------------------------------ entity

@dataclass
class Statement:
    prop: TermView
    values: list[TermView] = field(default_factory=list)
    inferred: bool = False


def _note(graphs: set[str]) -> str | None:
    if graphs - {INFERRED_GRAPH, DERIVED_GRAPH}:
        return None
    return "derived" if DERIVED_GRAPH in graphs else "inferred"


def _group(rows: list[tuple[str, Term, set[str]]], labels: dict[str, str], base: str) -> tuple[list[Statement],
                                                                                                list[Statement]]:
    """Statements per property: (asserted or derived, inferred only)."""
    by_prop: OrderedDict[tuple[str, bool], Statement] = OrderedDict()
    for prop, term, graphs in rows:
        note = _note(graphs)
        inferred = note == "inferred"
        key = (prop, inferred)
        statement = by_prop.get(key)
        if statement is None:
            statement = by_prop[key] = Statement(iri_view(prop, labels, base), inferred=inferred)
        statement.values.append(view(term, labels, base, note))
    def order(s: Statement) -> tuple:
        return (s.prop.label.lower(),)
    for statement in by_prop.values():
        statement.values.sort(key=lambda v: (v.kind != "uri", v.label.lower()))
    asserted = sorted((s for s in by_prop.values() if not s.inferred), key=order)
    inferred = sorted((s for s in by_prop.values() if s.inferred), key=order)
    return asserted, inferred


def _collect(table: ResultTable, other: str) -> list[tuple[str, Term, set[str]]]:
    merged: OrderedDict[tuple[str, Term], set[str]] = OrderedDict()
    for row in table.rows:
        merged.setdefault((row["p"].value, row[other]), set()).add(_val(row, "g", ""))
    return [(p, t, g) for (p, t), g in merged.items()]


def _segments(text: str, quotes: list[str]) -> list[tuple[str, bool]]:
    """``text`` cut into (piece, is_quoted) so the quotes can be marked."""
    marks = [False] * len(text)
    for q in quotes:
        if not q:
            continue
        start = text.find(q)
        while start >= 0:
            for i in range(start, start + len(q)):
                marks[i] = True
            start = text.find(q, start + 1)
    pieces: list[tuple[str, bool]] = []
    for i, ch in enumerate(text):
        if pieces and pieces[-1][1] == marks[i]:
            pieces[-1] = (pieces[-1][0] + ch, marks[i])
        else:
            pieces.append((ch, marks[i]))
    return pieces


def _weight_text(value: str | None) -> str:
    """A derived weight as people read it (0.091, 1, 19.091)."""
    if value is None:
        return ""
    number = round(float(value), 3)
    return str(int(number)) if number.is_integer() else str(number)


def _edge_items(edges: ResultTable, iri: str, labels: dict[str, str], base: str) -> list[dict]:
    """The derived edges of an entity page, each with the explanation of every fact it rests on."""
    from .network import ROLE_NOUNS

    def role_text(roles: list[str]) -> str:
        return ", ".join(ROLE_NOUNS.get(r[len(CAKG):], labels.get(r) or compact(r)) for r in sorted(roles))

    edge_map: OrderedDict[str, dict] = OrderedDict()
    for row in edges.rows:
        e = row["edge"].value
        item = edge_map.get(e)
        if item is None:
            a, b = row["a"].value, row["b"].value
            ends = [x for x in (a, b) if x != iri]
            item = edge_map[e] = {"edge": iri_view(e, labels, base), "relation": iri_view(row["rel"].value, labels,
                                                                                          base),
                                  "ends": [iri_view(x, labels, base) for x in (ends if len(ends) == 1 else [a, b])],
                                  "source": a, "facts": OrderedDict(), "is_end": iri in (a, b),
                                  "weight": _weight_text(_val(row, "weight"))}
        if "fact" not in row:
            continue
        fact = item["facts"].setdefault(row["fact"].value, {
            "fact": iri_view(row["fact"].value, labels, base), "rules": [], "source": [], "source_roles": [],
            "target": [], "target_roles": [], "actors": _val(row, "n"), "share": _weight_text(_val(row, "share"))})
        for key, column in (("rules", "rule"), ("source", "sourceInFact"), ("source_roles", "sourceRole"),
                            ("target", "targetInFact"), ("target_roles", "targetRole")):
            value = _val(row, column)
            if value and value not in fact[key]:
                fact[key].append(value)
    for item in edge_map.values():
        facts = []
        for fact in item["facts"].values():
            # Told from the page's side: this entity (or the end it is drawn as) first.
            first, second = ("source", "target")
            if item["is_end"] and item["source"] != iri:
                first, second = ("target", "source")
            fact["pair"] = [
                {"named": [iri_view(x, labels, base) for x in sorted(fact[first])], "roles": role_text(fact[first + "_roles"])},
                {"named": [iri_view(x, labels, base) for x in sorted(fact[second])], "roles": role_text(fact[second + "_roles"])}]
            fact["rule_labels"] = [labels.get(r) or compact(r) for r in sorted(fact["rules"])]
            facts.append(fact)
        item["facts"] = facts
        if not item["weight"]:
            item["weight"] = str(len(facts))
    return sorted(edge_map.values(), key=lambda x: (x["relation"].label, -float(x["weight"] or 0), -len(x["facts"]),
                                                    [v.label for v in x["ends"]]))


def exists(store: GraphStore, iri: str) -> bool:
    """Whether the graph says anything about ``iri`` or to it."""
    return bool(_safe_iri(iri) and store.select(f"ASK {{ {{ <{iri}> ?p ?o }} UNION {{ ?s ?q <{iri}> }} }}",
                                                 "entity").boolean)


def entity(store: GraphStore, iri: str, base: str) -> dict[str, Any] | None:
    """An entity's page: labels, types, relations (asserted, inferred, derived), evidence, edges; None if unknown."""
    if not exists(store, iri):
        return None
    node = f"<{iri}>"
    outgoing = store.select(f"SELECT ?p ?o ?g WHERE {{ GRAPH ?g {{ {node} ?p ?o }} }}")
    incoming = store.select(
        f"SELECT ?s ?p ?g WHERE {{ GRAPH ?g {{ ?s ?p {node} }} }} LIMIT {INCOMING_LIMIT}")
    evidence = store.select(f"""{PREFIX_BLOCK}
        SELECT ?e ?quote ?passage ?ptext ?section ?number ?doc ?docLabel WHERE {{
          {node} cakg:evidence ?e .
          OPTIONAL {{ ?e cakg:quote ?quote }}
          OPTIONAL {{ ?e prov:wasQuotedFrom ?passage .
            OPTIONAL {{ ?passage cakg:text ?ptext }}
            OPTIONAL {{ ?passage cakg:section ?section . OPTIONAL {{ ?section cakg:sectionNumber ?number }} }}
            OPTIONAL {{ ?passage cakg:inDocument ?doc .
              OPTIONAL {{ ?doc rdfs:label ?docLabel FILTER(LANGMATCHES(LANG(?docLabel), "en")) }} }} }}
        }}""")
    # Derived edges with their explanation: per fact the rules, both ends as the fact names them, their roles
    # and the weight the fact gives (cakg:EdgeSupport).
    edges = store.select(f"""{PREFIX_BLOCK}
        SELECT ?edge ?rel ?a ?b ?weight ?fact ?rule ?sourceInFact ?sourceRole ?targetInFact ?targetRole ?n ?share
        WHERE {{
          {{ ?edge cakg:edgeSource {node} }} UNION {{ ?edge cakg:edgeTarget {node} }}
          UNION {{ ?edge cakg:derivedFrom {node} }}
          ?edge cakg:relation ?rel ; cakg:edgeSource ?a ; cakg:edgeTarget ?b .
          OPTIONAL {{ ?edge cakg:weight ?weight }}
          OPTIONAL {{ ?edge cakg:derivedFrom ?fact
            OPTIONAL {{ ?edge cakg:support ?support . ?support cakg:derivedFrom ?fact .
              OPTIONAL {{ ?support cakg:derivedBy ?rule }}
              OPTIONAL {{ ?support cakg:sourceInFact ?sourceInFact }} OPTIONAL {{ ?support cakg:sourceRole ?sourceRole }}
              OPTIONAL {{ ?support cakg:targetInFact ?targetInFact }} OPTIONAL {{ ?support cakg:targetRole ?targetRole }}
              OPTIONAL {{ ?support cakg:actorCount ?n }} OPTIONAL {{ ?support cakg:weight ?share }} }} }}
        }}""")

    out_rows = _collect(outgoing, "o")
    in_rows = _collect(incoming, "s")
    types = {t.value for p, t, _ in out_rows if p == RDF + "type" and t.kind == "uri"}
    is_passage = CAKG + "Passage" in types
    is_section = CAKG + "Section" in types
    is_document = CAKG + "Document" in types

    # What each kind of page shows apart from the relations.
    citing, section_passages, document_sections = [], [], []
    if is_passage:
        citing_table = store.select(f"""{PREFIX_BLOCK}
            SELECT ?e ?quote ?fact WHERE {{ ?e prov:wasQuotedFrom {node} .
              OPTIONAL {{ ?e cakg:quote ?quote }} OPTIONAL {{ ?fact cakg:evidence ?e }} }}""")
        citing = citing_table
    if is_section:
        section_passages = store.select(f"""{PREFIX_BLOCK}
            SELECT ?p ?kind ?text ?order (COUNT(DISTINCT ?e) AS ?quotes) WHERE {{
              ?p cakg:section {node} ; cakg:documentOrder ?order ; cakg:text ?text .
              OPTIONAL {{ ?p cakg:passageKind ?kind }} OPTIONAL {{ ?e prov:wasQuotedFrom ?p }}
            }} GROUP BY ?p ?kind ?text ?order ORDER BY ?order""").rows
    if is_document:
        document_sections = store.select(f"""{PREFIX_BLOCK}
            SELECT ?s ?number ?title ?level WHERE {{
              ?s a cakg:Section ; cakg:inDocument {node} ; cakg:documentOrder ?order .
              OPTIONAL {{ ?s cakg:sectionNumber ?number }} OPTIONAL {{ ?s dcterms:title ?title }}
              OPTIONAL {{ ?s cakg:level ?level }}
            }} ORDER BY ?order""").rows

    wanted = [iri] + [p for p, _, _ in out_rows + in_rows] + [t.value for _, t, _ in out_rows + in_rows
                                                              if t.kind == "uri"]
    wanted += _iris(evidence) + _iris(edges)
    if citing:
        wanted += _iris(citing)
    labels = labels_of(store, wanted)

    # Labels in every language, types, coordinates, Wikidata.
    label_rows = []
    for prop, term, graphs in out_rows:
        if prop in LABEL_PROPERTIES and term.kind == "literal":
            label_rows.append({"prop": compact(prop), "value": term.value, "lang": term.lang})
    prop_order = [compact(p) for p in LABEL_PROPERTIES]
    label_rows.sort(key=lambda r: (prop_order.index(r["prop"]), r["lang"] != "en", r["lang"] != "zh",
                                   r["lang"] or "", r["value"]))
    heading = next((r["value"] for r in label_rows if r["prop"] == "rdfs:label" and r["lang"] == "en"), None) \
        or next((r["value"] for r in label_rows if r["prop"] in ("rdfs:label", "skos:prefLabel")), None) \
        or labels.get(iri) or compact(iri)
    type_views = []
    for prop, term, graphs in out_rows:
        if prop == RDF + "type" and term.kind == "uri":
            type_views.append(view(term, labels, base, _note(graphs)))
    type_views.sort(key=lambda v: (v.note is not None, not v.value.startswith(CAKG), v.label.lower()))
    coordinates = {}
    for prop, term, _ in out_rows:
        if prop in (GEO + "lat", GEO + "long") and term.kind == "literal":
            coordinates[prop[len(GEO):]] = term.value
    if not {"lat", "long"} <= set(coordinates):
        coordinates = {}
    wikidata = []
    for prop, term, _ in out_rows:
        if prop in MATCH_PROPERTIES and term.kind == "uri" and term.value.startswith(WIKIDATA):
            qid = term.value.rstrip("/").rsplit("/", 1)[-1]
            if qid not in [w["qid"] for w in wikidata]:
                wikidata.append({"qid": qid, "iri": term.value, "href": "https://www.wikidata.org/wiki/" + qid,
                                 "prop": compact(prop)})

    hidden_out = set(LABEL_PROPERTIES) | {RDF + "type", CAKG + "evidence"}
    if is_passage:
        hidden_out |= {CAKG + "text", SCHEMA + "text"}
    hidden_in = {CAKG + "edgeSource", CAKG + "edgeTarget", CAKG + "derivedFrom", PROV + "wasDerivedFrom",
                 CAKG + "sourceInFact", CAKG + "targetInFact"}
    if is_passage:
        hidden_in |= {PROV + "wasQuotedFrom"}
    relations, inferred = _group([r for r in out_rows if r[0] not in hidden_out], labels, base)
    # A symmetric statement (connected to, cooperates with) is shown once, among the statements.
    said = {(p, t.value) for p, t, _ in out_rows if t.kind == "uri"}
    reverse, reverse_inferred = _group([r for r in in_rows if r[0] not in hidden_in and (r[0], r[1].value) not in said],
                                       labels, base)

    # Evidence: each quote with the passage that holds it, its section and document.
    quotes: OrderedDict[str, dict] = OrderedDict()
    for row in evidence.rows:
        e = row["e"].value
        entry = quotes.setdefault(e, {"iri": e, "quotes": [], "passages": {}})
        quote_text = _val(row, "quote")
        if quote_text and quote_text not in entry["quotes"]:
            entry["quotes"].append(quote_text)
        passage = _val(row, "passage")
        if passage and passage not in entry["passages"]:
            entry["passages"][passage] = {
                "passage": iri_view(passage, labels, base), "text": _val(row, "ptext", ""),
                "number": _val(row, "number"),
                "section": iri_view(row["section"].value, labels, base) if "section" in row else None,
                "document": _val(row, "docLabel") or (labels.get(row["doc"].value) if "doc" in row else None),
                "doc_href": href_for(row["doc"].value, base) if "doc" in row else None}
    evidence_items = []
    for entry in quotes.values():
        passages = list(entry["passages"].values())
        for quote_text in entry["quotes"] or [""]:
            holders = [p for p in passages if quote_text and quote_text in (p["text"] or "")] or passages
            evidence_items.append({"quote": quote_text, "sources": holders, "evidence": entry["iri"]})

    # Derived edges: relation, ends, weight, and why: per fact the ends as it names them, their roles, the rules.
    edge_items = _edge_items(edges, iri, labels, base)

    passage_view = None
    if is_passage:
        text = next((t.value for p, t, _ in out_rows if p == CAKG + "text"), "")
        facts: OrderedDict[str, dict] = OrderedDict()
        quoted = []
        for row in citing.rows:
            q = _val(row, "quote")
            if q:
                quoted.append(q)
            key = _val(row, "fact") or row["e"].value
            item = facts.setdefault(key, {"fact": iri_view(key, labels, base), "quotes": []})
            if q and q not in item["quotes"]:
                item["quotes"].append(q)
        section = next((t.value for p, t, _ in out_rows if p == CAKG + "section"), None)
        document = next((t.value for p, t, _ in out_rows if p == CAKG + "inDocument"), None)
        passage_view = {"segments": _segments(text, quoted), "facts": list(facts.values()),
                        "section": iri_view(section, labels, base) if section else None,
                        "document": iri_view(document, labels, base) if document else None}
    section_view = None
    if is_section:
        section_view = [{"passage": iri_view(r["p"].value, labels, base), "kind": _val(r, "kind"),
                         "text": r["text"].value, "quotes": int(_val(r, "quotes", "0"))} for r in section_passages]
    document_view = None
    if is_document:
        document_view = [{"section": iri_view(r["s"].value, labels, base), "number": _val(r, "number"),
                          "title": _val(r, "title"), "level": int(_val(r, "level", "1") or 1)}
                         for r in document_sections]

    local = iri[len(ID):] if iri.startswith(ID) else None
    data_links = []
    if local is not None:
        path = base + "/id/" + quote(local, safe="/:@-._~!$&'()*+,;=")
        data_links = [(f.title, path + f.extension) for f in DATA_LINK_FORMATS]
    describe = f"DESCRIBE <{iri}>"
    return dict(title=f"{heading} — cakg", iri=iri, heading=heading, labels_all=label_rows, types=type_views,
                relations=relations, inferred=inferred, reverse=reverse, reverse_inferred=reverse_inferred,
                incoming_truncated=len(incoming.rows) >= INCOMING_LIMIT, evidence=evidence_items,
                edges=edge_items, wikidata=wikidata, coordinates=coordinates, passage=passage_view,
                section_passages=section_view, document_sections=document_view, data_links=data_links,
                editor_link=url_with(base + "/editor", [("query", describe)]))


# ------------------------------------------------------------------ search

def search(index: Any, q: str, base: str, class_filter: str | None = None, doc_filter: str | None = None) -> dict:
    """Entities and passages matching ``q`` in a :class:`cakg.search_index.SearchIndex`, grouped, with facets.

    ``class_filter`` is a class IRI (or prefixed name) an entity must have, ``doc_filter``
    a document code; both come from a request and are only compared, never put in a query.
    """
    if class_filter and ":" in class_filter and not class_filter.startswith(("http://", "https://")):
        prefix, _, local = class_filter.partition(":")
        class_filter = PREFIXES.get(prefix, prefix + ":") + local
    return index.search(q, base, class_filter or None, doc_filter or None)



# ------------------------------------------------------------------ reading view

DOCUMENT_CODE = re.compile(r"[a-z][a-z0-9-]{0,31}")
PASSAGE_PREFIX = ID + "passage/"


def passage_url(passage_iri: str, quote_text: str | None = None, base: str = "") -> str | None:
    """Where a quote is read in its document: ``/read/passage/SLUG?quote=…``, which leads to the passage, highlighted.

    For any template or view that shows a quote with its passage IRI (``passage_url`` is a
    global of the templates: ``passage_url(passage, quote, base)``); None for an IRI that is
    not a passage of this graph.
    """
    if not passage_iri or not passage_iri.startswith(PASSAGE_PREFIX):
        return None
    slug = passage_iri[len(PASSAGE_PREFIX):]
    url = base + "/read/passage/" + quote(slug, safe="-._~")
    return url + ("?" + urlencode({"quote": quote_text}) if quote_text else "")


def passage_anchor(passage_iri: str) -> str:
    """The id of a passage in its document's reading view."""
    return "passage-" + passage_iri[len(PASSAGE_PREFIX):] if passage_iri.startswith(PASSAGE_PREFIX) else ""


def passage_document(store: GraphStore, slug: str) -> str | None:
    """The short code of the document holding passage ``slug`` (None if there is no such passage)."""
    iri = PASSAGE_PREFIX + slug
    if not _safe_iri(iri):
        return None
    table = store.select(f"PREFIX cakg: <{CAKG}> SELECT ?code WHERE {{ <{iri}> cakg:inDocument ?d . "
                         "?d cakg:shortCode ?code } LIMIT 1", "passage document")
    return table.rows[0]["code"].value if table.rows else None


def documents(store: GraphStore, base: str) -> list[dict]:
    """The documents that have text to read, with their passages and the facts citing them."""
    table = store.select(f"""{PREFIX_BLOCK}
        SELECT ?code (SAMPLE(?l) AS ?label) (SAMPLE(?date) AS ?issued) (COUNT(DISTINCT ?p) AS ?passages)
               (COUNT(DISTINCT ?f) AS ?facts) WHERE {{
          ?d a cakg:Document ; cakg:shortCode ?code . ?p cakg:inDocument ?d ; cakg:text ?text .
          OPTIONAL {{ ?d rdfs:label ?l FILTER(LANGMATCHES(LANG(?l), "en")) }} OPTIONAL {{ ?d dcterms:issued ?date }}
          OPTIONAL {{ ?e prov:wasQuotedFrom ?p . ?f cakg:evidence ?e }}
        }} GROUP BY ?code ORDER BY ?issued ?code""", "documents to read")
    return [{"code": r["code"].value, "label": _val(r, "label") or r["code"].value, "date": _val(r, "issued"),
             "passages": int(_val(r, "passages", "0")), "facts": int(_val(r, "facts", "0")),
             "href": f"{base}/read/{r['code'].value}"} for r in table.rows]


def reading(store: GraphStore, code: str, base: str) -> dict[str, Any] | None:
    """A document to read: its sections in order, each passage with the facts that cite it; None if unknown."""
    if not DOCUMENT_CODE.fullmatch(code):
        return None
    doc_table = store.select(f"""{PREFIX_BLOCK}
        SELECT ?d ?p ?o WHERE {{ ?d a cakg:Document ; cakg:shortCode {_lit(code)} ; ?p ?o }}""", "reading document")
    if not doc_table.rows:
        return None
    doc = doc_table.rows[0]["d"].value
    props: dict[str, list[Term]] = {}
    for row in doc_table.rows:
        props.setdefault(row["p"].value, []).append(row["o"])

    def first(prop: str) -> str | None:
        terms = props.get(prop, [])
        chosen = next((t for t in terms if t.lang in (None, "en")), terms[0] if terms else None)
        return chosen.value if chosen is not None else None

    node = f"<{doc}>"
    sections = store.select(f"""{PREFIX_BLOCK}
        SELECT ?s ?number ?title ?level ?order WHERE {{ ?s a cakg:Section ; cakg:inDocument {node} ;
          cakg:documentOrder ?order . OPTIONAL {{ ?s cakg:sectionNumber ?number }}
          OPTIONAL {{ ?s dcterms:title ?title }} OPTIONAL {{ ?s cakg:level ?level }} }} ORDER BY ?order""",
                            "reading sections")
    passages = store.select(f"""{PREFIX_BLOCK}
        SELECT ?p ?text ?section ?kind ?label ?order WHERE {{ ?p cakg:inDocument {node} ; cakg:text ?text ;
          cakg:documentOrder ?order . OPTIONAL {{ ?p cakg:section ?section }} OPTIONAL {{ ?p cakg:passageKind ?kind }}
          OPTIONAL {{ ?p rdfs:label ?label }} }} ORDER BY ?order""", "reading passages")
    citations = store.select(f"""{PREFIX_BLOCK}
        SELECT ?p ?fact ?quote ?type WHERE {{ ?p cakg:inDocument {node} . ?e prov:wasQuotedFrom ?p .
          ?fact cakg:evidence ?e . OPTIONAL {{ ?e cakg:quote ?quote }}
          OPTIONAL {{ GRAPH ?g {{ ?fact a ?type }} FILTER(?g != <{INFERRED_GRAPH}> && STRSTARTS(STR(?type), "{CAKG}")) }}
        }}""", "reading citations")
    labels = labels_of(store, [doc] + _iris(citations))
    facts_of: dict[str, OrderedDict[str, dict]] = {}
    for row in citations.rows:
        passage, fact = row["p"].value, row["fact"].value
        item = facts_of.setdefault(passage, OrderedDict()).setdefault(fact, {
            "iri": fact, "href": href_for(fact, base), "label": labels.get(fact) or compact(fact),
            "types": [], "quotes": []})
        quote_text = _val(row, "quote")
        if quote_text and quote_text not in item["quotes"]:
            item["quotes"].append(quote_text)
        kind = _val(row, "type")
        if kind and (labels.get(kind) or compact(kind)) not in item["types"]:
            item["types"].append(labels.get(kind) or compact(kind))
    by_section: OrderedDict[str, list[dict]] = OrderedDict()
    loose: list[dict] = []
    for row in passages.rows:
        iri = row["p"].value
        facts = sorted(facts_of.get(iri, {}).values(), key=lambda f: f["label"].lower())
        entry = {"iri": iri, "anchor": passage_anchor(iri) or "passage-" + str(len(loose)), "kind": _val(row, "kind"),
                 "label": _val(row, "label"), "text": row["text"].value, "href": href_for(iri, base),
                 "facts": facts, "quotes": [q for f in facts for q in f["quotes"]]}
        section = _val(row, "section")
        (by_section.setdefault(section, []) if section else loose).append(entry)
    section_views = []
    for row in sections.rows:
        iri = row["s"].value
        section_views.append({"iri": iri, "href": href_for(iri, base), "number": _val(row, "number"),
                              "title": _val(row, "title"), "level": int(_val(row, "level", "1") or 1),
                              "anchor": "section-" + iri.rsplit("/", 1)[-1], "passages": by_section.get(iri, [])})
    if loose:
        section_views.append({"iri": None, "href": None, "number": None, "title": "Other passages", "level": 1,
                              "anchor": "section-other", "passages": loose})
    issuers = []
    for prop in (DCTERMS + "publisher", DCTERMS + "creator", CAKG + "issuedBy"):
        for term in props.get(prop, []):
            if term.kind == "uri" and term.value not in [i.value for i in issuers]:
                issuers.append(iri_view(term.value, labels, base))
    total = sum(len(s["passages"]) for s in section_views)
    cited = sum(1 for s in section_views for p in s["passages"] if p["facts"])
    return {"code": code, "iri": doc, "href": href_for(doc, base), "label": first(RDFS + "label") or labels.get(doc) or code,
            "title": first(DCTERMS + "title"), "date": first(DCTERMS + "issued"), "issuers": issuers,
            "rights": first(DCTERMS + "rights"), "sections": section_views, "passages": total, "cited": cited,
            "facts": len({f["iri"] for s in section_views for p in s["passages"] for f in p["facts"]})}


def reading_segments(text: str, quotes: list[str], focus: str | None = None) -> list[tuple[str, str]]:
    """``text`` as (piece, mark): "" plain, "quoted" for words a fact quotes, "focus" for the quote being read."""
    plain = _segments(text, quotes)
    if not focus or focus not in text:
        return [(piece, "quoted" if marked else "") for piece, marked in plain]
    start = text.find(focus)
    out: list[tuple[str, str]] = []
    position = 0
    for piece, marked in plain:
        end = position + len(piece)
        for lo, hi, mark in ((position, min(end, start), "quoted" if marked else ""),
                             (max(position, start), min(end, start + len(focus)), "focus"),
                             (max(position, start + len(focus)), end, "quoted" if marked else "")):
            if lo < hi:
                if out and out[-1][1] == mark:
                    out[-1] = (out[-1][0] + text[lo:hi], mark)
                else:
                    out.append((text[lo:hi], mark))
        position = end
    return out



# ------------------------------------------------------------------ editor

def editor_terms(store: GraphStore) -> dict[str, list[str]]:
    """The properties and classes the graph uses, for the editor's completion."""
    terms = store.select("SELECT DISTINCT ?t ?kind WHERE { { ?s ?t ?o BIND(\"property\" AS ?kind) } "
                         "UNION { ?s a ?t BIND(\"class\" AS ?kind) } FILTER(isIRI(?t)) }", "editor terms")
    return {"properties": sorted({r["t"].value for r in terms.rows if r["kind"].value == "property"}),
            "classes": sorted({r["t"].value for r in terms.rows if r["kind"].value == "class"})}
