"""The curation workbench in Chromium: select a sentence, fill the form the shapes define, save, see it cited;
then build and find the fact in the explorer of a real ``cakg serve``. Also the workbench's HTTP guards.

Set CAKG_SCREENSHOTS=DIR to keep screenshots (docs/screenshots/curate-*.png are made this way).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import playwright.sync_api as playwright_api
import pytest

from curation_helpers import CHROMIUM, MOU_HTML, cakg, full_project, print_pdf, snapshot
from servers import free_port, stop

ID = "https://w3id.org/cakg/id/"
MOU_SENTENCE = ("The Parties shall strengthen cooperation in telecommunications, the interoperability of their "
                "broadband networks and the security of cross-border data flows.")
CABLE_SENTENCE = ("The Mekong Fibre Company will build the Kunming–Vientiane cable, which the Lao national operator "
                  "will run after its completion in 2023.")


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("workbench")
    pdf = print_pdf(MOU_HTML, base / "mou.pdf")
    project = full_project(base / "template")
    added = cakg(project, "add-source", str(pdf), "--code", "mou2021", "--title",
                 "Memorandum of Understanding on Digital Infrastructure Cooperation", "--issuer", "Laos",
                 "--issuer", "China", "--date", "2021-05-14")
    assert added.returncode == 0, added.stderr
    return project


def start(command: list[str], cwd: Path, url: str, log: Path) -> subprocess.Popen:
    handle = log.open("wb")
    process = subprocess.Popen([sys.executable, "-m", "cakg.cli", *command], cwd=cwd, stdout=handle,
                               stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{command[0]} exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    stop(process)
    raise RuntimeError(f"{command[0]} did not answer {url}")


@pytest.fixture
def workbench(template, tmp_path):
    project = tmp_path / "project"
    shutil.copytree(template, project)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "curate.log"
    process = start(["curate", "--port", str(port)], project, base + "/", log)
    yield project, base
    stop(process)
    assert "Traceback" not in log.read_text(errors="replace")


@pytest.fixture(scope="module")
def browser():
    assert CHROMIUM.exists(), "install Debian's chromium: the workbench tests drive it"
    with playwright_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                              args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
        yield instance
        instance.close()


def shoot(page, name: str) -> None:
    folder = os.environ.get("CAKG_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / name))


def select_words(page, passage_id: str, words: str) -> None:
    """Select ``words`` inside a passage's text as a reader would with the mouse, then release the button."""
    page.locator(f"#{passage_id} .text").evaluate("""(el, words) => {
        const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
        let node, text = '', nodes = [];
        while ((node = walker.nextNode())) { nodes.push([node, text.length]); text += node.textContent; }
        const start = text.indexOf(words), end = start + words.length;
        if (start < 0) throw new Error('words not in passage');
        const at = (offset) => { for (const [n, base] of nodes) { if (offset <= base + n.textContent.length) return [n, offset - base]; } };
        const range = document.createRange(); range.setStart(...at(start)); range.setEnd(...at(end));
        const selection = getSelection(); selection.removeAllRanges(); selection.addRange(range);
    }""", words)
    box = page.locator(f"#{passage_id} .text").bounding_box()
    page.mouse.move(box["x"] + 5, box["y"] + 5)
    page.mouse.up()


def pick(page, field: str, typed: str, iri: str, screenshot: str | None = None) -> None:
    """Type into an entity field and click the suggestion for the node ``iri``."""
    page.locator(f".field[data-key='{field}'] input").fill(typed)
    suggestion = page.locator(f".field[data-key='{field}'] .suggestions li[data-iri='{iri}']")
    suggestion.wait_for()
    if screenshot:
        shoot(page, screenshot)
    suggestion.click()
    page.wait_for_selector(f".field[data-key='{field}'] .chip[data-value='{iri}']")


def test_the_workbench_guards_its_writes(workbench):
    project, base = workbench
    before = snapshot(project / "data")
    page = httpx.get(base + "/doc/mou2021")
    assert page.status_code == 200 and "Content-Security-Policy" in page.headers
    token = re.search(r'name="csrf-token" content="([^"]+)"', page.text).group(1)
    body = {"doc": "mou2021", "class": "https://w3id.org/cakg/ontology#Agreement", "quote": MOU_SENTENCE,
            "values": [{"key": "label", "value": "x"}]}
    assert httpx.get(base + "/", headers={"Host": "cakg.example.org"}).status_code == 403  # a rebound name
    assert httpx.post(base + "/api/facts", json=body).status_code == 403  # no token
    assert httpx.post(base + "/api/facts", json=body, headers={"X-CSRF-Token": token,
                                                               "Origin": "http://evil.example"}).status_code == 403
    assert httpx.post(base + "/api/facts", content=b"doc=mou2021",
                      headers={"X-CSRF-Token": token, "Content-Type": "text/plain"}).status_code == 415
    bad = httpx.post(base + "/api/facts", json={**body, "class": "nothing"}, headers={"X-CSRF-Token": token})
    assert bad.status_code == 400 and "class" in bad.json()["error"]
    refused = httpx.post(base + "/api/facts", json=body, headers={"X-CSRF-Token": token})
    assert refused.status_code == 422
    assert {v["field"] for v in refused.json()["violations"]} >= {"party", "label@zh"}
    assert snapshot(project / "data") == before


