"""Segmentation of the sources into sections and passages is faithful and deterministic."""

from __future__ import annotations

from cakg.corpus import segment, section_slug
from cakg.sources import load_documents

from conftest import ROOT


def documents():
    return {d.short_code: d for d in load_documents(ROOT / "data" / "sources")}


def test_both_documents_are_described():
    assert set(documents()) == {"wp2016", "sc2019"}


def test_segmentation_is_deterministic():
    for document in documents().values():
        first = [(s.number, [(p.kind, p.text, p.start, p.end) for p in s.passages]) for s in document.sections()]
        second = [(s.number, [(p.kind, p.text, p.start, p.end) for p in s.passages]) for s in document.sections()]
        assert first == second


def test_white_paper_keeps_its_own_numbering():
    numbers = [s.number for s in documents()["wp2016"].sections()]
    for expected in ["foreword", "I", "I.(I)", "I.(II)", "I.(III)", "II", "II.(I)", "II.(I).1", "II.(I).3",
                     "II.(V).3", "III", "III.(VI)"]:
        assert expected in numbers
    assert numbers.index("I.(III)") < numbers.index("II.(I).1") < numbers.index("III.(VI)")
    assert section_slug("II.(I).3") == "ii-i-3"


def test_statement_has_eight_numbered_sections():
    sections = {s.number: s for s in documents()["sc2019"].sections()}
    assert [n for n in sections if n.isdigit()] == [str(i) for i in range(1, 9)]
    six = sections["6"].passages[0]
    assert six.text.startswith("6. Encourage the establishment") and six.item_number == 6
    assert sections["closing"].passages[0].text.startswith("Adopted in Bangkok")


def test_offsets_point_into_the_source_file():
    for document in documents().values():
        source = document.text()
        for section in document.sections():
            for passage in section.passages:
                # A passage joined across a page break starts and ends where its pieces do.
                assert source[passage.start:].startswith(passage.text.split("\n")[0][:40])
                assert source[:passage.end].endswith(passage.text[-20:])


def test_page_break_joins_a_cut_paragraph():
    sections = {s.number: s for s in documents()["wp2016"].sections()}
    text = " ".join(p.text for p in sections["II.(I).3"].passages if p.kind == "paragraph")
    assert "the China-aided Cambodia National Data Center and other projects have been initiated" in text
    heading = sections["II.(V).3"].passages[0]
    assert heading.kind == "heading" and heading.text.endswith("fruitful achievements in all cooperative areas.")


def test_table_1_keeps_its_rows():
    sections = {s.number: s for s in documents()["wp2016"].sections()}
    rows = [p for p in sections["I.(II)"].passages if p.kind == "table-row"]
    data_rows = [r for r in rows if not r.is_header_row]
    assert len(data_rows) == 12
    assert [r.text.split("\t")[0] for r in data_rows][:3] == ["Singapore", "Brunei", "Malaysia"]
    assert data_rows[0].text.split("\t")[6:] == ["8.08", "19"]
    assert sum(r.is_header_row for r in rows) == 2


def test_footnotes_are_not_joined_into_paragraphs():
    sections = {s.number: s for s in documents()["wp2016"].sections()}
    passages = sections["I.(I)"].passages
    assert any(p.kind == "footnote" and p.text.startswith("¹ http://news.xinhuanet.com") for p in passages)
    paragraph = next(p for p in passages if "becoming the main engine" in p.text)
    assert "Statistical Manual" not in paragraph.text


def test_segment_of_a_small_text():
    text = "Title\n\nI. Part one\n\n(I) Chapter\n\n1. Sub heading\n\nA paragraph cut\n\n¹ a footnote\n\nacross a page.\n"
    sections = segment(text)
    assert [s.number for s in sections] == ["title-page", "I", "I.(I)", "I.(I).1"]
    sub = sections[-1]
    assert [p.kind for p in sub.passages] == ["heading", "paragraph", "footnote"]
    assert sub.passages[1].text == "A paragraph cut across a page."


def _segmentation_record(document) -> list[dict]:
    """Everything the corpus graph takes from segmentation, with each passage's text as a digest."""
    import hashlib

    return [{"number": s.number, "heading": s.heading, "level": s.level, "parent": s.parent,
             "iri": document.section_iri(s.number).value,
             "passages": [[document.passage_iri(s.number, p.position).value, p.kind, p.start, p.end,
                           p.row_number, p.item_number, p.is_header_row,
                           hashlib.sha256(p.text.encode()).hexdigest()[:16]] for p in s.passages]}
            for s in document.sections()]


def test_shipped_documents_segment_exactly_as_recorded():
    """Every evidence node in data/ cites these passage IRIs: section numbers, IRIs, offsets and
    texts of the two shipped documents must never change (tests/golden/segmentation.json was
    recorded from the segmenter that first encoded them)."""
    import json

    golden = json.loads((ROOT / "tests" / "golden" / "segmentation.json").read_text(encoding="utf-8"))
    for code, document in documents().items():
        assert _segmentation_record(document) == golden[code], code
