"""Result tables for people and how a query asks to be shown: titles, folded labels, hover text, entries, views."""

from __future__ import annotations

import html as html_lib
import re
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from cakg.errors import InputError
from cakg.presentation import column_title, read_presentation
from cakg.queries import load_saved_queries, parse_saved_query
from cakg.server import ServiceConfig, create_app

from conftest import ROOT

HTML = {"accept": "text/html"}


@pytest.fixture(scope="module")
def client(real_build):
    app = create_app(ServiceConfig(build_dir=real_build, queries_dir=ROOT / "queries", timeout=20, workers=2))
    with TestClient(app) as test_client:
        yield test_client


def _headers(html: str) -> list[str]:
    head = html.split("<thead>", 1)[1].split("</thead>", 1)[0]
    return [html_lib.unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in re.findall(r"<th[^>]*>(.*?)</th>", head)]


# ------------------------------------------------------------------ presentation lines

def test_titles_are_made_from_variable_names():
    assert column_title("entrantCountryLabel") == "Entrant country"
    assert column_title("cityLabelZh") == "City (Chinese)"
    assert column_title("idiValue") == "IDI value"
    assert column_title("marketLabel", {"marketLabel": "Market"}) == "Market"


def test_presentation_lines_are_read():
    text = "# view: chart ?section, facts\n# column: facts | Facts citing it\n# group: doc section\nSELECT ?doc ?section ?facts {}"
    shown = read_presentation(text, strict=True)
    assert (shown.view, shown.view_columns, shown.titles, shown.group) == (
        "chart", ["section", "facts"], {"facts": "Facts citing it"}, ["doc", "section"])


@pytest.mark.parametrize("line, message", [
    ("# view: pie section", "q.rq:2: a view line is 'KIND [COLUMN…]'"),
    ("# column: facts", "q.rq:2: a column line is 'VARIABLE | Title'"),
    ("# group: ", "q.rq:2: a group line names"),
    ("# column: nothing | Nothing", "the header names ?nothing, which the query does not use"),
])
def test_a_bad_line_in_a_saved_query_names_its_file_and_line(line, message):
    with pytest.raises(InputError) as error:
        parse_saved_query("q", f"# title: t\n{line}\nSELECT ?section ?facts WHERE {{}}", Path("q.rq"))
    assert message in str(error.value)


def test_a_typed_query_is_read_as_far_as_it_makes_sense():
    shown = read_presentation("# view: pie\n# column: x | X\nSELECT ?y {}")
    assert shown.view == "table" and shown.titles == {"x": "X"}


def test_saved_queries_suggest_views():
    saved = load_saved_queries(ROOT / "queries")
    views = {name: q.presentation.view for name, q in saved.items() if q.presentation.view != "table"}
    assert views == {"chinese-partner-cities-2019": "map", "timeline": "timeline", "facts-per-section": "chart",
                     "connectivity-network": "graph", "cooperation-partners": "graph"}


# ------------------------------------------------------------------ tables

def test_market_entries_titled_in_words_with_each_entity_once(client):
    html = client.get("/queries/market-entries-by-country", headers=HTML).text
    assert _headers(html) == ["#", "Market", "Entrant", "Entrant's country", "Market entry", "Status", "Evidence"]
    assert 'title="?market with ?marketLabel">Market</th>' in html  # the variables behind a title, on hover
    # An entity is its label linked to its page; its IRI is the hover text.
    assert re.search(r'<a class="iri" href="/id/org/alibaba" title="https://w3id.org/cakg/id/org/alibaba">'
                     r"Alibaba Group</a>", html)
    # The quote is in the table, with the section it is from, linked to the passage in the reading view.
    assert "Alibaba has entered the ASEAN market via Lazada" in html
    assert '<a class="quote-link" href="/read/passage/wp2016-ii-ii-3-p1?quote=Alibaba+has+entered' in html
    assert "^^" not in html and "@en" not in html


def test_the_eight_commitments_are_eight_entries(client):
    rows = len(client.get("/queries/sc2019-commitments?format=json").json()["results"]["bindings"])
    html = client.get("/queries/sc2019-commitments", headers=HTML).text
    assert rows > 8
    assert html.count('<tbody class="entry"') == 8
    assert f"{rows} rows, shown as 8 entries" in html
    first = html.split('<tbody class="entry"', 2)[1]
    # One commitment: its number and title once (spanning its sub-rows), what it refers to listed in it.
    assert first.count("Exchange best practices in smart city policy making and planning") == 1
    assert "Municipal governments" in first and "Research institutions" in first
    assert re.search(r'<td class="num" rowspan="(\d+)">1</td>', first)


def test_rows_that_differ_only_in_their_quotes_are_one_entry(client):
    html = client.get("/queries/market-entries-by-country", headers=HTML).text
    entry = next(part for part in html.split('<tbody class="entry"')[1:] if "Chinese online games" in part)
    assert entry.count("<q>") == 2  # two quotes for one market entry
    assert "15 rows, shown as 14 entries with their quotes listed together" in html


def test_datatype_and_language_are_on_hover(client):
    query = ('PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> SELECT ?label ?n WHERE { '
             '<https://w3id.org/cakg/id/country/tha> rdfs:label ?label FILTER(LANG(?label) = "zh") BIND(5 AS ?n) }')
    html = client.get("/sparql", params={"query": query}, headers=HTML).text
    assert '<td title="Chinese (@zh)" lang="zh">泰国</td>' in html
    assert re.search(r'<td class="num" title="xsd:integer">5</td>', html)


def test_sort_keys_are_numbers_for_numeric_columns(client):
    html = client.get("/queries/facts-per-section", headers=HTML).text
    keys = re.findall(r"data-keys='([^']*)'", html)
    assert keys and all(re.search(r", \d+(\.\d+)?[,\]]", k) for k in keys)


def test_the_view_is_chosen_by_the_url_or_the_query(client):
    def config(url: str) -> str:
        html = client.get(url, headers=HTML).text
        return re.search(r'"view": "(\w+)"', html).group(1)

    assert config("/queries/chinese-partner-cities-2019") == "map"
    assert config("/queries/chinese-partner-cities-2019?view=table") == "table"
    assert config("/queries/country-figures?view=chart") == "chart"
    assert config("/queries/country-figures?view=nonsense") == "table"
    # view= is how the answer is shown, never a parameter of the query.
    assert client.get("/queries/country-figures?view=chart&format=json").status_code == 200
