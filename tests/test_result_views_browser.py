"""Result tables and views in Chromium at 1366x768: drawn from the package alone, nothing wider than the window.

Each view is checked against the result it draws: as many marks as the JSON answer has
places, bars, dated items or links. Every tab refuses requests to other hosts and fails on
console errors (navigation_browser.Tab).
"""

from __future__ import annotations

from urllib.parse import quote

import httpx
import pytest

from cakg.queries import load_saved_queries

from conftest import ROOT
from navigation_browser import Tab
from test_browser import browser, server  # noqa: F401  (fixtures: Chromium, a real cakg serve)

SAVED = load_saved_queries(ROOT / "queries")


@pytest.fixture
def tab(browser, server):  # noqa: F811
    opened = Tab(browser, server)
    yield opened
    opened.close()


def bindings(server: str, name: str) -> list[dict]:
    return httpx.get(f"{server}/queries/{name}", params={"format": "json"}).json()["results"]["bindings"]


def expected_marks(server: str, kind: str, name: str) -> int:
    """What the view must draw, counted from the JSON answer (duplicates drawn once, as views.js does)."""
    rows = bindings(server, name)
    if kind == "map":
        return len({(r["lat"]["value"], r["long"]["value"], r["cityLabel"]["value"]) for r in rows})
    if kind == "chart":  # facts-per-section: two bars (facts, passages cited) per section
        return 2 * len({(r["doc"]["value"], r["section"]["value"], r["facts"]["value"], r["citedPassages"]["value"])
                        for r in rows})
    if kind == "timeline":
        return len({(r["when"]["value"], r["factLabel"]["value"]) for r in rows if "when" in r})
    if kind == "graph":  # connectivity-network: the places linked, as nodes
        return len({r[k]["value"] for r in rows for k in ("sourceLabel", "targetLabel")})
    raise ValueError(kind)


def wait_drawn(tab: Tab, selector: str = "#result-view") -> int:
    tab.page.wait_for_function("s => { const e = document.querySelector(s); return e && e.getAttribute('data-marks'); }",
                               arg=selector)
    return int(tab.page.get_attribute(selector, "data-marks"))


VIEWS = [("map", "chinese-partner-cities-2019", "svg.view-map circle.mark"),
         ("chart", "facts-per-section", "svg.view-chart rect.mark"),
         ("timeline", "timeline", ".view-timeline .vis-item.vis-point"),
         ("graph", "connectivity-network", ".view-graph canvas")]


@pytest.mark.parametrize("kind, name, marks", VIEWS)
def test_a_saved_query_is_drawn_as_its_header_suggests(tab, server, kind, name, marks):
    assert SAVED[name].presentation.view == kind
    tab.goto(f"/queries/{name}")
    drawn = wait_drawn(tab)
    assert drawn == expected_marks(server, kind, name) > 0
    page = tab.page
    if kind == "graph":
        assert int(page.get_attribute(".view-graph", "data-nodes")) == drawn
        assert int(page.get_attribute(".view-graph", "data-edges")) > 0
        assert page.locator(marks).count() == 1
    else:
        assert page.locator(marks).count() == drawn
    assert page.get_attribute(f"nav.result-views a[data-view={kind}]", "aria-current") == "true"
    assert page.locator("table.results").is_hidden() and page.locator("nav.pager").is_hidden()
    page.evaluate("document.querySelector('nav.result-views').scrollIntoView({block: 'start'})")
    assert tab.on_screen("#result-view")
    tab.screenshot(f"view-{kind}.png")
    tab.check()


def test_the_view_is_in_the_url_and_survives_a_reload(tab, server):
    page = tab.page
    tab.goto("/queries/facts-per-section?view=table")
    assert page.locator("table.results").is_visible() and page.locator("#result-view").is_hidden()
    page.click("nav.result-views a[data-view=chart]")
    assert wait_drawn(tab) > 0
    assert page.url.endswith("view=chart")
    page.reload(wait_until="networkidle")
    assert wait_drawn(tab) > 0 and page.locator("table.results").is_hidden()
    page.go_back(wait_until="networkidle")
    page.wait_for_function("() => !document.querySelector('table.results').closest('.table-wrap').hidden")
    tab.check()


