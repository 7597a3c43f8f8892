"""Segment a source text into sections and passages, deterministically.

The segmenter knows the numbering of the documents cakg encodes: parts
``I.``, chapters ``(I)`` and numbered subsections ``1.`` inside a chapter; a
document without chapters (a statement) keeps its numbered paragraphs as
sections ``1`` … ``n`` between a ``preamble`` and a ``closing``. Unnumbered
front-matter headings and the start of back matter come from the document's
description in ``data/sources/sources.ttl``.

A paragraph that a page break cut (it ends without closing punctuation and
the next paragraph follows after footnotes or blank lines) is joined to its
continuation with one space; its offsets then span both pieces. Quotes must
still occur verbatim in the source file, so they never cross such a join.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_PART = re.compile(r"^(I|II|III|IV|V|VI|VII|VIII|IX|X)\.\s+(.+)$")
_CHAPTER = re.compile(r"^\((I|II|III|IV|V|VI|VII|VIII|IX|X)\)\s+(.+)$")
_NUMBERED = re.compile(r"^(\d{1,2})\.\s+(.+)$")
_CAPTION = re.compile(r"^(Figure|Table)\s+\d+\b|^Note:")
_TERMINAL = tuple(".!?;:。！？；：\"”’)")


@dataclass
class Passage:
    """One paragraph (or heading, table row, footnote, caption) of a section."""

    kind: str  # paragraph | heading | table-row | footnote | caption | line
    text: str
    start: int  # character offset into the source text, inclusive
    end: int  # exclusive
    position: int = 0  # order within its section; headings are 0
    row_number: int | None = None
    item_number: int | None = None

    @property
    def is_header_row(self) -> bool:
        """A table row none of whose cells is a figure."""
        if self.kind != "table-row":
            return False
        return not any(re.fullmatch(r"[\d.,%-]+", cell.strip()) for cell in self.text.split("\t"))


@dataclass
class Section:
    number: str  # the document's own numbering: "II.(I).3", "foreword", "3"
    heading: str
    level: int
    parent: str | None
    passages: list[Passage] = field(default_factory=list)

    @property
    def slug(self) -> str:
        return section_slug(self.number)


def section_slug(number: str) -> str:
    """``II.(I).3`` → ``ii-i-3``; ``foreword`` stays ``foreword``."""
    slug = re.sub(r"[^0-9a-z]+", "-", number.lower()).strip("-")
    return slug


@dataclass
class _Block:
    text: str
    start: int
    end: int


def _blocks(source: str) -> list[_Block]:
    """Runs of non-blank lines; a numbered item line always starts a new run."""
    blocks: list[_Block] = []
    offset = 0
    current: _Block | None = None
    for line in source.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        start = offset
        offset += len(line)
        if not body.strip():
            current = None
            continue
        stripped_start = start + (len(body) - len(body.lstrip()))
        text = body.strip()
        stripped_end = stripped_start + len(text)
        starts_item = bool(_NUMBERED.match(text))
        if current is not None and not starts_item and "\t" not in text:
            current.text = source[current.start:stripped_end]
            current.end = stripped_end
            continue
        current = _Block(text, stripped_start, stripped_end)
        blocks.append(current)
    return blocks


def _is_footnote(text: str) -> bool:
    return text[0] in SUPERSCRIPT_DIGITS


def _is_toc_entry(text: str) -> bool:
    return "\t" in text or "....." in text


def _ends_sentence(text: str) -> bool:
    # Footnote markers and bold markup may follow the closing punctuation.
    return text.rstrip(SUPERSCRIPT_DIGITS + "⁻* ").endswith(_TERMINAL)


def segment(source: str, front_matter_headings: set[str] | None = None,
            back_matter_starts_with: str | None = None) -> list[Section]:
    """Split ``source`` into sections in document order."""
    front = front_matter_headings or set()
    blocks = _blocks(source)
    sections: list[Section] = []
    has_chapters = any(_CHAPTER.match(b.text) and not _is_toc_entry(b.text) for b in blocks)
    part: str | None = None
    chapter: str | None = None
    in_back_matter = False
    in_contents = False

    def open_section(number: str, heading: str, level: int, parent: str | None,
                     block: _Block | None) -> Section:
        section = Section(number, heading, level, parent)
        if block is not None:
            section.passages.append(Passage("heading", block.text, block.start, block.end))
        sections.append(section)
        return section

    current = open_section("title-page", "", 1, None, None)
    last_paragraph: Passage | None = None
    for block in blocks:
        text = block.text
        if back_matter_starts_with and text.startswith(back_matter_starts_with) and sections[-1].number != "title-page":
            current = open_section("back-matter", "", 1, None, None)
            in_back_matter = True
            last_paragraph = None
        if in_back_matter:
            current.passages.append(Passage("line", text, block.start, block.end))
            continue
        if text in front:
            current = open_section(section_slug(text), text, 1, None, block)
            in_contents = text.lower() in {"table of contents", "contents"}
            last_paragraph = None
            continue
        if in_contents and _is_toc_entry(text):
            current.passages.append(Passage("line", text, block.start, block.end))
            continue
        match = _PART.match(text)
        if match and not _is_toc_entry(text):
            in_contents = False
            part, chapter = match.group(1), None
            current = open_section(part, match.group(2), 1, None, block)
            last_paragraph = None
            continue
        match = _CHAPTER.match(text)
        if match and part is not None:
            chapter = f"{part}.({match.group(1)})"
            current = open_section(chapter, match.group(2), 2, part, block)
            last_paragraph = None
            continue
        match = _NUMBERED.match(text)
        if match and chapter is not None and has_chapters and current.level >= 2 and not _is_footnote(text):
            number = f"{chapter}.{match.group(1)}"
            current = open_section(number, match.group(2), 3, chapter, block)
            last_paragraph = None
            continue
        if match and not has_chapters:
            number = match.group(1)
            current = open_section(number, "", 1, None, None)
            passage = Passage("paragraph", text, block.start, block.end, item_number=int(number))
            current.passages.append(passage)
            last_paragraph = passage
            continue
        if not has_chapters and sections[-1].number.isdigit() and not match:
            current = open_section("closing", "", 1, None, None)
        if not has_chapters and current.number == "title-page" and current.passages:
            # A statement: its first line is the title, the rest is the preamble.
            current = open_section("preamble", "", 1, None, None)
        # The heading of a numbered subsection cut by a page break.
        if current.level == 3 and len(current.passages) == 1 and text[:1].islower():
            heading = current.passages[0]
            heading.text = f"{heading.text} {text}"
            heading.end = block.end
            current.heading = f"{current.heading} {text}"
            continue
        if _is_footnote(text):
            current.passages.append(Passage("footnote", text, block.start, block.end))
            continue
        if "\t" in text:
            rows = sum(1 for p in current.passages if p.kind == "table-row")
            current.passages.append(Passage("table-row", text, block.start, block.end, row_number=rows + 1))
            last_paragraph = None
            continue
        if _CAPTION.match(text):
            current.passages.append(Passage("caption", text, block.start, block.end))
            last_paragraph = None
            continue
        if current.number == "title-page":
            current.passages.append(Passage("line", text, block.start, block.end))
            continue
        if last_paragraph is not None and not _ends_sentence(last_paragraph.text):
            last_paragraph.text = f"{last_paragraph.text} {text}"
            last_paragraph.end = block.end
            continue
        passage = Passage("paragraph", text, block.start, block.end)
        current.passages.append(passage)
        last_paragraph = passage

    for section in sections:
        section.passages.sort(key=lambda p: (p.kind != "heading", p.start))
        position = 0
        for passage in section.passages:
            if passage.kind == "heading":
                passage.position = 0
            else:
                position += 1
                passage.position = position
    return [s for s in sections if s.passages]
