"""The W3C SPARQL 1.0 and 1.1 query syntax tests, posted to a real cakg serve and to Oxigraph server.

Every positive test is answered, or refused by a policy docs/service.md documents
(FROM naming a graph outside the store, SERVICE, more rows than --max-rows, an extension function the
engine does not implement); none
answers 5xx; every negative test is refused exactly when Oxigraph server refuses it.
The tests are in tests/w3c-sparql-syntax (see its NOTICE.md).
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pyoxigraph
import pytest

from conftest import ROOT
from servers import oxigraph_server, start_cakg_serve, stop

SUITE = Path(__file__).resolve().parent / "w3c-sparql-syntax"
MF = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
# Refusals of well-formed queries that docs/service.md documents, by the words of their messages.
POLICIES = {"FROM": "only the named graphs of this store may be named",
            "SERVICE": "SERVICE is not allowed",
            "rows": "add a LIMIT",
            "function": "is not supported: this endpoint implements the functions of SPARQL 1.1"}


def syntax_tests() -> list[tuple[str, bool, Path]]:
    """(name, positive, query file) of every test the manifests list."""
    found = []
    for manifest in sorted(SUITE.rglob("manifest.ttl")):
        store = pyoxigraph.Store()
        store.load(path=str(manifest), format=pyoxigraph.RdfFormat.TURTLE, base_iri=manifest.resolve().as_uri())
        rows = store.query(f"""PREFIX mf: <{MF}> PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
            SELECT ?test ?type ?action WHERE {{
              ?manifest mf:entries/rdf:rest*/rdf:first ?test . ?test a ?type ; mf:action ?action }}""")
        for row in rows:
            kind = row["type"].value.rsplit("#", 1)[1]
            path = Path(row["action"].value.removeprefix("file://"))
            name = f"{manifest.parent.name}/{path.name}"
            found.append((name, kind.startswith("Positive"), path))
    return sorted(found)


TESTS = syntax_tests()


def post(url: str, query: bytes) -> httpx.Response:
    return httpx.post(url, content=query, timeout=60,
                      headers={"content-type": "application/sparql-query", "accept": "*/*"})


@pytest.fixture(scope="module")
def verdicts(real_build, tmp_path_factory):
    """Per test: (cakg's status and message, Oxigraph server's status or None where it is not asked)."""
    process, base = start_cakg_serve(real_build, ROOT / "queries", "--timeout", "30")
    answers = {}
    try:
        with oxigraph_server(tmp_path_factory.mktemp("w3c-oxigraph")) as oxigraph:
            for name, positive, path in TESTS:
                query = path.read_bytes()
                ours = post(base + "/sparql", query)
                # Oxigraph server would follow SERVICE to the hosts the tests name: it is asked only about the others.
                theirs = None if b"SERVICE" in query.upper() else post(oxigraph["query"], query).status_code
                answers[name] = (ours.status_code, ours.text.strip(), theirs)
    finally:
        stop(process)
    return answers


def test_the_suites_are_all_here():
    positive = sum(1 for _, p, _ in TESTS if p)
    assert (positive, len(TESTS) - positive) == (215, 81)
    assert all(path.is_file() for _, _, path in TESTS)


def test_no_query_of_the_suites_answers_5xx(verdicts):
    failing = {name: v[:2] for name, v in verdicts.items() if v[0] >= 500}
    assert failing == {}


def test_every_positive_test_is_answered_or_refused_by_a_documented_policy(verdicts):
    refused = {}
    by_policy = {policy: 0 for policy in POLICIES}
    for name, positive, _ in TESTS:
        status, message, _ = verdicts[name]
        if not positive or status == 200:
            continue
        policy = next((p for p, words in POLICIES.items() if words in message), None)
        if status == 400 and policy is not None:
            by_policy[policy] += 1
        else:
            refused[name] = (status, message)
    assert refused == {}
    accepted = sum(1 for name, positive, _ in TESTS if positive and verdicts[name][0] == 200)
    oxigraph_accepted = sum(1 for name, positive, _ in TESTS if positive and verdicts[name][2] == 200)
    print(f"\npositive tests: cakg answers {accepted}, refuses {sum(by_policy.values())} by policy {by_policy}; "
          f"Oxigraph server answers {oxigraph_accepted} of those it was asked")
    # The tests naming graphs (FROM), other services and functions outside SPARQL 1.1; a new refusal shows here.
    assert {p: n for p, n in by_policy.items() if p != "rows"} == {"FROM": 5, "SERVICE": 3, "function": 8}


def test_negative_tests_are_refused_as_oxigraph_server_refuses_them(verdicts):
    different = {}
    for name, positive, _ in TESTS:
        status, message, theirs = verdicts[name]
        if positive or theirs is None:
            continue
        if (status >= 400) != (theirs >= 400):
            different[name] = (status, theirs, message)
    assert different == {}
    refused = sum(1 for name, positive, _ in TESTS if not positive and verdicts[name][0] == 400)
    print(f"\nnegative tests: cakg refuses {refused} of {sum(1 for _, p, _ in TESTS if not p)}")


def test_positive_tests_oxigraph_server_answers_are_answered_unless_a_policy_refuses_them(verdicts):
    missing = {name: verdicts[name][:2] for name, positive, _ in TESTS
               if positive and verdicts[name][2] == 200 and verdicts[name][0] != 200
               and not any(words in verdicts[name][1] for words in POLICIES.values())}
    assert missing == {}
