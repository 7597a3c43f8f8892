"""The result type renders in every format and converts to a DataFrame."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

from cakg.results import ResultTable, Term, table_from_sparql_json

TABLE = ResultTable(["x", "label", "n"], [
    {"x": Term("uri", "https://w3id.org/cakg/id/country/tha"), "label": Term("literal", "泰国", lang="zh"),
     "n": Term("literal", "3", "http://www.w3.org/2001/XMLSchema#integer")},
    {"x": Term("uri", "https://w3id.org/cakg/id/country/khm"), "label": Term("literal", 'a "quoted"\ttab')},
])


def test_sparql_json_round_trip():
    data = json.loads(TABLE.to_sparql_json())
    assert data["head"]["vars"] == ["x", "label", "n"]
    assert table_from_sparql_json(data).rows == TABLE.rows


def test_sparql_xml():
    root = ET.fromstring(TABLE.to_sparql_xml())
    ns = {"s": "http://www.w3.org/2005/sparql-results#"}
    results = root.find("s:results", ns).findall("s:result", ns)
    assert len(results) == 2
    literal = results[0].find("s:binding[@name='label']/s:literal", ns)
    assert literal.text == "泰国" and literal.get("{http://www.w3.org/XML/1998/namespace}lang") == "zh"


def test_csv_tsv_markdown_table():
    rows = list(csv.reader(io.StringIO(TABLE.to_csv())))
    assert rows[0] == ["x", "label", "n"] and rows[2][1] == 'a "quoted"\ttab' and rows[2][2] == ""
    tsv = TABLE.to_tsv().splitlines()
    assert tsv[0] == "?x\t?label\t?n" and '"泰国"@zh' in tsv[1] and "\\t" in tsv[2]
    assert TABLE.to_markdown().splitlines()[2].startswith("| https://w3id.org/cakg/id/country/tha | 泰国 | 3 |")
    assert "(2 rows)" in TABLE.to_table()


def test_ask_renders():
    ask = ResultTable([], [], True)
    assert json.loads(ask.to_sparql_json())["boolean"] is True
    assert "<boolean>true</boolean>" in ask.to_sparql_xml()


def test_dataframe():
    frame = TABLE.to_dataframe()
    assert list(frame.columns) == ["x", "label", "n"] and len(frame) == 2
    assert frame.loc[0, "label"] == "泰国" and frame.loc[0, "n"] == "3" and frame["n"].isna().tolist() == [False, True]


def test_terms_from_pyoxigraph_equal_terms_built_from_parts():
    # The embedded store builds Terms without __init__; they must normalise and hash like the rest.
    import pickle

    from pyoxigraph import BlankNode, Literal, NamedNode

    from cakg.store import to_term

    xsd = "http://www.w3.org/2001/XMLSchema#"
    cases = [
        (NamedNode("https://w3id.org/cakg/id/country/cn"), Term("uri", "https://w3id.org/cakg/id/country/cn")),
        (BlankNode("b1"), Term("bnode", "b1")),
        (Literal("plain"), Term("literal", "plain", xsd + "string")),
        (Literal("中国", language="ZH-Hans"), Term("literal", "中国", None, "zh-hans")),
        (Literal("2016", datatype=NamedNode(xsd + "gYear")), Term("literal", "2016", xsd + "gYear")),
    ]
    for node, expected in cases:
        term = to_term(node)
        assert term == expected and hash(term) == hash(expected), node
        assert (term.datatype, term.lang) == (expected.datatype, expected.lang)
        copy = pickle.loads(pickle.dumps(term))
        assert copy == term and type(copy) is Term and copy.lang == expected.lang


def test_row_conversion_pauses_the_cycle_collector_and_restores_it():
    import gc

    import pyoxigraph
    import pytest

    from cakg.store import solutions_to_rows

    store = pyoxigraph.Store()
    store.add(pyoxigraph.Quad(pyoxigraph.NamedNode("http://example.org/a"), pyoxigraph.NamedNode("http://example.org/p"),
                              pyoxigraph.Literal("x")))
    seen = []

    class Watching:  # records the collector's state while the rows are being built
        def __init__(self, result):
            self.result, self.variables = result, result.variables

        def __iter__(self):
            for solution in self.result:
                seen.append(gc.isenabled())
                yield solution

    query = "SELECT ?s ?o WHERE { ?s ?p ?o }"
    rows = solutions_to_rows(Watching(store.query(query)))
    assert rows[0]["o"].value == "x" and seen == [False] and gc.isenabled()
    with pytest.raises(OverflowError):
        solutions_to_rows(Watching(store.query(query)), limit=0)
    assert gc.isenabled()
    gc.disable()
    try:
        solutions_to_rows(store.query(query))
        assert not gc.isenabled()  # left as the caller had it
    finally:
        gc.enable()
