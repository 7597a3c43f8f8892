"""The ontology's pyLODE documentation inside the site's frame: its sections and contents list without pyLODE's page chrome.

The build writes pyLODE's complete HTML page (:mod:`cakg.ontology_docs`); the
service shows its ``#content`` (metadata once, classes, properties, namespaces,
legend) and its ``#toc`` inside the site layout, without pyLODE's stylesheet,
which would restyle the whole site. Every term also gets an anchor named by
its local name (``#InfrastructureLink``), where the explorer's links to terms
point, beside pyLODE's own (``#Infrastructurelink``).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from .vocab import CAKG

_ENTITY = re.compile(r'<div class="(?:property )?entity" id="([^"]+)">')
_IRI_IN = re.compile(r'<code>(' + re.escape(CAKG) + r'[^<]+)</code>')


@dataclass(frozen=True)
class OntologyDoc:
    title: str
    content: str  # pyLODE's #content, as HTML
    toc: str  # pyLODE's contents list, as HTML


def frame_parts(page: str) -> OntologyDoc | None:
    """The parts of a pyLODE page the site shows; None when the page is not laid out as pyLODE lays it out."""
    start, pylode, toc = page.find('<div id="content">'), page.find('<div id="pylode">'), page.find('<div id="toc">')
    end = page.rfind("</body>")
    if min(start, pylode, toc, end) < 0 or not start < pylode < toc < end:
        return None
    content = page[start:pylode].rstrip()
    title = re.search(r"<h1>(.*?)</h1>", content, re.S)
    contents = page[toc:end].rstrip()
    if contents.endswith("</div>"):
        contents = contents[: -len("</div>")]
    contents = contents[len('<div id="toc">'):].replace("<h3>Table of Contents</h3>", "", 1)
    return OntologyDoc(html.unescape(title.group(1)).strip() if title else "Ontology", _with_local_anchors(content),
                       contents)


def _with_local_anchors(content: str) -> str:
    """Each term's block gets an extra anchor named by the local part of its IRI, where it differs from pyLODE's id."""
    pieces, last = [], 0
    matches = list(_ENTITY.finditer(content))
    for index, match in enumerate(matches):
        block_end = matches[index + 1].start() if index + 1 < len(matches) else len(content)
        iri = _IRI_IN.search(content, match.end(), block_end)
        pieces.append(content[last:match.end()])
        if iri:
            local = iri.group(1)[len(CAKG):]
            if local != match.group(1) and re.fullmatch(r"[A-Za-z0-9_-]+", local):
                pieces.append(f'<span class="term-anchor" id="{local}"></span>')
        last = match.end()
    pieces.append(content[last:])
    return "".join(pieces)


__all__ = ["OntologyDoc", "frame_parts"]
