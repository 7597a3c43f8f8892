"""Every saved query is well-formed and returns its expected answer on the real data.

Expected answers live in ``tests/golden/NAME.json``; they are rewritten only by
``pytest --regen-golden`` and reviewed as a diff before they are committed.
"""

from __future__ import annotations

import json

import pytest

from cakg.queries import PARAM_TYPES, load_saved_queries
from cakg.results import ResultTable
from cakg.store import query_form

from conftest import ROOT

QUERIES = load_saved_queries(ROOT / "queries")
GOLDEN = ROOT / "tests" / "golden"
THEMES = {"actors-agreements", "infrastructure", "e-commerce-internet", "smart-cities", "cyber-security",
          "statistics", "provenance"}


def canonical(table: ResultTable) -> dict:
    """Rows as plain values, in the query's order when it has ORDER BY, else sorted."""
    rows = [[row[v].value if v in row else None for v in table.variables] for row in table.rows]
    return {"variables": table.variables, "rows": rows}


def is_ordered(text: str) -> bool:
    return "ORDER BY" in text.upper()


def test_there_are_at_least_thirty_saved_queries_in_every_theme():
    assert len(QUERIES) >= 30
    assert {q.theme for q in QUERIES.values()} == THEMES


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_header_is_complete(name):
    query = QUERIES[name]
    assert query.title and query.description and query.sections, name
    for param in query.params:
        assert param.type in PARAM_TYPES and param.description
        assert param.default is not None, f"{name}: give every parameter a default so the query runs as is"


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_expected_answer(name, real_store, request):
    query = QUERIES[name]
    text = query.bind({})
    assert query_form(text) in ("SELECT", "ASK")
    table = real_store.select(text, name)
    got = canonical(table)
    if not is_ordered(text):
        got["rows"] = sorted(got["rows"], key=lambda r: [str(x) for x in r])
    path = GOLDEN / f"{name}.json"
    if request.config.getoption("--regen-golden"):
        path.write_text(json.dumps(got, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    assert path.exists(), f"no golden answer for {name}: run pytest --regen-golden and review"
    expected = json.loads(path.read_text(encoding="utf-8"))
    assert got == expected
    assert table.rows, f"{name} returns no rows on the real data"
