"""Turtle blocks the curation tools write and edit, and the forms they derive from the shapes."""

from __future__ import annotations

from pyoxigraph import Literal, NamedNode

from cakg.curation.turtle_blocks import (DATA_PREFIXES, Node, append_block, blocks_of, render_block, replace_block,
                                         statements, triples)
from cakg.vocab import XSD

HAND = '''# A hand-written file: comments, odd spacing, strings with dots and hashes.
@prefix cakg: <https://w3id.org/cakg/ontology#> .
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
@prefix org: <https://w3id.org/cakg/id/org/> .

org:a a cakg:Company ;   rdfs:label "A. B. Co. # not a comment ."@en .   # trailing comment

<https://w3id.org/cakg/id/org/b> a cakg:Company ; rdfs:label """Line one.
Line two . with a dot"""@en ;
  cakg:note 'single \\' quoted . ' ; cakg:amount [ cakg:value 1.5 ; cakg:currency "USD" ] .
org:c a cakg:Company ; rdfs:label "C"@en .
'''


def test_statements_split_where_turtle_does():
    found = statements(HAND)
    subjects = [s.subject for s in found]
    assert subjects == ["@prefix", "PREFIX", "@prefix", "org:a", "<https://w3id.org/cakg/id/org/b>", "org:c"]
    assert HAND[found[4].start:found[4].end].endswith('cakg:currency "USD" ] .')
    assert [s.subject for s in blocks_of(HAND, "https://w3id.org/cakg/id/org/b")] == ["<https://w3id.org/cakg/id/org/b>"]


def test_replacing_and_removing_a_block_keeps_every_other_byte():
    block = render_block(NamedNode("https://w3id.org/cakg/id/org/b"),
                         Node([("http://www.w3.org/1999/02/22-rdf-syntax-ns#type", [NamedNode(DATA_PREFIXES["cakg"] + "Company")]),
                               ("http://www.w3.org/2000/01/rdf-schema#label", [Literal("B", language="en")])]),
                         {"cakg": DATA_PREFIXES["cakg"], "org": DATA_PREFIXES["org"],
                          "rdfs": "http://www.w3.org/2000/01/rdf-schema#"})
    assert block == "org:b\n    a cakg:Company ;\n    rdfs:label \"B\"@en .\n"
    edited = replace_block(HAND, "https://w3id.org/cakg/id/org/b", block)
    start = HAND.index("<https://w3id.org/cakg/id/org/b>")
    assert edited.startswith(HAND[:start]) and edited.endswith("\norg:c a cakg:Company ; rdfs:label \"C\"@en .\n")
    removed = replace_block(HAND, "https://w3id.org/cakg/id/org/b", None)
    assert "org/b" not in removed and removed.startswith(HAND[:start].rstrip("\n"))
    assert len(triples(removed, "x")) == len(triples(HAND, "x")) - 6  # b's 4 triples and its amount's 2


def test_literals_are_escaped_and_typed_as_written():
    node = Node()
    node.add("https://w3id.org/cakg/ontology#quote", Literal('a "quoted" \\$1 billion\tand a line\nbreak'))
    node.add("https://w3id.org/cakg/ontology#date", Literal("2016-09", datatype=NamedNode(XSD + "gYearMonth")))
    node.add("https://w3id.org/cakg/ontology#ordinal", Literal("22", datatype=NamedNode(XSD + "integer")))
    text = render_block(NamedNode("https://w3id.org/cakg/id/event/x(y)"), node, DATA_PREFIXES)
    assert text.startswith("<https://w3id.org/cakg/id/event/x(y)>\n")  # not a valid local name: a full IRI
    assert '"a \\"quoted\\" \\\\$1 billion\\tand a line\\nbreak"' in text
    assert '"2016-09"^^xsd:gYearMonth' in text and "cakg:ordinal 22" in text
    parsed = triples(append_block("".join(f"@prefix {p}: <{ns}> .\n" for p, ns in DATA_PREFIXES.items()), text), "x")
    values = {o.value for _s, _p, o in parsed}
    assert 'a "quoted" \\$1 billion\tand a line\nbreak' in values


def test_forms_come_from_the_shapes_and_the_ontology(tmp_path):
    from cakg.build import default_layout
    from cakg.curation.project import Project
    from cakg.curation.schema import fields_for

    from conftest import ROOT

    project = Project(default_layout(ROOT))
    cakg = DATA_PREFIXES["cakg"]

    def form(name):
        return {f.key: f for f in fields_for(project, cakg + name)}

    mou = form("MemorandumOfUnderstanding")
    keys = list(mou)
    assert keys[:3] == ["label", "label@zh", "party"]  # required first
    assert mou["party"].required and [a["label"] for a in mou["party"].allowed] == ["Actor"]
    assert "signed, adopted or is bound" in mou["party"].definition
    assert not mou["issuedBy"].required and mou["issuedBy"].group == "roles"
    cable = form("SubmarineCable")
    assert cable["connects"].required and cable["connects"].allowed[0]["label"] == "Place"
    assert not cable["label@zh"].required  # the Chinese-label shape does not target links
    assert cable["builtBy"].group == "general" and cable["date"].datatype == "date"
    assert form("Commitment")["commitmentOf"].required
    company = form("Company")
    assert company["label@zh"].required and "evidence" not in company
