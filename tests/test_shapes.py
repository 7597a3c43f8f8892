"""Each shape rule rejects a fixture that breaks it, and the report names the bad node."""

from __future__ import annotations

import pytest

from cakg.build import assemble, default_layout
from cakg.validate import load_shapes, validate

from conftest import MCT, PREFIXES


def report_for(project, text: str):
    root = project({"facts/fixture.ttl": PREFIXES + text})
    layout = default_layout(root)
    store, _ = assemble(layout)
    return validate(store, load_shapes(layout.shapes_dir))


def messages_for(report, node: str) -> list[str]:
    return [v.message for v in report.violations if v.focus == "https://w3id.org/cakg/id/" + node]


def test_correct_fixture_conforms(project):
    root = project({"facts/mct.ttl": MCT})
    layout = default_layout(root)
    store, _ = assemble(layout)
    report = validate(store, load_shapes(layout.shapes_dir))
    assert report.conforms, report.to_text()


EVIDENCE = ('cakg:evidence [ cakg:quote "China and ASEAN signed the" ; '
            'prov:wasQuotedFrom passage:wp2016-ii-v-3-p1 ]')

CASES = {
    "agreement without party": (
        f'id:agreement/x a cakg:Agreement ; rdfs:label "X"@en , "X"@zh ; {EVIDENCE} .',
        "agreement/x", "at least one cakg:party"),
    "fact without evidence": (
        'id:agreement/x a cakg:Agreement ; rdfs:label "X"@en , "X"@zh ; cakg:party country:tha .',
        "agreement/x", "at least one cakg:evidence"),
    "made-up quote": (
        'id:agreement/x a cakg:Agreement ; rdfs:label "X"@en , "X"@zh ; cakg:party country:tha ; '
        'cakg:evidence id:evidence/made-up . id:evidence/made-up cakg:quote "Thailand and China signed a treaty" ; '
        'prov:wasQuotedFrom passage:wp2016-ii-v-3-p1 .',
        "evidence/made-up", "does not occur verbatim"),
    "fact whose only quote is made up": (
        'id:agreement/x a cakg:Agreement ; rdfs:label "X"@en , "X"@zh ; cakg:party country:tha ; '
        'cakg:evidence id:evidence/made-up . id:evidence/made-up cakg:quote "Thailand and China signed a treaty" ; '
        'prov:wasQuotedFrom passage:wp2016-ii-v-3-p1 .',
        "agreement/x", "no evidence of this fact quotes words"),
    "evidence without passage": (
        'id:policy/x a cakg:Policy ; rdfs:label "X"@en , "X"@zh ; cakg:evidence id:evidence/e . '
        'id:evidence/e cakg:quote "Broadband China" .',
        "evidence/e", "prov:wasQuotedFrom one passage"),
    "link with one place": (
        f'id:infrastructure/x a cakg:SubmarineCable ; rdfs:label "X"@en ; cakg:connects country:tha ; {EVIDENCE} .',
        "infrastructure/x", "at least two places"),
    "missing English label": (
        f'id:project/x a cakg:Project ; rdfs:label "X"@fr ; {EVIDENCE} .',
        "project/x", "exactly one English label"),
    "two English labels": (
        f'id:project/x a cakg:Project ; rdfs:label "X"@en , "Y"@en ; {EVIDENCE} .',
        "project/x", "one label per language"),
    "missing Chinese label": (
        'id:org/x a cakg:Company ; rdfs:label "X"@en .',
        "org/x", "Chinese label"),
    "date with a wrong datatype": (
        f'id:event/x a cakg:Event ; rdfs:label "X"@en ; cakg:date "November 2015" ; {EVIDENCE} .',
        "event/x", "xsd:date, xsd:gYearMonth or xsd:gYear"),
    "role pointing at a non-actor": (
        f'id:project/x a cakg:Project ; rdfs:label "X"@en ; cakg:builtBy id:project/y ; {EVIDENCE} .',
        "project/x", "cakg:builtBy must point at an actor"),
    "amount without currency": (
        f'id:investment/x a cakg:Acquisition ; rdfs:label "X"@en ; cakg:amount id:node/amount ; {EVIDENCE} . '
        'id:node/amount cakg:value 1000000000 .',
        "node/amount", "ISO 4217"),
    "observation without unit and period": (
        f'id:observation/x a qb:Observation ; rdfs:label "X"@en ; qb:dataSet id:dataset/d ; '
        f'cakg:refArea country:tha ; cakg:indicator indicator:idi ; cakg:obsValue 5.36 ; {EVIDENCE} . '
        'id:dataset/d a qb:DataSet ; rdfs:label "D"@en .',
        "observation/x", "cakg:unit"),
    "observation without period or vagueness note": (
        f'id:observation/x a qb:Observation ; rdfs:label "X"@en ; qb:dataSet id:dataset/d ; cakg:unit unit:index-points ; '
        f'cakg:refArea country:tha ; cakg:indicator indicator:idi ; cakg:obsValue 5.36 ; {EVIDENCE} . '
        'id:dataset/d a qb:DataSet ; rdfs:label "D"@en .',
        "observation/x", "cakg:refPeriod, or a cakg:vagueness"),
    "commitment without agreement": (
        f'id:commitment/x a cakg:Commitment ; rdfs:label "X"@en ; {EVIDENCE} .',
        "commitment/x", "cakg:commitmentOf"),
    "bad ISO code": (
        'country:xx a cakg:Country ; rdfs:label "X"@en , "X"@zh ; cakg:isoAlpha3 "th" .',
        "country/xx", "ISO 3166-1 alpha-3"),
    "sameAs outside Wikidata": (
        'country:xx a cakg:Country ; rdfs:label "X"@en , "X"@zh ; '
        '<http://www.w3.org/2002/07/owl#sameAs> <http://dbpedia.org/resource/Thailand> .',
        "country/xx", "Wikidata"),
    "invitee without a host": (
        f'id:event/x a cakg:Meeting ; rdfs:label "X"@en ; cakg:invitee country:tha , country:mys ; {EVIDENCE} .',
        "event/x", "names the host that invited them"),
    "dialogue partners without a side to talk to": (
        f'id:mechanism/x a cakg:DialogueMechanism ; rdfs:label "X"@en ; cakg:dialoguePartner country:tha , country:mys ; '
        f'{EVIDENCE} . id:mechanism/y a cakg:DialogueMechanism ; rdfs:label "Y"@en ; cakg:participant country:khm ; '
        f'cakg:dialoguePartner country:tha ; {EVIDENCE} .',
        "mechanism/x", "names the side that holds the dialogue"),
    "market entry without an entrant": (
        f'id:market-entry/x a cakg:MarketEntry ; rdfs:label "X"@en ; cakg:participant org:huawei-marine ; '
        f'cakg:marketCountry country:tha ; {EVIDENCE} .',
        "market-entry/x", "cakg:entrant"),
    "member states of a country": (
        'id:group/x a cakg:CountryGroup ; rdfs:label "X"@en ; cakg:memberStatesOf country:tha .',
        "group/x", "intergovernmental organisation"),
    "topic outside the scheme": (
        f'id:project/x a cakg:Project ; rdfs:label "X"@en ; cakg:topic id:topic/no-such-topic ; {EVIDENCE} .',
        "project/x", "topic scheme"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_shape_rejects_fixture(project, case):
    text, node, expected = CASES[case]
    report = report_for(project, text)
    assert not report.conforms
    messages = messages_for(report, node)
    assert any(expected in m for m in messages), (messages, report.to_text())


def test_report_names_the_file_of_the_bad_node(project):
    report = report_for(project, CASES["agreement without party"][0])
    violation = next(v for v in report.violations if v.focus.endswith("agreement/x"))
    assert violation.files == ["data/facts/fixture.ttl"]
    assert violation.shape == "AgreementShape"
    assert "AgreementShape" in report.to_text() and "data/facts/fixture.ttl" in report.to_text()


def test_narrowed_copy_and_speedups_report_what_plain_pyshacl_reports(project, tmp_path):
    """cakg validates a compact copy narrowed to the predicates the shapes read, plain or with its
    speed-ups; on data breaking every rule both reports equal that of pySHACL in a process where
    cakg was never imported, on the whole graph in rdflib's own memory store, whether the copy
    comes from the store or from the N-Quads file a validation process reads."""
    from cakg.validate import check, predicates_read_by, prepare, report
    from cakg.validation_speedups import focus_nodes_to_check

    from plain_shacl import summary
    from test_validation_speedups import baseline

    root = project({"facts/fixture.ttl": PREFIXES + "\n".join(text for text, _, _ in CASES.values())})
    layout = default_layout(root)
    store, _ = assemble(layout)
    shapes = load_shapes(layout.shapes_dir)
    narrowed = predicates_read_by(shapes)
    assert narrowed is not None and len(narrowed) < len({q.predicate for q in store})
    # The three SHACL-SPARQL constraints are pre-evaluated, and each keeps only some of its targets.
    checks = focus_nodes_to_check(store, shapes)
    assert len(checks) == 3
    assert all(0 < len(candidates) < len(targets) for targets, candidates in checks.values())
    assert prepare(store, shapes, speedups=True).checks == checks

    plain = validate(store, shapes, speedups=False)
    sped_up = validate(store, shapes, speedups=True)
    from_file = report(*check(prepare(store, shapes, nquads=tmp_path / "data.nq"), shapes), shapes, store)
    expected = baseline(store, layout.shapes_dir, tmp_path)
    assert not expected["conforms"] and len(expected["results"]) >= 10  # some cases share node names and merge
    for found in (plain, sped_up, from_file):
        assert not found.conforms
        assert summary(found.results_graph, shapes) == expected["results"]
    assert sped_up.violations == plain.violations == from_file.violations
