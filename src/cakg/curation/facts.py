"""Create, edit and delete fact and entity nodes in ``data/CODE/``, each citing a verbatim quote.

A fact goes into ``data/CODE/SECTION.ttl`` (the section of the passage its
quote comes from), an entity into ``data/CODE/entities.ttl``; each is one
block in the layout of docs/data-model.md, appended to the file or replacing
the node's block in place. Every change goes through
:func:`transaction.apply`: validated with the project's shapes as the build
validates, written atomically, or refused with nothing written.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from pyoxigraph import Literal, NamedNode

from ..corpus import section_slug
from ..errors import InputError
from ..sources import SourceDocument
from ..vocab import CAKG, ID, PROV, RDF, RDFS, SKOS
from .project import FACT_CLASSES, Project
from .resolve import PropertyKey
from .transaction import Outcome, apply
from ..loader import skolemise
from .turtle_blocks import (DATA_PREFIXES, Node, append_block, blocks_of, description, file_header,
                            node_from_triples, prefixes_of, render_block, replace_block, triples)

QB_OBSERVATION = "http://purl.org/linked-data/cube#Observation"
# The IRI kind (docs/data-model.md) of each class, nearest class first.
KINDS = {**{CAKG + c: k for c, k in [
    ("Country", "country"), ("City", "city"), ("Region", "region"), ("Zone", "zone"), ("CountryGroup", "group"),
    ("Organisation", "org"), ("Agreement", "agreement"), ("Policy", "policy"),
    ("InfrastructureLink", "infrastructure"), ("InfrastructureFacility", "infrastructure"), ("Project", "project"),
    ("Investment", "investment"), ("Mechanism", "mechanism"), ("Event", "event"), ("Commitment", "commitment"),
    ("Recommendation", "recommendation"), ("Partnership", "partnership"), ("MarketEntry", "market-entry"),
    ("Product", "product"), ("Actor", "group"), ("Place", "place")]}, QB_OBSERVATION: "observation"}
_FIRST = [RDF + "type", RDFS + "label", SKOS + "altLabel"]
_LAST = [CAKG + "note", CAKG + "evidence"]


@dataclass
class Draft:
    """A node to write: class, values by property, and the quote behind it."""

    doc: str
    class_iri: str
    values: list[tuple[PropertyKey, NamedNode | Literal]] = field(default_factory=list)
    quote: str | None = None
    passage: str | None = None  # a passage IRI (or its last segment) when the quote occurs in several
    slug: str | None = None


@dataclass
class Saved:
    iri: str
    file: str  # relative to data/
    block: str
    passage: str | None
    quote: str | None
    outcome: Outcome
    companions: list[tuple[str, str]] = field(default_factory=list)  # (IRI, file) of entities written along


def is_fact_class(project: Project, class_iri: str) -> bool:
    fact = {CAKG + c for c in FACT_CLASSES} | {QB_OBSERVATION}
    return any(c in fact for c in project.superclasses(class_iri))


def slugify(text: str, limit: int = 60) -> str:
    spaced = re.sub(r"[^\w]+", " ", text)  # dashes and slashes separate words, as spaces do
    ascii_text = unicodedata.normalize("NFKD", spaced).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    slug = ""
    for word in words:
        if len(slug) + len(word) + 1 > limit:
            break
        slug = f"{slug}-{word}" if slug else word
    return slug


def locate_quote(document: SourceDocument, quote: str, passage_hint: str | None = None) -> tuple[str, str]:
    """The passage holding ``quote`` and the quote as the source writes it (spacing may differ)."""
    words = quote.split()
    if not words:
        raise InputError("--quote is empty")
    pattern = re.compile(r"\s+".join(re.escape(w) for w in words))
    source = document.text()
    found: dict[str, str] = {}
    for section in document.sections():
        for passage in section.passages:
            iri = document.passage_iri(section.number, passage.position).value
            for match in pattern.finditer(passage.text):
                if match.group(0) in source:
                    found.setdefault(iri, match.group(0))
    if passage_hint:
        found = {iri: q for iri, q in found.items() if iri == passage_hint or iri.endswith("/" + passage_hint)}
    shown = quote if len(quote) <= 70 else quote[:67] + "…"
    if not found:
        where = f" passage {passage_hint}" if passage_hint else f" {document.short_code} ({document.path.name})"
        raise InputError(f"quote not found verbatim in{where}: \"{shown}\"")
    if len(found) > 1:
        listed = ", ".join(iri.rsplit("/", 1)[-1] for iri in found)
        raise InputError(f"quote occurs in {len(found)} passages of {document.short_code} ({listed}); "
                         "quote more words or name one with --passage")
    return next(iter(found.items()))


def _kind(project: Project, class_iri: str) -> str:
    return next((KINDS[c] for c in project.superclasses(class_iri) if c in KINDS), "node")


def node_iri(project: Project, draft: Draft) -> NamedNode:
    if draft.slug:
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,99}", draft.slug):
            raise InputError(f"--id {draft.slug!r}: use lower-case letters, digits and dashes")
        slug = draft.slug
    else:
        english = [v.value for k, v in draft.values if k.iri == RDFS + "label" and k.language == "en"]
        if not english:
            raise InputError("give the node an English label (--set label=…): it names the node and its IRI")
        slug = slugify(english[0])
        if not slug:
            raise InputError("the English label has no letters or digits to make an IRI from; give --id")
    return NamedNode(f"{ID}{_kind(project, draft.class_iri)}/{slug}")


def build_node(draft: Draft, passage: str | None, quote: str | None) -> Node:
    node = Node()
    node.add(RDF + "type", NamedNode(draft.class_iri))
    keyed = sorted(draft.values, key=lambda kv: (_rank(kv[0].iri), ))
    for key, value in keyed:
        node.add(key.iri, value)
    if quote is not None and passage is not None:
        node.add(CAKG + "evidence", evidence(quote, passage))
    return node


def evidence(quote: str, passage: str) -> Node:
    return Node([(RDF + "type", [NamedNode(CAKG + "Evidence")]), (CAKG + "quote", [Literal(quote)]),
                 (PROV + "wasQuotedFrom", [NamedNode(passage)])])


def _rank(iri: str) -> int:
    if iri in _FIRST:
        return _FIRST.index(iri) - 10
    if iri in _LAST:
        return 100 + _LAST.index(iri)
    return 0


def _new_file_comment(project: Project, code: str, section: str | None) -> str:
    title = project.title(code)
    part = f", section {section}" if section else ": entities it introduces"
    return (f"{title}{part}.\nWritten by cakg add-fact and the curation workbench; hand edits are kept "
            "(each node is one block).")


def create(project: Project, draft: Draft, companions: list[Draft] | None = None) -> Saved:
    """Write a new node citing ``draft.quote`` (facts need one; entities may have one).

    ``companions`` are entities created along with it (the workbench's inline
    creation): they cite the same quote and are written in the same change.
    """
    document = project.documents.get(draft.doc)
    if document is None:
        known = ", ".join(sorted(project.documents)) or "none"
        raise InputError(f"--doc {draft.doc}: no such document (known: {known})")
    passage = quote = section = None
    if draft.quote is not None:
        passage, quote = locate_quote(document, draft.quote, draft.passage)
        section = _section_of(document, passage)
    elif is_fact_class(project, draft.class_iri):
        raise InputError("a fact needs --quote: the exact words of the source it comes from")
    placed: list[tuple[NamedNode, str, Node]] = []
    for item in [draft, *(companions or [])]:
        iri = node_iri(project, item)
        if project.is_subject(iri.value) or any(iri == other for other, _, _ in placed):
            where = ", ".join(project.files_describing(iri.value)) or "this change"
            raise InputError(f"<{iri.value}> already exists ({where}); choose another --id or edit that node")
        fact = is_fact_class(project, item.class_iri)
        relative = f"{draft.doc}/{section_slug(section)}.ttl" if fact and section else f"{draft.doc}/entities.ttl"
        placed.append((iri, relative, build_node(item, passage, quote)))
    written: dict[str, str] = {}

    def plan(read):
        texts: dict[str, str] = {}
        for iri, relative, node in placed:
            text = texts.get(relative)
            if text is None:
                old = read(relative)
                text = old if old is not None else file_header(_new_file_comment(
                    project, draft.doc, None if relative.endswith("/entities.ttl") else section))
            if blocks_of(text, iri.value):
                raise InputError(f"<{iri.value}> is already described in data/{relative}")
            block = render_block(iri, node, prefixes_of(text))
            written.setdefault(iri.value, block)
            texts[relative] = append_block(text, block)
        # Entities first: a reader between the two writes never sees a fact naming a missing entity.
        return dict(sorted(texts.items(), key=lambda item: not item[0].endswith("/entities.ttl")))

    iris = {iri.value for iri, _, _ in placed}
    outcome = apply(project.layout, plan, concerning=lambda v: v.focus in iris or v.focus.startswith(ID + "evidence/"))
    for iri, relative, _node in placed:
        _check_only_here(outcome, iri.value, relative)
    main_iri, main_file, _ = placed[0]
    saved = Saved(main_iri.value, main_file, written[main_iri.value], passage, quote, outcome)
    saved.companions = [(iri.value, relative) for iri, relative, _ in placed[1:]]
    return saved


def _section_of(document: SourceDocument, passage_iri: str) -> str:
    for section in document.sections():
        for passage in section.passages:
            if document.passage_iri(section.number, passage.position).value == passage_iri:
                return section.number
    raise InputError(f"{passage_iri}: no such passage")


def _about(iri: str):
    def concerning(violation) -> bool:
        return violation.focus == iri or violation.focus.startswith(ID + "evidence/")
    return concerning


def _check_only_here(outcome: Outcome, iri: str, relative: str) -> None:
    from ..vocab import GRAPH

    graphs = {q.graph_name.value for q in outcome.store.quads_for_pattern(NamedNode(iri), None, None)}
    expected = GRAPH + "data/" + relative[:-4]
    if graphs - {expected, GRAPH + "inferred", GRAPH + "derived"}:
        raise InputError(f"<{iri}> is described elsewhere too ({', '.join(sorted(graphs))})")


def current_node(project: Project, iri: str) -> tuple[str, Node]:
    """The one file describing ``iri`` and what its block says, or an InputError saying why it cannot be edited."""
    files = project.files_describing(iri)
    if len(files) != 1:
        raise InputError(f"<{iri}> is described in {len(files)} files ({', '.join(files) or 'none'}); "
                         "edit it by hand")
    relative = files[0]
    text = (project.layout.data_dir / relative).read_text(encoding="utf-8")
    blocks_of_node = blocks_of(text, iri)
    if len(blocks_of_node) != 1:
        raise InputError(f"<{iri}> is described in {len(blocks_of_node)} statements of data/{relative}; edit it by hand")
    return relative, node_from_triples(description(text, iri), NamedNode(iri))


def edit(project: Project, iri: str, node: Node) -> Saved:
    """Replace the block of ``iri`` by one saying ``node``; nothing else in its file changes."""
    relative, _old = current_node(project, iri)
    written: dict[str, str] = {}

    def plan(read):
        text = read(relative)
        if text is None:
            raise InputError(f"data/{relative} has gone")
        block = render_block(NamedNode(iri), node, prefixes_of(text))
        new_text = replace_block(text, iri, block)
        _check_edit(text, new_text, iri, block, prefixes_of(text), relative)
        written["block"] = block
        return {relative: new_text}

    outcome = apply(project.layout, plan, concerning=_about(iri))
    return Saved(iri, relative, written["block"], None, None, outcome)


def delete(project: Project, iri: str) -> Saved:
    relative, _old = current_node(project, iri)

    def plan(read):
        text = read(relative)
        if text is None:
            raise InputError(f"data/{relative} has gone")
        new_text = replace_block(text, iri, None)
        _check_edit(text, new_text, iri, None, prefixes_of(text), relative)
        return {relative: new_text}

    outcome = apply(project.layout, plan, concerning=lambda v: True)
    return Saved(iri, relative, "", None, None, outcome)


def _check_edit(old: str, new: str, iri: str, block: str | None, prefixes: dict[str, str], relative: str) -> None:
    """The edit changed exactly the node's own triples: the rest of the file says what it said."""
    removed = {(t.subject, t.predicate, t.object) for t in skolemise(description(old, iri))}
    added = set()
    if block is not None:
        header = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in prefixes.items())
        added = triples(header + block, f"data/{relative}")
    if triples(new, f"data/{relative}") != (triples(old, f"data/{relative}") - removed) | added:
        raise InputError(f"data/{relative}: the edit would change more than <{iri}>; edit it by hand")


__all__ = ["DATA_PREFIXES", "Draft", "Saved", "create", "current_node", "delete", "edit", "evidence",
           "is_fact_class", "locate_quote", "slugify"]
