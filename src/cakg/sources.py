"""The source documents as RDF: Document → Section → Passage nodes.

Document descriptions come from ``data/sources/sources.ttl``; sections and
passages are generated from the text files by :mod:`cakg.corpus`, so their
IRIs, numbering and offsets are a function of the text alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad, Store

from .corpus import Section, segment, section_slug
from .errors import InputError
from .inputs import MAX_TEXT_BYTES, TEXTS, read_confined, relative_parts
from .vocab import CAKG, DCTERMS, XSD, cakg, entity, rdf, rdfs

_INT = NamedNode(XSD + "integer")
_BOOL = NamedNode(XSD + "boolean")
_IS_PART_OF = NamedNode(DCTERMS + "isPartOf")
_PASSAGE_CLASS = {"table-row": "TableRow", "heading": "Heading", "footnote": "Footnote", "caption": "Caption"}


@dataclass(frozen=True)
class SourceDocument:
    """A document described in ``sources.ttl``; its text is ``file`` inside ``folder`` (``data/sources``).

    ``content`` holds the text's bytes when the build has read them already (each input
    is read once, see :mod:`cakg.inputs`); otherwise the file is read confined to
    ``folder``: no absolute path, no ``..``, no symbolic link, a regular file only.
    """

    iri: NamedNode
    short_code: str
    folder: Path
    file: str
    front_matter_headings: frozenset[str]
    back_matter_starts_with: str | None
    content: bytes | None = None

    @property
    def path(self) -> Path:
        return self.folder / self.file

    def text(self) -> str:
        display = self.path.as_posix()
        data = self.content
        if data is None:
            data, _stamp = read_confined(self.folder, self.file, display, MAX_TEXT_BYTES)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise InputError(f"{display}: not UTF-8 (byte {error.start})") from None
        # As reading in text mode would: offsets count "\r\n" and "\r" as one newline.
        return text.replace("\r\n", "\n").replace("\r", "\n")

    def sections(self) -> list[Section]:
        return segment(self.text(), set(self.front_matter_headings), self.back_matter_starts_with)

    def section_iri(self, number: str) -> NamedNode:
        return entity("section", f"{self.short_code}-{section_slug(number)}")

    def passage_iri(self, number: str, position: int) -> NamedNode:
        return entity("passage", f"{self.short_code}-{section_slug(number)}-p{position}")


def source_file_name(document: str, value: str, sources_dir: Path) -> str:
    """``cakg:sourceFile`` as a file inside the sources folder, or an InputError naming the document.

    The check here gives a clear message; confinement itself holds by how the file
    is opened (:func:`cakg.inputs.open_confined`).
    """
    where = f"{document}: cakg:sourceFile"
    relative_parts(value, where, sources_dir)
    if not value.endswith(TEXTS):
        raise InputError(f"{where} {value!r}: a source text is a .txt (or .md) file inside {sources_dir}")
    return value


def documents_in(store: Store, sources_dir: Path, texts: Mapping[str, bytes] | None = None) -> list[SourceDocument]:
    """The documents described in ``store``; their texts lie in ``sources_dir``.

    ``texts`` (file name inside ``sources_dir`` to bytes) are the texts as the build read
    them; a document whose file is not among them is an error rather than read again.
    """
    query = f"""
        SELECT ?doc ?code ?file (GROUP_CONCAT(DISTINCT ?front; SEPARATOR="\\u001f") AS ?fronts) (SAMPLE(?back) AS ?b)
        WHERE {{
          GRAPH ?g {{
            ?doc <{CAKG}shortCode> ?code ; <{CAKG}sourceFile> ?file .
            OPTIONAL {{ ?doc <{CAKG}frontMatterHeading> ?front }}
            OPTIONAL {{ ?doc <{CAKG}backMatterStartsWith> ?back }}
          }}
        }} GROUP BY ?doc ?code ?file ORDER BY ?code"""
    found = []
    for row in store.query(query):
        fronts = row["fronts"].value.split("\x1f") if row["fronts"] and row["fronts"].value else []
        file = source_file_name(row["doc"].value, row["file"].value, sources_dir)
        content = None
        if texts is not None:
            content = texts.get(file)
            if content is None:
                raise InputError(f"{row['doc'].value}: cakg:sourceFile {file!r}: not found among the source "
                                 f"texts of {sources_dir}")
        found.append(SourceDocument(
            iri=row["doc"], short_code=row["code"].value, folder=sources_dir, file=file,
            front_matter_headings=frozenset(fronts),
            back_matter_starts_with=row["b"].value if row["b"] else None, content=content))
    return found


def load_documents(sources_dir: Path) -> list[SourceDocument]:
    """The documents described in ``sources_dir/*.ttl``: ``sources.ttl`` and one file per added source."""
    from .loader import SourceFile, parse_file

    store = Store()
    for path in sorted(sources_dir.glob("*.ttl")):
        if not path.name.startswith("."):
            store.extend(parse_file(SourceFile(path, NamedNode(f"urn:cakg:sources:{path.stem}"))))
    return documents_in(store, sources_dir)


def corpus_quads(document: SourceDocument, graph: NamedNode) -> list[Quad]:
    """Section and passage nodes of one document, in document order."""
    quads: list[Quad] = []

    def add(s: NamedNode, p: NamedNode, o) -> None:
        quads.append(Quad(s, p, o, graph))

    order = 0
    for section_index, section in enumerate(document.sections(), start=1):
        s_iri = document.section_iri(section.number)
        add(s_iri, rdf("type"), cakg("Section"))
        add(s_iri, cakg("sectionNumber"), Literal(section.number))
        label = f"{document.short_code} {section.number}" + (f" {section.heading}" if section.heading else "")
        add(s_iri, rdfs("label"), Literal(label, language="en"))
        if section.heading:
            add(s_iri, cakg("heading"), Literal(section.heading))
        add(s_iri, cakg("level"), Literal(str(section.level), datatype=_INT))
        add(s_iri, cakg("documentOrder"), Literal(str(section_index), datatype=_INT))
        add(s_iri, cakg("inDocument"), document.iri)
        parent = document.section_iri(section.parent) if section.parent else document.iri
        add(s_iri, _IS_PART_OF, parent)
        for passage in section.passages:
            order += 1
            p_iri = document.passage_iri(section.number, passage.position)
            add(p_iri, rdf("type"), cakg(_PASSAGE_CLASS.get(passage.kind, "Passage")))
            add(p_iri, rdfs("label"), Literal(f"{document.short_code} {section.number} ¶{passage.position}", language="en"))
            add(p_iri, cakg("text"), Literal(passage.text))
            add(p_iri, cakg("passageKind"), Literal(passage.kind))
            add(p_iri, cakg("section"), s_iri)
            add(p_iri, cakg("inDocument"), document.iri)
            add(p_iri, _IS_PART_OF, s_iri)
            add(p_iri, cakg("position"), Literal(str(passage.position), datatype=_INT))
            add(p_iri, cakg("documentOrder"), Literal(str(order), datatype=_INT))
            add(p_iri, cakg("startOffset"), Literal(str(passage.start), datatype=_INT))
            add(p_iri, cakg("endOffset"), Literal(str(passage.end), datatype=_INT))
            if passage.row_number is not None:
                add(p_iri, cakg("rowNumber"), Literal(str(passage.row_number), datatype=_INT))
                add(p_iri, cakg("isHeaderRow"), Literal("true" if passage.is_header_row else "false", datatype=_BOOL))
            if passage.item_number is not None:
                add(p_iri, cakg("itemNumber"), Literal(str(passage.item_number), datatype=_INT))
    return quads


__all__ = ["SourceDocument", "corpus_quads", "documents_in", "load_documents"]
