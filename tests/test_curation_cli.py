"""Growing the graph from the command line: add-source on a PDF printed by Chromium, add-fact, refusals, build.

Every test works on a temporary copy of the project and runs the real ``cakg``
command in a child process; nothing here touches the project's own data/.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pyoxigraph import Store

from conftest import ROOT
from curation_helpers import MOU_HTML, cakg, full_project, print_pdf, snapshot

TITLE = "Memorandum of Understanding on Digital Infrastructure Cooperation"
CABLE_QUOTE = ("The Mekong Fibre Company will build the Kunming–Vientiane cable, which the Lao national operator "
               "will run after its completion in 2023")


@pytest.fixture(scope="module")
def mou_pdf(tmp_path_factory) -> Path:
    return print_pdf(MOU_HTML, tmp_path_factory.mktemp("pdf") / "mou.pdf")


@pytest.fixture
def project(tmp_path) -> Path:
    return full_project(tmp_path / "project")


def add_mou(project: Path, pdf: Path):
    return cakg(project, "add-source", str(pdf), "--code", "mou2021", "--title", TITLE, "--issuer", "Laos",
                "--issuer", "China", "--date", "2021-05-14")


def test_pdf_text_repairs_hyphenation_page_breaks_and_furniture(mou_pdf):
    from cakg.curation.pdf_text import pdf_text

    text = pdf_text(mou_pdf)
    paragraphs = text.split("\n\n")
    # Soft hyphens broken at a line end by the renderer are joined again; real hyphens stay.
    assert "telecommunications, the interoperability of their broadband networks" in text
    assert "tele‐" not in text and "tele " not in text and "broad " not in text
    assert "cross-border data flows" in text and "next-generation networks" in text
    # The running header and the page numbers are gone.
    assert "Page 1 of" not in text and "MoU on Digital" not in text
    # The paragraph the page break cut is one paragraph again; none starts in lower case.
    third = next(p for p in paragraphs if p.startswith("3. The Parties shall exchange"))
    assert third.endswith("with a view to training specialists of both countries.")
    assert not [p for p in paragraphs if p[:1].islower()]
    assert "Kunming–Vientiane cable" in text  # broken after the dash, joined without a space


def test_a_broken_or_hostile_pdf_is_refused_in_one_line(tmp_path, project):
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 1000)
    before = snapshot(project / "data")
    result = cakg(project, "add-source", str(bad), "--code", "bad2021", "--title", "Broken", "--date", "2021")
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "broken.pdf" in result.stderr and "Traceback" not in result.stderr
    assert snapshot(project / "data") == before


def test_add_source_prints_the_segmentation_and_writes_its_own_description(project, mou_pdf):
    result = add_mou(project, mou_pdf)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "added https://w3id.org/cakg/id/doc/mou2021" in out
    for section in ("# mou2021 title-page", "# mou2021 preamble", "# mou2021 Article 1 Objectives",
                    "# mou2021 Article 2 Areas of Cooperation", "# mou2021 Article 4 Entry into Force"):
        assert section in out
    assert re.search(r"^https://w3id.org/cakg/id/passage/mou2021-article-2-p2\tparagraph\t2\. The Mekong Fibre",
                     out, re.MULTILINE)
    sources = project / "data" / "sources"
    assert (sources / "sources.ttl").read_bytes() == (ROOT / "data" / "sources" / "sources.ttl").read_bytes()
    description = (sources / "mou2021.ttl").read_text(encoding="utf-8")
    assert "dcterms:creator country:lao , country:chn ;" in description
    assert 'cakg:date "2021-05-14"^^xsd:date ;' in description and 'cakg:sourceFile "mou2021.txt"' in description
    assert (sources / "mou2021.txt").read_text(encoding="utf-8").startswith("Memorandum of Understanding")
    # The same code twice is refused, and nothing changes.
    before = snapshot(project / "data")
    again = add_mou(project, mou_pdf)
    assert again.returncode == 2 and "mou2021" in again.stderr
    assert snapshot(project / "data") == before


def test_add_source_takes_plain_text_and_a_bad_date_is_refused(project, tmp_path):
    text = tmp_path / "note.txt"
    text.write_text("Joint Note\r\n\r\nI. Scope\r\n\r\nThe sides agree.\r\n", encoding="utf-8")
    before = snapshot(project / "data")
    bad = cakg(project, "add-source", str(text), "--code", "note2020", "--title", "Joint Note", "--date", "May 2020")
    assert bad.returncode == 2 and "--date" in bad.stderr and snapshot(project / "data") == before
    good = cakg(project, "add-source", str(text), "--code", "note2020", "--title", "Joint Note", "--date", "2020-05",
                "--issuer", "Nobody Known")
    assert good.returncode == 0, good.stderr
    assert "# note2020 I Scope" in good.stdout and "kept as text" in good.stderr
    assert (project / "data/sources/note2020.txt").read_text(encoding="utf-8") == \
        "Joint Note\n\nI. Scope\n\nThe sides agree.\n"
    listed = cakg(project, "passages", "--doc", "note2020")
    assert listed.returncode == 0 and "https://w3id.org/cakg/id/passage/note2020-i-p1\tparagraph\tThe sides agree." \
        in listed.stdout


def test_facts_from_the_command_line_refusals_and_the_build(project, mou_pdf, tmp_path):
    assert add_mou(project, mou_pdf).returncode == 0
    data = project / "data"

    # A new entity: a company the text names, with its Chinese label, citing the sentence.
    company = cakg(project, "add-fact", "--doc", "mou2021", "--class", "Company",
                   "--set", "label=Mekong Fibre Company", "--set", "label@zh=湄公光纤公司", "--set", "country=老挝",
                   "--quote", "The Mekong Fibre Company will build")
    assert company.returncode == 0, company.stderr
    assert "org/mekong-fibre-company" in company.stdout
    entities = (data / "mou2021" / "entities.ttl").read_text(encoding="utf-8")
    assert 'rdfs:label "Mekong Fibre Company"@en , "湄公光纤公司"@zh ;' in entities
    assert "cakg:country country:lao ;" in entities

    # A fact naming it, with places by name, a date as precise as the text, the quote with its spacing changed.
    spaced = CABLE_QUOTE.replace(" will build", "\n   will  build")
    cable = cakg(project, "add-fact", "--doc", "mou2021", "--class", "terrestrial cable",
                 "--set", "label=Kunming–Vientiane cable", "--set", "connects=Kunming", "--set", "connects=万象",
                 "--set", "builtBy=Mekong Fibre Company", "--set", "targetDate=2023", "--set", "status=planned",
                 "--quote", spaced)
    assert cable.returncode == 0, cable.stderr
    fact_file = data / "mou2021" / "article-2.ttl"
    block = fact_file.read_text(encoding="utf-8").split("\n\n")[-1]
    assert block == (
        "infra:kunming-vientiane-cable\n"
        "    a cakg:TerrestrialCable ;\n"
        '    rdfs:label "Kunming–Vientiane cable"@en ;\n'
        "    cakg:connects city:kunming , city:vientiane ;\n"
        "    cakg:builtBy org:mekong-fibre-company ;\n"
        '    cakg:targetDate "2023"^^xsd:gYear ;\n'
        '    cakg:status "planned" ;\n'
        "    cakg:evidence [\n"
        "        a cakg:Evidence ;\n"
        f'        cakg:quote "{CABLE_QUOTE}" ;\n'
        "        prov:wasQuotedFrom passage:mou2021-article-2-p2\n"
        "    ] .\n")

    # A quote the text does not hold: exit 2, one line, nothing written.
    before = snapshot(data)
    missing = cakg(project, "add-fact", "--doc", "mou2021", "--class", "Agreement", "--set", "label=X",
                   "--quote", "The Mekong Fiber Company will build")
    assert missing.returncode == 2
    assert missing.stderr.strip().count("\n") == 0 and "not found verbatim" in missing.stderr
    assert snapshot(data) == before

    # A fact missing a required role: exit 1 with the shape's message naming the role, nothing written.
    no_party = cakg(project, "add-fact", "--doc", "mou2021", "--class", "Agreement",
                    "--set", f"label={TITLE}", "--set", "label@zh=数字基础设施合作谅解备忘录",
                    "--quote", "The Parties shall strengthen cooperation in telecommunications")
    assert no_party.returncode == 1
    assert "cakg:party" in no_party.stderr and "an agreement needs at least one cakg:party" in no_party.stderr
    assert snapshot(data) == before

    # An unknown name: exit 2 with the close matches.
    typo = cakg(project, "add-fact", "--doc", "mou2021", "--class", "Agreement", "--set", f"label={TITLE}",
                "--set", "party=Laoss", "--quote", "The Parties shall strengthen cooperation")
    assert typo.returncode == 2 and "did you mean: Laos <https://w3id.org/cakg/id/country/lao>" in typo.stderr
    assert snapshot(data) == before

    # The build carries both, with their quotes and passages.
    out = tmp_path / "build"
    built = cakg(project, "build", "--out", str(out))
    assert built.returncode == 0, built.stderr
    store = Store.read_only(str(out / "store"))
    rows = list(store.query("""
        PREFIX cakg: <https://w3id.org/cakg/ontology#> PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?fact ?quote ?passage ?text WHERE {
          VALUES ?fact { <https://w3id.org/cakg/id/infrastructure/kunming-vientiane-cable>
                         <https://w3id.org/cakg/id/org/mekong-fibre-company> }
          ?fact cakg:evidence ?e . ?e cakg:quote ?quote ; prov:wasQuotedFrom ?passage . ?passage cakg:text ?text
        } ORDER BY ?fact""", use_default_graph_as_union=True))
    assert [r["passage"].value.rsplit("/", 1)[-1] for r in rows] == ["mou2021-article-2-p2"] * 2
    assert rows[0]["quote"].value == CABLE_QUOTE and CABLE_QUOTE in rows[0]["text"].value
    assert bool(store.query("""PREFIX cakg: <https://w3id.org/cakg/ontology#>
        ASK { <https://w3id.org/cakg/id/infrastructure/kunming-vientiane-cable>
              cakg:builtBy <https://w3id.org/cakg/id/org/mekong-fibre-company> ;
              cakg:connects <https://w3id.org/cakg/id/city/kunming> , <https://w3id.org/cakg/id/city/vientiane> }""",
                            use_default_graph_as_union=True))


