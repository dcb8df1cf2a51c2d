#!/usr/bin/env python3
"""Regenerate the workbench screenshots in docs/ from the bundled sample articles.

Run from the repository root, with the test extras installed (Playwright) and Debian's
Chromium at /usr/bin/chromium (no browser is downloaded):

    .venv/bin/python tools/screenshots.py [--out docs] [--chromium /usr/bin/chromium]

It codes the sample articles into a store in a temporary folder, serves the workbench on a free
loopback port, opens each page in Chromium at 1280x800 and writes docs/overview.png,
dyad.png (the busiest pair, as `nexus demo` picks it), document.png (the article behind that
pair's strongest evidence), map.png and actor.png (the most active actor), search.png and brief.png (the busiest pair's brief). The
map needs the country outlines (`make install`).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from playwright.sync_api import sync_playwright

from nexus import api
from nexus.server import create_app
from nexus.server.background import serving

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
WIDTH, HEIGHT = 1280, 800
SEARCH = "sanctions"


@contextmanager
def serve(store: Path) -> Iterator[str]:
    """The workbench over `store` in a background thread; yields its base URL."""
    app = create_app(store)
    try:
        with serving(app) as (host, port):
            yield f"http://{host}:{port}"
    finally:
        app.state.holder.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs", help="folder for the PNG files")
    parser.add_argument("--chromium", type=Path, default=Path("/usr/bin/chromium"))
    args = parser.parse_args()
    if not args.chromium.exists():
        print(f"screenshots: no Chromium at {args.chromium} (apt-get install chromium)", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "sample.duckdb"
        api.ingest(api.sample_paths(), store)
        with api.open(store) as nx:
            top = nx.relationships(limit=1).iloc[0]
            busiest = nx.store.query(
                "SELECT key, count(*) AS n FROM (SELECT source_country AS key FROM events "
                "UNION ALL SELECT target_country FROM events) WHERE key IS NOT NULL "
                "GROUP BY key ORDER BY n DESC, key LIMIT 1")["key"].iloc[0]
        a, b = quote(str(top["source"]), safe=""), quote(str(top["target"]), safe="")
        actor = quote(str(busiest), safe="")

        with serve(store) as base, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(args.chromium), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))

            def shoot(name: str, path: str, max_height: int) -> None:
                page.goto(base + path)
                page.wait_for_load_state("load")
                height = min(page.evaluate("document.documentElement.scrollHeight"), max_height)
                target = args.out / f"{name}.png"
                page.screenshot(path=target, full_page=True,
                                clip={"x": 0, "y": 0, "width": WIDTH, "height": height})
                print(f"{target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}: "
                      f"{base + path} ({target.stat().st_size // 1024} KB)")

            shoot("overview", "/", 1300)
            shoot("dyad", f"/dyad/{a}/{b}", 1500)
            document = page.get_attribute("#evidence a.doc-link", "href").partition("#")[0]
            shoot("document", document, 1100)
            shoot("map", f"/map?actor={actor}", HEIGHT)
            shoot("actor", f"/actor/{actor}", 1100)
            shoot("search", f"/search?q={SEARCH}", 1000)
            shoot("brief", f"/brief/{a}/{b}", 1400)
            browser.close()
    if errors:
        print("screenshots: the pages logged errors:\n" + "\n".join(errors), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
