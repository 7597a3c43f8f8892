"""Which parts of each source document the graph cites, and which it does not."""

from __future__ import annotations

from dataclasses import dataclass, field

from .store import GraphStore

from .vocab import CAKG, PROV

PASSAGE_CITATIONS_QUERY = f"""
PREFIX cakg: <{CAKG}>
PREFIX prov: <{PROV}>
SELECT ?doc ?code ?section ?number ?sorder ?passage ?porder ?kind ?text
       (COUNT(DISTINCT ?fact) AS ?facts) (COUNT(DISTINCT ?evidence) AS ?quotes)
WHERE {{
  ?doc cakg:shortCode ?code .
  ?section a cakg:Section ; cakg:inDocument ?doc ; cakg:sectionNumber ?number ; cakg:documentOrder ?sorder .
  ?passage cakg:section ?section ; cakg:documentOrder ?porder ; cakg:passageKind ?kind ; cakg:text ?text .
  OPTIONAL {{ ?evidence prov:wasQuotedFrom ?passage . OPTIONAL {{ ?fact cakg:evidence ?evidence }} }}
}}
GROUP BY ?doc ?code ?section ?number ?sorder ?passage ?porder ?kind ?text
ORDER BY ?code ?sorder ?porder
"""

# Passages that state facts; headings, footnotes, captions and title/contents lines are not counted.
COUNTED_KINDS = {"paragraph", "table-row"}


@dataclass
class SectionCoverage:
    document: str
    number: str
    facts: int = 0
    passages: int = 0
    cited: int = 0
    uncited: list[tuple[str, str]] = field(default_factory=list)  # (passage IRI, text)


def coverage(store: GraphStore) -> list[SectionCoverage]:
    """Per section, in document order: facts citing it, and its uncited paragraphs."""
    sections: dict[str, SectionCoverage] = {}
    facts_per_section: dict[str, set] = {}
    fact_query = f"""
        PREFIX cakg: <{CAKG}> PREFIX prov: <{PROV}>
        SELECT DISTINCT ?section ?fact WHERE {{
          ?fact cakg:evidence ?e . ?e prov:wasQuotedFrom ?p . ?p cakg:section ?section }}"""
    for row in store.select(fact_query, "coverage").rows:
        facts_per_section.setdefault(row["section"].value, set()).add(row["fact"].value)
    for row in store.select(PASSAGE_CITATIONS_QUERY, "coverage").rows:
        key = row["section"].value
        entry = sections.get(key)
        if entry is None:
            entry = sections[key] = SectionCoverage(row["code"].value, row["number"].value,
                                                    facts=len(facts_per_section.get(key, ())))
        text = row["text"].value
        if row["kind"].value not in COUNTED_KINDS or is_header_row_text(row["kind"].value, text):
            continue
        entry.passages += 1
        if int(row["quotes"].value) > 0:
            entry.cited += 1
        else:
            entry.uncited.append((row["passage"].value, text))
    return list(sections.values())


def is_header_row_text(kind: str, text: str) -> bool:
    from .corpus import Passage

    return kind == "table-row" and Passage("table-row", text, 0, 0).is_header_row


__all__ = ["SectionCoverage", "coverage", "COUNTED_KINDS", "PASSAGE_CITATIONS_QUERY", "is_header_row_text"]
