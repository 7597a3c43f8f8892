"""Parse the ontology and data files strictly, one named graph per file.

pyoxigraph's parser rejects every malformed Turtle document of the W3C test
suite (rdflib accepts 39 of 94), so a curator's typo is an error with a line
number rather than a silently different graph. Blank nodes are replaced by
IRIs derived from their content, so the same input always gives the same
output bytes.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import BlankNode, NamedNode, Quad, RdfFormat, parse

from .errors import ParseError
from .vocab import CAKG, ID

GENID = "https://w3id.org/cakg/.well-known/genid/"
_EVIDENCE_HINTS = {NamedNode(CAKG + "quote"), NamedNode(CAKG + "Evidence")}


@dataclass(frozen=True)
class SourceFile:
    """A Turtle file of the project and the named graph it is loaded into.

    ``content`` holds the bytes when the caller has read them already (a build reads
    each input once, see :mod:`cakg.inputs`); otherwise ``path`` is read, without
    following a symbolic link and at most :data:`~cakg.inputs.MAX_TURTLE_BYTES`.
    """

    path: Path
    graph: NamedNode
    content: bytes | None = None

    @property
    def display(self) -> str:
        return self.path.as_posix()


def parse_file(source: SourceFile, skolemise_blank_nodes: bool = True) -> list[Quad]:
    """All triples of one Turtle file as quads in its named graph, blank nodes skolemised."""
    data = source.content
    if data is None:
        from .inputs import MAX_TURTLE_BYTES, read_confined

        data, _stamp = read_confined(source.path.parent, source.path.name, source.display, MAX_TURTLE_BYTES)
    try:
        triples = list(parse(data, format=RdfFormat.TURTLE, base_iri=ID))
    except SyntaxError as error:
        message = str(error.args[0]) if error.args else str(error)
        # pyoxigraph prefixes "Parser error between line L column C and …"; keep the reason.
        reason = message.split(": ", 1)[1] if message.startswith("Parser error") and ": " in message else message
        raise ParseError(source.display, error.lineno, error.offset, reason) from None
    except UnicodeDecodeError as error:
        raise ParseError(source.display, None, None, f"not UTF-8 (byte {error.start})") from None
    if skolemise_blank_nodes:
        triples = list(skolemise(triples))
    return [Quad(t.subject, t.predicate, t.object, source.graph) for t in triples]


def skolemise(triples: Iterable) -> Iterator:
    """Replace each blank node by an IRI hashed from what it says (recursively).

    Two blank nodes that say exactly the same thing get the same IRI, which is
    what they mean anyway. Evidence nodes go under ``id/evidence/``; the rest
    (amounts, OWL class expressions, lists) become RDF 1.1 skolem IRIs under
    ``/.well-known/genid/``.
    """
    triples = list(triples)
    outgoing: dict[BlankNode, list] = defaultdict(list)
    for t in triples:
        if isinstance(t.subject, BlankNode):
            outgoing[t.subject].append(t)
    if not outgoing and not any(isinstance(t.object, BlankNode) for t in triples):
        yield from triples
        return
    names: dict[BlankNode, NamedNode] = {}

    def digest(node: BlankNode, depth: int = 0) -> str:
        parts = []
        for t in outgoing.get(node, []):
            obj = t.object
            if isinstance(obj, BlankNode):
                value = "_:" + (digest(obj, depth + 1) if depth < 16 else "cycle")
            else:
                value = str(obj)
            parts.append(f"{t.predicate} {value}")
        return hashlib.sha1("\n".join(sorted(parts)).encode()).hexdigest()[:20]

    def name(node: BlankNode) -> NamedNode:
        if node not in names:
            kind = "evidence" if any(
                t.predicate in _EVIDENCE_HINTS or t.object in _EVIDENCE_HINTS
                for t in outgoing.get(node, [])) else "node"
            base = f"{ID}evidence/" if kind == "evidence" else GENID
            names[node] = NamedNode(base + digest(node))
        return names[node]

    from pyoxigraph import Triple

    for t in triples:
        s = name(t.subject) if isinstance(t.subject, BlankNode) else t.subject
        o = name(t.object) if isinstance(t.object, BlankNode) else t.object
        yield Triple(s, t.predicate, o)

