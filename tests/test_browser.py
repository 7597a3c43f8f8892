"""The explorer in a real browser: Chromium driven by Playwright against ``cakg serve`` on a loopback port.

Every request a page makes is recorded; all of them must go to the service itself
(no CDN, no prefix.cc, no LOV API). Set CAKG_SCREENSHOTS=DIR to keep screenshots.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from conftest import ROOT
from servers import free_port, stop

CHROMIUM = Path("/usr/bin/chromium")
import playwright.sync_api as playwright_api  # noqa: E402  (test extra; never downloads a browser)

# The README's test command installs Debian's chromium: without it these tests fail, they are not skipped.
assert CHROMIUM.exists(), "install Debian's chromium (apt-get install chromium): the browser tests drive it"

EXAMPLE = "china-asean-connections"  # a saved query without required parameters and under one page of rows
LOCAL_SCHEMES = ("data:", "blob:", "about:")


@pytest.fixture(scope="module")
def server(real_build, tmp_path_factory):
    port = free_port()
    log_path = tmp_path_factory.mktemp("serve") / "serve.log"
    log = log_path.open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "cakg.cli", "serve", "--store", str(real_build), "--port", str(port),
         "--host", "127.0.0.1", "--queries", str(ROOT / "queries"), "--no-access-log"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        if process.poll() is not None:
            log.close()
            raise RuntimeError(f"cakg serve exited with {process.returncode}: {log_path.read_text()[-2000:]}")
        try:
            if httpx.get(base + "/health", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            stop(process)
            raise RuntimeError("cakg serve did not answer /health")
        time.sleep(0.3)
    yield base
    stop(process)
    log.close()
    assert "Traceback" not in log_path.read_text(errors="replace")


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--no-first-run", "--disable-sync", "--disable-default-apps", "--disable-extensions"])
        yield instance
        instance.close()


class Watched:
    """A page with its requests and console errors recorded."""

    def __init__(self, browser, base: str) -> None:
        self.base = base
        self.context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-GB")
        # Nothing may leave the machine: requests to any other host are recorded, then refused.
        self.context.route("**/*", lambda route: route.continue_()
                           if route.request.url.startswith(base + "/") or route.request.url.startswith(LOCAL_SCHEMES)
                           else route.abort())
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("console", lambda message: self.errors.append(f"console: {message.text}")
                     if message.type == "error" else None)
        self.page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        self.page.set_default_timeout(30_000)

    def goto(self, path: str):
        response = self.page.goto(self.base + path, wait_until="networkidle")
        assert response is not None and response.status == 200, path
        return response

    def check(self) -> None:
        foreign = [url for url in self.requests
                   if not url.startswith(self.base + "/") and not url.startswith(LOCAL_SCHEMES)]
        assert not foreign, f"requests to other hosts: {foreign}"
        assert not self.errors, self.errors

    def screenshot(self, name: str, full_page: bool = True) -> None:
        folder = os.environ.get("CAKG_SCREENSHOTS")
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(Path(folder) / name), full_page=full_page)

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def watched(browser, server):
    tab = Watched(browser, server)
    yield tab
    tab.close()


def test_editor_runs_a_saved_query_offline(watched, server):
    expected = len(httpx.get(f"{server}/queries/{EXAMPLE}", params={"format": "json"}).json()["results"]["bindings"])
    assert 0 < expected < 50
    page = watched.page
    watched.goto("/editor")
    page.wait_for_selector("#yasgui .yasqe .CodeMirror")
    assert page.evaluate("window.cakgEditor.yasgui.getTab().getEndpoint()") == server + "/sparql"

    page.click(f"button.example[data-name='{EXAMPLE}']")
    loaded = page.evaluate("window.cakgEditor.yasgui.getTab().getQuery()")
    assert "SELECT" in loaded and "What connects China" in page.inner_text("button.example.selected")
    assert loaded.strip() == page.evaluate(
        "name => JSON.parse(document.getElementById('cakg-editor-config').textContent)"
        ".examples.find(e => e.name === name).query", EXAMPLE).strip()

    page.click("#yasgui .yasqe_queryButton")
    # The table for people: every row counted, entries with their quotes gathered, entities as local links.
    page.wait_for_selector("#yasgui .yasr .cakg-table table.results tbody.entry")
    assert page.inner_text("#yasgui .yasr .cakg-table p.row-count").startswith(f"{expected} rows")
    entries = page.locator("#yasgui .yasr .cakg-table tbody.entry").count()
    assert 0 < entries <= expected
    chip = page.inner_text("#yasgui .yasr_response_chip")
    assert str(expected) in chip
    local = page.eval_on_selector_all("#yasgui .yasr .cakg-table a.iri", "as => as.map(a => a.getAttribute('href'))")
    assert local and all(href.startswith("/id/") for href in local)
    # YASR's own table, every variable: one line per row, entity links leading to this site's pages.
    page.click("#yasgui .yasr .select_columns")
    page.wait_for_function("n => document.querySelectorAll('#yasgui .yasr table.dataTable tbody tr').length === n",
                           arg=expected)
    local = page.eval_on_selector_all("#yasgui .yasr table.dataTable a.iri", "as => as.map(a => a.getAttribute('href'))")
    assert local and any(href.startswith("/id/") for href in local)
    assert not any(href.startswith("https://w3id.org/cakg/id/") for href in local)
    page.click("#yasgui .yasr .select_people")
    page.wait_for_selector("#yasgui .yasr .cakg-table tbody.entry")
    page.wait_for_load_state("networkidle")
    watched.screenshot("editor.png", full_page=False)
    assert any(url.startswith(server + "/sparql") for url in watched.requests)
    watched.check()


def test_editor_autocompletes_from_local_data(watched):
    page = watched.page
    watched.goto("/editor?query=" + "SELECT%20*%20WHERE%20%7B%0A%20%20%3Fs%20%0A%7D")
    page.wait_for_selector("#yasgui .yasqe .CodeMirror")
    assert "?s" in page.evaluate("window.cakgEditor.yasgui.getTab().getQuery()")
    # Typing a prefixed name adds its PREFIX declaration from the local table (prefix.cc is not asked).
    page.evaluate("""() => {
        const yasqe = window.cakgEditor.yasgui.getTab().getYasqe();
        yasqe.setValue('SELECT * WHERE {\\n  ?s cakg:');
        yasqe.focus();
        yasqe.getDoc().setCursor(yasqe.getDoc().lastLine(), 100);
    }""")
    page.keyboard.type("b")
    page.wait_for_function("() => window.cakgEditor.yasgui.getTab().getQuery().includes('PREFIX cakg:')")
    page.keyboard.press("Control+Space")
    page.wait_for_selector(".CodeMirror-hints li")
    hints = page.eval_on_selector_all(".CodeMirror-hints li", "ls => ls.map(l => l.textContent)")
    assert any("cakg:builtBy" in hint for hint in hints), hints
    page.wait_for_load_state("networkidle")
    watched.check()


def test_home_page_in_the_browser(watched, server):
    page = watched.page
    watched.goto("/")
    assert "China–ASEAN ICT cooperation knowledge graph" in page.title()
    text = page.inner_text("main")
    assert "White Paper on China–ASEAN Information Technology" in text and "Smart City Cooperation Initiative" in text
    assert page.evaluate("getComputedStyle(document.body).fontFamily").startswith("system-ui")
    watched.screenshot("home.png")
    # The search box leads to the entity page.
    page.fill("#home-q", "曼谷")
    page.press("#home-q", "Enter")
    page.wait_for_url("**/search?q=*")
    page.click("a.hit-label[href='/id/city/bangkok']")
    page.wait_for_url("**/id/city/bangkok")
    assert "Bangkok" in page.inner_text("h1")
    page.wait_for_load_state("networkidle")
    watched.check()


def test_entity_page_in_the_browser(watched):
    page = watched.page
    watched.goto("/id/infrastructure/mct-cable")
    assert "MCT" in page.inner_text("h1")
    assert "Huawei Marine designed and constructed" in page.inner_text("section.evidence")
    assert page.locator("a[href='/id/infrastructure/mct-cable.ttl']").count() == 1
    watched.screenshot("entity.png")
    page.click("section.relations a[href='/id/org/huawei-marine'] >> nth=0")
    page.wait_for_url("**/id/org/huawei-marine")
    page.wait_for_load_state("networkidle")
    watched.check()


def test_saved_query_form_in_the_browser(watched):
    page = watched.page
    watched.goto("/queries/country-figures")
    page.fill("#param-country", "tha")
    page.click("form.query-form button[type=submit]")
    page.wait_for_url("**/queries/country-figures?country=tha")
    assert "Thailand" in page.inner_text("table.results")
    page.wait_for_load_state("networkidle")
    watched.check()
