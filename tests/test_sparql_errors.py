"""SPARQL syntax errors in words: line and column, the text with a caret, the cause — from pyoxigraph's real errors.

Each query here is refused by pyoxigraph itself; the tests check what cakg makes of its
message in the library, at /sparql (a real service with its query workers) and on the CLI.
"""

from __future__ import annotations

import subprocess
import sys

import pyoxigraph
import pytest
from starlette.testclient import TestClient

from cakg.server import ServiceConfig, create_app
from cakg.sparql_errors import diagnose, raw_message

from conftest import ROOT

UNDECLARED = ("PREFIX cakg: <https://w3id.org/cakg/ontology#>\n"
              "SELECT ?x ?l WHERE {\n"
              "  ?x a cakg:Country ;\n"
              "     rdfs:label ?l }")

# query → (line, column, words the cause must hold, words the hint must hold)
CASES = {
    UNDECLARED: (4, 6, "prefix rdfs: is not declared", "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>"),
    'SELECT ?x WHERE { ?x ?p "泰国" . ?x skos:prefLabel ?l }': (1, 35, "prefix skos: is not declared", "skos"),
    "SELECT ?x WHERE { rdfs:x ?p ?o }": (1, 19, "prefix rdfs: is not declared", ""),
    'SELECT ?x WHERE { ?x ?p ?o FILTER(CONTAINZ(?o, "a")) }': (1, 35, "unknown function CONTAINZ()",
                                                               "did you mean CONTAINS?"),
    "SELECT (STRLENN(?o) AS ?n) WHERE { ?x ?p ?o }": (1, 9, "unknown function STRLENN()", "STRLEN"),
    "SELECT ?x WHERE { ?x ?p ?o ": (1, 27, "a } is missing", ""),
    "SELECT ?x WHERE { ?x ?p ?o } }": (1, 30, "this } closes nothing", ""),
    "SELECT ?x WHERE { ?x ?p ?y FILTER(?y > 3 }": (1, 42, "a ) is missing before this }", ""),
    "SELECT ?x WHERE {\n  ?x ?p \"a\"@en\n  ?x a ?c .\n}": (3, 3, "a dot is missing before ?x", ""),
    "SELEC ?x WHERE { ?x ?p ?o }": (1, 1, "SELEC is not a SPARQL keyword", "did you mean SELECT?"),
    "SELECT ?x WHERE { ?x ?p ?y } LIMT 3": (1, 30, "LIMT is not a SPARQL keyword", "LIMIT"),
    "SELECT ?x WHERE { ?x ?p ?y } ORDER ?x": (1, 30, "ORDER is followed by BY", ""),
    "SELECT ?x, ?y WHERE { ?x ?p ?y }": (1, 10, "separated by spaces, not commas", ""),
    "SELECT (COUNT(?x)) WHERE { ?x ?p ?y }": (1, 8, "an expression in SELECT needs a name", "AS ?name"),
    "SELECT ?x (COUNT(?y) AS ?n) WHERE { ?x ?p ?y }": (1, 8, "?x is selected but neither grouped nor aggregated",
                                                      "GROUP BY"),
    "SELECT WHERE { ?x ?p ?o }": (1, 1, "SELECT names no variables", "SELECT *"),
    'SELECT ?x WHERE { ?x ?p "abc }': (1, 25, "this string is never closed", ""),
    "SELECT ?x WHERE { ?x <http://a b> ?o }": (1, 22, "this IRI is not valid", ""),
}


def pyoxigraph_error(query: str) -> str:
    with pytest.raises(SyntaxError) as caught:
        pyoxigraph.Store().query(query)
    return raw_message(caught.value)


@pytest.mark.parametrize("query", list(CASES), ids=[c[2][:40] for c in CASES.values()])
def test_the_cause_in_words_at_its_place(query):
    line, column, cause, hint = CASES[query]
    raw = pyoxigraph_error(query)
    problem = diagnose(raw, query)
    assert (problem.line, problem.column) == (line, column), problem
    assert cause in problem.cause and hint in problem.hint
    assert problem.raw == raw  # the parser's own words are kept
    # The caret stands under the offending text.
    excerpt = problem.excerpt(query).splitlines()
    caret_line = excerpt[-1]
    text_line = excerpt[-2].split(" | ", 1)[1]
    start = caret_line.index("^") - caret_line.index("|") - 2
    assert start == column - 1 and text_line == query.splitlines()[line - 1].replace("\t", " ")


