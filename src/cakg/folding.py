"""Text folded for matching as people type it: case, diacritics, punctuation and spacing set aside.

``Việt Nam``, ``VIET NAM`` and ``Viet-Nam`` fold to the same words (``viet nam``)
and squash to the same letters (``vietnam``), so a name or a word matches
however it is spelled in these respects. Diacritics are dropped only from
Latin letters: the vowel signs of Thai, Lao, Khmer or Myanmar are letters of
their words. Scripts written without spaces (Chinese, Japanese, Thai, Lao,
Khmer, Myanmar) count every character as a word of its own, so a run of them
is found anywhere in a text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Letters that do not decompose under NFKD but that people type without their stroke.
_EXTRA = {"đ": "d", "Đ": "d", "ø": "o", "Ø": "o", "ł": "l", "Ł": "l", "ß": "ss", "æ": "ae", "Æ": "ae",
          "œ": "oe", "Œ": "oe", "ı": "i"}
_ASCII_WORD = re.compile(r"[A-Za-z0-9]+")
_CHUNK = re.compile(r"[A-Za-z0-9]+|[^\x00-\x7f]+")
_UNSPACED = re.compile(r"[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\u3040-\u30ff]")


def _latin(ch: str) -> bool:
    return ch < "\u0250" or "\u1e00" <= ch <= "\u1eff"


def _fold_chars(text: str) -> list[tuple[str, int]]:
    """(folded character, index in ``text``) for each character kept: lower case, no Latin diacritics."""
    out: list[tuple[str, int]] = []
    for index, ch in enumerate(text):
        if ch.isascii():
            out.append((ch.lower(), index))
            continue
        decomposed = unicodedata.normalize("NFKD", _EXTRA.get(ch, ch))
        base = decomposed[0] if decomposed else ch
        for part in decomposed:
            if unicodedata.combining(part) and _latin(base):
                continue
            for lower in part.casefold():
                out.append((lower, index))
    return out


@dataclass(frozen=True)
class Folded:
    """A text as words: ``words`` folded, ``spans`` where each word is in the original text."""

    words: tuple[str, ...]
    spans: tuple[tuple[int, int], ...]

    @property
    def squashed(self) -> str:
        return "".join(self.words)


def fold(text: str) -> Folded:
    """The words of ``text``, folded, each with its (start, end) in ``text``.

    Letters and digits make words; everything else separates them; each character
    of a script written without spaces is a word.
    """
    if text.isascii():  # most text: the same words, found by the regular expression engine
        found = [(m.group().lower(), m.span()) for m in _ASCII_WORD.finditer(text)]
        return Folded(tuple(w for w, _ in found), tuple(span for _, span in found))
    words: list[str] = []
    spans: list[tuple[int, int]] = []
    current: list[str] = []
    start = end = 0

    def flush() -> None:
        if current:
            words.append("".join(current))
            spans.append((start, end))
            current.clear()

    # ASCII words in one piece; only the other characters are folded one by one.
    for chunk in _CHUNK.finditer(text):
        if chunk.start() != end:
            flush()
        if chunk.group().isascii():
            if not current:
                start = chunk.start()
            current.append(chunk.group().lower())
            end = chunk.end()
            continue
        for ch, index in _fold_chars(chunk.group()):
            index += chunk.start()
            if _UNSPACED.match(ch):
                flush()
                words.append(ch)
                spans.append((index, index + 1))
            elif ch.isalnum():
                if not current:
                    start = index
                current.append(ch)
            else:
                flush()
            end = index + 1
    flush()
    return Folded(tuple(words), tuple(spans))


def _word_char(ch: str) -> bool:
    return ch.isalnum() or unicodedata.category(ch).startswith("M")


def words_of(text: str) -> list[str]:
    """The words a person typed, folded; a run of unspaced script stays one word (it is matched as a run)."""
    words, current = [], []
    for ch, _ in _fold_chars(text):
        if _word_char(ch):
            current.append(ch)
        elif current:
            words.append("".join(current))
            current = []
    if current:
        words.append("".join(current))
    return words


def key(text: str) -> str:
    """One string for comparing names: the folded words without spaces (``Viet Nam`` == ``Vietnam``)."""
    return fold(text).squashed


__all__ = ["Folded", "fold", "words_of", "key"]
