"""The form for a class: its fields from the SHACL shapes and the ontology, required roles first.

A field is required when a shape targeting the class (or a class above it)
gives its property a minimum count, including the English and Chinese label
shapes; its allowed classes come from the shapes' ``sh:class`` (also of
shapes that target whatever uses the property) or else the property's
range; labels and definitions come from the ontology. The same fields turn
a curator's ``PROPERTY=VALUE`` pairs into typed values for ``add-fact``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import rdflib
from rdflib.namespace import SH

from ..validate import load_shapes
from ..vocab import CAKG, RDFS, SKOS, XSD
from .project import Project
from .resolve import (DATE_PROPERTIES, PropertyKey, is_entity_property, literal_for, resolve_entity,
                      resolve_property)

QB = "http://purl.org/linked-data/cube#"
_NEVER_IN_FORMS = {CAKG + p for p in (
    "evidence", "quote", "text", "startOffset", "endOffset", "cooperatesWith", "connectedTo", "partyTo",
    "participatesIn", "built", "operates", "section", "inDocument", "sectionNumber", "heading", "level",
    "position", "documentOrder", "rowNumber", "itemNumber", "shortCode", "sourceFile", "frontMatterHeading",
    "backMatterStartsWith", "referenceFile")}
_OBSERVATION_ONLY = {CAKG + p for p in ("refArea", "refPeriod", "indicator", "obsValue", "unit", "periodStart",
                                        "periodEnd", "counterpartArea", "isProjection", "valueQualifier")}
_GENERAL_ORDER = [CAKG + p for p in ("date", "startDate", "endDate", "targetDate", "topic", "status", "location",
                                     "partOf", "hasPart", "builtBy", "operatedBy", "fundedBy", "ownedBy",
                                     "designedBy", "aidedBy", "proposedBy", "supports", "involves", "vagueness",
                                     "note")]


@dataclass
class Field:
    key: str  # what --set and the form call it: "label", "label@zh", "party"
    iri: str
    label: str
    definition: str
    required: bool
    entity: bool
    datatype: str  # entity | date | integer | decimal | boolean | text | language-text
    language: str | None = None
    allowed: list[dict] = field(default_factory=list)  # [{"iri", "label"}]
    single: bool = False
    message: str | None = None
    group: str = "roles"  # required | names | roles | general

    def as_json(self) -> dict:
        return asdict(self)


@dataclass
class _PropertyRule:
    min_count: int = 0
    max_count: int | None = None
    classes: list[str] = field(default_factory=list)
    message: str | None = None


def _shapes(project: Project) -> rdflib.Graph:
    cached = getattr(project, "_shapes_graph", None)
    if cached is None:
        cached = load_shapes(project.layout.shapes_dir)
        project._shapes_graph = cached  # type: ignore[attr-defined]
    return cached


def _rules(project: Project, class_iri: str) -> tuple[dict[str, _PropertyRule], dict[str, list[str]]]:
    """Property rules of the shapes that target the class, and sh:class of shapes targeting a property's users."""
    shapes = _shapes(project)
    classes = {rdflib.URIRef(c) for c in project.superclasses(class_iri)}
    rules: dict[str, _PropertyRule] = {}
    by_users: dict[str, list[str]] = {}
    for shape in set(shapes.subjects(SH.property, None)):
        targets = set(shapes.objects(shape, SH.targetClass))
        users = set(shapes.objects(shape, SH.targetSubjectsOf))
        for prop in shapes.objects(shape, SH.property):
            path = shapes.value(prop, SH.path)
            if not isinstance(path, rdflib.URIRef):
                continue
            kind = shapes.value(prop, SH["class"])
            if str(path) in {str(u) for u in users} and kind is not None:
                by_users.setdefault(str(path), []).append(str(kind))
            if not targets & classes:
                continue
            rule = rules.setdefault(str(path), _PropertyRule())
            minimum = shapes.value(prop, SH.minCount)
            qualified = shapes.value(prop, SH.qualifiedMinCount)
            language = None
            qualified_shape = shapes.value(prop, SH.qualifiedValueShape)
            if qualified_shape is not None:
                languages = shapes.value(qualified_shape, SH.languageIn)
                if languages is not None:
                    language = [str(x) for x in rdflib.collection.Collection(shapes, languages)]
            message = shapes.value(prop, SH.message)
            if language:
                for lang in language:
                    sub = rules.setdefault(f"{path}@{lang}", _PropertyRule())
                    sub.min_count = max(sub.min_count, int(qualified or 0))
                    sub.message = str(message) if message else None
                continue
            if minimum is not None:
                rule.min_count = max(rule.min_count, int(minimum))
            maximum = shapes.value(prop, SH.maxCount)
            if maximum is not None:
                rule.max_count = int(maximum)
            if kind is not None:
                rule.classes.append(str(kind))
            if message and (minimum is not None or not rule.message):
                rule.message = str(message)
    return rules, by_users


