"""SPARQL syntax errors a person can act on: where (line, column, the text with a caret) and why, in words.

pyoxigraph reports a syntax error as ``error at LINE:COLUMN: expected one of …``:
the furthest place its parser reached and the grammar's alternatives there, often
character classes (``['A' ..= 'Z' | …]``) or a keyword that has little to do with
the mistake (``expected OPTIONAL`` for a missing dot). :func:`diagnose` reads the
query's own tokens for the mistakes people make — an undeclared prefix, an
unknown function, a misspelt keyword, unbalanced brackets, a missing dot, a comma
or an unnamed expression in SELECT, an unclosed string — and names the one
nearest to where the parser stopped (never past it: the parser would have stopped
there first). When none applies, the parser's alternatives are restated without
the character classes. The parser's own message is always kept as ``raw``.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from .errors import InputError
from .vocab import PREFIXES

# The prefix a worker's one-line message starts with (see cakg.store.syntax_message).
MESSAGE_PREFIX = "SPARQL syntax error"
RAW_LIMIT = 2000  # characters of the parser's message kept
# The tokens are read up to the end of the line where the parser stopped, and only when that is within
# this many characters: past it the parser's own words are restated (bounded work for any query).
MAX_ANALYSED = 100_000

KEYWORDS = {
    "BASE", "PREFIX", "SELECT", "DISTINCT", "REDUCED", "AS", "CONSTRUCT", "WHERE", "DESCRIBE", "ASK", "FROM",
    "NAMED", "GROUP", "BY", "HAVING", "ORDER", "ASC", "DESC", "LIMIT", "OFFSET", "VALUES", "UNDEF", "OPTIONAL",
    "GRAPH", "SERVICE", "SILENT", "BIND", "MINUS", "UNION", "FILTER", "NOT", "IN", "EXISTS", "A", "TRUE", "FALSE",
    "SEPARATOR", "LATERAL", "INSERT", "DELETE", "DATA", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD",
    "WITH", "INTO", "TO", "USING", "DEFAULT", "ALL", "VERSION",
}
FUNCTIONS = {
    "STR", "LANG", "LANGMATCHES", "DATATYPE", "BOUND", "IRI", "URI", "BNODE", "RAND", "ABS", "CEIL", "FLOOR",
    "ROUND", "CONCAT", "SUBSTR", "STRLEN", "REPLACE", "UCASE", "LCASE", "ENCODE_FOR_URI", "CONTAINS", "STRSTARTS",
    "STRENDS", "STRBEFORE", "STRAFTER", "YEAR", "MONTH", "DAY", "HOURS", "MINUTES", "SECONDS", "TIMEZONE", "TZ",
    "NOW", "UUID", "STRUUID", "MD5", "SHA1", "SHA256", "SHA384", "SHA512", "COALESCE", "IF", "STRLANG", "STRDT",
    "SAMETERM", "ISIRI", "ISURI", "ISBLANK", "ISLITERAL", "ISNUMERIC", "REGEX", "COUNT", "SUM", "MIN", "MAX",
    "AVG", "SAMPLE", "GROUP_CONCAT", "TRIPLE", "SUBJECT", "PREDICATE", "OBJECT", "ISTRIPLE", "LANGDIR",
    "STRLANGDIR", "HASLANG", "HASLANGDIR", "ADJUST",
}
# Words a "(" may follow that are not functions.
_OPEN_AFTER = {"FILTER", "BIND", "IN", "VALUES", "BY", "ASC", "DESC", "HAVING", "SELECT", "DISTINCT", "REDUCED",
               "AS", "WHERE", "GROUP", "ORDER", "SEPARATOR"}
_SPELLING = sorted(KEYWORDS | FUNCTIONS)
_CLOSERS = {")": "(", "}": "{", "]": "["}

_NAME_START = r"A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d" \
              r"\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
_NAME_CHAR = _NAME_START + r"_0-9\-\u00b7\u0300-\u036f\u203f-\u2040"
_ECHAR = r"""\\[tbnrf"'\\]"""
# Possessive loops (*+) never backtrack: one pass over the text, whatever it holds.
_TOKEN = re.compile(rf"""
    (?P<space>[ \t\r\n]++)
  | (?P<comment>\#[^\r\n]*+)
  | (?P<iri><[^<>"{{}}|^`\\\x00-\x20]*+>)
  | (?P<string>'''(?:(?:'|'')?+(?:[^'\\]|{_ECHAR}))*+'''
             |\"\"\"(?:(?:"|"")?+(?:[^"\\]|{_ECHAR}))*+\"\"\"
             |'(?:[^'\\\r\n]|{_ECHAR})*+'
             |"(?:[^"\\\r\n]|{_ECHAR})*+")
  | (?P<var>[?$][{_NAME_START}_0-9][{_NAME_START}_0-9\u00b7\u0300-\u036f\u203f-\u2040]*+)
  | (?P<bnode>_:[{_NAME_CHAR}]++(?:\.++[{_NAME_CHAR}]++)*+)
  | (?P<pname>(?:[{_NAME_START}][{_NAME_CHAR}]*+(?:\.++[{_NAME_CHAR}]++)*+)?:(?:[{_NAME_CHAR}:%\\]++|\.++(?=[{_NAME_CHAR}:%]))*+)
  | (?P<word>[{_NAME_START}_][{_NAME_CHAR}]*+)
  | (?P<number>[0-9]++(?:\.[0-9]*+)?+(?:[eE][+-]?[0-9]++)?+|\.[0-9]++(?:[eE][+-]?[0-9]++)?+)
  | (?P<langtag>@[a-zA-Z]++(?:-[a-zA-Z0-9]++)*+)
  | (?P<datatype>\^\^)
  | (?P<other>.)
""", re.VERBOSE | re.DOTALL)
_POSITION = re.compile(r"error at (\d+):(\d+)")
_CLASS = re.compile(r"\[[^\]]*\]")


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int

    @property
    def end(self) -> int:
        return self.start + len(self.text)


@dataclass(frozen=True)
class SyntaxProblem:
    """A syntax error: where (1-based line and column of the offending text, its length) and why."""

    line: int
    column: int
    cause: str
    raw: str
    length: int = 1
    hint: str = ""

    def headline(self) -> str:
        """One line: ``SPARQL syntax error at line 4, column 6: prefix rdfs: is not declared``."""
        return f"{MESSAGE_PREFIX} at line {self.line}, column {self.column}: {self.cause}"

    def one_line(self) -> str:
        """The headline with the hint, for the command line."""
        return self.headline() + (f" ({self.hint})" if self.hint else "")

    def excerpt(self, query: str) -> str:
        """The offending line (and the one before it) with a caret under the offending text."""
        lines = query.splitlines() or [""]
        index = min(self.line, len(lines)) - 1
        width = len(str(index + 1))
        out = []
        for number in range(max(0, index - 1), index + 1):
            text = lines[number].replace("\t", " ")
            shown, shift = _window(text, self.column - 1 if number == index else 0)
            out.append(f"{number + 1:>{width}} | {shown}")
            if number == index:
                start = self.column - 1 - shift
                length = max(1, min(self.length, len(shown) - start))
                out.append(f"{'':>{width}} | {' ' * start}{'^' * length}")
        return "\n".join(out)

    def report(self, query: str) -> str:
        """For people: the headline, the excerpt with its caret, the hint, and the parser's own words."""
        parts = [self.headline(), "", self.excerpt(query)]
        if self.hint:
            parts += ["", self.hint]
        if self.raw:
            parts += ["", f"parser: {self.raw}"]
        return "\n".join(parts)


def _window(text: str, column: int, span: int = 70) -> tuple[str, int]:
    """A long line cut around ``column`` (0-based): (shown text, characters cut from the start)."""
    if len(text) <= 2 * span:
        return text, 0
    start = max(0, column - span)
    end = min(len(text), column + span)
    shown = ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")
    return shown, start - (1 if start else 0)


def raw_message(error: BaseException | str) -> str:
    """pyoxigraph's message on one line (its alternatives span several), cut to :data:`RAW_LIMIT`."""
    text = str(error.args[0]) if isinstance(error, BaseException) and error.args else str(error)
    text = " ".join(text.split())
    return text[:RAW_LIMIT] + ("…" if len(text) > RAW_LIMIT else "")


def tokens(query: str) -> list[Token]:
    """The query's tokens with their offsets (spaces and comments left out)."""
    out = []
    for found in _TOKEN.finditer(query):
        kind = found.lastgroup or "other"
        if kind not in ("space", "comment"):
            out.append(Token(kind, found.group(), found.start()))
            if kind == "other" and found.group() in "\"'":
                break  # an unclosed string: what follows is its text, not tokens
    return out


def position(query: str, offset: int) -> tuple[int, int]:
    """1-based (line, column) of a character offset; columns count characters, as pyoxigraph's do."""
    offset = max(0, min(offset, len(query)))
    line = query.count("\n", 0, offset) + 1
    column = offset - (query.rfind("\n", 0, offset) + 1) + 1
    return line, column


def offset_of(query: str, line: int, column: int) -> int:
    """The character offset of a 1-based (line, column)."""
    starts = [0] + [m.end() for m in re.finditer(r"\n", query)]
    index = min(max(line, 1), len(starts)) - 1
    return min(starts[index] + max(column, 1) - 1, len(query))


# ------------------------------------------------------------------ what the tokens show

@dataclass(frozen=True)
class _Finding:
    offset: int
    length: int
    cause: str
    hint: str = ""
    certain: bool = False
    suggest: str = ""  # a word to suggest a close keyword or function for, once this finding is chosen  # the rest of the text cannot be read as tokens (an unclosed string), or a rule broken


def _undeclared_prefixes(items: list[Token]) -> list[_Finding]:
    declared: set[str] = set()
    found = []
    for index, token in enumerate(items):
        if token.kind != "pname":
            continue
        prefix = token.text.split(":", 1)[0]
        if index and items[index - 1].kind == "word" and items[index - 1].text.upper() == "PREFIX":
            declared.add(prefix)
            continue
        if prefix not in declared:
            known = PREFIXES.get(prefix)
            hint = f"declare it at the top: PREFIX {prefix}: <{known}>" if known else \
                f"declare it at the top: PREFIX {prefix}: <namespace IRI>"
            found.append(_Finding(token.start, len(token.text), f"prefix {prefix}: is not declared", hint))
    return found


def _words(items: list[Token]) -> list[_Finding]:
    """Unknown functions (a bare word before "(") and misspelt keywords."""
    found = []
    for index, token in enumerate(items):
        if token.kind != "word":
            continue
        upper = token.text.upper()
        follows = items[index + 1] if index + 1 < len(items) else None
        if upper in ("ORDER", "GROUP") and (follows is None or follows.text.upper() != "BY"):
            found.append(_Finding(token.start, len(token.text), f"{upper} is followed by BY ({upper} BY ?x)",
                                  certain=True))
        elif upper in ("LIMIT", "OFFSET") and (follows is None or follows.kind != "number"):
            found.append(_Finding(token.start, len(token.text), f"{upper} is followed by a whole number "
                                                                f"({upper} 10)", certain=True))
        elif follows is not None and follows.text == "(" and upper not in FUNCTIONS and upper not in _OPEN_AFTER:
            found.append(_Finding(token.start, len(token.text), f"unknown function {token.text}()",
                                  "SPARQL's functions: https://www.w3.org/TR/sparql11-query/#SparqlOps",
                                  suggest="function"))
        elif upper not in KEYWORDS and upper not in FUNCTIONS:
            found.append(_Finding(token.start, len(token.text), f"{token.text} is not a SPARQL keyword",
                                  "variables start with ? and prefixed names have a colon (rdfs:label)",
                                  suggest="keyword"))
    return found


def _brackets(items: list[Token], query: str, complete: bool) -> list[_Finding]:
    found = []
    stack: list[Token] = []
    for token in items:
        if token.text in ("(", "{", "["):
            stack.append(token)
        elif token.text in _CLOSERS:
            if not stack:
                found.append(_Finding(token.start, 1, f"this {token.text} closes nothing: there is no "
                                                      f"{_CLOSERS[token.text]} open before it"))
                continue
            opener = stack.pop()
            if opener.text != _CLOSERS[token.text]:
                line, column = position(query, opener.start)
                wanted = {v: k for k, v in _CLOSERS.items()}[opener.text]
                found.append(_Finding(token.start, 1, f"a {wanted} is missing before this {token.text}: the "
                                                      f"{opener.text} opened at line {line}, column {column} "
                                                      "is still open"))
                break  # past the first mismatch every pairing is a guess
        elif token.kind == "other" and token.text in "\"'":
            found.append(_Finding(token.start, 1, "this string is never closed: a quote is missing at its end "
                                                  "(strings in '…' or \"…\" stay on one line)", certain=True))
            break
        elif token.kind == "other" and token.text == "@":
            found.append(_Finding(token.start, 1, 'a language tag follows @ directly ("text"@en)', certain=True))
    else:
        for opener in stack[-1:] if complete else []:
            line, column = position(query, opener.start)
            wanted = {v: k for k, v in _CLOSERS.items()}[opener.text]
            found.append(_Finding(len(query.rstrip()), 1, f"the query ends while the {opener.text} opened at "
                                                          f"line {line}, column {column} is still open: a "
                                                          f"{wanted} is missing"))
    return found


_TERMS = {"var", "iri", "pname", "string", "number", "bnode"}


def _missing_dots(items: list[Token]) -> list[_Finding]:
    """A fourth term in a row inside a group pattern: the dot ending the triple before it is missing."""
    found = []
    stack: list[str] = []  # "group", "data" (VALUES), "expression", "blank" ([…])
    counting, run, previous, after_values = True, 0, None, False
    for token in items:
        text, upper = token.text, token.text.upper()
        if text == "{":
            stack.append("data" if after_values else "group")
            counting, run, after_values = True, 0, False
        elif text == "}":
            if stack:
                stack.pop()
            counting, run = True, 0
        elif text == "(":
            stack.append("expression")
        elif text == ")":
            if stack and stack[-1] == "expression":
                stack.pop()
            run = 0
        elif text == "[":
            stack.append("blank")
        elif text == "]":
            if stack and stack[-1] == "blank":
                stack.pop()
            run = run + 1 if stack and stack[-1] == "group" else 0
        elif stack and stack[-1] == "group" and counting and (token.kind in _TERMS or upper in ("A", "TRUE", "FALSE")):
            if previous is not None and previous.kind in ("datatype",):
                pass  # the datatype of a literal: part of the term before it
            else:
                run += 1
                if run == 4:
                    found.append(_Finding(token.start, len(text), f"a dot is missing before {text}: each triple "
                                                                  "pattern ends with . (or ; to repeat the subject)"))
                    run = 1
        elif token.kind in ("langtag", "datatype"):
            pass
        else:
            run = 0
            if token.kind == "word":
                after_values = upper == "VALUES"
                if upper in ("SELECT", "GROUP", "ORDER", "HAVING", "LIMIT", "OFFSET"):
                    counting = False
        previous = token
    return found


def _select_clauses(items: list[Token]) -> list[_Finding]:
    """Commas between variables, expressions without ``AS ?name``, a SELECT naming nothing."""
    found = []
    for index, token in enumerate(items):
        if token.kind != "word" or token.text.upper() != "SELECT":
            continue
        depth, named, has_as, opened = 0, False, False, None
        for follower in range(index + 1, len(items)):
            inner = items[follower]
            upper = inner.text.upper()
            if inner.text == "{" or upper in ("WHERE", "FROM", "SELECT"):
                if not named and depth == 0:
                    found.append(_Finding(token.start, len(token.text), "SELECT names no variables",
                                          "list them (SELECT ?x ?y) or write SELECT *"))
                break
            if inner.text == "(":
                if depth == 0:
                    opened, has_as = inner, False
                depth += 1
            elif inner.text == ")":
                depth -= 1
                if depth == 0 and opened is not None:
                    named = True
                    if not has_as:
                        found.append(_Finding(opened.start, inner.end - opened.start,
                                              "an expression in SELECT needs a name",
                                              "write (EXPRESSION AS ?name)"))
                if depth < 0:
                    break
            elif depth == 1 and upper == "AS":
                has_as = True
            elif depth == 0 and inner.text == ",":
                found.append(_Finding(inner.start, 1, "variables in SELECT are separated by spaces, not commas"))
            elif depth == 0 and (inner.kind == "var" or inner.text == "*"):
                named = True
    return found


# ------------------------------------------------------------------ the parser's words

_PARSER_PHRASES = (
    ("The SELECT contains a variable that is unbound",
     "a selected variable is neither grouped nor aggregated: with COUNT, SUM… or GROUP BY, every plain ?variable "
     "in SELECT must also be in GROUP BY"),
    ("Duplicated variable name in SELECT", "a variable is named twice in SELECT"),
    ("IRI parsing failed", "this IRI is not valid: <…> holds no spaces, quotes or <>{}|^` characters"),
    ("Prefix not found", "this prefix is not declared"),
)


def _parser_cause(raw: str, at_end: bool) -> str:
    """The parser's alternatives in words: its own phrases translated, character classes left out."""
    expected = raw.split("expected", 1)[1] if "expected" in raw else ""
    for phrase, words in _PARSER_PHRASES:
        if phrase in expected:
            return words
    expected = expected.removeprefix(" one of").strip()
    readable = [item.strip().strip('"') for item in _CLASS.sub("", expected).split(",")]
    readable = [item for item in readable if item and item not in ("…", "<unreported>")]
    if at_end:
        return "the query ends too early" + (f": expected {_either(readable)}" if readable else "")
    if readable == ["BY"]:
        return "ORDER and GROUP are followed by BY"
    if readable:
        return f"the query cannot be read from here (the parser expected {_either(readable)})"
    return "the query cannot be read from here"


def _either(items: list[str]) -> str:
    items = list(dict.fromkeys(items))[:8]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def _parser_specific(raw: str, query: str, items: list[Token], stop: int) -> _Finding | None:
    """The errors the parser names itself (an invalid IRI, an ungrouped or doubly named variable), located."""
    if "IRI parsing failed" in raw:
        start = query.rfind("<", 0, max(stop, 1))
        if start >= 0:
            end = query.find(">", start)
            length = (end + 1 - start) if end > start else 1
            return _Finding(start, length, "this IRI is not valid: <…> holds no spaces, quotes or <>{}|^` "
                                           "characters", certain=True)
    if "The SELECT contains a variable that is unbound" in raw:
        selected, grouped, mode, depth = [], set(), "", 0
        for token in items:
            upper = token.text.upper()
            if token.text in ("(", "{"):
                depth += 1
            elif token.text in (")", "}"):
                depth -= 1
            if upper == "SELECT" and not mode:
                mode = "select"
            elif mode == "select" and (upper == "WHERE" or token.text == "{"):
                mode = "where"
            elif upper == "GROUP":
                mode = "group"
            elif mode == "group" and upper in ("ORDER", "HAVING", "LIMIT", "OFFSET", "VALUES"):
                mode = "after"
            elif token.kind == "var" and mode == "select" and depth == 0:
                selected.append(token)
            elif token.kind == "var" and mode == "group":
                grouped.add(token.text[1:])
        for token in selected:
            if token.text[1:] not in grouped:
                return _Finding(token.start, len(token.text), f"{token.text} is selected but neither grouped nor "
                                                              "aggregated", f"add it to GROUP BY, or select "
                                                              f"(SAMPLE({token.text}) AS ?name)", certain=True)
    return None


def _suggestion(finding: _Finding, query: str) -> str:
    """'did you mean CONTAINS?' for a misspelt function or keyword (computed for the chosen finding only)."""
    if not finding.suggest:
        return ""
    word = query[finding.offset:finding.offset + finding.length].upper()
    pool = sorted(FUNCTIONS) if finding.suggest == "function" else _SPELLING
    close = difflib.get_close_matches(word, pool, n=1, cutoff=0.8)
    return f"did you mean {close[0]}?" if close else ""


def diagnose(raw: str, query: str) -> SyntaxProblem:
    """The mistake nearest to where the parser stopped (``raw``: pyoxigraph's message), in words."""
    raw = raw_message(raw)
    at = _POSITION.search(raw)
    stop = offset_of(query, int(at.group(1)), int(at.group(2))) if at else len(query)
    line_end = query.find("\n", stop)
    cut = len(query) if line_end < 0 else line_end
    items = tokens(query[:cut]) if cut <= MAX_ANALYSED else []
    specific = _parser_specific(raw, query, items, stop)
    candidates = [specific] if specific is not None else (
        _undeclared_prefixes(items) + _words(items) + _brackets(items, query, complete=cut == len(query))
        + _select_clauses(items) + _missing_dots(items))
    usable = [c for c in candidates if c.offset <= stop]
    usable = [c for c in usable if c.certain] or usable
    if usable:
        # The nearest to the parser's stop; among equals, the order above (the surest first).
        best = max(enumerate(usable), key=lambda pair: (pair[1].offset, -pair[0]))[1]
        line, column = position(query, best.offset)
        return SyntaxProblem(line, column, best.cause, raw, best.length, _suggestion(best, query) or best.hint)
    line, column = position(query, stop)
    cause = _parser_cause(raw, at_end=not query[stop:].strip())
    return SyntaxProblem(line, column, cause, raw)


class QuerySyntaxError(InputError):
    """A syntax error in a query run from the command line or the library: one line, ``LABEL: headline (hint)``."""

    def __init__(self, label: str, problem: SyntaxProblem) -> None:
        super().__init__(f"{label}: {problem.one_line()}")
        self.label, self.problem = label, problem

    def lines_added(self, count: int) -> QuerySyntaxError:
        """The same error for the text as its author wrote it, before ``count`` lines were put in front of it."""
        if count <= 0 or self.problem.line <= count:
            return self
        problem = self.problem
        moved = SyntaxProblem(problem.line - count, problem.column, problem.cause, problem.raw, problem.length,
                              problem.hint)
        return QuerySyntaxError(self.label, moved)


def explain_message(message: str, query: str) -> str | None:
    """A worker's one-line syntax message (``SPARQL syntax error: RAW``) restated for people; None if not one."""
    head = MESSAGE_PREFIX + ": "
    if not message.startswith(head):
        return None
    return diagnose(message[len(head):], query).report(query)


__all__ = ["SyntaxProblem", "QuerySyntaxError", "diagnose", "explain_message", "raw_message", "tokens", "position", "MESSAGE_PREFIX"]