def test_the_workbench_shows_what_the_command_line_wrote(workbench):
    project, base = workbench
    before = httpx.get(base + "/doc/mou2021").text.split('id="mou2021-article-3-p1"')[1].split("</article>")[0]
    assert "citations" not in before
    added = cakg(project, "add-fact", "--doc", "mou2021", "--class", "Mechanism",
                 "--set", "label=Joint Working Group on Digital Infrastructure", "--set", "participant=Laos",
                 "--set", "participant=China", "--quote", "The Parties shall establish a Joint Working Group")
    assert added.returncode == 0, added.stderr
    page = httpx.get(base + "/doc/mou2021").text
    passage = page.split('id="mou2021-article-3-p1"')[1].split("</article>")[0]
    assert 'class="fact-label">Joint Working Group on Digital Infrastructure<' in passage
    facts = httpx.get(base + "/api/fact", params={"iri": ID + "mechanism/joint-working-group-on-digital-infrastructure"})
    assert facts.status_code == 200 and {v["value"] for v in facts.json()["values"] if v["key"] == "participant"} == {
        ID + "country/lao", ID + "country/chn"}


def test_encode_facts_in_the_browser_then_find_them_in_the_explorer(workbench, browser, tmp_path):
    project, base = workbench
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith((base, "data:"))
                  else route.abort())
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # The refusal below is an HTTP 422 the page handles; the browser logs it, and nothing else may be logged.
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "status of 422" not in m.text else None)
    page.on("dialog", lambda dialog: dialog.accept())
    page.set_default_timeout(30_000)

    page.goto(base + "/")
    assert "Memorandum of Understanding on Digital Infrastructure Cooperation" in page.inner_text("table.documents")
    shoot(page, "curate-documents.png")
    page.goto(base + "/doc/mou2021")
    todo_before = page.locator("#todo li").count()
    assert page.locator("#todo a[href='#mou2021-article-1-p1']").count() == 1

    # Select the sentence: the form opens with the quote; the class gives the fields, required first.
    select_words(page, "mou2021-article-1-p1", MOU_SENTENCE)
    page.wait_for_selector("#panel:not([hidden])")
    assert page.input_value("#quote") == MOU_SENTENCE
    page.select_option("#class-select", label="Memorandum of understanding")
    page.wait_for_selector(".field[data-key='party']")
    required = page.locator(".field.required").evaluate_all("fs => fs.map(f => f.dataset.key)")
    assert required[:3] == ["label", "label@zh", "party"]
    party = page.locator(".field[data-key='party']")
    assert "allowed: Actor" in party.inner_text() and "signed, adopted or is bound" in party.inner_text()
    page.fill(".field[data-key='label'] input", "Memorandum of Understanding on Digital Infrastructure Cooperation")
    page.fill(".field[data-key='label@zh'] input", "数字基础设施合作谅解备忘录")

    # Saving without a party is refused by the shapes; the message sits next to the party field.
    before = snapshot(project / "data")
    page.click("#save")
    page.wait_for_selector(".field[data-key='party'].has-error")
    assert "needs at least one cakg:party" in party.locator(".field-error").inner_text()
    assert snapshot(project / "data") == before
    shoot(page, "curate-refused.png")

    # Parties by name, in any language, from the autocomplete.
    pick(page, "party", "Laos", ID + "country/lao")
    pick(page, "party", "中国", ID + "country/chn", screenshot="curate-autocomplete.png")
    assert not page.locator(".field[data-key='party'].has-error").count()  # fixed: the message goes
    shoot(page, "curate-form.png")
    page.click("#save")
    page.wait_for_selector("#mou2021-article-1-p1 .citations li")
    assert "Memorandum of Understanding on Digital Infrastructure Cooperation" in \
        page.inner_text("#mou2021-article-1-p1 .citations")
    assert page.locator("#mou2021-article-1-p1 mark").inner_text() == MOU_SENTENCE
    assert page.locator("#todo li").count() == todo_before - 1
    assert page.locator("#todo .uncited-count").inner_text() == str(todo_before - 1)
    written = (project / "data" / "mou2021" / "article-1.ttl").read_text(encoding="utf-8")
    assert "cakg:party country:lao , country:chn ;" in written and "a cakg:MoU ;" in written or "a cakg:" in written

    # A second fact with an entity created inline.
    select_words(page, "mou2021-article-2-p2", CABLE_SENTENCE[:-1])
    page.wait_for_selector("#panel:not([hidden])")
    page.select_option("#class-select", label="Terrestrial cable")
    page.wait_for_selector(".field[data-key='connects']")
    page.fill(".field[data-key='label'] input", "Kunming–Vientiane cable")
    pick(page, "connects", "Kunming", ID + "city/kunming")
    pick(page, "connects", "万象", ID + "city/vientiane")
    page.click("details.more summary")
    builder = page.locator(".field[data-key='builtBy'] input")
    builder.fill("Mekong Fibre Company")
    page.locator(".field[data-key='builtBy'] .suggestions li.create").click()
    page.select_option(".new-entity select", label="Company")
    page.fill(".new-entity input[aria-label='Chinese label']", "湄公光纤公司")
    page.evaluate("document.getElementById('toast').hidden = true")
    page.locator(".new-entity").scroll_into_view_if_needed()
    shoot(page, "curate-new-entity.png")
    page.click(".new-entity button:has-text('Add new entity')")
    page.fill(".field[data-key='targetDate'] input", "2023")
    page.fill(".field[data-key='status'] input", "planned")
    page.click("#save")
    page.wait_for_selector("#mou2021-article-2-p2 .citations li")
    assert "Kunming–Vientiane cable" in page.inner_text("#mou2021-article-2-p2 .citations")
    entities = (project / "data" / "mou2021" / "entities.ttl").read_text(encoding="utf-8")
    assert 'org:mekong-fibre-company\n    a cakg:Company ;\n    rdfs:label "Mekong Fibre Company"@en , "湄公光纤公司"@zh ;' \
        in entities
    assert "cakg:builtBy org:mekong-fibre-company ;" in (project / "data/mou2021/article-2.ttl").read_text("utf-8")
    page.locator("#mou2021-article-2-p2").scroll_into_view_if_needed()
    shoot(page, "curate-saved.png")

    # Edit the first fact the same way: only its block changes.
    other = (project / "data/mou2021/article-2.ttl").read_bytes()
    page.click("#mou2021-article-1-p1 .edit-fact")
    page.wait_for_selector("#panel:not([hidden]) .field[data-key='party'] .chip")
    assert page.locator(".field[data-key='party'] .chip").count() == 2
    page.fill(".field[data-key='altLabel'] input", "Lao–China digital infrastructure MoU")
    page.click("#save")
    page.wait_for_function("() => document.getElementById('panel').hidden")
    assert 'skos:altLabel "Lao–China digital infrastructure MoU"@en ;' in \
        (project / "data/mou2021/article-1.ttl").read_text("utf-8")
    assert (project / "data/mou2021/article-2.ttl").read_bytes() == other
    assert not errors, errors

    # After a build, the explorer of a real `cakg serve` shows the facts with their quotes.
    out = tmp_path / "build"
    built = cakg(project, "build", "--out", str(out))
    assert built.returncode == 0, built.stderr
    port = free_port()
    serve_base = f"http://127.0.0.1:{port}"
    server = start(["serve", "--store", str(out), "--port", str(port), "--no-access-log"], project,
                   serve_base + "/health", tmp_path / "serve.log")
    try:
        explorer = context.new_page()
        context.route("**/*", lambda route: route.continue_())
        slug = re.search(r"agreement:([\w-]+)|agreement/([\w-]+)",
                         (project / "data/mou2021/article-1.ttl").read_text("utf-8"))
        iri_slug = slug.group(1) or slug.group(2)
        explorer.goto(f"{serve_base}/id/agreement/{iri_slug}", wait_until="networkidle")
        assert "Memorandum of Understanding on Digital Infrastructure Cooperation" in explorer.inner_text("h1")
        assert MOU_SENTENCE in explorer.inner_text("section.evidence")
        parties = explorer.locator("section.relations").first.inner_text()
        assert "China" in parties and "Lao" in parties and "other seven" not in parties
        shoot(explorer, "curate-explorer.png")
        explorer.goto(f"{serve_base}/id/infrastructure/kunming-vientiane-cable", wait_until="networkidle")
        assert "The Mekong Fibre Company will build" in explorer.inner_text("section.evidence")
    finally:
        stop(server)

    # Delete the cable from the workbench: its block goes, its citation disappears (the company's stays).
    cable = "https://w3id.org/cakg/id/infrastructure/kunming-vientiane-cable"
    page.click(f"#mou2021-article-2-p2 .delete-fact[data-iri='{cable}']")
    page.wait_for_function(f"() => !document.querySelector(\"#mou2021-article-2-p2 li[data-fact='{cable}']\")")
    assert "Mekong Fibre Company" in page.inner_text("#mou2021-article-2-p2 .citations")
    assert "kunming-vientiane-cable" not in (project / "data/mou2021/article-2.ttl").read_text("utf-8")
    context.close()
