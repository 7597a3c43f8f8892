"""Saved-query parameters given by name in any language: the resolver, the command line, the HTTP API and the form."""

from __future__ import annotations

import json
import subprocess
import sys

import httpx
import pytest
from starlette.testclient import TestClient

from cakg.errors import InputError
from cakg.names import Names, resolve_values
from cakg.queries import load_saved_queries
from cakg.server import ServiceConfig, create_app

from conftest import ROOT
from navigation_browser import Tab
from test_browser import browser, server  # noqa: F401  (fixtures: Chromium, a real cakg serve)

HTML = {"accept": "text/html"}
VIETNAM = ("Vietnam", "Viet Nam", "越南", "Việt Nam", "VIET NAM", "viet-nam", "vnm", "VN")


@pytest.fixture(scope="module")
def names(real_store):
    return Names.read(real_store)


@pytest.fixture(scope="module")
def client(real_build):
    app = create_app(ServiceConfig(build_dir=real_build, queries_dir=ROOT / "queries", timeout=20, workers=2))
    with TestClient(app) as test_client:
        yield test_client


# ------------------------------------------------------------------ the resolver

@pytest.mark.parametrize("typed", VIETNAM)
def test_every_name_of_viet_nam_names_one_country(names, typed):
    assert names.resolve("country", typed) == "vnm"


def test_names_by_type(names):
    assert names.resolve("country", "泰国") == "tha"
    assert names.resolve("country", "ASEAN member states") == "group/asean-member-states"
    assert names.resolve("actor", "Huawei") == "org/huawei"
    assert names.resolve("actor", "Singapore") == "country/sgp"  # the city is not an actor
    assert names.resolve("topic", "cybersecurity") == "cyber-security"
    assert names.resolve("topic", "网络安全") == "cyber-security"
    assert names.resolve("indicator", "IDI") == "idi"
    assert names.resolve("iri", "MCT") == "infrastructure/mct-cable"
    assert names.resolve("iri", "https://w3id.org/cakg/id/country/khm") == "country/khm"


def test_a_shared_name_is_an_error_listing_the_entities(names):
    with pytest.raises(InputError) as error:
        names.resolve("iri", "Singapore")
    message = str(error.value)
    assert "names several entities" in message and "(country/sgp)" in message and "(city/singapore)" in message


def test_a_name_nobody_has_gets_the_closest(names):
    with pytest.raises(InputError) as error:
        names.resolve("country", "Vietnamm")
    assert "no country or country group is named 'Vietnamm'" in str(error.value)
    assert "did you mean Viet Nam (vnm)" in str(error.value)
    with pytest.raises(InputError, match="named 'Atlantis'"):
        names.resolve("country", "Atlantis")
    with pytest.raises(InputError, match="named 'xyz'"):
        names.resolve("country", "xyz")  # an ISO-looking code the graph does not have


def test_resolved_values_bind_only_iris(names):
    query = load_saved_queries(ROOT / "queries")["compare-indicator"]
    params = [(p.name, p.type) for p in query.params]
    values, notes = resolve_values(names, params, {"country": "Việt Nam", "other": "泰国", "indicator": "IDI"},
                                   query.name)
    assert values == {"country": "vnm", "other": "tha", "indicator": "idi"}
    assert notes["country"] == "Việt Nam → Viet Nam (vnm)"
    text = query.bind(values)
    assert "<https://w3id.org/cakg/id/country/vnm>" in text and "<https://w3id.org/cakg/id/indicator/idi>" in text
    with pytest.raises(InputError, match="query compare-indicator: parameter country:"):
        resolve_values(names, params, {"country": 'x" } ; DROP ALL ; {'}, query.name)


# ------------------------------------------------------------------ the command line

