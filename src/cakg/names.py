"""Entities named as people name them: a saved query's parameter given as a name in any language, a code or an IRI.

A parameter of type ``country``, ``actor``, ``topic``, ``indicator`` or ``iri``
(:data:`cakg.queries.PARAM_TYPES`) names an entity of the graph. :class:`Names`
reads, once, every label of every entity (``rdfs:label``, ``skos:prefLabel``,
``skos:altLabel``, ``skos:notation``, the ISO codes) and which entities each type
offers; :meth:`Names.resolve` turns what was typed into the entity's short form
(``vnm``, ``cyber-security``, ``org/huawei``) that :func:`cakg.queries.to_term`
then parses into an IRI, so only IRIs of the graph are ever bound. Names are
compared folded (:mod:`cakg.folding`): ``Viet Nam``, ``Việt Nam``, ``VIETNAM`` and
``越南`` all name ``country/vnm``. A name that two entities share is an error
listing both; a name nobody has is an error with the closest names (rapidfuzz).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from .errors import InputError
from .folding import key
from .store import GraphStore
from .vocab import CAKG, ID, PREFIXES, RDFS, SKOS

# The parameter types that name an entity, and what each offers.
ENTITY_TYPES = ("country", "actor", "topic", "indicator", "iri")
TYPE_NOUNS = {"country": "country or country group", "actor": "actor (country, organisation or group)",
              "topic": "topic", "indicator": "indicator", "iri": "entity"}
_PRIMARY = (RDFS + "label", SKOS + "prefLabel")
_NAME_PROPERTIES = (*_PRIMARY, SKOS + "altLabel", SKOS + "notation", CAKG + "isoAlpha3", CAKG + "isoAlpha2")
_SCHEMES = {"topic": ID + "topic/scheme", "indicator": ID + "indicator/scheme"}
# Offered for any entity (type iri) but not listed: thousands of statistical observations say little by name.
_UNLISTED_PREFIXES = (ID + "observation/",)
CLOSE_MATCHES = 5


@dataclass
class Entity:
    iri: str
    label: str = ""  # English, else any
    primary: set[str] = field(default_factory=set)  # keys of rdfs:label / skos:prefLabel
    other: set[str] = field(default_factory=set)  # keys of alternative labels and codes
    names: list[str] = field(default_factory=list)  # every name as written
    kinds: set[str] = field(default_factory=set)  # the parameter types that offer it


def short_form(iri: str, kind: str) -> str:
    """What a form shows and submits for ``iri``: an ISO code, a topic or indicator slug, kind/slug, or the IRI."""
    if not iri.startswith(ID):
        return iri
    local = iri[len(ID):]
    if kind == "country" and local.startswith("country/"):
        return local.split("/", 1)[1]
    if kind in _SCHEMES and local.startswith(kind + "/"):
        return local.split("/", 1)[1]
    return local


class Names:
    """Every named entity of a store, by the parameter types that offer it."""

    def __init__(self, entities: dict[str, Entity]) -> None:
        self.entities = entities
        self._by_key: dict[str, dict[str, list[str]]] = {kind: {} for kind in ENTITY_TYPES}
        for entity in entities.values():
            for kind in entity.kinds:
                for name_key in entity.primary | entity.other:
                    self._by_key[kind].setdefault(name_key, []).append(entity.iri)

    @classmethod
    def read(cls, store: GraphStore) -> "Names":
        """The names and kinds of every entity under the ``id/`` namespace (two queries)."""
        values = " ".join(f"<{p}>" for p in _NAME_PROPERTIES)
        labels = store.select(f"""SELECT ?x ?p ?l WHERE {{ VALUES ?p {{ {values} }} ?x ?p ?l
            FILTER(isIRI(?x) && isLiteral(?l) && STRSTARTS(STR(?x), "{ID}")) }}""", "names")
        kinds = store.select(f"""PREFIX cakg: <{CAKG}> PREFIX skos: <{SKOS}>
            SELECT ?x ?kind WHERE {{
              {{ ?x a cakg:Country BIND("country" AS ?kind) }} UNION {{ ?x a cakg:CountryGroup BIND("country" AS ?kind) }}
              UNION {{ ?x a cakg:Actor BIND("actor" AS ?kind) }}
              UNION {{ ?x skos:inScheme <{_SCHEMES['topic']}> BIND("topic" AS ?kind) }}
              UNION {{ ?x skos:inScheme <{_SCHEMES['indicator']}> BIND("indicator" AS ?kind) }}
            }}""", "name kinds")
        entities: dict[str, Entity] = {}
        english: dict[str, str] = {}
        for row in labels.rows:
            iri, prop, literal = row["x"].value, row["p"].value, row["l"]
            entity = entities.setdefault(iri, Entity(iri, kinds={"iri"}))
            name_key = key(literal.value)
            if not name_key:
                continue
            (entity.primary if prop in _PRIMARY else entity.other).add(name_key)
            if literal.value not in entity.names:
                entity.names.append(literal.value)
            if prop in _PRIMARY:
                if literal.lang in (None, "en") and (iri not in english or literal.lang == "en"):
                    english[iri] = literal.value
                entity.label = entity.label or literal.value
        for iri, label in english.items():
            entities[iri].label = label
        for row in kinds.rows:
            entity = entities.get(row["x"].value)
            if entity is not None:
                entity.kinds.add(row["kind"].value)
        for entity in entities.values():
            if not entity.label:
                entity.label = entity.names[0] if entity.names else entity.iri
            entity.names.sort(key=lambda n: (n != entity.label, n))
        return cls(entities)

    # -------------------------------------------------------------- what a form offers

    def choices(self, kind: str) -> list[dict]:
        """The entities a parameter of type ``kind`` offers: value submitted, label, other names, IRI."""
        found = [e for e in self.entities.values() if kind in e.kinds
                 and not (kind == "iri" and e.iri.startswith(_UNLISTED_PREFIXES))]
        found.sort(key=lambda e: (e.label.casefold(), e.iri))
        return [{"value": short_form(e.iri, kind), "label": e.label, "iri": e.iri,
                 "names": [n for n in e.names if n != e.label][:12]} for e in found]

    # -------------------------------------------------------------- what was typed

    def resolve(self, kind: str, raw: str) -> str:
        """The short form (:func:`short_form`) of the entity :meth:`find` finds."""
        return short_form(self.find(kind, raw), kind)

    def find(self, kind: str, raw: str) -> str:
        """The IRI of the one entity of type ``kind`` that ``raw`` names (code, slug, IRI or name).

        Raises :class:`~cakg.errors.InputError` when no entity has that name (with the
        closest names) or several do at the same rank (listing them).
        """
        value = raw.strip()
        noun = TYPE_NOUNS[kind]
        if not value:
            raise InputError(f"an empty value names no {noun}")
        iri = self._as_iri(kind, value)
        if iri is not None:
            return iri
        wanted = key(value)
        matches = self._by_key[kind].get(wanted, [])
        if matches:
            unique = sorted(set(matches))
            primary = [m for m in unique if wanted in self.entities[m].primary]
            chosen = primary if primary else unique
            if len(chosen) == 1:
                return chosen[0]
            listed = ", ".join(self._describe(m, kind) for m in chosen[:8])
            raise InputError(f"{value!r} names several entities: {listed}; give one of these instead")
        close = self.close(kind, value)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise InputError(f"no {noun} is named {value!r}{hint}")

    def close(self, kind: str, value: str, limit: int = CLOSE_MATCHES) -> list[str]:
        """The entities whose names come closest to ``value``: those containing it first, then by similarity."""
        wanted = key(value)
        table = self._by_key[kind]
        picked: list[str] = []
        if wanted:
            for name_key in sorted(table, key=len):
                if wanted in name_key:
                    picked.extend(iri for iri in table[name_key] if iri not in picked)
                if len(picked) >= limit:
                    break
            for name_key, _score, _ in process.extract(wanted, list(table), scorer=fuzz.ratio, limit=limit * 2,
                                                       score_cutoff=60):
                picked.extend(iri for iri in table[name_key] if iri not in picked)
        return [self._describe(iri, kind) for iri in picked[:limit]]

    def label(self, iri: str) -> str:
        entity = self.entities.get(iri)
        return entity.label if entity else iri

    def _describe(self, iri: str, kind: str) -> str:
        return f"{self.label(iri)} ({short_form(iri, kind)})"

    def _as_iri(self, kind: str, value: str) -> str | None:
        """The entity ``value`` names as a code, slug, prefixed name or IRI, if it is one of ``kind``'s."""
        candidates = []
        if value.startswith("<") and value.endswith(">"):
            value = value[1:-1]
        if value.startswith(("http://", "https://")):
            candidates.append(value)
        else:
            prefix, sep, local = value.partition(":")
            if sep and prefix in PREFIXES:
                candidates.append(PREFIXES[prefix] + local)
            if kind == "country":
                candidates.append(f"{ID}country/{value.lower()}")
            if kind in _SCHEMES:
                candidates.append(f"{ID}{kind}/{value}")
            candidates.append(ID + value)
        for iri in candidates:
            entity = self.entities.get(iri)
            if entity is not None and kind in entity.kinds:
                return iri
        return None


