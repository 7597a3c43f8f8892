"""Shared by the curation tests: a full temporary project, a PDF printed by Chromium, data/ snapshots."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

CHROMIUM = Path("/usr/bin/chromium")

# An invented memorandum (nothing of it is in data/): numbered articles, a numbered paragraph
# list, words hyphenated by the renderer at soft hyphens, page numbers and a running header.
MOU_HTML = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><style>
body { font-family: serif; font-size: 12pt; width: 10cm; margin: 0 auto; }
p { margin: 0 0 0.9em 0; text-align: justify; } h1 { font-size: 15pt; margin-top: 3em; } h2 { font-size: 12.5pt; margin-top: 1.1em; }
</style></head><body>
<h1>Memorandum of Understanding on Digital Infrastructure Cooperation between the Lao People's Democratic Republic and the People's Republic of China</h1>
<p>Vientiane, 14 May 2021</p>
<p>The Government of the Lao People's Democratic Republic and the Government of the People's Republic of China (hereinafter "the Parties"), recognising the importance of information and communications technology for economic and social development, have agreed as follows:</p>
<h2>Article 1 Objectives</h2>
<p>The Parties shall strengthen cooperation in tele&shy;communications, the inter&shy;operability of their broad&shy;band networks and the security of cross-border data flows.</p>
<h2>Article 2 Areas of Cooperation</h2>
<p>1. The Parties shall jointly plan a terrestrial fibre-optic cable between Kunming and Vientiane.</p>
<p>2. The Mekong Fibre Company will build the Kunming&ndash;Vientiane cable, which the Lao national operator will run after its completion in 2023.</p>
<p>3. The Parties shall exchange experience in the regulation of telecommunications markets, in spectrum management and in the protection of personal information, and shall encourage their research institutions and universities to carry out joint research on next-generation networks, cloud computing and the security of critical information infrastructure, with a view to training specialists of both countries.</p>
<p>4. The Parties shall encourage enterprises of both countries to invest in data centres, in e-commerce platforms and in the digital transformation of small and medium-sized enterprises, in accordance with the laws and regulations of each country and with the principles of equality, mutual benefit and mutual respect for sovereignty.</p>
<h2>Article 3 Implementation</h2>
<p>The Parties shall establish a Joint Working Group on Digital Infrastructure, which shall meet once a year, alternately in Vientiane and Kunming, to review the implementation of this Memorandum and to propose new projects.</p>
<h2>Article 4 Entry into Force</h2>
<p>This Memorandum shall enter into force on the date of its signature and remain in force for five years.</p>
<p>Signed in Vientiane on 14 May 2021, in duplicate, in the Lao, Chinese and English languages.</p>
</body></html>"""

FOOTER = ('<div style="font-size:9px;width:100%;text-align:center">Page <span class="pageNumber"></span> '
          'of <span class="totalPages"></span></div>')
HEADER = '<div style="font-size:8px;width:100%;text-align:center">MoU on Digital Infrastructure Cooperation</div>'


def print_pdf(html: str, path: Path) -> Path:
    """Print ``html`` to ``path`` with Debian's Chromium, A5, with a running header and page numbers."""
    from playwright.sync_api import sync_playwright

    assert CHROMIUM.exists(), "install Debian's chromium (apt-get install chromium): the curation tests print with it"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.set_content(html)
            page.pdf(path=str(path), format="A5", display_header_footer=True, header_template=HEADER,
                     footer_template=FOOTER, margin={"top": "1.5cm", "bottom": "1.5cm", "left": "1cm", "right": "1cm"})
        finally:
            browser.close()
    return path


def full_project(base: Path) -> Path:
    """A copy of the project's own ontology and data (the curated facts need their entities)."""
    base.mkdir(parents=True, exist_ok=True)
    shutil.copytree(ROOT / "ontology", base / "ontology")
    shutil.copytree(ROOT / "data", base / "data")
    return base


def snapshot(data_dir: Path) -> dict[str, bytes]:
    """Every visible file under data/ with its bytes (the curation lock file is not data)."""
    return {str(p.relative_to(data_dir)): p.read_bytes() for p in sorted(data_dir.rglob("*"))
            if p.is_file() and not p.name.startswith(".")}


def cakg(project: Path, *args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    """Run the real command line in ``project``."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.run([sys.executable, "-m", "cakg.cli", *args], cwd=project, capture_output=True, text=True,
                          timeout=timeout, env=env)
