"""One result type for every store, and its renderings.

A SELECT gives a :class:`ResultTable`, an ASK a :class:`ResultTable` with
``boolean`` set. Both the embedded and the remote store produce the same
terms, so a saved query's rows compare equal whichever store ran it.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from typing import NamedTuple
from xml.sax.saxutils import escape, quoteattr

from .errors import MalformedAnswer

XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


class _TermFields(NamedTuple):
    kind: str
    value: str
    datatype: str | None = None
    lang: str | None = None


_new_tuple = tuple.__new__


def _term_from_fields(kind: str, value: str, datatype: str | None, lang: str | None) -> Term:
    return _new_tuple(Term, (kind, value, datatype, lang))


class Term(_TermFields):
    """An RDF term as SPARQL results carry it: kind is ``uri``, ``literal`` or ``bnode``.

    A named tuple rather than a dataclass: large results make one per distinct term, and
    a tuple is built about 2.5 times faster and pickled (worker to server) 2.6 times faster.
    """

    __slots__ = ()

    def __new__(cls, kind: str, value: str, datatype: str | None = None, lang: str | None = None) -> Term:
        # Plain and xsd:string literals are the same term; language tags compare case-insensitively.
        if kind == "literal":
            if datatype in (XSD_STRING, RDF_LANGSTRING):
                datatype = None
            if lang:
                lang = lang.lower()
        return _new_tuple(cls, (kind, value, datatype, lang))

    def __reduce__(self):
        return (_term_from_fields, tuple(self))

    def to_json(self) -> dict:
        out: dict = {"type": self.kind, "value": self.value}
        if self.lang:
            out["xml:lang"] = self.lang
        elif self.datatype:
            out["datatype"] = self.datatype
        return out

    def n3(self) -> str:
        if self.kind == "uri":
            return f"<{self.value}>"
        if self.kind == "bnode":
            return f"_:{self.value}"
        text = json.dumps(self.value, ensure_ascii=False)
        if self.lang:
            return f"{text}@{self.lang}"
        if self.datatype:
            return f"{text}^^<{self.datatype}>"
        return text


@dataclass
class ResultTable:
    variables: list[str]
    rows: list[dict[str, Term]] = field(default_factory=list)
    boolean: bool | None = None

    # -------------------------------------------------------------- comparisons

    def as_set(self) -> set[tuple]:
        """Rows as a set of tuples (for comparing stores: row order may differ without ORDER BY)."""
        return {tuple(row.get(v) for v in self.variables) for row in self.rows}

    def values(self, variable: str) -> list[str]:
        return [row[variable].value for row in self.rows if variable in row]

    # -------------------------------------------------------------- renderings

    def to_sparql_json(self) -> str:
        if self.boolean is not None:
            return json.dumps({"head": {}, "boolean": self.boolean})
        return json.dumps({"head": {"vars": self.variables},
                           "results": {"bindings": [{k: t.to_json() for k, t in row.items()} for row in self.rows]}},
                          ensure_ascii=False, indent=1)

    def to_sparql_xml(self) -> str:
        out = ['<?xml version="1.0"?>', '<sparql xmlns="http://www.w3.org/2005/sparql-results#">', "<head>"]
        if self.boolean is not None:
            out += ["</head>", f"<boolean>{'true' if self.boolean else 'false'}</boolean>", "</sparql>"]
            return "\n".join(out) + "\n"
        out += [f"<variable name={quoteattr(v)}/>" for v in self.variables]
        out += ["</head>", "<results>"]
        for row in self.rows:
            out.append("<result>")
            for name, term in row.items():
                if term.kind == "uri":
                    inner = f"<uri>{escape(term.value)}</uri>"
                elif term.kind == "bnode":
                    inner = f"<bnode>{escape(term.value)}</bnode>"
                elif term.lang:
                    inner = f"<literal xml:lang={quoteattr(term.lang)}>{escape(term.value)}</literal>"
                elif term.datatype:
                    inner = f"<literal datatype={quoteattr(term.datatype)}>{escape(term.value)}</literal>"
                else:
                    inner = f"<literal>{escape(term.value)}</literal>"
                out.append(f"<binding name={quoteattr(name)}>{inner}</binding>")
            out.append("</result>")
        out += ["</results>", "</sparql>"]
        return "\n".join(out) + "\n"

    def to_csv(self) -> str:
        """SPARQL 1.1 CSV: plain values, no types."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        if self.boolean is not None:
            writer.writerow(["boolean"])
            writer.writerow(["true" if self.boolean else "false"])
            return buffer.getvalue()
        writer.writerow(self.variables)
        for row in self.rows:
            writer.writerow([row[v].value if v in row else "" for v in self.variables])
        return buffer.getvalue()

    def to_tsv(self) -> str:
        """SPARQL 1.1 TSV: terms in their SPARQL/Turtle form."""
        if self.boolean is not None:
            return f"?boolean\n{'true' if self.boolean else 'false'}\n"
        lines = ["\t".join(f"?{v}" for v in self.variables)]
        for row in self.rows:
            lines.append("\t".join(_tsv_term(row[v]) if v in row else "" for v in self.variables))
        return "\n".join(lines) + "\n"

    def to_markdown(self) -> str:
        if self.boolean is not None:
            return f"| boolean |\n|---|\n| {'true' if self.boolean else 'false'} |\n"
        def cell(term: Term | None) -> str:
            return "" if term is None else term.value.replace("|", "\\|").replace("\n", " ")
        lines = ["| " + " | ".join(self.variables) + " |", "|" + "---|" * len(self.variables)]
        lines += ["| " + " | ".join(cell(row.get(v)) for v in self.variables) + " |" for row in self.rows]
        return "\n".join(lines) + "\n"

    def to_table(self, width: int = 60) -> str:
        """A plain-text table for a terminal; long cells are cut to ``width`` characters."""
        if self.boolean is not None:
            return "true\n" if self.boolean else "false\n"
        def cell(term: Term | None) -> str:
            text = "" if term is None else term.value.replace("\n", " ").replace("\t", " ")
            return text if len(text) <= width else text[: width - 1] + "…"
        grid = [[cell(row.get(v)) for v in self.variables] for row in self.rows]
        widths = [max([len(v)] + [len(r[i]) for r in grid]) for i, v in enumerate(self.variables)]
        line = "  ".join(v.ljust(w) for v, w in zip(self.variables, widths))
        out = [line, "  ".join("-" * w for w in widths)]
        out += ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in grid]
        out.append(f"({len(self.rows)} row{'s' if len(self.rows) != 1 else ''})")
        return "\n".join(out) + "\n"

    def render(self, fmt: str) -> str:
        renderers = {"table": self.to_table, "csv": self.to_csv, "tsv": self.to_tsv,
                     "json": self.to_sparql_json, "xml": self.to_sparql_xml, "md": self.to_markdown}
        return renderers[fmt]()

    def to_dataframe(self):
        """A pandas DataFrame of the plain values (needs pandas installed)."""
        try:
            import pandas as pd
        except ImportError as error:  # pragma: no cover - depends on the environment
            from .errors import InputError

            raise InputError("to_dataframe needs pandas: pip install pandas") from error
        return pd.DataFrame([{v: row[v].value if v in row else None for v in self.variables} for row in self.rows],
                            columns=self.variables)