def needs_resolving(raw: str) -> bool:
    """Whether a value must be looked up in the graph: anything but a full IRI (which binds as given)."""
    value = raw.strip()
    return not (value.startswith(("http://", "https://")) or (value.startswith("<") and value.endswith(">")))


def resolve_values(names: Names, params: list[tuple[str, str]], values: dict[str, str],
                   query: str) -> tuple[dict[str, str], dict[str, str]]:
    """(values with every entity parameter in short form, what each name was read as) for ``params`` (name, type).

    A value that cannot be read is an :class:`~cakg.errors.InputError` naming the query and the parameter.
    """
    resolved, notes = dict(values), {}
    for name, kind in params:
        raw = values.get(name)
        if raw is None or kind not in ENTITY_TYPES or not needs_resolving(raw):
            continue
        try:
            iri = names.find(kind, raw)
        except InputError as error:
            raise InputError(f"query {query}: parameter {name}: {error}") from None
        resolved[name] = short = short_form(iri, kind)
        if short != raw.strip():  # what a name was read as (the label alone when it was typed as such)
            label = names.label(iri)
            notes[name] = f"{label} ({short})" if raw.strip() == label else f"{raw.strip()} → {label} ({short})"
    return resolved, notes


__all__ = ["Names", "ENTITY_TYPES", "TYPE_NOUNS", "short_form", "needs_resolving", "resolve_values"]
