"""The ontology declares the fixed core of DESIGN.md and documents every term."""

from __future__ import annotations

import rdflib
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from conftest import ROOT

CAKG = rdflib.Namespace("https://w3id.org/cakg/ontology#")

CORE_CLASSES = [
    "Actor", "Country", "Organisation", "IntergovernmentalOrganisation", "GovernmentBody",
    "Company", "ResearchInstitution", "Place", "City", "Region", "Zone", "Agreement", "Policy",
    "InfrastructureLink", "InfrastructureFacility", "Project", "Investment", "Mechanism", "Event",
    "Commitment", "Document", "Passage", "Evidence",
]
CORE_PROPERTIES = [
    "party", "participant", "connects", "builtBy", "operatedBy", "fundedBy", "locatedIn",
    "memberOf", "topic", "date", "cooperatesWith", "evidence",
]
DOCUMENT_CLASSES = [
    "SubmarineCable", "TerrestrialCable", "SatelliteSystem", "NetworkInterconnection", "DataCentre",
    "MemorandumOfUnderstanding", "JointStatement", "CooperationFramework", "Protocol", "Strategy",
    "DialogueMechanism",
]


def ontology() -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in sorted((ROOT / "ontology").glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


def test_fixed_core_classes_are_declared():
    g = ontology()
    missing = [c for c in CORE_CLASSES + DOCUMENT_CLASSES if (CAKG[c], RDF.type, OWL.Class) not in g]
    assert missing == []


def test_fixed_core_properties_are_declared():
    g = ontology()
    kinds = {OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty}
    missing = [p for p in CORE_PROPERTIES if not set(g.objects(CAKG[p], RDF.type)) & kinds]
    assert missing == []


def test_core_alignments():
    g = ontology()
    assert (CAKG.Actor, RDFS.subClassOf, rdflib.URIRef("http://www.w3.org/ns/prov#Agent")) in g
    assert (CAKG.Organisation, RDFS.subClassOf, rdflib.URIRef("http://www.w3.org/ns/org#Organization")) in g
    for name in ["IntergovernmentalOrganisation", "GovernmentBody", "Company", "ResearchInstitution"]:
        assert (CAKG[name], RDFS.subClassOf, CAKG.Organisation) in g


def test_property_characteristics():
    g = ontology()
    assert (CAKG.locatedIn, RDF.type, OWL.TransitiveProperty) in g
    assert (CAKG.cooperatesWith, RDF.type, OWL.SymmetricProperty) in g
    assert any(True for _ in g.triples((None, OWL.inverseOf, None)))


def test_every_term_has_english_and_chinese_label_and_definition():
    g = ontology()
    terms = {s for s in g.subjects(RDF.type, None)
             if isinstance(s, rdflib.URIRef) and str(s).startswith(str(CAKG))
             and set(g.objects(s, RDF.type)) & {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty,
                                                 OWL.AnnotationProperty}}
    assert len(terms) > 100
    problems = []
    for term in sorted(terms):
        langs = {label.language for label in g.objects(term, RDFS.label)}
        if not {"en", "zh"} <= langs:
            problems.append(f"{term}: labels {langs}")
        if g.value(term, SKOS.definition) is None:
            problems.append(f"{term}: no skos:definition")
    assert problems == []


def test_ontology_metadata():
    g = ontology()
    onto = rdflib.URIRef("https://w3id.org/cakg/ontology")
    assert (onto, RDF.type, OWL.Ontology) in g
    for p in [OWL.versionIRI, OWL.versionInfo, rdflib.DCTERMS.license, rdflib.DCTERMS.creator,
              rdflib.DCTERMS.description]:
        assert g.value(onto, p) is not None, p


def test_topic_scheme():
    g = ontology()
    scheme = rdflib.URIRef("https://w3id.org/cakg/id/topic/scheme")
    tops = set(g.objects(scheme, SKOS.hasTopConcept)) | set(g.subjects(SKOS.topConceptOf, scheme))
    names = {str(t).rsplit("/", 1)[-1] for t in tops}
    assert {"information-infrastructure", "e-commerce", "internet-applications", "smart-city",
            "cyber-security"} <= names


def test_roles_the_cooperation_rules_read_keep_participant_queries_working():
    g = ontology()
    for role in ("invitee", "dialoguePartner", "entrant"):
        assert (CAKG[role], RDFS.subPropertyOf, CAKG.participant) in g, role
    assert (CAKG.participant, RDFS.subPropertyOf, CAKG.involves) in g
    assert (CAKG.memberStatesOf, RDFS.domain, CAKG.CountryGroup) in g
    assert (CAKG.activeInMarket, RDF.type, OWL.ObjectProperty) in g
    assert (CAKG.activeInMarket, RDF.type, OWL.SymmetricProperty) not in g  # an entrant and its market


def test_every_cooperation_rule_is_a_named_plan_of_the_rule_set():
    g = ontology()
    prov_plan = rdflib.URIRef("http://www.w3.org/ns/prov#Plan")
    part_of = rdflib.URIRef("http://purl.org/dc/terms/isPartOf")
    rules = set(g.subjects(part_of, CAKG["rule-cooperates-with"]))
    assert {CAKG[f"rule-cooperates-{name}"] for name in (
        "parties", "co-participants", "host-counterpart", "co-builders", "builder-connected",
        "provider-participant", "interconnection", "investment")} == rules
    text = (ROOT / "src" / "cakg" / "rules" / "cooperates-with.rq").read_text(encoding="utf-8")
    for rule in rules:
        assert (rule, RDF.type, prov_plan) in g
        assert {label.language for label in g.objects(rule, RDFS.label)} >= {"en", "zh"}
        assert f"cakg:{str(rule).rsplit('#', 1)[1]} AS ?rule" in text, rule  # the rule file uses each plan
