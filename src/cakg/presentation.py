"""How a query's result is shown, read from comment lines of the query: column titles, grouping, the suggested view.

Three optional lines, written like the saved queries' header (docs/queries.md)::

    # view: map                      (table, map, chart, timeline or graph; columns may follow)
    # view: chart section facts      (the columns the view uses, in its order)
    # column: marketLabel | Market   (a column's title; without one it is made from the name)
    # group: commitment              (rows with the same commitment are one entry; the rest listed in it)

They are comments, so the query runs unchanged anywhere. A saved query's lines are checked
when it is loaded (a bad one names its file and line); in a query typed into the editor or
sent to /sparql they are read as far as they make sense.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .errors import InputError

VIEW_KINDS = ("table", "map", "chart", "timeline", "graph")
LANGUAGE_NAMES = {"en": "English", "zh": "Chinese", "th": "Thai", "vi": "Vietnamese", "ms": "Malay",
                  "id": "Indonesian", "km": "Khmer", "lo": "Lao", "my": "Burmese", "fil": "Filipino",
                  "tl": "Tagalog", "native": "native"}
# Words kept in capitals when a title is made from a variable name.
ACRONYMS = {"idi", "gdp", "iri", "url", "id", "ict", "asean", "usd", "km", "zh", "en", "wp", "sc"}

_LINE = re.compile(r"^\s*#\s*(view|column|group)\s*:\s*(.*?)\s*$", re.IGNORECASE)
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass
class Presentation:
    """What the header says about showing the result (empty when it says nothing)."""

    view: str = "table"
    view_columns: list[str] = field(default_factory=list)
    titles: dict[str, str] = field(default_factory=dict)
    group: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {"view": self.view, "viewColumns": self.view_columns, "titles": self.titles, "group": self.group}


def read_presentation(text: str, where: str = "query", strict: bool = False) -> Presentation:
    """The ``# view:``, ``# column:`` and ``# group:`` lines of ``text``; ``strict``: a bad line is an InputError."""
    found = Presentation()
    for number, line in enumerate(text.splitlines(), start=1):
        match = _LINE.match(line)
        if not match:
            continue
        key, value = match.group(1).lower(), match.group(2)
        try:
            if key == "view":
                words = _names(value.replace(",", " ").split(), "view")
                if not words or words[0].lower() not in VIEW_KINDS:
                    raise ValueError(f"a view line is 'KIND [COLUMN…]' with KIND one of {', '.join(VIEW_KINDS)}")
                found.view, found.view_columns = words[0].lower(), [w.lstrip("?") for w in words[1:]]
            elif key == "column":
                name, sep, title = value.partition("|")
                name = name.strip().lstrip("?")
                if not sep or not _NAME.fullmatch(name) or not title.strip():
                    raise ValueError("a column line is 'VARIABLE | Title'")
                found.titles[name] = title.strip()
            else:
                names = [w.lstrip("?") for w in value.replace(",", " ").split()]
                if not names or not all(_NAME.fullmatch(n) for n in names):
                    raise ValueError("a group line names the variables that make one entry: 'VARIABLE…'")
                found.group = names
        except ValueError as error:
            if strict:
                raise InputError(f"{where}:{number}: {error}") from None
    if strict:
        _check_variables(found, text, where)
    return found


def _names(words: list[str], kind: str) -> list[str]:
    if not all(_NAME.fullmatch(w.lstrip("?")) for w in words):
        raise ValueError(f"a {kind} line holds a kind and variable names")
    return words


def _check_variables(found: Presentation, text: str, where: str) -> None:
    used = set(re.findall(r"[?$]([A-Za-z_][A-Za-z0-9_]*)", "\n".join(
        line for line in text.splitlines() if not line.lstrip().startswith("#"))))
    for name in [*found.view_columns, *found.titles, *found.group]:
        if name not in used:
            raise InputError(f"{where}: the header names ?{name}, which the query does not use")


def column_title(name: str, titles: dict[str, str] | None = None) -> str:
    """A column's title: the header's, else words from the name (``entrantCountryLabel`` → "Entrant country",
    ``cityLabelZh`` → "City (Chinese)")."""
    if titles and name in titles:
        return titles[name]
    words = [w for w in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+", name)] or [name]
    language = None
    if len(words) >= 3 and words[-2].lower() == "label" and words[-1].lower() in LANGUAGE_NAMES:
        language = LANGUAGE_NAMES[words[-1].lower()]
        words = words[:-2]
    elif len(words) >= 2 and words[-1].lower() == "label":
        words = words[:-1]
    shown = [w.upper() if w.lower() in ACRONYMS else w.lower() for w in words]
    title = " ".join(shown)
    title = title[:1].upper() + title[1:]
    return f"{title} ({language})" if language else title


__all__ = ["Presentation", "read_presentation", "column_title", "VIEW_KINDS"]