def test_a_view_the_result_cannot_take_is_marked_and_explained(tab):
    page = tab.page
    tab.goto("/queries/market-entries-by-country?view=map")
    # No coordinates: the page says why and shows the table.
    page.wait_for_function("() => document.querySelector('nav.result-views .view-note').textContent.length > 0")
    assert "no coordinates" in page.inner_text("nav.result-views .view-note")
    assert page.locator("table.results").is_visible()
    assert page.get_attribute("nav.result-views a[data-view=map]", "aria-disabled") == "true"
    tab.check()


def test_the_table_shows_words_and_quotes_within_the_window(tab):
    page = tab.page
    tab.goto("/queries/market-entries-by-country")
    headers = page.eval_on_selector_all("table.results thead th", "ths => ths.map(t => t.innerText.replace(/[↕▲▼]/g, '').trim())")
    assert headers == ["#", "Market", "Entrant", "Entrant's country", "Market entry", "Status", "Evidence"]
    page.evaluate("document.querySelector('p.row-count').scrollIntoView({block: 'start'})")
    assert tab.on_screen("table.results tbody.entry td.evidence q")
    table = page.evaluate("() => document.querySelector('table.results').getBoundingClientRect().right")
    assert table <= 1366
    tab.screenshot("table-market-entries.png")
    tab.check()


def test_long_results_are_paged_and_sortable(tab, server):
    page = tab.page
    tab.goto("/queries/vague-statements")
    entries = page.locator("table.results tbody.entry").count()
    assert entries > 50
    assert page.inner_text("nav.pager .pager-info") == f"entries 1–25 of {entries}"
    assert page.locator("table.results tbody.entry:not([hidden])").count() == 25
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 20_000, height  # one page of 25 entries, not the whole result
    page.click("nav.pager button[aria-label='next page']")
    assert page.inner_text("nav.pager .pager-info") == f"entries 26–50 of {entries}"
    # Sorting by a column orders the entries by it, and back.
    page.click("table.results thead th:nth-child(2) button.sort")
    assert page.get_attribute("table.results thead th:nth-child(2)", "aria-sort") == "ascending"
    first = page.eval_on_selector_all("table.results tbody.entry:not([hidden]) tr:first-child td:nth-child(2)",
                                      "tds => tds.map(t => t.innerText.trim().toLowerCase())")
    assert first == sorted(first)
    page.click("table.results thead th:nth-child(2) button.sort")
    assert page.get_attribute("table.results thead th:nth-child(2)", "aria-sort") == "descending"
    page.select_option("nav.pager select", "0")
    assert page.locator("table.results tbody.entry:not([hidden])").count() == entries
    tab.check()


EDITOR_VIEWS = [("map", "chinese-partner-cities-2019", "svg.view-map circle.mark"),
                ("chart", "facts-per-section", "svg.view-chart rect.mark"),
                ("timeline", "timeline", ".view-timeline .vis-item.vis-point"),
                ("graph", "connectivity-network", ".view-graph canvas")]


@pytest.mark.parametrize("kind, name, marks", EDITOR_VIEWS)
def test_the_editor_draws_each_view(tab, server, kind, name, marks):
    page = tab.page
    tab.goto(f"/editor?query={quote(SAVED[name].bind())}&view={kind}")
    page.click("#yasgui .yasqe_queryButton")
    drawn = wait_drawn(tab, "#yasgui .yasr .cakg-view")
    assert drawn == expected_marks(server, kind, name)
    assert page.evaluate("window.cakgEditor.yasgui.getTab().getYasr().getSelectedPluginName()") == kind
    assert page.url.endswith(f"view={kind}")
    tab.screenshot(f"editor-{kind}.png")
    tab.check()


def test_the_editor_follows_a_query_header_and_puts_the_choice_in_the_url(tab, server):
    page = tab.page
    tab.goto("/editor")
    page.locator("details.example-group", has=page.locator("button.example[data-name='chinese-partner-cities-2019']")) \
        .locator("summary").click()
    page.click("button.example[data-name='chinese-partner-cities-2019']")
    page.click("#yasgui .yasqe_queryButton")
    assert wait_drawn(tab, "#yasgui .yasr .cakg-view") == expected_marks(server, "map", "chinese-partner-cities-2019")
    assert "view=map" in page.url
    page.click("#yasgui .yasr .select_people")
    page.wait_for_selector("#yasgui .yasr .cakg-table tbody.entry")
    assert "view=table" in page.url
    rows = len(bindings(server, "chinese-partner-cities-2019"))
    assert page.inner_text("#yasgui .yasr .cakg-table p.row-count").startswith(f"{rows} rows")
    tab.check()
