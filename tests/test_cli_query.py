"""`cakg queries` and `cakg query`: listing, running, and one-line errors with documented codes."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import ROOT


def cakg(*args: str, cwd=ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cakg.cli", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def test_queries_lists_titles_and_parameters():
    result = cakg("queries")
    assert result.returncode == 0
    assert "[infrastructure]" in result.stdout and "link-builders" in result.stdout
    assert "country=khm" in result.stdout  # parameters with their defaults
    listed = json.loads(cakg("queries", "--format", "json").stdout)
    assert len(listed) >= 30 and all(q["title"] for q in listed)


def test_query_by_name_with_a_parameter(real_build):
    result = cakg("query", "link-builders", "--store", str(real_build), "--format", "csv")
    assert result.returncode == 0 and "Huawei Marine" in result.stdout
    other = cakg("query", "infrastructure-builders-in-country", "--param", "country=tha", "--store",
                 str(real_build), "--format", "json")
    assert other.returncode == 0 and json.loads(other.stdout)["results"]["bindings"]


def test_unknown_query_suggests_close_names(real_build):
    result = cakg("query", "link-builder", "--store", str(real_build))
    assert result.returncode == 2 and "did you mean" in result.stderr and "link-builders" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_bad_and_missing_parameters(real_build, tmp_path):
    result = cakg("query", "observations-by-year", "--param", "year=twenty", "--store", str(real_build))
    assert result.returncode == 2 and "four-digit year" in result.stderr
    result = cakg("query", "observations-by-year", "--param", "colour=red", "--store", str(real_build))
    assert result.returncode == 2 and "no parameter 'colour'" in result.stderr
    required = tmp_path / "needs-country.rq"
    required.write_text("# title: t\n# param: country country - | a country\n"
                        "SELECT ?x WHERE { ?x ?p ?country }\n")
    result = cakg("query", str(required), "--store", str(real_build))
    assert result.returncode == 2 and "missing parameter 'country'" in result.stderr
    result = cakg("query", str(required), "--param", "country=tha", "--store", str(real_build), "--format", "tsv")
    assert result.returncode == 0 and result.stdout.startswith("?x")


def test_malformed_sparql_is_a_one_line_error(real_build):
    result = cakg("query", "-e", "SELECT ?x WHERE { ?x", "--store", str(real_build))
    assert result.returncode == 2 and "syntax error" in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_ad_hoc_query_with_standard_prefixes(real_build):
    result = cakg("query", "-e", "SELECT ?l WHERE { country:tha rdfs:label ?l FILTER(LANG(?l) = 'th') }",
                  "--store", str(real_build), "--format", "md")
    assert result.returncode == 0 and "ไทย" in result.stdout