def test_the_report_has_no_parser_dump_in_its_first_lines():
    problem = diagnose(pyoxigraph_error(UNDECLARED), UNDECLARED)
    report = problem.report(UNDECLARED).splitlines()
    assert report[0] == "SPARQL syntax error at line 4, column 6: prefix rdfs: is not declared"
    assert "\\u{" not in "\n".join(report[:-1]) and report[-1].startswith("parser: error at 4:16")


def test_analysis_is_bounded_for_huge_queries():
    query = "SELECT " + "?x " * 400_000 + "WHERE { ?x ?p "
    problem = diagnose(pyoxigraph_error(query), query)
    assert problem.line == 1 and problem.cause  # the parser's words restated, the text not analysed


# ------------------------------------------------------------------ the service

@pytest.fixture(scope="module")
def client(real_build):
    app = create_app(ServiceConfig(build_dir=real_build, queries_dir=ROOT / "queries", timeout=20, workers=1))
    with TestClient(app) as test_client:
        yield test_client


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_the_endpoint_answers_400_with_the_cause_first_then_the_caret(client, method):
    if method == "GET":
        response = client.get("/sparql", params={"query": UNDECLARED})
    else:
        response = client.post("/sparql", data={"query": UNDECLARED})
    assert response.status_code == 400 and response.headers["content-type"].startswith("text/plain")
    lines = response.text.splitlines()
    assert lines[0] == "SPARQL syntax error at line 4, column 6: prefix rdfs: is not declared"
    assert "4 |      rdfs:label ?l }" in lines and "  |      ^^^^^^^^^^" in lines
    assert any("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>" in line for line in lines)
    assert lines[-1].startswith("parser: error at 4:16: expected one of Prefix not found")


def test_a_browser_at_the_endpoint_gets_the_same_words(client):
    response = client.get("/sparql", params={"query": "SELECT ?x WHERE { ?x ?p ?o FILTER(foo(?x)) }",
                                             "format": "html"}, headers={"accept": "text/html"})
    assert response.status_code == 400
    assert response.text.startswith("SPARQL syntax error at line 1, column 35: unknown function foo()")


def test_a_valid_query_is_untouched(client):
    response = client.get("/sparql", params={"query": "SELECT ?x WHERE { VALUES ?x { 1 } }", "format": "json"})
    assert response.status_code == 200 and response.json()["results"]["bindings"] == [{"x": {
        "type": "literal", "value": "1", "datatype": "http://www.w3.org/2001/XMLSchema#integer"}}]


# ------------------------------------------------------------------ the command line

def cakg(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cakg.cli", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=120)


def test_the_cli_says_where_and_why_in_one_line(real_build):
    # -e declares the standard prefixes itself: the line is counted as typed all the same.
    result = cakg("query", "--store", str(real_build), "-e",
                  "SELECT ?x WHERE {\n  ?x a cakg:Country\n  FILTER(CONTAINZ(STR(?x), \"a\")) }")
    assert result.returncode == 2 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert lines == ["cakg: query -e: SPARQL syntax error at line 3, column 10: unknown function CONTAINZ() "
                     "(did you mean CONTAINS?)"]


def test_the_cli_names_an_undeclared_prefix(real_build, tmp_path):
    query = tmp_path / "bad.rq"
    query.write_text("# title: bad\nSELECT ?x WHERE {\n  ?x nope:label ?l .\n}\n", encoding="utf-8")
    result = cakg("query", str(query), "--store", str(real_build))
    assert result.returncode == 2
    assert result.stderr.strip() == ("cakg: query bad: SPARQL syntax error at line 3, column 6: prefix nope: is not "
                                     "declared (declare it at the top: PREFIX nope: <namespace IRI>)")