def _cakg(real_build, *args):
    return subprocess.run([sys.executable, "-m", "cakg.cli", *args, "--store", str(real_build)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_cli_takes_a_name_in_any_language(real_build):
    by_code = _cakg(real_build, "query", "country-figures", "--param", "country=vnm", "--format", "csv")
    assert by_code.returncode == 0 and "Viet Nam" in by_code.stdout
    for typed in ("Viet Nam", "越南", "Việt Nam"):
        by_name = _cakg(real_build, "query", "country-figures", "--param", f"country={typed}", "--format", "csv")
        assert by_name.returncode == 0, by_name.stderr
        assert by_name.stdout == by_code.stdout
        read = "Viet Nam (vnm)" if typed == "Viet Nam" else f"{typed} → Viet Nam (vnm)"
        assert f"country: {read}" in by_name.stderr


def test_cli_miss_and_ambiguity_are_usage_errors(real_build):
    miss = _cakg(real_build, "query", "country-figures", "--param", "country=Vietnamm")
    assert miss.returncode == 2 and "did you mean Viet Nam (vnm)?" in miss.stderr
    assert "Traceback" not in miss.stderr and len(miss.stderr.strip().splitlines()) == 1
    shared = _cakg(real_build, "query", "entity-evidence", "--param", "entity=Singapore")
    assert shared.returncode == 2 and "names several entities" in shared.stderr and "city/singapore" in shared.stderr


# ------------------------------------------------------------------ the HTTP API

def _rows(response):
    assert response.status_code == 200, response.text
    return response.json()["results"]["bindings"]


def test_api_takes_names(client):
    expected = _rows(client.get("/queries/country-figures", params={"country": "vnm", "format": "json"}))
    assert expected
    for typed in ("Vietnam", "Viet Nam", "越南", "Việt Nam"):
        assert _rows(client.get("/queries/country-figures", params={"country": typed, "format": "json"})) == expected
    both = _rows(client.get("/queries/compare-indicator", params={
        "indicator": "ICT Development Index (IDI)", "country": "Viet Nam", "other": "Thailand", "format": "json"}))
    assert {row["areaLabel"]["value"] for row in both} == {"Viet Nam", "Thailand"}


def test_api_miss_and_ambiguity_are_400(client):
    miss = client.get("/queries/country-figures", params={"country": "Vietnamm", "format": "json"})
    assert miss.status_code == 400 and "did you mean Viet Nam (vnm)?" in miss.text
    shared = client.get("/queries/entity-evidence", params={"entity": "Singapore", "format": "json"})
    assert shared.status_code == 400 and "country/sgp" in shared.text and "city/singapore" in shared.text
    page = client.get("/queries/country-figures", params={"country": "Vietnamm"}, headers=HTML)
    assert page.status_code == 400 and "did you mean Viet Nam (vnm)?" in page.text and 'name="country"' in page.text


def test_form_offers_the_graphs_choices(client):
    page = client.get("/queries/compare-indicator", headers=HTML).text
    assert 'data-choices="country"' in page and 'data-choices="indicator"' in page
    choices = json.loads(page.split('id="cakg-param-choices">', 1)[1].split("</script>", 1)[0])
    vietnam = next(c for c in choices["country"] if c["value"] == "vnm")
    assert vietnam["label"] == "Viet Nam" and "越南" in vietnam["names"] and "Việt Nam" in vietnam["names"]
    assert {c["value"] for c in choices["country"]} >= {"tha", "khm", "chn", "group/asean-member-states"}
    assert any(c["label"] == "ICT Development Index (IDI)" and c["value"] == "idi" for c in choices["indicator"])
    read = client.get("/queries/country-figures", params={"country": "越南"}, headers=HTML).text
    assert "Read as: 越南 → Viet Nam (vnm)" in read and 'value="vnm"' in read
    entity = client.get("/queries/entity-evidence", headers=HTML).text
    assert 'data-complete="/search"' in entity  # an entity of any kind completes from the search


# ------------------------------------------------------------------ the form in Chromium

@pytest.fixture
def tab(browser, server):  # noqa: F811
    opened = Tab(browser, server)
    yield opened
    opened.close()


def test_form_suggests_names_and_runs_by_name(tab, server):
    page = tab.page
    tab.goto("/queries/compare-indicator")
    page.fill("#param-country", "")
    page.type("#param-country", "viêt")
    page.wait_for_selector("#param-country-suggestions li")
    assert page.inner_text("#param-country-suggestions li >> nth=0").startswith("Viet Nam")
    tab.screenshot("params-suggest.png")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert page.input_value("#param-country") == "vnm"
    page.fill("#param-other", "泰国")  # typed, not chosen: the service reads the name
    page.keyboard.press("Escape")
    page.click("form.query-form button[type=submit]")
    page.wait_for_url("**/queries/compare-indicator?*")
    page.wait_for_load_state("networkidle")
    assert "Read as: 泰国 → Thailand (tha)" in page.inner_text("form.query-form")
    results = page.inner_text("table.results")
    assert "Viet Nam" in results and "Thailand" in results
    assert httpx.get(page.url.replace("compare-indicator?", "compare-indicator?format=json&")).status_code == 200
    tab.check()


def test_iri_parameter_completes_from_the_search(tab):
    page = tab.page
    tab.goto("/queries/link-builders")
    page.fill("#param-link", "")
    page.type("#param-link", "mct")
    page.wait_for_selector("#param-link-suggestions li")
    assert "infrastructure/mct-cable" in page.inner_text("#param-link-suggestions")
    page.keyboard.press("Escape")
    page.click("form.query-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "Huawei Marine" in page.inner_text("table.results")
    tab.check()
