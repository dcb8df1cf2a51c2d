"""Shared pieces of the browser tests: the hostile article and a recording browser tab."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1280, "height": 800}

# The hostile article: markup that would run script if it were ever pasted in as HTML, bidi
# controls, emoji (one a ZWJ sequence) and combining characters.
PAYLOAD_SCRIPT = "<script>window.__pwned=1</script>"
PAYLOAD_IMG = '<img src=x onerror="window.__pwned=1">'
HOSTILE_ID = f"hostile/{PAYLOAD_SCRIPT}.txt"
HOSTILE_TITLE = f"{PAYLOAD_SCRIPT}{PAYLOAD_IMG} \u202eRTL\u202c \u200f🚀 e\u0301 Russia & Iran"
HOSTILE_TEXT = (
    f"Russia supplied Iran with drones {PAYLOAD_SCRIPT} on Monday, officials said.\n\n"
    f"Iran thanked Russia for the \u200fhelp 🚀 and the e\u0301xperts {PAYLOAD_IMG} in Tehran.\n\n"
    "\u202eIsrael accused Iran of attacking its ships\u202c near \u200fعدن\u200e 👩\u200d👩\u200d👧 a\u0308\u0301.")


@dataclass
class Tab:
    """One browser page on the test server that records what could go wrong: console errors,
    uncaught exceptions, failed requests, error responses and requests to any other host."""

    page: Any
    base: str
    shots: Path
    name: str
    errors: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    allowed_status: set[str] = field(default_factory=set)  # URLs expected to answer 4xx
    n_shots: int = 0
    checked: bool = False

    def __post_init__(self) -> None:
        host = urlsplit(self.base).netloc
        self.page.on("console", lambda m: self._console(m))
        self.page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))
        self.page.on("requestfailed", self._failed)
        self.page.on("response", lambda r: self.errors.append(f"HTTP {r.status}: {r.url}")
                     if r.status >= 400 and r.url not in self.allowed_status else None)
        self.page.on("request", lambda r: self.foreign.append(r.url)
                     if urlsplit(r.url).scheme not in ("data", "about", "blob")
                     and urlsplit(r.url).netloc != host else None)

    def _failed(self, request: Any) -> None:
        if "ERR_ABORTED" not in (request.failure or ""):  # aborted: the test navigated on
            self.errors.append(f"request failed: {request.url} {request.failure}")

    def _console(self, msg: Any) -> None:
        if msg.type != "error":
            return
        # Chromium logs every 4xx document; those the test asks for are checked by status.
        if msg.text.startswith("Failed to load resource") and msg.location.get("url") in self.allowed_status:
            return
        self.errors.append(f"console: {msg.text} at {msg.location.get('url')}")

    def url(self, path: str) -> str:
        return self.base + path

    def goto(self, path: str, label: str, status: int = 200) -> Any:
        if status >= 400:
            self.allowed_status.add(self.url(path))
        response = self.page.goto(self.url(path))
        assert response is not None and response.status == status, (path, response and response.status)
        return self.shot(label)

    def shot(self, label: str) -> Any:
        """Waits for the page to settle and saves a full-page screenshot of it."""
        self.page.wait_for_load_state("load")
        self.n_shots += 1
        self.page.screenshot(path=self.shots / f"{self.name}-{self.n_shots:02d}-{label}.png",
                             full_page=True)
        return self.page

    def check_clean(self) -> None:
        self.checked = True
        assert not self.errors, "\n".join(self.errors)
        assert not self.foreign, f"requests to other hosts: {self.foreign}"
