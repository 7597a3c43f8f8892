"""Names, codes and IRIs a curator types, resolved to the terms they mean (or a close-match message).

Classes and properties resolve by local name (``SubmarineCable``, ``builtBy``),
prefixed name (``cakg:builtBy``), label in any language (``submarine cable``,
``建设方``) or IRI. Entities resolve by IRI, prefixed name (``country:tha``),
slug (``huawei-marine``), code (``THA``), or any label or alternative label
in any language (``Thailand``, ``泰国``, ``ประเทศไทย``, ``MCT``), comparing
case, dashes and spacing aside. A miss or an ambiguous name is an
InputError listing the closest candidates.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from pyoxigraph import Literal, NamedNode

from ..errors import InputError
from ..vocab import CAKG, PREFIXES, RDFS, SKOS, XSD
from .project import Entry, OntologyTerm, Project, normalise
from .turtle_blocks import DATA_PREFIXES, expand

ALL_PREFIXES = {**PREFIXES, **DATA_PREFIXES}  # the data files' org: (id/org/) wins over W3C org:
DATE_PROPERTIES = {CAKG + p for p in ("date", "startDate", "endDate", "targetDate", "refPeriod", "periodEnd")} | {
    "http://purl.org/dc/terms/issued"}
LANGUAGE_PROPERTIES = {RDFS + "label", SKOS + "altLabel", SKOS + "prefLabel", SKOS + "definition"}
# Short names for the properties every node may carry.
ALIASES = {"label": RDFS + "label", "altlabel": SKOS + "altLabel", "alt": SKOS + "altLabel",
           "comment": RDFS + "comment", "prefLabel": SKOS + "prefLabel"}
_DATE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")


@dataclass(frozen=True)
class PropertyKey:
    iri: str
    language: str | None  # for labels: "en" unless given as label@zh

    @property
    def key(self) -> str:
        return self.iri + (f"@{self.language}" if self.language else "")


def _close(word: str, options: dict[str, str], n: int = 5) -> str:
    """``; did you mean: …?`` with the options closest to ``word`` (spelling, or a shared word)."""
    wanted = normalise(word)
    matches = difflib.get_close_matches(wanted, list(options), n=n, cutoff=0.6)
    words = {w for w in re.split(r"[\s\-/]+", wanted) if len(w) >= 4}
    if words and len(matches) < n:
        sharing = [o for o in options if words & set(re.split(r"[\s\-/]+", o))]
        sharing.sort(key=lambda o: -difflib.SequenceMatcher(None, wanted, o).ratio())
        matches += [o for o in sharing if o not in matches][: n - len(matches)]
    if not matches:
        return ""
    return "; did you mean: " + ", ".join(dict.fromkeys(options[m] for m in matches)) + "?"


def _as_iri(text: str) -> str | None:
    text = text.strip()
    if text.startswith("<") and text.endswith(">"):
        return text[1:-1]
    if re.match(r"^https?://\S+$", text):
        return text
    return expand(text, ALL_PREFIXES) if re.match(r"^[A-Za-z][\w-]*:[\w.-]+$", text) else None


def _term_by_name(project: Project, text: str, kinds: set[str], what: str) -> OntologyTerm:
    terms = {iri: t for iri, t in project.ontology.items() if t.kind in kinds}
    iri = _as_iri(text)
    if iri is not None and iri in terms:
        return terms[iri]
    wanted = normalise(text)
    by_local = [t for t in terms.values() if normalise(t.iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]) == wanted]
    cakg_first = sorted(by_local, key=lambda t: not t.iri.startswith(CAKG))
    if cakg_first:
        return cakg_first[0]
    by_label = [t for t in terms.values() if any(normalise(label) == wanted for label in t.labels.values())]
    if len(by_label) == 1:
        return by_label[0]
    options = {normalise(t.iri.rsplit("#", 1)[-1]): t.iri.rsplit("#", 1)[-1] for t in terms.values()}
    options.update({normalise(label): t.iri.rsplit("#", 1)[-1] for t in terms.values() for label in t.labels.values()})
    if by_label:
        names = ", ".join(t.iri for t in by_label)
        raise InputError(f"{what} {text!r} is ambiguous ({names}); give its IRI")
    raise InputError(f"no {what} {text!r} in the ontology{_close(text, options)}")


def resolve_class(project: Project, text: str) -> str:
    return _term_by_name(project, text, {"class"}, "class").iri


def resolve_property(project: Project, text: str) -> PropertyKey:
    """``builtBy`` → cakg:builtBy; ``label@zh`` → rdfs:label in Chinese; ``label`` → rdfs:label in English."""
    name, _, language = text.partition("@")
    if language and not re.fullmatch(r"[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8})*", language):
        raise InputError(f"--set {text}: {language!r} is not a language tag")
    iri = ALIASES.get(name) or ALIASES.get(name.lower())
    if iri is None:
        iri = _term_by_name(project, name, {"object", "datatype", "annotation"}, "property").iri
    if iri in LANGUAGE_PROPERTIES:
        return PropertyKey(iri, (language or "en").lower())
    if language:
        raise InputError(f"--set {text}: only labels take a language")
    return PropertyKey(iri, None)


def is_entity_property(project: Project, iri: str) -> bool:
    term = project.ontology.get(iri)
    if term is None:
        return False
    if term.kind == "object":
        return True
    return term.kind == "annotation" and any(not r.startswith(XSD) for r in term.range) and bool(term.range)


def literal_for(project: Project, key: PropertyKey, text: str) -> Literal:
    """The typed literal ``text`` means for a datatype property."""
    if key.language:
        return Literal(text, language=key.language)
    if key.iri in DATE_PROPERTIES:
        if not _DATE.match(text):
            raise InputError(f"{_short(key.iri)}={text!r}: write a date as precise as the source: "
                             "YYYY, YYYY-MM or YYYY-MM-DD")
        kind = {4: "gYear", 7: "gYearMonth", 10: "date"}[len(text)]
        return Literal(text, datatype=NamedNode(XSD + kind))
    term = project.ontology.get(key.iri)
    ranges = term.range if term else []
    if XSD + "integer" in ranges:
        if not re.fullmatch(r"[+-]?\d+", text):
            raise InputError(f"{_short(key.iri)}={text!r}: a whole number is expected")
        return Literal(text, datatype=NamedNode(XSD + "integer"))
    if XSD + "decimal" in ranges:
        if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text):
            raise InputError(f"{_short(key.iri)}={text!r}: a number is expected")
        return Literal(text, datatype=NamedNode(XSD + ("decimal" if "." in text else "integer")))
    if XSD + "boolean" in ranges:
        if text not in ("true", "false"):
            raise InputError(f"{_short(key.iri)}={text!r}: true or false is expected")
        return Literal(text, datatype=NamedNode(XSD + "boolean"))
    return Literal(text)


def _short(iri: str) -> str:
    for prefix, ns in ALL_PREFIXES.items():
        if iri.startswith(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return f"<{iri}>"


def resolve_entity(project: Project, text: str, allowed: list[str] | None = None) -> NamedNode:
    """The node ``text`` names; with ``allowed`` classes, candidates of those classes are preferred."""
    entries = project.entries
    iri = _as_iri(text)
    if iri is not None:
        if iri in entries or project.is_subject(iri):
            return NamedNode(iri)
        raise InputError(f"<{iri}> is not described anywhere in the project{_close(text, _names(entries))}")
    wanted = normalise(text)
    found = [e for e in entries.values() if wanted in {normalise(n) for n in e.names()}
             or wanted in {normalise(c) for c in e.codes} or normalise(e.iri.rsplit("/", 1)[-1]) == wanted]
    if allowed and len(found) > 1:
        fitting = [e for e in found if _fits(project, e, allowed)]
        found = fitting or found
    if len(found) == 1:
        return NamedNode(found[0].iri)
    if found:
        listed = ", ".join(f"{e.label} <{e.iri}>" for e in sorted(found, key=lambda e: e.iri)[:6])
        raise InputError(f"{text!r} names {len(found)} nodes ({listed}); give the IRI")
    raise InputError(f"no entity named {text!r}{_close(text, _names(entries))}")


def _fits(project: Project, entry: Entry, allowed: list[str]) -> bool:
    return any(a in entry.types for a in allowed)


def _names(entries: dict[str, Entry]) -> dict[str, str]:
    options = {}
    for e in entries.values():
        for name in e.names():
            options.setdefault(normalise(name), f"{name} <{e.iri}>")
    return options
