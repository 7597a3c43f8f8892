"""The text of a PDF as cakg stores a source: one paragraph per line, page furniture dropped.

pdfminer.six's layout analysis gives text boxes (paragraphs) made of lines
made of positioned characters. From them this module rebuilds paragraphs:
lines are joined with one space, a word hyphenated at a line end is joined
again (the hyphen is kept only where the document writes the word with it
elsewhere), zero-width glyphs a renderer left for soft hyphens are dropped,
running page numbers and headers are removed, and a paragraph cut by a page
break is joined to its continuation. Extraction runs in a child process with
a time and memory limit, so a hostile or broken PDF cannot hang or exhaust
the command that reads it.
"""

from __future__ import annotations

import multiprocessing
import re
import resource
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError

MAX_BYTES = 64 * 1024 * 1024
MAX_PAGES = 2000
TIME_LIMIT = 180.0  # seconds for the whole extraction
MEMORY_LIMIT = 2 * 1024 ** 3  # bytes of address space for the child process

_PAGE_NUMBER = re.compile(r"^(?:page\s+)?[-–—]?\s*\d{1,4}\s*[-–—]?(?:\s*(?:/|of)\s*\d{1,4})?$", re.IGNORECASE)
_SENTENCE_END = tuple(".!?;:。！？；：\"”’)")
_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
LINE_GAP = 12.0  # widest gap inside a line, in character widths (pdfminer's char_margin)
_RENDERER_HYPHENS = ("\u00ad", "\u2010")  # a soft hyphen, or the hyphen Chromium draws where it broke at one
_FURNITURE_BAND = 0.12  # top and bottom share of a page where headers, footers and page numbers sit


@dataclass
class _Box:
    lines: list[str]
    top: float  # 0 at the top of the page, 1 at the bottom
    bottom: float


def pdf_text(path: Path) -> str:
    """The repaired text of the PDF at ``path``; InputError naming the file if it cannot be read."""
    try:
        size = path.stat().st_size
    except OSError as error:
        raise InputError(f"{path}: cannot read ({error.strerror})") from None
    if size > MAX_BYTES:
        raise InputError(f"{path}: {size} bytes; PDFs over {MAX_BYTES // 2 ** 20} MiB are refused")
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_extract_in_child, args=(str(path), sender), daemon=True)
    child.start()
    sender.close()
    try:
        if not receiver.poll(TIME_LIMIT):
            raise InputError(f"{path}: text extraction took over {TIME_LIMIT:.0f} s; refused")
        ok, value = receiver.recv()
    except EOFError:
        raise InputError(f"{path}: text extraction failed (out of memory or crashed)") from None
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join()
    if not ok:
        raise InputError(f"{path}: not a readable PDF ({value})")
    if not value.strip():
        raise InputError(f"{path}: the PDF holds no extractable text (a scan needs OCR first)")
    return value


def _extract_in_child(path: str, sender) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    try:
        result = (True, extract_text(Path(path)))
    except Exception as error:  # noqa: BLE001 - reported to the parent as one line
        result = (False, " ".join(f"{type(error).__name__}: {error}".split())[:200])
    sender.send(result)
    sender.close()