def fields_for(project: Project, class_iri: str) -> list[Field]:
    """The form's fields for ``class_iri``: required first, then its own roles, then general ones."""
    rules, by_users = _rules(project, class_iri)
    lineage = project.superclasses(class_iri)
    onto = project.ontology
    fields: dict[str, Field] = {}

    def label_field(language: str) -> Field:
        rule = rules.get(f"{RDFS}label@{language}")
        name = {"en": "English label", "zh": "Chinese label"}.get(language, f"label ({language})")
        return Field(f"label@{language}" if language != "en" else "label", RDFS + "label", name,
                     "The node's name in this language, as the source or common usage writes it.",
                     bool(rule and rule.min_count), False, "language-text", language=language, single=True,
                     message=rule.message if rule else None, group="required" if rule and rule.min_count else "names")

    fields["label"] = label_field("en")
    fields["label@zh"] = label_field("zh")
    fields["altLabel"] = Field("altLabel", SKOS + "altLabel", "alternative name",
                               "An acronym or another name the source uses.", False, False, "language-text",
                               language="en", group="names")
    candidates: list[tuple[str, str]] = []
    for iri, rule in rules.items():
        if "@" not in iri and iri != RDFS + "label":
            candidates.append((iri, "required" if rule.min_count else "roles"))
    for iri, term in onto.items():
        if term.kind in ("object", "datatype") and any(d in lineage for d in term.domain):
            candidates.append((iri, "roles"))
    observation = QB + "Observation" in lineage
    for iri in _GENERAL_ORDER + (sorted(_OBSERVATION_ONLY) if observation else []):
        if iri in onto and not onto[iri].domain:
            candidates.append((iri, "general"))
    for iri, group in candidates:
        if iri in _NEVER_IN_FORMS or iri in (f.iri for f in fields.values() if f.key != "altLabel") or (
                iri in _OBSERVATION_ONLY and not observation):
            continue
        term = onto.get(iri)
        rule = rules.get(iri, _PropertyRule())
        entity = is_entity_property(project, iri) or bool(rule.classes)
        allowed = rule.classes or by_users.get(iri, []) or (term.range if term else [])
        allowed = [a for a in dict.fromkeys(allowed) if not a.startswith(XSD)]
        key = iri.rsplit("#", 1)[-1] if iri.startswith(CAKG) else _prefixed(iri)
        fields[key] = Field(
            key, iri, term.label if term else key, term.definition if term else "", rule.min_count > 0,
            entity, "entity" if entity else _datatype(term, iri), allowed=[
                {"iri": a, "label": onto[a].label if a in onto else a.rsplit("#", 1)[-1]} for a in allowed],
            single=rule.max_count == 1, message=rule.message, group=group)
    order = {"required": 0, "names": 1, "roles": 2, "general": 3}
    return sorted(fields.values(), key=lambda f: order[f.group])


def _prefixed(iri: str) -> str:
    from .resolve import ALL_PREFIXES

    for prefix, ns in ALL_PREFIXES.items():
        if iri.startswith(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def _datatype(term, iri: str) -> str:
    if iri in DATE_PROPERTIES:
        return "date"
    ranges = term.range if term else []
    for xsd, name in (("integer", "integer"), ("decimal", "decimal"), ("boolean", "boolean")):
        if XSD + xsd in ranges:
            return name
    return "text"


def allowed_classes(project: Project, class_iri: str, property_iri: str) -> list[str]:
    for f in fields_for(project, class_iri):
        if f.iri == property_iri and f.allowed:
            return [a["iri"] for a in f.allowed]
    term = project.ontology.get(property_iri)
    return [r for r in (term.range if term else []) if not r.startswith(XSD)]


def resolve_values(project: Project, class_iri: str, pairs: list[tuple[str, str]],
                   pending: frozenset[str] = frozenset()) -> list[tuple[PropertyKey, object]]:
    """``[("builtBy", "Huawei Marine"), ("date", "2015")]`` → typed values for the class's node.

    ``pending`` are IRIs of entities created in the same change (they exist once it is written).
    """
    from pyoxigraph import NamedNode

    out = []
    for name, value in pairs:
        key = resolve_property(project, name)
        if key.language is None and is_entity_property(project, key.iri):
            if value.strip("<>") in pending:
                out.append((key, NamedNode(value.strip("<>"))))
                continue
            out.append((key, resolve_entity(project, value, allowed_classes(project, class_iri, key.iri))))
        else:
            out.append((key, literal_for(project, key, value)))
    return out
