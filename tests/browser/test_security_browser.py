"""The workbench's security in a real browser: the Swagger docs and the pages run under the
Content-Security-Policy without a single violation, and on a server with an access token a
browser signs in through /login and then uses pages, static files and the docs with its
HttpOnly cookie, the token never in a URL.

Every test also fails, as the others here, on a console error (a CSP violation is one), an
uncaught exception, a failed or unexpected 4xx/5xx request, or a request to another host.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from browser_support import VIEWPORT, Tab
from nexus.server.background import serving
from playwright.sync_api import expect

from nexus.server import create_app
from nexus.server.security import SESSION_COOKIE

TOKEN = "browser-test-token-7f3a9c2e51d8b604"


@pytest.fixture(scope="module")
def token_server(sample_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("token-server")
    location = folder / "locked.duckdb"
    shutil.copy(sample_store, location)
    app = create_app(location, token=TOKEN)
    with serving(app) as (host, port):
        yield f"http://{host}:{port}"
    app.state.holder.close()


def _tab(browser: Any, base: str, shots: Path, name: str) -> tuple[Any, Tab]:
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(15_000)
    return context, Tab(page=context.new_page(), base=base, shots=shots, name=name)


def test_docs_page_works_under_the_policy(tab: Tab) -> None:
    page = tab.goto("/docs", "docs")
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    assert page.locator(".swagger-ui .opblock").count() >= 11
    # Open one operation: Swagger UI draws its parameters (React, scripts from the server only).
    page.locator(".swagger-ui .opblock-summary", has_text="/api/events").first.click()
    expect(page.locator(".swagger-ui .parameters-container").first).to_be_visible()
    tab.shot("docs-open")
    assert not violations
    tab.check_clean()


def test_pages_run_under_the_policy(tab: Tab) -> None:
    violations = []
    for path, label in (("/", "overview"), ("/dyad/RUS/IRN", "dyad"), ("/map?actor=RUS", "map"),
                        ("/actor/IRN", "actor"), ("/search?q=Iran", "search")):
        response = tab.page.goto(tab.url(path))
        assert response is not None and response.status == 200
        assert "script-src 'self'" in response.headers["content-security-policy"]
        tab.shot(label)
        violations += tab.page.evaluate("""() => performance.getEntriesByType('resource')
            .filter(e => !e.name.startsWith(location.origin)).map(e => e.name)""")
    # the Goldstein colours come from the stylesheet (no inline style): a coloured score
    tab.page.goto(tab.url("/dyad/RUS/IRN?factuality=all"))
    colour = tab.page.eval_on_selector(".evidence .goldstein", "el => getComputedStyle(el).color")
    assert colour not in ("rgb(0, 0, 0)", "") and not violations
    tab.check_clean()


def test_sign_in_with_the_token(browser: Any, token_server: str, screenshot_dir: Path) -> None:
    context, tab = _tab(browser, token_server, screenshot_dir, "sign_in")
    urls: list[str] = []
    tab.page.on("request", lambda r: urls.append(r.url))
    try:
        page = tab.goto("/dyad/RUS/IRN?factuality=all", "locked", status=401)
        expect(page.locator('form[action="/login"] input[name="token"]')).to_be_visible()
        page.fill('input[name="token"]', "not the token")
        tab.allowed_status.add(tab.url("/login"))
        page.click('button[type="submit"]')
        page.wait_for_load_state("load")
        tab.shot("wrong-token")
        expect(page.get_by_role("alert")).to_contain_text("not this server")

        page.fill('input[name="token"]', TOKEN)
        page.click('button[type="submit"]')
        page.wait_for_url(tab.url("/dyad/RUS/IRN?factuality=all"))
        tab.shot("signed-in")
        expect(page.locator('#dyad[data-a="RUS"][data-b="IRN"]')).to_be_visible()
        # the stylesheet and script came through with the cookie
        assert page.evaluate("getComputedStyle(document.querySelector('header.site')).backgroundColor") \
            not in ("rgba(0, 0, 0, 0)", "transparent")
        assert page.evaluate("document.cookie") == ""  # HttpOnly: no script can read it
        cookies = {c["name"]: c for c in context.cookies()}
        session = cookies[SESSION_COOKIE]
        assert session["httpOnly"] and session["sameSite"] == "Strict" and TOKEN not in session["value"]

        page = tab.goto("/docs", "docs-signed-in")
        expect(page.locator(".swagger-ui .opblock").first).to_be_visible()  # the spec came with the cookie
        page = tab.goto("/document/saudi-iran-beijing.txt", "document-signed-in")
        expect(page.locator("#document-text")).to_be_visible()
        assert not [u for u in urls if TOKEN in u]
        assert not [u for u in urls if "token=" in urlsplit(u).query]
        tab.check_clean()
    finally:
        context.close()

    # Another browser, without the cookie: refused everywhere, static files included.
    context, tab = _tab(browser, token_server, screenshot_dir, "sign_in_other")
    try:
        for path in ("/", "/static/nexus.css", "/docs", "/api/events"):
            tab.allowed_status.add(tab.url(path))
            response = tab.page.goto(tab.url(path))
            assert response is not None and response.status == 401, path
    finally:
        context.close()