def extract_text(path: Path) -> str:
    """Extraction itself, in this process (``pdf_text`` runs it in a limited child)."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams, LTTextContainer, LTTextLine

    pages: list[list[_Box]] = []
    # A wide char_margin keeps justified lines whole: with the default (2.0) the wide gaps of a
    # justified line split it into boxes that layout analysis then orders wrongly.
    for page in extract_pages(str(path), laparams=LAParams(char_margin=LINE_GAP), maxpages=MAX_PAGES):
        height = page.height or 1.0
        boxes = []
        for element in page:
            if not isinstance(element, LTTextContainer):
                continue
            lines = [_line_text(line) for line in element if isinstance(line, LTTextLine)]
            lines = [line for line in lines if line]
            if lines:
                boxes.append(_Box(lines, 1 - element.y1 / height, 1 - element.y0 / height))
        pages.append(boxes)
    pages = _without_furniture(pages)
    vocabulary = Counter(word.lower() for boxes in pages for box in boxes for line in box.lines
                         for word in re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)*", line))
    paragraphs: list[str] = []
    for page_index, boxes in enumerate(pages):
        for box_index, box in enumerate(boxes):
            text = _join_lines(box.lines, vocabulary)
            continues = (box_index == 0 and page_index > 0 and paragraphs and _cut_by_page_break(paragraphs[-1], text))
            if continues:
                paragraphs[-1] = _join_lines([paragraphs[-1], text], vocabulary)
            else:
                paragraphs.append(text)
    return "\n\n".join(paragraphs) + "\n"


def _line_text(line) -> str:
    """A line's characters, without the zero-width glyphs renderers leave where a soft hyphen was."""
    from pdfminer.layout import LTChar

    chars = list(line)
    out = []
    for index, char in enumerate(chars):
        text = char.get_text()
        if text in _RENDERER_HYPHENS and index < len(chars) - 1 and isinstance(char, LTChar) and (
                chars[index + 1].get_text() != " " and _width(chars[index + 1]) and chars[index + 1].x0 <= char.x0 + 0.5):
            continue  # drawn with no width of its own: an unbroken soft hyphen
        if text == " " and isinstance(char, LTChar) and index + 1 < len(chars):
            following = chars[index + 1]
            if isinstance(following, LTChar) and following.x0 <= char.x0 + 0.5:
                continue  # a space glyph with no width of its own: an unbroken soft hyphen
        out.append(text)
    text = "".join(out).replace("\n", " ")
    text = "".join(unicodedata.normalize("NFKC", c) if "\ufb00" <= c <= "\ufb06" else c for c in text)
    return " ".join(text.split())


def _width(char) -> float:
    return getattr(char, "x1", 0.0) - getattr(char, "x0", 0.0)


def _without_furniture(pages: list[list[_Box]]) -> list[list[_Box]]:
    """Drop page numbers, and one-line headers or footers repeated on most pages."""
    def key(box: _Box) -> str:
        return re.sub(r"\d+", "#", box.lines[0].lower())

    def in_band(box: _Box) -> bool:
        return box.bottom <= _FURNITURE_BAND or box.top >= 1 - _FURNITURE_BAND

    repeated = Counter(key(box) for boxes in pages for box in {key(b): b for b in boxes
                                                            if len(b.lines) == 1 and in_band(b)}.values())
    threshold = max(2, -(-len(pages) * 3 // 5))  # on at least three pages in five (and two pages)
    kept = []
    for boxes in pages:
        kept.append([box for box in boxes if not (in_band(box) and len(box.lines) == 1 and (
            _PAGE_NUMBER.match(box.lines[0]) or repeated[key(box)] >= threshold))])
    return kept


def _join_lines(lines: list[str], vocabulary: Counter) -> str:
    text = lines[0]
    for line in lines[1:]:
        if text.endswith(_RENDERER_HYPHENS):
            text = text[:-1] + line
        elif re.search(r"[^\W\d_]-$", text) and line[:1].islower():
            head = re.search(r"([^\W\d_]+)-$", text).group(1)
            tail = re.match(r"[^\W\d_]+", line)
            tail_word = tail.group(0) if tail else ""
            joined_with_hyphen = f"{head}-{tail_word}".lower()
            # Keep the hyphen only where the document itself writes the word with one.
            keep = vocabulary[joined_with_hyphen] > 0 and vocabulary[(head + tail_word).lower()] == 0
            text = (text if keep else text[:-1]) + line
        elif re.search(r"[^\W\d_][–—/]$", text) and line[:1].isalpha():
            text += line  # broken after a dash or slash that had no space around it
        else:
            text = f"{text} {line}"
    return text


def _cut_by_page_break(previous: str, following: str) -> bool:
    """The last paragraph of a page runs on into the first of the next."""
    ended = previous.rstrip(_SUPERSCRIPTS + "* ").endswith(_SENTENCE_END)
    return not ended and (following[:1].islower() or previous.endswith(("-", ",", *_RENDERER_HYPHENS)))
