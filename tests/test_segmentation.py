"""Segmentation of the sources into sections and passages is faithful and deterministic."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

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


def _outline(text: str) -> dict[str, object]:
    return {s.number: s for s in segment(text)}


def test_decimal_numbering_nests_by_depth():
    sections = _outline("Joint Statement\n\n12 March 2021\n\n1. Introduction\n\nThe parties met.\n\n"
                        "1.1 Background\n\nIt began in 2005 and\n\n² a footnote\n\ncontinued since.\n\n"
                        "2. Areas of cooperation\n\n2.1 Infrastructure\n\nA cable.\n\n2.1.1 Submarine cables\n\nB and C.\n")
    assert list(sections) == ["title-page", "1", "1.1", "2", "2.1", "2.1.1"]
    assert [sections[n].level for n in ("1", "1.1", "2.1.1")] == [1, 2, 3]
    assert sections["2.1.1"].parent == "2.1" and sections["1.1"].parent == "1"
    assert sections["1.1"].passages[1].text == "It began in 2005 and continued since."
    assert [p.text for p in sections["title-page"].passages] == ["Joint Statement", "12 March 2021"]


def test_roman_parts_with_restarting_arabic_numbers_get_distinct_sections():
    sections = _outline("Action Plan\n\nI. Objectives\n\nTo connect.\n\n1. First\n\nOne.\n\n"
                        "II. Measures\n\n1. First again\n\nTwo.\n")
    assert list(sections) == ["title-page", "I", "I.1", "II", "II.1"]
    assert sections["II.1"].parent == "II" and sections["II.1"].passages[1].text == "Two."


def test_articles_keep_their_numbered_paragraphs_as_items():
    sections = _outline("Memorandum of Understanding\n\nThe Parties have agreed as follows:\n\nArticle 1\n\n"
                        "Objectives\n\n1. The Parties shall cooperate.\n\n2. They shall meet yearly.\n\n"
                        "Article 2: Areas\n\nThe areas.\n\nARTICLE 3 - Entry into force\n\nOn signature.\n")
    assert list(sections) == ["title-page", "preamble", "Article 1", "Article 2", "Article 3"]
    one = sections["Article 1"]
    assert one.heading == "Objectives" and one.passages[0].text == "Article 1 Objectives"
    assert [(p.item_number, p.text) for p in one.passages[1:]] == [
        (1, "1. The Parties shall cooperate."), (2, "2. They shall meet yearly.")]
    assert sections["Article 3"].heading == "Entry into force"
    assert section_slug("Article 3") == "article-3"


def test_unnumbered_headings_open_sections_when_a_document_has_several():
    sections = _outline("A Report\n\nIntroductory text.\n\nBackground\n\nThe region grew.\n\n"
                        "Infrastructure\n\nCables were laid.\n")
    assert list(sections) == ["title-page", "preamble", "background", "infrastructure"]
    # One title-like line alone stays text (and, not ending a sentence, runs on into the next paragraph).
    sections = _outline("A Note\n\nSome text.\n\nDone in Hanoi\n\nMore text.\n")
    assert list(sections) == ["title-page", "body"]
    assert [p.text for p in sections["body"].passages] == ["Some text.", "Done in Hanoi More text."]


def test_text_without_structure_stays_one_section():
    sections = segment("A first paragraph that says something.\n\nA second one, and a third\n\nline cut.\n")
    assert [s.number for s in sections] == ["body"]
    assert [p.text for p in sections[0].passages] == [
        "A first paragraph that says something.", "A second one, and a third line cut."]


def test_repeated_numbers_never_share_a_section_iri():
    sections = segment("Title\n\n1. Scope\n\nA.\n\n2. Terms\n\nB.\n\n1. Scope\n\nC.\n")
    slugs = [s.slug for s in sections]
    assert len(slugs) == len(set(slugs))
    assert [s.passages[-1].text for s in sections[1:]] == ["A.", "B.", "C."]


_LINES = ["1. Introduction", "1.1 Scope", "2. Cooperation", "I. Part one", "(II) Chapter", "Article 4",
          "Article 5: Terms", "Background", "Outlook", "The parties agree.", "It began in 2005 and",
          "continued since.", "¹ a footnote", "Table 1 Figures", "Country\t2015\t2016", "Hereby agree to:",
          "3. Encourage cooperation on standards;", "Done in Hanoi", "**Bold title**", "  indented line  "]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_LINES), st.sampled_from(["\n", "\n\n", "\n\n\n"])), max_size=30))
def test_no_text_is_ever_lost(pieces):
    """Every word of any document ends up in exactly one passage, at offsets that point to it."""
    source = "".join(line + gap for line, gap in pieces)
    sections = segment(source)
    words = sorted(w for s in sections for p in s.passages for w in p.text.split())
    assert words == sorted(source.split())
    covered = sorted((p.start, p.end) for s in sections for p in s.passages)
    for (start, end), (next_start, _) in zip(covered, covered[1:]):
        assert end <= next_start or start < next_start  # spans nest only where a cut paragraph is joined
    slugs = [s.slug for s in sections]
    assert len(slugs) == len(set(slugs))