MEDIA_TYPES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "md": "text/markdown",
    "table": "text/plain",
}


def _tsv_term(term: Term) -> str:
    text = term.n3()
    return text.replace("\t", "\\t").replace("\n", "\\n")


_JSON_KINDS = {"uri": "uri", "literal": "literal", "typed-literal": "literal", "bnode": "bnode"}


def term_from_json(binding: object) -> Term:
    """A term of SPARQL JSON results; anything else is a MalformedAnswer."""
    if type(binding) is not dict:
        raise MalformedAnswer(f"a binding is {_json_kind(binding)}, not an object")
    kind = binding.get("type")
    value = binding.get("value")
    if type(kind) is not str or kind not in _JSON_KINDS:
        raise MalformedAnswer(f"a binding has the term type {_shown(kind)} (uri, literal or bnode expected)")
    if type(value) is not str:
        raise MalformedAnswer(f"a binding's value is {_json_kind(value)}, not a string")
    datatype, lang = binding.get("datatype"), binding.get("xml:lang")
    if not (datatype is None or type(datatype) is str) or not (lang is None or type(lang) is str):
        raise MalformedAnswer("a binding's datatype or language is not a string")
    return Term(_JSON_KINDS[kind], value, datatype, lang)


def table_from_sparql_json(data: object) -> ResultTable:
    """The table of SPARQL 1.1 JSON results (SELECT or ASK), checked shape by shape.

    A remote endpoint is untrusted input: anything that is not SPARQL JSON results
    (a boolean that is not ``true``/``false``, bindings that are not objects of terms)
    raises :class:`~cakg.errors.MalformedAnswer` rather than being read loosely.
    """
    if type(data) is not dict:
        raise MalformedAnswer(f"the answer is {_json_kind(data)}, not an object")
    head = data.get("head", {})
    if type(head) is not dict:
        raise MalformedAnswer(f'"head" is {_json_kind(head)}, not an object')
    if "boolean" in data:
        value = data["boolean"]
        if type(value) is not bool:
            raise MalformedAnswer(f'"boolean" is {_json_kind(value)} {_shown(value)}, not true or false')
        return ResultTable([], [], value)
    variables = head.get("vars", [])
    if type(variables) is not list or any(type(v) is not str for v in variables):
        raise MalformedAnswer('"head"."vars" is not a list of names')
    results = data.get("results")
    if type(results) is not dict or type(results.get("bindings")) is not list:
        raise MalformedAnswer('neither "boolean" nor "results" with a list of "bindings"')
    rows = []
    for solution in results["bindings"]:
        if type(solution) is not dict:
            raise MalformedAnswer(f"a solution is {_json_kind(solution)}, not an object")
        rows.append({name: term_from_json(term) for name, term in solution.items()})
    return ResultTable(list(variables), rows)


def _json_kind(value: object) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", int: "a number",
             float: "a number", type(None): "null"}
    return names.get(type(value), type(value).__name__)


def _shown(value: object) -> str:
    text = json.dumps(value, ensure_ascii=True)
    return text if len(text) <= 40 else text[:39] + "…"
