"""What the explorer's navigation tests share: a Chromium tab at 1366x768 that may reach only the service.

Requests to any other host are refused (and recorded), console errors and page
errors are recorded; :meth:`Tab.check` fails on either. Set CAKG_SCREENSHOTS=DIR
to keep screenshots.
"""

from __future__ import annotations

import os
from pathlib import Path

LOCAL_SCHEMES = ("data:", "blob:", "about:")
VIEWPORT = {"width": 1366, "height": 768}


class Tab:
    def __init__(self, browser, base: str) -> None:
        self.base = base
        self.context = browser.new_context(viewport=VIEWPORT, locale="en-GB")
        self.foreign: list[str] = []

        def route(route) -> None:
            url = route.request.url
            if url.startswith(base + "/") or url.startswith(LOCAL_SCHEMES):
                route.continue_()
            else:
                self.foreign.append(url)
                route.abort()

        self.context.route("**/*", route)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", lambda message: self.errors.append(f"console: {message.text}")
                     if message.type == "error" else None)
        self.page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        self.page.set_default_timeout(30_000)

    def goto(self, path: str, status: int = 200):
        response = self.page.goto(self.base + path, wait_until="networkidle")
        assert response is not None and response.status == status, (path, response and response.status)
        return response

    def overflow(self) -> int:
        """How many pixels the page is wider than the window (0: nothing spills past the right edge)."""
        return self.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")

    def on_screen(self, selector: str) -> bool:
        """Whether the first element matching ``selector`` is at least partly inside the window."""
        return self.page.evaluate("""sel => { const e = document.querySelector(sel); if (!e) return false;
            const r = e.getBoundingClientRect();
            return r.width > 0 && r.height > 0 && r.bottom > 0 && r.top < window.innerHeight
                   && r.right > 0 && r.left < window.innerWidth; }""", selector)

    def check(self) -> None:
        assert not self.foreign, f"requests to other hosts: {self.foreign}"
        assert not self.errors, self.errors
        assert self.overflow() <= 0, f"{self.page.url} is {self.overflow()} px wider than the window"

    def screenshot(self, name: str, full_page: bool = False) -> None:
        folder = os.environ.get("CAKG_SCREENSHOTS")
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(Path(folder) / name), full_page=full_page)

    def close(self) -> None:
        self.context.close()