def test_tool_edits_leave_hand_written_text_alone(project, mou_pdf):
    """Appends, edits and deletes change only their own block; the rest of the file keeps its bytes."""
    from cakg.build import Layout
    from cakg.curation.facts import current_node, delete, edit
    from cakg.curation.project import Project
    from cakg.curation.transaction import Refused
    from cakg.errors import InputError
    from pyoxigraph import Literal

    assert add_mou(project, mou_pdf).returncode == 0
    hand = project / "data" / "mou2021" / "article-3.ttl"
    hand.parent.mkdir()
    head = ('# Article 3, encoded by hand.\n@prefix cakg: <https://w3id.org/cakg/ontology#> .\n'
            '@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n@prefix prov: <http://www.w3.org/ns/prov#> .\n'
            '@prefix mechanism: <https://w3id.org/cakg/id/mechanism/> .\n\n'
            '# The working group, as the text names it.\nmechanism:jwg-digital-infrastructure a cakg:Mechanism ;\n'
            '  rdfs:label "Joint Working Group on Digital Infrastructure"@en ;\n'
            '  cakg:participant <https://w3id.org/cakg/id/country/lao>, <https://w3id.org/cakg/id/country/chn> ;\n'
            '  cakg:evidence [ a cakg:Evidence ; cakg:quote "The Parties shall establish a Joint Working Group on '
            'Digital Infrastructure" ; prov:wasQuotedFrom <https://w3id.org/cakg/id/passage/mou2021-article-3-p1> ] .\n')
    hand.write_text(head, encoding="utf-8")
    added = cakg(project, "add-fact", "--doc", "mou2021", "--class", "Event", "--set", "label=Annual meeting of the group",
                 "--set", "location=Vientiane", "--quote", "which shall meet once a year, alternately in Vientiane and Kunming")
    assert added.returncode == 0, added.stderr
    text = hand.read_text(encoding="utf-8")
    assert text.startswith(head.rstrip("\n") + "\n\nevent:annual-meeting-of-the-group\n") or \
        text.startswith(head.rstrip("\n") + "\n\n<https://w3id.org/cakg/id/event/annual-meeting-of-the-group>\n")

    layout = Layout(ontology_dir=project / "ontology", data_dir=project / "data")
    iri = "https://w3id.org/cakg/id/event/annual-meeting-of-the-group"
    relative, node = current_node(Project(layout), iri)
    assert relative == "mou2021/article-3.ttl"
    node.statements = [(p, [Literal("Yearly meeting of the Joint Working Group", language="en")]
                        if p.endswith("#label") else v) for p, v in node.statements]
    edit(Project(layout), iri, node)
    edited = hand.read_text(encoding="utf-8")
    assert edited.startswith(head) and "Yearly meeting of the Joint Working Group" in edited
    assert "Annual meeting of the group" not in edited

    # Deleting a node another one needs is refused by the shapes, and no file changes.
    company = cakg(project, "add-fact", "--doc", "mou2021", "--class", "Company", "--set", "label=Mekong Fibre Company",
                   "--set", "label@zh=湄公光纤公司", "--quote", "The Mekong Fibre Company will build")
    assert company.returncode == 0, company.stderr
    host = cakg(project, "add-fact", "--doc", "mou2021", "--class", "Project", "--set", "label=Kunming–Vientiane cable works",
                "--set", "builtBy=Mekong Fibre Company", "--quote", "The Mekong Fibre Company will build the Kunming–Vientiane cable")
    assert host.returncode == 0, host.stderr
    before = snapshot(project / "data")
    with pytest.raises(Refused) as refused:
        delete(Project(layout), "https://w3id.org/cakg/id/org/mekong-fibre-company")
    assert any(v.path == "cakg:builtBy" for v in refused.value.violations)
    assert snapshot(project / "data") == before
    # A node described in several files is left to hand editing.
    with pytest.raises(InputError, match="edit it by hand"):
        delete(Project(layout), "https://w3id.org/cakg/id/country/lao")

    delete(Project(layout), iri)
    assert hand.read_text(encoding="utf-8") == head


def test_names_resolve_in_every_language_and_by_code(project):
    from cakg.build import Layout
    from cakg.curation.project import Project
    from cakg.curation.resolve import resolve_class, resolve_entity, resolve_property
    from cakg.errors import InputError

    p = Project(Layout(ontology_dir=project / "ontology", data_dir=project / "data"))
    tha = "https://w3id.org/cakg/id/country/tha"
    for name in ("Thailand", "泰国", "ประเทศไทย", "THA", "tha", "country:tha", f"<{tha}>", tha):
        assert resolve_entity(p, name).value == tha, name
    assert resolve_entity(p, "Huawei Marine").value.endswith("/org/huawei-marine")
    assert resolve_class(p, "submarine cable").endswith("#SubmarineCable")
    assert resolve_class(p, "cakg:Company").endswith("#Company")
    assert resolve_property(p, "label@zh").language == "zh"
    assert resolve_property(p, "built by").iri.endswith("#builtBy")
    with pytest.raises(InputError, match="did you mean: .*SubmarineCable"):
        resolve_class(p, "SubmarineCabel")
    with pytest.raises(InputError, match="Huawei Marine"):
        resolve_entity(p, "Huawei Marin")
