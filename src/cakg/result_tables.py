"""Result tables for people: titled columns, an entity once as its linked label, quotes gathered per fact.

From a :class:`~cakg.views.TableView` (the terms of a SELECT result with their labels):

- a column ``?x`` with a column ``?xLabel`` beside it is one column, the label linking to
  ``x``'s page, titled from the header (``# column:``) or from the name (:func:`column_title`);
- literals show their value only; the datatype or language is the cell's hover text;
- when the result has a ``?quote``, the evidence columns (``quote``, ``passage``,
  ``section``, ``doc``) become one column of quotes, each with the passage it is from,
  and rows that differ only there are one entry listing their quotes;
- a ``# group:`` line makes one entry of all rows agreeing on the named columns: what
  differs is listed inside it (sub-rows), what agrees is shown once.

The page's script sorts the entries and pages through them; without it, all are shown.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

from .presentation import LANGUAGE_NAMES, Presentation, column_title
from .views import TableView, TermView, href_for

EVIDENCE = ("quote", "passage", "section", "doc")
NUMERIC = {"xsd:integer", "xsd:decimal", "xsd:double", "xsd:float", "xsd:int", "xsd:long", "xsd:short",
           "xsd:nonNegativeInteger", "xsd:positiveInteger", "xsd:negativeInteger", "xsd:nonPositiveInteger",
           "xsd:unsignedInt", "xsd:unsignedLong", "xsd:byte"}


@dataclass(frozen=True)
class Cell:
    text: str = ""
    href: str | None = None
    hover: str = ""
    lang: str | None = None
    external: bool = False
    note: str | None = None
    sort: str | float = ""

    @property
    def empty(self) -> bool:
        return not self.text


@dataclass(frozen=True)
class Quote:
    text: str
    where: str = ""
    href: str | None = None
    iri: str = ""


@dataclass
class Column:
    name: str
    title: str
    label_from: str | None = None  # the ?xLabel column whose text this column shows
    numeric: bool = False


@dataclass
class Slot:
    """One <td>: a column's cell, or the quotes, spanning ``rowspan`` sub-rows."""

    cell: Cell | None = None
    quotes: list[Quote] | None = None
    rowspan: int = 1
    numeric: bool = False


@dataclass
class Entry:
    """One entry (a <tbody>): its sub-rows of slots and the keys it sorts by, one per column."""

    number: int
    rows: list[list[Slot]]
    keys: list[str | float]
    quotes: int = 0


@dataclass
class ResultView:
    columns: list[Column]
    entries: list[Entry]
    evidence: bool
    total: int
    shown: int
    boolean: bool | None = None
    hidden: list[str] = field(default_factory=list)  # variables folded into another column

    @property
    def quote_count(self) -> int:
        return sum(e.quotes for e in self.entries)


def _cell(term: TermView | None, label: TermView | None = None) -> Cell:
    if term is None:
        return Cell()
    if term.kind == "uri":
        text = label.value if label is not None and label.kind == "literal" else term.label
        return Cell(text, term.href, term.value, label.lang if label is not None else None, term.external, term.note,
                    text.lower())
    if term.kind == "bnode":
        return Cell(term.label, None, "blank node", sort=term.label)
    if term.lang:
        hover = f"{LANGUAGE_NAMES.get(term.lang.split('-')[0], term.lang)} (@{term.lang})"
    else:
        hover = term.datatype or ""
    sort: str | float = term.value.lower()
    if term.datatype in NUMERIC:
        try:
            sort = float(term.value)
        except ValueError:
            pass
    return Cell(term.value, None, hover, term.lang, note=term.note, sort=sort)


def _quote(row: dict[str, TermView | None], base: str) -> Quote | None:
    quote = row.get("quote")
    if quote is None:
        return None
    passage = row.get("passage")
    where = " ".join(t.value for t in (row.get("doc"), row.get("section")) if t is not None and t.kind == "literal")
    href = href_for(passage.value, base) if passage is not None and passage.kind == "uri" else None
    return Quote(quote.value, where, href, passage.value if passage is not None else "")


def result_view(table: TableView, presentation: Presentation | None = None, base: str = "") -> ResultView:
    """The table as entries for people (see the module's description)."""
    presentation = presentation or Presentation()
    if table.boolean is not None:
        return ResultView([], [], False, table.total, table.shown, table.boolean)
    variables = list(table.variables)
    evidence = [v for v in EVIDENCE if v in variables] if "quote" in variables else []
    pairs = {v: v + "Label" for v in variables if v + "Label" in variables and v not in evidence}
    folded = set(pairs.values()) | set(evidence)
    shown = [v for v in variables if v not in folded]
    index = {v: i for i, v in enumerate(variables)}

    facts: OrderedDict[tuple, dict] = OrderedDict()
    for row in table.rows:
        named = {v: row[i] for v, i in index.items()}
        cells = tuple(_cell(named[v], named.get(pairs[v]) if v in pairs else None) for v in shown)
        fact = facts.setdefault(cells, {"cells": cells, "quotes": []})
        quote = _quote(named, base) if evidence else None
        if quote is not None and quote not in fact["quotes"]:
            fact["quotes"].append(quote)

    group_columns = [shown.index(_shown_name(name, pairs)) for name in presentation.group
                     if _shown_name(name, pairs) in shown]
    groups: OrderedDict[tuple, list[dict]] = OrderedDict()
    for key, fact in facts.items():
        group_key = tuple(key[i] for i in group_columns) if group_columns else key
        groups.setdefault(group_key, []).append(fact)

    columns = [Column(v, column_title(v, presentation.titles), pairs.get(v),
                      _numeric([f["cells"][i] for f in facts.values()])) for i, v in enumerate(shown)]
    entries = []
    for number, members in enumerate(groups.values(), start=1):
        size = len(members)
        constant = [all(m["cells"][i] == members[0]["cells"][i] for m in members) for i in range(len(shown))]
        same_quotes = all(m["quotes"] == members[0]["quotes"] for m in members)
        rows = []
        for position, member in enumerate(members):
            slots = []
            for i, column in enumerate(columns):
                if constant[i] and position:
                    continue
                slots.append(Slot(member["cells"][i], rowspan=size if constant[i] else 1, numeric=column.numeric))
            if evidence and (position == 0 or not same_quotes):
                slots.append(Slot(quotes=member["quotes"], rowspan=size if same_quotes else 1))
            rows.append(slots)
        first = members[0]
        keys = [c.sort for c in first["cells"]] + ([first["quotes"][0].text.lower() if first["quotes"] else ""]
                                                     if evidence else [])
        quotes = {q for m in members for q in m["quotes"]}
        entries.append(Entry(number, rows, keys, len(quotes)))
    if evidence:
        columns.append(Column("quote", presentation.titles.get("quote", "Evidence")))
    return ResultView(columns, entries, bool(evidence), table.total, table.shown,
                      hidden=[v for v in variables if v in folded])


def _shown_name(name: str, pairs: dict[str, str]) -> str:
    """The column a header's variable is shown in (``xLabel`` is shown in ``x``'s column)."""
    for entity, label in pairs.items():
        if label == name:
            return entity
    return name


def _numeric(cells: list[Cell]) -> bool:
    values = [c for c in cells if not c.empty]
    return bool(values) and all(isinstance(c.sort, float) for c in values)


__all__ = ["result_view", "ResultView", "Entry", "Slot", "Column", "Cell", "Quote", "EVIDENCE"]
