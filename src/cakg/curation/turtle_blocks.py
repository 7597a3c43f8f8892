"""Readable Turtle for one node at a time, and edits that leave the rest of a file's text alone.

A data file is a sequence of statements (prefix lines and node blocks, in the
layout of docs/data-model.md). New nodes are written as one block appended to
the file; an edited node's block is replaced in place and a deleted one cut
out, so hand-written text, comments and order elsewhere never change. After
every edit the file is parsed again and its triples are compared with what
the edit should have produced; any difference refuses the edit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, parse

from ..errors import InputError
from ..loader import skolemise
from ..vocab import ID, XSD

# The prefixes of a file the tools create (those of the hand-written data files, and a few more).
DATA_PREFIXES: dict[str, str] = {
    "cakg": "https://w3id.org/cakg/ontology#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": XSD,
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "qb": "http://purl.org/linked-data/cube#",
    "dcterms": "http://purl.org/dc/terms/",
    "country": ID + "country/",
    "org": ID + "org/",
    "group": ID + "group/",
    "city": ID + "city/",
    "region": ID + "region/",
    "zone": ID + "zone/",
    "agreement": ID + "agreement/",
    "policy": ID + "policy/",
    "infra": ID + "infrastructure/",
    "project": ID + "project/",
    "investment": ID + "investment/",
    "mechanism": ID + "mechanism/",
    "event": ID + "event/",
    "commitment": ID + "commitment/",
    "recommendation": ID + "recommendation/",
    "obs": ID + "observation/",
    "dataset": ID + "dataset/",
    "product": ID + "product/",
    "partnership": ID + "partnership/",
    "entry": ID + "market-entry/",
    "topic": ID + "topic/",
    "indicator": ID + "indicator/",
    "unit": ID + "unit/",
    "passage": ID + "passage/",
    "doc": ID + "doc/",
}

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_LOCAL = re.compile(r"^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_-])?$")
_PREFIX_LINE = re.compile(r"^\s*(?:@prefix|PREFIX)\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.MULTILINE | re.IGNORECASE)


@dataclass
class Node:
    """What a block says about its subject: predicates in the order they are written, each with its values.

    A value is a NamedNode, a Literal, or a nested Node (written as ``[ … ]``).
    """

    statements: list[tuple[str, list]] = field(default_factory=list)

    def add(self, predicate: str, value) -> None:
        for p, values in self.statements:
            if p == predicate:
                if value not in values:
                    values.append(value)
                return
        self.statements.append((predicate, [value]))

    def values(self, predicate: str) -> list:
        return next((values for p, values in self.statements if p == predicate), [])


def file_header(comment: str, prefixes: dict[str, str] = DATA_PREFIXES) -> str:
    lines = [f"# {line}".rstrip() for line in comment.splitlines()]
    width = max(len(p) for p in prefixes) + 1
    lines += [f"@prefix {p + ':':<{width}} <{iri}> ." for p, iri in prefixes.items()]
    return "\n".join(lines) + "\n"


def prefixes_of(text: str) -> dict[str, str]:
    return {(m.group(1) or ""): m.group(2) for m in _PREFIX_LINE.finditer(text)}


def term_text(term, prefixes: dict[str, str]) -> str:
    if isinstance(term, NamedNode):
        if term.value == RDF_TYPE:
            return "a"
        best = max(((p, ns) for p, ns in prefixes.items() if term.value.startswith(ns)),
                   key=lambda item: len(item[1]), default=None)
        if best is not None and _LOCAL.match(term.value[len(best[1]):]):
            return f"{best[0]}:{term.value[len(best[1]):]}"
        return f"<{term.value}>"
    if isinstance(term, Literal):
        text = '"' + (term.value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
                      .replace("\r", "\\r").replace("\t", "\\t")) + '"'
        if term.language:
            return f"{text}@{term.language}"
        datatype = term.datatype.value
        if datatype == XSD + "string":
            return text
        if datatype == XSD + "integer" and re.fullmatch(r"[+-]?\d+", term.value):
            return term.value
        if datatype == XSD + "boolean" and term.value in ("true", "false"):
            return term.value
        return f"{text}^^{term_text(NamedNode(datatype), prefixes)}"
    raise TypeError(f"cannot write {term!r}")


def render_block(subject: NamedNode, node: Node, prefixes: dict[str, str]) -> str:
    """The block for ``subject``: one predicate per line, nested nodes indented, ending with `` .``."""
    return term_text(subject, prefixes) + "\n" + _render_body(node, prefixes, 1) + " .\n"


def _render_body(node: Node, prefixes: dict[str, str], depth: int) -> str:
    indent = "    " * depth
    lines = []
    for predicate, values in node.statements:
        rendered = []
        for value in values:
            if isinstance(value, Node):
                rendered.append("[\n" + _render_body(value, prefixes, depth + 1) + "\n" + indent + "]")
            else:
                rendered.append(term_text(value, prefixes))
        lines.append(f"{indent}{term_text(NamedNode(predicate), prefixes)} {' , '.join(rendered)}")
    return " ;\n".join(lines)


@dataclass(frozen=True)
class Statement:
    start: int
    end: int  # just after the closing "."
    subject: str  # the first token as written


def statements(text: str) -> list[Statement]:
    """The top-level statements of a Turtle text with their character spans."""
    found: list[Statement] = []
    i, n = 0, len(text)
    start: int | None = None
    depth = 0
    while i < n:
        c = text[i]
        if c == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end + 1
            continue
        if c.isspace():
            i += 1
            continue
        if start is None:
            start = i
            directive = re.match(r"(?i)(PREFIX|BASE)\s[^<]*<[^>]*>", text[i:])
            if directive:  # SPARQL-style directives end with their IRI, without a dot
                found.append(Statement(start, i + directive.end(), directive.group(1)))
                i, start = i + directive.end(), None
                continue
        if c in "\"'":
            quote = c * 3 if text.startswith(c * 3, i) else c
            i += len(quote)
            while i < n and not text.startswith(quote, i):
                i += 2 if text[i] == "\\" else 1
            i += len(quote)
            continue
        if c == "<":
            end = text.find(">", i)
            i = n if end < 0 else end + 1
            continue
        if c in "[(":
            depth += 1
        elif c in "])":
            depth -= 1
        elif c == "." and depth == 0 and (i + 1 >= n or text[i + 1].isspace() or text[i + 1] == "#"):
            head = text[start:i + 1]
            first = re.match(r"<[^>]*>|[^\s;,]+", head)
            found.append(Statement(start, i + 1, first.group(0) if first else ""))
            start = None
        i += 1
    return found


def expand(token: str, prefixes: dict[str, str]) -> str | None:
    if token.startswith("<") and token.endswith(">"):
        return token[1:-1]
    prefix, sep, local = token.partition(":")
    if sep and prefix in prefixes and not token.startswith("@"):
        return prefixes[prefix] + local
    return None


def blocks_of(text: str, subject: str) -> list[Statement]:
    """The statements of ``text`` whose subject is the IRI ``subject``."""
    prefixes = prefixes_of(text)
    return [s for s in statements(text) if expand(s.subject, prefixes) == subject]


def append_block(text: str, block: str) -> str:
    return text.rstrip("\n") + "\n\n" + block


def replace_block(text: str, subject: str, block: str | None) -> str:
    """``text`` with the one block about ``subject`` replaced by ``block`` (removed if None)."""
    found = blocks_of(text, subject)
    if len(found) != 1:
        raise InputError(f"<{subject}> is described in {len(found)} statements of its file; edit it by hand")
    statement = found[0]
    if block is not None:
        return text[:statement.start] + block.rstrip("\n") + text[statement.end:]
    before, after = text[:statement.start], text[statement.end:]
    return before.rstrip("\n") + ("\n\n" if after.strip() else "\n") + after.lstrip("\n")


def triples(text: str, display: str) -> set:
    """The triples of a Turtle text, blank nodes named by content (so equal descriptions compare equal)."""
    try:
        return {(t.subject, t.predicate, t.object) for t in skolemise(parse(text.encode("utf-8"),
                                                                             format=RdfFormat.TURTLE, base_iri=ID))}
    except SyntaxError as error:
        raise InputError(f"{display}: the edit would not parse ({error}); nothing written") from None


def description(text: str, subject: str) -> list:
    """The triples of ``text`` about ``subject``, with the nested nodes it owns (pyoxigraph terms)."""
    parsed = list(parse(text.encode("utf-8"), format=RdfFormat.TURTLE, base_iri=ID))
    out: list = []
    todo = [NamedNode(subject)]
    seen = set()
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for t in parsed:
            if t.subject == node:
                out.append(t)
                if isinstance(t.object, BlankNode):
                    todo.append(t.object)
    return out


def node_from_triples(found: Iterable, subject) -> Node:
    """The :class:`Node` a set of triples says about ``subject`` (blank node objects nested)."""
    found = list(found)
    node = Node()
    for t in found:
        if t.subject == subject:
            value = node_from_triples(found, t.object) if isinstance(t.object, BlankNode) else t.object
            node.add(t.predicate.value, value)
    return node
