"""Refuse, before evaluation, SPARQL that would make the engine reach outside the store.

pyoxigraph follows ``SERVICE`` clauses to any host and ``LOAD`` to http(s)
IRIs; a read-only service accepts neither, nor any SPARQL Update, nor a
dataset clause (``FROM`` / ``FROM NAMED``) naming a graph the store does not
hold. The check is lexical — comments, strings and IRIs are skipped and only
bare keywords count — so it costs microseconds and needs no second parser.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from typing import NamedTuple

UPDATE_KEYWORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}

_TOKEN = re.compile(r"""
    (?P<comment>\#[^\n]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\s]*>)
  | (?P<var>[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]+)
  | (?P<pname>(?:[A-Za-z][\w.-]*)?:(?:[\w:%.-]|\\.)*)
  | (?P<word>[A-Za-z_][\w]*)
  | (?P<space>\s+)
  | (?P<other>.)
""", re.VERBOSE | re.DOTALL)


class Refused(Exception):
    """The request is refused; ``status`` is the HTTP status (400 or 403)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class Token(NamedTuple):
    # A tuple rather than a dataclass: a saved query has hundreds of tokens and this
    # check runs on every request (616 -> 441 us per saved query).
    kind: str
    text: str


def tokens(query: str) -> Iterator[Token]:
    skipped = ("comment", "space")
    for match in _TOKEN.finditer(query):
        kind = match.lastgroup or "other"
        if kind not in skipped:
            yield Token(kind, match.group())


def check_query(query: str, graphs: Collection[str]) -> None:
    """Raise :class:`Refused` if the query could write, call out, or name a graph not in ``graphs``."""
    prefixes: dict[str, str] = {}
    items = list(tokens(query))
    for index, token in enumerate(items):
        if token.kind != "word":
            continue
        word = token.text.upper()
        if word == "PREFIX" and index + 2 < len(items) and items[index + 2].kind == "iri":
            prefixes[items[index + 1].text] = items[index + 2].text[1:-1]
        elif word == "SERVICE":
            raise Refused(400, "SERVICE is not allowed: this endpoint never queries other services")
        elif word in UPDATE_KEYWORDS:
            raise Refused(403, f"SPARQL Update ({word}) is not accepted: this endpoint is read-only")
        elif word == "FROM":
            following = items[index + 1:index + 3]
            if following and following[0].kind == "word" and following[0].text.upper() == "NAMED":
                following = following[1:]
            target = following[0] if following else None
            iri = _iri(target, prefixes)
            if iri is None or iri not in graphs:
                shown = target.text if target else "nothing"
                raise Refused(400, f"FROM {shown}: only the named graphs of this store may be named "
                                   "(see the service description)")


def _iri(token: Token | None, prefixes: dict[str, str]) -> str | None:
    if token is None:
        return None
    if token.kind == "iri":
        return token.text[1:-1]
    if token.kind == "pname":
        prefix, _, local = token.text.partition(":")
        namespace = prefixes.get(prefix + ":")
        return None if namespace is None else namespace + local
    return None

