"""Segment a source text into sections and passages, deterministically.

Two ways of numbering are read as the documents cakg first encoded number
them, and must keep segmenting exactly so, because evidence cites their
passage IRIs: parts ``I.`` with chapters ``(I)`` and numbered subsections
``1.`` inside a chapter (a report), and a statement whose numbered
paragraphs become sections ``1`` … ``n`` between a ``preamble`` and a
``closing``. Every other document is read as an outline: headings numbered
``1.`` / ``1.1`` / ``1.1.1``, ``I.`` / ``(I)``, ``Article 1`` (also
Chapter, Part, Section, Annex), or unnumbered headings (short title lines
before a paragraph, when the document has several), nested in the order
their styles first appear. What the outline reader cannot place stays in the
section it is in; no text is ever dropped. Unnumbered front-matter headings
and the start of back matter come from the document's description.

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


def _blocks(source: str, starts_block=_NUMBERED.match) -> list[_Block]:
    """Runs of non-blank lines; a line for which ``starts_block`` is true always starts a new run."""
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
        starts_item = bool(starts_block(text))
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
    if _has_chapters(blocks) or _is_statement(blocks):
        sections = _segment_report_or_statement(blocks, front, back_matter_starts_with)
    else:
        sections = _segment_outline(_blocks(source, _starts_outline_block), front, back_matter_starts_with)
    for section in sections:
        section.passages.sort(key=lambda p: (p.kind != "heading", p.start))
        position = 0
        for passage in section.passages:
            if passage.kind == "heading":
                passage.position = 0
            else:
                position += 1
                passage.position = position
    return _unique_numbers([s for s in sections if s.passages])


def _has_chapters(blocks: list[_Block]) -> bool:
    return any(_CHAPTER.match(b.text) and not _is_toc_entry(b.text) for b in blocks)


def _segment_report_or_statement(blocks: list[_Block], front: set[str],
                                 back_matter_starts_with: str | None) -> list[Section]:
    """The reading the two first documents were encoded against; its output must never change."""
    sections: list[Section] = []
    has_chapters = _has_chapters(blocks)
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
    return sections


# ----------------------------------------------------------------- outline reading

_ROMAN = r"(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})"
_ROMAN_PART = re.compile(rf"^({_ROMAN})\.\s+(\S.*)$")
_ROMAN_CHAPTER = re.compile(rf"^\(({_ROMAN})\)\s+(\S.*)$")
_DECIMAL = re.compile(r"^(\d{1,3}(?:\.\d{1,3}){1,3})\.?\s+(\S.*)$")
_ARTICLE = re.compile(r"^(Article|ARTICLE|Chapter|CHAPTER|Part|PART|Section|SECTION|Annex|ANNEX)\s+"
                      r"(\d{1,3}|[IVXLC]{1,6})\b\s*[.:\-–—]?\s*(.*)$")
_SENTENCE_END = tuple(".;:,!?。；：，！？")


@dataclass(frozen=True)
class _Heading:
    style: str  # which kind of numbering: "roman", "paren-roman", "arabic", "decimal-2", "Article" …
    label: str  # the document's own number: "II", "(I)", "3", "1.2", "Article 4"
    title: str


def _title_like(text: str, limit: int = 120) -> bool:
    """One short line that does not end like a sentence: a heading's title, not a paragraph."""
    bare = text.strip("*_ ")
    return "\n" not in text and 0 < len(bare) <= limit and not bare.endswith(_SENTENCE_END)


def _numbered_heading(text: str) -> _Heading | None:
    """The numbered heading ``text`` is, if it is one."""
    if _is_toc_entry(text):
        return None
    match = _ARTICLE.match(text)
    if match and (not match.group(3) or _title_like(match.group(3))):
        word = match.group(1).capitalize()
        return _Heading(word, f"{word} {match.group(2)}", match.group(3))
    match = _DECIMAL.match(text)
    if match and _title_like(match.group(2)):
        return _Heading(f"decimal-{match.group(1).count('.') + 1}", match.group(1), match.group(2))
    match = _NUMBERED.match(text)
    if match and _title_like(match.group(2)):
        return _Heading("arabic", match.group(1), match.group(2))
    match = _ROMAN_PART.match(text)
    if match and match.group(1) and _title_like(match.group(2)):
        return _Heading("roman", match.group(1), match.group(2))
    match = _ROMAN_CHAPTER.match(text)
    if match and match.group(1) and _title_like(match.group(2)):
        return _Heading("paren-roman", f"({match.group(1)})", match.group(2))
    return None


def _starts_outline_block(text: str) -> bool:
    return bool(_NUMBERED.match(text) or _numbered_heading(text))


def _is_statement(blocks: list[_Block]) -> bool:
    """A statement: numbered paragraphs 1 … n in order, and no heading of any kind."""
    numbers = []
    for index, block in enumerate(blocks):
        match = _NUMBERED.match(block.text)
        if match and not _is_footnote(block.text):
            if _numbered_heading(block.text):
                return False
            numbers.append(int(match.group(1)))
        elif _numbered_heading(block.text):
            return False
    return bool(numbers) and numbers == list(range(1, len(numbers) + 1)) and not _unnumbered_headings(blocks)


def _plain(text: str) -> bool:
    """Neither a footnote, a table row, a caption nor a contents line."""
    return not (_is_footnote(text) or "\t" in text or _CAPTION.match(text) or _is_toc_entry(text))


