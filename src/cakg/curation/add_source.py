"""Register a new source document: its text in ``data/sources/CODE.txt``, its description in ``CODE.ttl``.

A plain-text file is taken as it is (UTF-8; line ends made ``\\n``); a PDF
is turned into text by :mod:`pdf_text`. The stored text is what passages
are cut from and quotes are checked against. The description goes into a
file of its own, so the hand-written ``sources.ttl`` is never rewritten;
the build finds every ``cakg:Document`` under ``data/sources/``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import Literal, NamedNode

from ..build import Layout
from ..corpus import Section, segment
from ..errors import InputError
from ..vocab import CAKG, ID, RDF, RDFS, XSD
from .project import Project
from .resolve import resolve_entity
from .transaction import Outcome, apply
from .turtle_blocks import DATA_PREFIXES, Node, file_header, render_block

DCTERMS = "http://purl.org/dc/terms/"
MAX_TEXT_BYTES = 16 * 1024 * 1024
_CODE = re.compile(r"^[a-z][a-z0-9-]{1,31}$")
_DATE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")


@dataclass
class SourceRequest:
    file: Path
    code: str
    title: str
    issuers: list[str]
    date: str
    title_zh: str | None = None
    rights: str | None = None
    language: str = "en"
    headings: tuple[str, ...] = ()  # unnumbered headings the outline reader should open sections at


@dataclass
class AddedSource:
    iri: str
    text_file: str
    description_file: str
    sections: list[Section]
    issuers_as_text: list[str]
    outcome: Outcome


def read_text(path: Path) -> str:
    """The text a source file holds: a PDF's extracted text, or a UTF-8 text file's own."""
    try:
        with path.open("rb") as handle:
            head = handle.read(5)
    except OSError as error:
        raise InputError(f"{path}: cannot read ({error.strerror})") from None
    if not path.is_file():
        raise InputError(f"{path}: not a regular file")
    if head == b"%PDF-":
        from .pdf_text import pdf_text

        return pdf_text(path)
    if path.stat().st_size > MAX_TEXT_BYTES:
        raise InputError(f"{path}: over {MAX_TEXT_BYTES // 2 ** 20} MiB; refused")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(f"{path}: neither a PDF nor UTF-8 text (byte {error.start})") from None
    if "\x00" in text:
        raise InputError(f"{path}: holds NUL characters; not a text file")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise InputError(f"{path}: empty")
    return text if text.endswith("\n") else text + "\n"


def add_source(project: Project, request: SourceRequest) -> AddedSource:
    """Write the text and description of a new document, after validating the project with them."""
    layout: Layout = project.layout
    code = request.code
    if not _CODE.match(code):
        raise InputError(f"--code {code!r}: 2–32 lower-case letters, digits or dashes, starting with a letter")
    if code in project.documents:
        raise InputError(f"--code {code}: a document with this code exists already")
    if not _DATE.match(request.date):
        raise InputError(f"--date {request.date!r}: write YYYY, YYYY-MM or YYYY-MM-DD, as precise as the document")
    text_name, description_name = f"{code}.txt", f"{code}.ttl"
    for name in (text_name, description_name):
        if (layout.sources_dir / name).exists():
            raise InputError(f"{layout.sources_dir / name}: exists already; choose another --code")
    if (layout.data_dir / code).exists():
        raise InputError(f"{layout.data_dir / code}: exists already; choose another --code")
    text = read_text(request.file)
    sections = segment(text, set(request.headings))
    iri = NamedNode(f"{ID}doc/{code}")
    issuers, as_text = [], []
    for name in request.issuers:
        try:
            issuers.append(resolve_entity(project, name))
        except InputError:
            as_text.append(name)
    node = Node()
    node.add(RDF + "type", NamedNode(CAKG + "Document"))
    node.add(RDFS + "label", Literal(request.title, language="en"))
    if request.title_zh:
        node.add(RDFS + "label", Literal(request.title_zh, language="zh"))
    node.add(DCTERMS + "title", Literal(request.title, language="en"))
    for issuer in issuers:
        node.add(DCTERMS + "creator", issuer)
    for name in as_text:
        node.add(DCTERMS + "creator", Literal(name))
    kind = {4: "gYear", 7: "gYearMonth", 10: "date"}[len(request.date)]
    date = Literal(request.date, datatype=NamedNode(XSD + kind))
    node.add(DCTERMS + "issued", date)
    node.add(CAKG + "date", date)
    node.add(DCTERMS + "language", Literal(request.language))
    if request.rights:
        node.add(DCTERMS + "rights", Literal(request.rights))
    node.add(CAKG + "shortCode", Literal(code))
    node.add(CAKG + "sourceFile", Literal(text_name))
    for heading in request.headings:
        node.add(CAKG + "frontMatterHeading", Literal(heading))
    source_name = request.file.name
    header = file_header(f"{request.title}: description of data/sources/{text_name}, taken from {source_name} "
                         "by cakg add-source.\nPassages are generated from the text by `cakg build`.")
    description = header + "\n" + render_block(iri, node, DATA_PREFIXES)

    def plan(read):
        if read(f"sources/{text_name}") is not None or read(f"sources/{description_name}") is not None:
            raise InputError(f"data/sources/{code}.*: exists already; choose another --code")
        return {f"sources/{text_name}": text, f"sources/{description_name}": description}

    outcome = apply(layout, plan, concerning=lambda v: v.focus == iri.value or f"/{code}-" in v.focus)
    return AddedSource(iri.value, f"sources/{text_name}", f"sources/{description_name}", sections, as_text, outcome)
