"""Refuse, with a clear message, SPARQL that would reach outside the store or that the engine cannot take.

pyoxigraph follows ``SERVICE`` clauses to any host and ``LOAD`` to http(s)
IRIs; a read-only service accepts neither, nor any SPARQL Update, nor a
dataset clause (``FROM`` / ``FROM NAMED``) naming a graph the store does not
hold, nor brackets nested so deeply that the engine's recursive parser would
run out of stack.

This check is lexical and cannot agree with the engine's grammar in every
case, so it only gives clear answers: the processes that evaluate queries are
cut off from the network (:mod:`cakg.isolation`) whatever it lets through.
Its tokens follow the terminals of the SPARQL 1.1 grammar (comments end at CR
or LF, the escapes of strings and local names, IRIREF's excluded characters),
and a ``<`` is read as less-than where the grammar allows no IRI: inside an
expression, right after an operand. The word ``SERVICE`` is refused anywhere
but in a string literal, a comment or an IRI of a graph pattern, and there too
when some ``<`` could be read the other way and change where strings and
comments end (a less-than that could start an IRI; an IRI holding a quote, or
holding ``#`` inside an expression). It runs in linear time (each
token is matched once, with no backtracking) in the worker, off the server's
event loop.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import NamedTuple

UPDATE_KEYWORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
MAX_NESTING = 1000  # brackets, or unary operators in a row; real queries stay below 30

_ECHAR = r"""\\[tbnrf"'\\]"""
_PN_LOCAL_ESC = r"""\\[_~.\-!$&'()*+,;=/?#@%]"""
_NAME_START = r"A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d" \
              r"\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
_NAME_CHAR = _NAME_START + r"_0-9\-\u00b7\u0300-\u036f\u203f-\u2040"

# Spaces, then one alternative per terminal; possessive loops (*+) never backtrack, so a
# failed match costs at most the length of what it looked at, and each token is matched once.
# "<" is decided by the caller (IRI or less-than); runs of punctuation that matter to no
# decision here are one token.
_TOKEN = re.compile(rf"""
    [ \t\r\n]*+
    (?:(?P<angle><)
  | (?P<comment>\#[^\r\n]*+)
  | (?P<string>'''(?:(?:'|'')?+(?:[^'\\]|{_ECHAR}))*+'''
             |\"\"\"(?:(?:"|"")?+(?:[^"\\]|{_ECHAR}))*+\"\"\"
             |'(?:[^'\\\r\n]|{_ECHAR})*+'
             |"(?:[^"\\\r\n]|{_ECHAR})*+")
  | (?P<var>[?$][{_NAME_START}_0-9][{_NAME_START}_0-9\u00b7\u0300-\u036f\u203f-\u2040]*+)
  | (?P<bnode>_:[{_NAME_CHAR}.]*+)
  | (?P<pname>(?:[{_NAME_START}][{_NAME_CHAR}.]*+)?:(?:[{_NAME_CHAR}:.]|%[0-9A-Fa-f]{{2}}|{_PN_LOCAL_ESC})*+)
  | (?P<word>[{_NAME_START}_][{_NAME_CHAR}]*+)
  | (?P<number>[0-9]++(?:\.[0-9]*+)?+(?:[eE][+-]?[0-9]++)?+|\.[0-9]++(?:[eE][+-]?[0-9]++)?+)
  | (?P<langtag>@[a-zA-Z]++(?:-[a-zA-Z0-9]++)*+)
  | (?P<operator>\^\^|>=|!=|&&|\|\|)
  | (?P<punctuation>[.;,*/|=>^&]++)
  | (?P<other>.))
""", re.VERBOSE | re.DOTALL)
_IRIREF = re.compile(r"<[^<>\"{}|^`\\\x00-\x20]*+>")
_SERVICE_WORD = re.compile(r"(?<![\w:?$\\-])service(?![\w:-])", re.IGNORECASE)

_OPERAND_END = {"var", "string", "number", "langtag", "iri", "pname"}
# Words before "(" that open an expression in a graph pattern; any other bare word before
# "(" there is a function (REGEX, STR, COUNT, ...), so also opens one.
_PATTERN_WORDS = {"A", "GRAPH", "OPTIONAL", "MINUS", "UNION", "SERVICE", "SILENT", "VALUES", "UNDEF", "WHERE",
                  "SELECT", "CONSTRUCT", "DESCRIBE", "ASK", "FROM", "NAMED", "DISTINCT", "REDUCED", "EXISTS",
                  "NOT", "TRUE", "FALSE", "AS", "LIMIT", "OFFSET", "ORDER", "GROUP"}


class Refused(Exception):
    """The request is refused; ``status`` is the HTTP status (400 or 403)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class Token(NamedTuple):
    kind: str  # a group name of _TOKEN, or "iri" / "lt" for the two readings of "<"
    text: str
    expression: bool = False  # inside an expression's brackets


def _service_refusal() -> Refused:
    return Refused(400, "SERVICE is not allowed: this endpoint never queries other services")


def _nesting_refusal(what: str) -> Refused:
    return Refused(400, f"the query is nested too deeply ({what} more than {MAX_NESTING} levels); "
                        "this endpoint evaluates queries nested at most that deep")


def tokens(query: str, comments: list[str] | None = None) -> list[Token]:
    """The significant tokens of ``query`` (no spaces; comments into ``comments``), read as the grammar does.

    Raises :class:`Refused` when brackets or unary operators nest deeper than :data:`MAX_NESTING`.
    """
    out: list[Token] = []
    append = out.append
    stack: list[bool] = []  # per open bracket: does it hold an expression?
    in_select = False  # between SELECT and its WHERE / "{": "(" opens an expression
    unary_run = 0
    position, end = 0, len(query)
    match = _TOKEN.match
    while position < end:
        found = match(query, position)
        if found is None:
            break  # only spaces were left
        kind, text = found.lastgroup or "other", found.group(found.lastgroup or 0)
        expression = bool(stack) and stack[-1]
        if kind == "angle":
            position = found.start("angle")
            previous = out[-1] if out else None
            operand_before = previous is not None and (previous.kind in _OPERAND_END or previous.text == ")" or
                                                       previous.text.upper() in ("TRUE", "FALSE"))
            iri = _IRIREF.match(query, position)
            if iri is not None and not (expression and operand_before):
                append(Token("iri", iri.group(), expression))
                position = iri.end()
                unary_run = 0
                continue
            # Less-than; "lt?" when an IRI could have started here (the grammar says it cannot).
            kind, text = ("operator", "<=") if query.startswith("<=", position) else (
                "lt?" if iri is not None else "lt", "<")
            append(Token(kind, text, expression))
            position += len(text)
            continue
        position = found.end()
        if kind == "comment":
            if comments is not None:
                comments.append(text)
            continue
        if text in ("!", "-", "+") and expression and not (out and (out[-1].kind in _OPERAND_END or
                                                                       out[-1].text in (")",))):
            unary_run += 1
            if unary_run > MAX_NESTING:
                raise _nesting_refusal("unary operators")
        else:
            unary_run = 0
        if kind == "word":
            upper = text.upper()
            if upper == "SELECT":
                in_select = True
            elif upper == "WHERE":
                in_select = False
        if text == "(":
            stack.append(expression or in_select or _opens_expression(out, at_top=not stack))
        elif text in ("{", "["):
            if text == "{":
                in_select = False
            stack.append(False)
        elif text in (")", "}", "]"):
            if stack:
                stack.pop()
        if len(stack) > MAX_NESTING:
            raise _nesting_refusal("brackets")
        append(Token(kind, text, expression))
    return out


def _opens_expression(before: list[Token], at_top: bool) -> bool:
    """Whether a "(" outside any expression opens one (else: a collection, path or VALUES row)."""
    if not before:
        return False
    previous = before[-1]
    if at_top:  # outside the braces: GROUP BY, HAVING and ORDER BY conditions, or VALUES' variables
        return not (previous.kind == "word" and previous.text.upper() == "VALUES")
    if previous.kind == "word":
        upper = previous.text.upper()
        if upper == "VALUES":
            return False
        return upper not in _PATTERN_WORDS or upper in ("FILTER", "BIND", "HAVING", "BY", "ASC", "DESC")
    if previous.kind in ("iri", "pname") and len(before) > 1:  # FILTER <f>(...), ORDER BY ex:f(...)
        return before[-2].kind == "word" and before[-2].text.upper() in ("FILTER", "BY", "HAVING", "ASC", "DESC")
    return False


def check_query(query: str, graphs: Collection[str]) -> None:
    """Raise :class:`Refused` if the query could write, call out, or name a graph not in ``graphs``."""
    comments: list[str] = []
    items = tokens(query, comments)
    _check_service_word(query, items, comments)
    prefixes: dict[str, str] = {}
    for index, token in enumerate(items):
        if token.kind != "word":
            continue
        word = token.text.upper()
        if word == "PREFIX" and index + 2 < len(items) and items[index + 2].kind == "iri":
            prefixes[items[index + 1].text] = items[index + 2].text[1:-1]
        elif word == "SERVICE":
            raise _service_refusal()
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


def _check_service_word(query: str, items: list[Token], comments: list[str]) -> None:
    """Refuse SERVICE wherever this reading cannot rule out that the engine sees the keyword."""
    if _SERVICE_WORD.search(query) is None:
        return
    # Text: string literals, comments, and IRIs outside expressions (where "<" is never less-than).
    as_text = sum(len(_SERVICE_WORD.findall(t.text)) for t in items
                  if t.kind == "string" or (t.kind == "iri" and not t.expression))
    as_text += sum(len(_SERVICE_WORD.findall(c)) for c in comments)
    if as_text < len(_SERVICE_WORD.findall(query)):
        raise _service_refusal()  # in code or in an expression's IRI
    # The engine ends those strings and comments where this reading does unless it reads some
    # "<" the other way: a "<" taken here for less-than that could start an IRI, or an IRI
    # holding a quote or "#" (as less-than, its text would open a string or a comment).
    if any(t.kind == "lt?" or (t.kind == "iri" and any(c in t.text for c in "'\"#") and
                               (t.expression or "#" not in t.text)) for t in items):
        raise _service_refusal()


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
