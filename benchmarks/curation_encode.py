"""How long encoding one fact takes in the curation workbench, step by step, on a white-paper paragraph.

    python benchmarks/curation_encode.py [--runs 3]

Copies the project's ontology and data into a temporary folder, starts
``cakg curate`` there on a loopback port, and drives Debian's Chromium
(/usr/bin/chromium) through what a curator does for the white paper's MCT
sentence (section II.(I).3, paragraph 1): open the document, select the
words, choose the class, type the label, pick three countries and the
builder from the autocomplete, give the year, save, and wait until the fact
shows on the passage. Prints the machine time of every step (median over
the runs). Typing is instant here, so the figures are what the tool adds to
a curator's own reading and deciding time. Nothing is written into the
project's own data/.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
PASSAGE = "wp2016-ii-i-3-p1"
QUOTE = ("Huawei Marine designed and constructed the Malaysia - Cambodia - Thailand (MCT) submarine cable system")
ID = "https://w3id.org/cakg/id/"


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def select(page, words: str) -> None:
    page.locator(f"#{PASSAGE} .text").evaluate("""(el, words) => {
        const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
        let node, text = '', nodes = [];
        while ((node = walker.nextNode())) { nodes.push([node, text.length]); text += node.textContent; }
        const start = text.indexOf(words), end = start + words.length;
        const at = (o) => { for (const [n, b] of nodes) { if (o <= b + n.textContent.length) return [n, o - b]; } };
        const range = document.createRange(); range.setStart(...at(start)); range.setEnd(...at(end));
        getSelection().removeAllRanges(); getSelection().addRange(range);
    }""", words)
    box = page.locator(f"#{PASSAGE} .text").bounding_box()
    page.mouse.move(box["x"] + 5, box["y"] + 5)
    page.mouse.up()


def pick(page, field: str, typed: str, iri: str) -> None:
    page.locator(f".field[data-key='{field}'] input").fill(typed)
    page.locator(f".field[data-key='{field}'] .suggestions li[data-iri='{iri}']").click()


def one_run(browser, base: str, run: int) -> dict[str, float]:
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    steps: dict[str, float] = {}

    def step(name: str, action) -> None:
        started = time.perf_counter()
        action()
        steps[name] = time.perf_counter() - started

    step("open the white paper (every passage)", lambda: page.goto(f"{base}/doc/wp2016", wait_until="networkidle"))
    step("select the words: form opens", lambda: (select(page, QUOTE), page.wait_for_selector("#panel:not([hidden])")))
    step("choose the class: fields from the shapes", lambda: (
        page.select_option("#class-select", label="Submarine cable"),
        page.wait_for_selector(".field[data-key='connects']")))
    step("type the label", lambda: page.fill(".field[data-key='label'] input",
                                             f"Malaysia–Cambodia–Thailand (MCT) submarine cable system, run {run}"))
    step("pick 3 countries (autocomplete)", lambda: [pick(page, "connects", name, ID + f"country/{code}")
                                                      for name, code in (("Malaysia", "mys"), ("柬埔寨", "khm"),
                                                                         ("THA", "tha"))])
    step("pick the builder (autocomplete)", lambda: (page.click("details.more summary"),
                                                     pick(page, "builtBy", "Huawei Mar", ID + "org/huawei-marine")))
    step("type the year", lambda: page.fill(".field[data-key='date'] input", "2015"))

    def save():
        page.click("#save")
        page.wait_for_selector(f"#{PASSAGE} .citations li:has-text('run {run}')", timeout=60_000)
    step("save: validate like the build, write, show on the passage", save)
    page.close()
    return steps


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="cakg-bench-curate-") as folder:
        project = Path(folder)
        shutil.copytree(ROOT / "ontology", project / "ontology")
        shutil.copytree(ROOT / "data", project / "data")
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen([sys.executable, "-m", "cakg.cli", "curate", "--port", str(port)], cwd=project,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    if httpx.get(base + "/", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("cakg curate did not start")
                time.sleep(0.3)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
                runs = [one_run(browser, base, n) for n in range(1, args.runs + 1)]
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=20)
    print(f"Encoding one fact in the workbench (white paper {PASSAGE}), median of {len(runs)} runs, seconds:")
    total = 0.0
    for name in runs[0]:
        median = statistics.median(r[name] for r in runs)
        total += median
        print(f"  {name:<58} {median:6.2f}")
    print(f"  {'machine time for the whole fact':<58} {total:6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
