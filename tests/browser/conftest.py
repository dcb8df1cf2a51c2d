"""Browser tests of the workbench: the real server (uvicorn in a thread, on a free loopback port)
over the sample store plus one hostile article, driven with Debian's Chromium through Playwright.

The tests skip, saying why, only when /usr/bin/chromium is absent (no browser is ever
downloaded). Every page visited is saved as a screenshot under $NEXUS_TEST_OUTPUT/screenshots,
or under pytest's temporary base directory; the folder is printed at the end of the run.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_support import CHROMIUM, CHROMIUM_ARGS, HOSTILE_ID, HOSTILE_TEXT, HOSTILE_TITLE, VIEWPORT, Tab

from nexus import api
from nexus.server import create_app
from nexus.server.background import serving

SCREENSHOTS = pytest.StashKey[Path]()


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    folder = config.stash.get(SCREENSHOTS, None)
    if folder is not None:
        terminalreporter.write_sep("-", "browser test screenshots")
        terminalreporter.write_line(f"screenshots of the pages visited: {folder}")


@pytest.fixture(scope="session")
def chromium() -> Path:
    if not CHROMIUM.exists():
        pytest.skip(f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium); "
                    "it is absent, so they are skipped")
    return CHROMIUM


@pytest.fixture(scope="session")
def screenshot_dir(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = os.environ.get("NEXUS_TEST_OUTPUT")
    folder = (Path(base) if base else tmp_path_factory.getbasetemp()) / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    request.config.stash[SCREENSHOTS] = folder
    print(f"browser test screenshots: {folder}")
    return folder


@pytest.fixture(scope="session")
def browser_store(sample_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the sample store with the hostile article added."""
    folder = tmp_path_factory.mktemp("browser")
    location = folder / "browser.duckdb"
    shutil.copy(sample_store, location)
    source = folder / "hostile.jsonl"
    source.write_text(json.dumps({"id": HOSTILE_ID, "title": HOSTILE_TITLE, "text": HOSTILE_TEXT,
                                  "date": "2024-03-04"}) + "\n", encoding="utf-8")
    assert api.ingest([source], location).stats.events > 0
    return location


@pytest.fixture(scope="session")
def stored_events(browser_store: Path) -> dict[str, dict[str, Any]]:
    """event_id -> the stored event, read before the server opens the store."""
    with api.open(browser_store) as nx:
        df = nx.store.query('SELECT event_id, doc_id, sentence_idx, sentence, start, trigger, '
                            'trigger_start, trigger_end, source_text, target_text, factuality '
                            "FROM events")
    return {row["event_id"]: row for row in df.to_dict("records")}


@pytest.fixture(scope="session")
def server(browser_store: Path, stored_events: dict) -> Iterator[str]:
    """The workbench on a free loopback port; yields its base URL."""
    app = create_app(browser_store)
    try:
        with serving(app) as (host, port):
            yield f"http://{host}:{port}"
    finally:
        app.state.holder.close()


# Module scope: Playwright's sync API keeps an asyncio loop running in this thread while it is
# open, and later tests (the server's middleware, the load test) start loops of their own.
@pytest.fixture(scope="module")
def browser(chromium: Path) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def tab(browser: Any, server: str, screenshot_dir: Path, request: pytest.FixtureRequest) -> Iterator[Tab]:
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(10_000)
    t = Tab(page=context.new_page(), base=server, shots=screenshot_dir,
            name=request.node.name.removeprefix("test_"))
    try:
        yield t
        if not t.checked:  # for a test that forgot to
            t.check_clean()
    finally:
        context.close()
