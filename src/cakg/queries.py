"""Saved queries: ``queries/NAME.rq`` with a header of ``# key: value`` lines.

Header keys: ``title``, ``description``, ``theme``, ``sections`` (the document
sections the query draws on), how the result is shown (``view``, ``column``,
``group``: :mod:`cakg.presentation`) and any number of ``param`` lines::

    # param: country country tha | ISO 3166 alpha-3 code (or IRI) of a country

that is ``NAME TYPE DEFAULT | description`` with ``-`` as DEFAULT for a
required parameter. Values are parsed and typed here, turned into RDF terms
by pyoxigraph (which escapes them), and bound with a ``VALUES`` block placed
at the start of the query's outer ``WHERE`` group: a value is never pasted
into the query text as a string. A value of a type that names an entity
(``country``, ``actor``, ``topic``, ``indicator``, ``iri``) may also be a name in
any language: :mod:`cakg.names` reads it against the store into the short form
parsed here before the query is bound.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import Literal, NamedNode

from .errors import InputError
from .presentation import Presentation, read_presentation
from .vocab import ID, PREFIXES, XSD

PARAM_TYPES = ("iri", "country", "actor", "topic", "indicator", "string", "lang", "integer", "decimal", "year")


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    default: str | None
    description: str

    @property
    def required(self) -> bool:
        return self.default is None


@dataclass
class SavedQuery:
    name: str
    text: str
    path: Path | None = None
    title: str = ""
    description: str = ""
    theme: str = ""
    sections: str = ""
    params: list[Param] = field(default_factory=list)
    # How its result is shown: the # view:, # column: and # group: lines (cakg.presentation).
    presentation: Presentation = field(default_factory=Presentation)

    def bind(self, values: dict[str, str] | None = None) -> str:
        """The query text with every parameter bound (given value or default)."""
        values = dict(values or {})
        known = {p.name for p in self.params}
        unknown = sorted(set(values) - known)
        if unknown:
            listed = ", ".join(sorted(known)) or "none"
            raise InputError(f"query {self.name}: no parameter {unknown[0]!r} (parameters: {listed})")
        terms: dict[str, str] = {}
        for param in self.params:
            raw = values.get(param.name, param.default)
            if raw is None:
                raise InputError(f"query {self.name}: missing parameter {param.name!r} "
                                 f"({param.type}: {param.description}); pass --param {param.name}=VALUE")
            terms[param.name] = str(to_term(param, raw, self.name))
        return inject_values(self.text, terms, self.name)

    def summary(self) -> dict:
        return {"name": self.name, "title": self.title, "description": self.description, "theme": self.theme,
                "sections": self.sections,
                "params": [{"name": p.name, "type": p.type, "default": p.default, "description": p.description,
                            "required": p.required} for p in self.params]}


def to_term(param: Param, raw: str, query: str) -> NamedNode | Literal:
    """Parse one parameter value by its declared type; a bad value is an InputError."""
    value = raw.strip()

    def bad(expected: str) -> InputError:
        return InputError(f"query {query}: parameter {param.name}={raw!r} is not {expected}")

    try:
        if param.type in ("iri", "actor"):
            return NamedNode(expand_iri(value))
        if param.type == "country":
            if re.fullmatch(r"[A-Za-z]{3}", value):
                return NamedNode(f"{ID}country/{value.lower()}")
            if value.startswith(("http://", "https://")) or ":" in value or re.fullmatch(r"[a-z-]+/[A-Za-z0-9._-]+", value):
                return NamedNode(expand_iri(value))
            raise bad("an ISO 3166 alpha-3 code (tha, khm…), a country's name or a country IRI")
        if param.type in ("topic", "indicator"):
            if re.fullmatch(r"[a-z0-9-]+", value):
                return NamedNode(f"{ID}{param.type}/{value}")
            return NamedNode(expand_iri(value))
        if param.type == "string":
            return Literal(value)
        if param.type == "lang":
            if not re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*", value):
                raise bad("a language tag such as en, zh or th")
            return Literal(value.lower())
        if param.type == "integer":
            if not re.fullmatch(r"[+-]?\d+", value):
                raise bad("an integer")
            return Literal(value, datatype=NamedNode(XSD + "integer"))
        if param.type == "decimal":
            if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", value):
                raise bad("a decimal number")
            return Literal(value, datatype=NamedNode(XSD + "decimal"))
        if param.type == "year":
            if not re.fullmatch(r"\d{4}", value):
                raise bad("a four-digit year")
            return Literal(value, datatype=NamedNode(XSD + "integer"))
    except ValueError:
        raise bad("a valid IRI") from None
    raise InputError(f"query {query}: parameter {param.name} has unknown type {param.type!r}")


def expand_iri(value: str) -> str:
    """``<iri>``, ``http…`` IRIs, ``prefix:local`` CURIEs and ``kind/slug`` under the id namespace."""
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1]
    if re.match(r"^https?://", value):
        return value
    prefix, sep, local = value.partition(":")
    if sep and prefix in PREFIXES:
        return PREFIXES[prefix] + local
    if re.fullmatch(r"[a-z-]+/[A-Za-z0-9._-]+", value):
        return ID + value
    raise ValueError(value)


def with_standard_prefixes(query: str) -> str:
    """Declare the well-known prefixes (cakg:, rdfs:, skos:…) an ad-hoc query uses without declaring."""
    declared = {m.group(1) for m in re.finditer(r"(?i)PREFIX\s+([\w-]*):", query)}
    missing = [f"PREFIX {p}: <{ns}>" for p, ns in PREFIXES.items()
               if p not in declared and re.search(rf"(?<![\w<]){re.escape(p)}:", query)]
    return "\n".join(missing + [query]) if missing else query


def inject_values(query: str, terms: dict[str, str], name: str = "query") -> str:
    """Insert ``VALUES (?a ?b) { (… …) }`` at the start of the outer WHERE group."""
    if not terms:
        return query
    position = _outer_group_start(query)
    if position is None:
        raise InputError(f"query {name}: cannot bind parameters: no WHERE {{ … }} group found")
    variables = " ".join(f"?{k}" for k in terms)
    row = " ".join(terms.values())
    block = f"\n  VALUES ({variables}) {{ ({row}) }}\n"
    return query[:position] + block + query[position:]


def _outer_group_start(query: str) -> int | None:
    """Index just after the ``{`` that opens the outer WHERE group, skipping comments, strings and IRIs."""
    i, n = 0, len(query)
    first_brace = None
    while i < n:
        c = query[i]
        if c == "#":
            i = query.find("\n", i)
            i = n if i < 0 else i
            continue
        if c in "\"'":
            triple = query[i:i + 3] in ('"""', "'''")
            end_token = query[i:i + 3] if triple else c
            j = i + len(end_token)
            while j < n and query[j:j + len(end_token)] != end_token:
                j += 2 if query[j] == "\\" else 1
            i = j + len(end_token)
            continue
        if c == "<" and re.match(r"<[^\s<>\"{}|^`\\]*>", query[i:]):
            i = query.index(">", i) + 1
            continue
        if query[i:i + 5].upper() == "WHERE" and (i == 0 or not query[i - 1].isalnum()) and \
                (i + 5 >= n or not query[i + 5].isalnum()):
            brace = query.find("{", i)
            return None if brace < 0 else brace + 1
        if c == "{" and first_brace is None:
            first_brace = i + 1
        i += 1
    return first_brace


_HEADER = re.compile(r"^#\s*([a-z_]+)\s*:\s*(.*)$")


def parse_saved_query(name: str, text: str, path: Path | None = None) -> SavedQuery:
    query = SavedQuery(name=name, text=text, path=path)
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        match = _HEADER.match(line)
        if not match:
            continue
        key, value = match.group(1), match.group(2).strip()
        if key == "param":
            query.params.append(_parse_param(value, f"{path or name}:{number}"))
        elif key in ("title", "description", "theme", "sections"):
            setattr(query, key, value)
    query.presentation = read_presentation(text, str(path or name), strict=True)
    return query


def _parse_param(spec: str, where: str) -> Param:
    head, _, description = spec.partition("|")
    parts = head.split()
    if len(parts) != 3 or parts[1] not in PARAM_TYPES:
        raise InputError(f"{where}: a param line is 'NAME TYPE DEFAULT | description' with TYPE one of "
                         f"{', '.join(PARAM_TYPES)} and DEFAULT '-' when required")
    name, kind, default = parts
    return Param(name, kind, None if default == "-" else default, description.strip())


def load_saved_queries(folder: Path) -> dict[str, SavedQuery]:
    if not folder.is_dir():
        raise InputError(f"{folder}: saved-query folder not found")
    queries = {}
    for path in sorted(folder.glob("*.rq")):
        queries[path.stem] = parse_saved_query(path.stem, path.read_text(encoding="utf-8"), path)
    return queries


def resolve(spec: str, folder: Path) -> SavedQuery:
    """A saved query by name, or a ``.rq`` file by path; unknown names get close matches."""
    path = Path(spec)
    if spec.endswith(".rq"):
        if not path.is_file():
            raise InputError(f"{spec}: query file not found")
        return parse_saved_query(path.stem, path.read_text(encoding="utf-8"), path)
    queries = load_saved_queries(folder)
    if spec in queries:
        return queries[spec]
    close = difflib.get_close_matches(spec, list(queries), n=4, cutoff=0.5)
    close += [q for q in queries if spec in q and q not in close][:4 - len(close)]
    hint = f"; did you mean: {', '.join(close)}?" if close else "; `cakg queries` lists them"
    raise InputError(f"unknown query {spec!r}{hint}")