def _unnumbered_headings(blocks: list[_Block]) -> set[int]:
    """Indices of the blocks that are unnumbered headings.

    A candidate is a title-like line starting with a capital letter, after a
    paragraph that ended its sentence and before a paragraph; the document
    uses unnumbered headings only if it has at least two candidates (one
    alone is more likely a signature or a date line, and stays text).
    """
    found = set()
    for index in range(1, len(blocks) - 1):
        text, before, after = blocks[index].text, blocks[index - 1].text, blocks[index + 1].text
        if not (_title_like(text) and text.lstrip("*_ ")[:1].isupper() and _plain(text)):
            continue
        if _numbered_heading(text) or _NUMBERED.match(text):
            continue
        if not _plain(after) or _title_like(after) or _numbered_heading(after):
            continue
        if not _title_like(before) and _plain(before) and not _ends_sentence(before) and not _numbered_heading(before):
            continue  # a paragraph cut by a page break continues here
        found.add(index)
    return found if len(found) >= 2 else set()


def _unnumbered_number(title: str) -> str:
    words = re.findall(r"[0-9A-Za-z]+", title.lower())[:6]
    return "-".join(words) or "heading"


def _segment_outline(blocks: list[_Block], front: set[str], back_matter_starts_with: str | None) -> list[Section]:
    """Sections from the document's headings, nested in the order their styles first appear."""
    unnumbered = _unnumbered_headings(blocks)
    headings = {i: _numbered_heading(b.text) for i, b in enumerate(blocks)}
    any_heading = bool(unnumbered) or any(headings.values()) or any(b.text in front for b in blocks)
    levels: dict[str, int] = {}
    sections: list[Section] = []
    stack: list[Section] = []  # the open numbered sections, outermost first
    seen_numbered = False

    def open_section(number: str, heading: str, level: int, parent: Section | None, block: _Block | None) -> Section:
        section = Section(number, heading, level, parent.number if parent else None)
        if block is not None:
            section.passages.append(Passage("heading", block.text, block.start, block.end))
        sections.append(section)
        return section

    current = open_section("title-page", "", 1, None, None)
    last_paragraph: Passage | None = None
    in_back_matter = in_contents = False
    pending_title: Section | None = None  # a numbered heading whose title is on the next line
    for index, block in enumerate(blocks):
        text = block.text
        if (back_matter_starts_with and text.startswith(back_matter_starts_with)
                and not in_back_matter and sections[-1].number != "title-page"):
            current, in_back_matter, last_paragraph = open_section("back-matter", "", 1, None, None), True, None
        if in_back_matter:
            current.passages.append(Passage("line", text, block.start, block.end))
            continue
        if pending_title is not None:
            section, pending_title = pending_title, None
            if _title_like(text) and _plain(text) and not headings[index] and index not in unnumbered:
                heading = section.passages[0]
                heading.text, heading.end = f"{heading.text} {text}", block.end
                section.heading = text
                continue
        if text in front:
            stack, last_paragraph = [], None
            current = open_section(section_slug(text), text, 1, None, block)
            in_contents = text.lower() in {"table of contents", "contents"}
            continue
        if in_contents and _is_toc_entry(text):
            current.passages.append(Passage("line", text, block.start, block.end))
            continue
        heading = headings[index]
        if heading is not None:
            in_contents, last_paragraph, seen_numbered = False, None, True
            level = levels.setdefault(heading.style, len(levels) + 1)
            while stack and stack[-1].level >= level:
                stack.pop()
            parent = stack[-1] if stack else None
            own = heading.style.startswith("decimal") or heading.style[:1].isupper()
            number = heading.label if own or parent is None else f"{parent.number}.{heading.label}"
            current = open_section(number, heading.title, len(stack) + 1, parent, block)
            stack.append(current)
            current.level = level
            if not heading.title:
                pending_title = current
            continue
        if index in unnumbered:
            in_contents, last_paragraph = False, None
            parent = stack[-1] if seen_numbered and stack else None
            number = _unnumbered_number(text)
            number = f"{parent.number}.{number}" if parent else number
            current = open_section(number, text.strip("*_ "), parent.level + 1 if parent else 1, parent, block)
            if parent is None:
                stack = []
            continue
        if current.number == "title-page" and not (_title_like(text.replace("\n", " "), 300) and _plain(text)):
            # The first paragraph ends the title page; text before any heading is a preamble.
            current = open_section("preamble" if any_heading else "body", "", 1, None, None)
        if current.number == "title-page":
            current.passages.append(Passage("line", text, block.start, block.end))
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
        if last_paragraph is not None and not _ends_sentence(last_paragraph.text):
            last_paragraph.text = f"{last_paragraph.text} {text}"
            last_paragraph.end = block.end
            continue
        match = _NUMBERED.match(text)
        passage = Passage("paragraph", text, block.start, block.end,
                          item_number=int(match.group(1)) if match else None)
        current.passages.append(passage)
        last_paragraph = passage
    return sections


def _unique_numbers(sections: list[Section]) -> list[Section]:
    """Give a section whose number (or slug) repeats an earlier one a suffix, so IRIs never collide.

    The two shipped documents have no repeats; this only renames sections of
    documents that restart their numbering.
    """
    seen: set[str] = set()
    renamed: dict[str, str] = {}
    for section in sections:
        if section.parent in renamed:
            section.parent = renamed[section.parent]
        number, count = section.number, 1
        while section_slug(number) in seen:
            count += 1
            number = f"{section.number} (repeat {count})"
        if number != section.number:
            renamed[section.number] = number
            section.number = number
        seen.add(section_slug(number))
    return sections
