"""SQL-looking and wildcard values in every parameter of every web page, query and path alike:
an HTML answer, never a server error, nothing changed in the store, and the right answer:
nothing found for a name nothing has, literal matches for search text, 4xx for the rest."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from api_support import copy_store, scalar, table_counts
from fastapi.testclient import TestClient
from test_api_injection import MORE_INJECTIONS
from test_pages_support import parse, select

from nexus.server import create_app, pages
from nexus.store import Store

GOOD_PATH = {"code": "RUS", "a": "RUS", "b": "IRN", "doc_id": "saudi-iran-beijing.txt"}


@pytest.fixture(scope="module")
def client(sample_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    web = create_app(copy_store(sample_store, tmp_path_factory.mktemp("pages-injection")))
    with TestClient(web, raise_server_exceptions=False) as c:
        yield c
    web.state.holder.close()


@pytest.fixture
def db(client: TestClient) -> Iterator[Store]:
    cursor = client.app.state.holder.store.cursor()  # type: ignore[attr-defined]
    yield cursor
    cursor.close()


def page_parameters() -> list[tuple[str, str, str]]:
    """(route path, parameter, 'query' or 'path') for every parameter of every page."""
    out = []
    for route in pages.router.routes:
        out += [(route.path, p.alias, "query") for p in route.dependant.query_params]
        out += [(route.path, p.alias, "path") for p in route.dependant.path_params]
    return out


def _url(route: str, name: str, where: str, value: str) -> tuple[str, dict[str, str]]:
    values = {k: quote(v, safe="") for k, v in GOOD_PATH.items()}
    if where == "path":
        values[name] = quote(value, safe="")
    return route.replace(":path}", "}").format(**values), ({name: value} if where == "query" else {})


def _html(r: Any) -> None:
    assert r.status_code < 500, (r.url, r.status_code, r.text[:300])
    assert r.headers["content-type"].startswith("text/html"), r.url


def test_every_parameter_is_listed() -> None:
    params = {(route, name) for route, name, _ in page_parameters()}
    assert {("/", "type"), ("/", "date_from"), ("/map", "actor"), ("/actor/{code}", "code"), ("/dyad/{a}/{b}", "a"),
            ("/dyad/{a}/{b}", "b"), ("/dyad/{a}/{b}", "freq"), ("/document/{doc_id:path}", "doc_id"),
            ("/search", "q"), ("/search", "limit")} <= params


@pytest.mark.parametrize("value", MORE_INJECTIONS)
def test_every_page_parameter_takes_injections(client: TestClient, db: Store, value: str) -> None:
    before = table_counts(db)
    for route, name, where in page_parameters():
        path, params = _url(route, name, where, value)
        r = client.get(path, params=params)
        _html(r)
        tree = parse(r.text)
        if name == "q":  # search: literal, case-insensitive matches only
            assert r.status_code == 200
            found = {li.get("data-doc-id") for li in select(tree, "#search-documents li.result")}
            expected = {row[0] for row in db.execute(
                "SELECT doc_id FROM documents WHERE strpos(lower(coalesce(title, '') || ' ' || text), lower(?)) > 0",
                [value]).fetchall()}
            assert found <= expected
            for li in select(tree, "#search-events li[data-event]"):
                hit = scalar(db, "SELECT count(*) FROM events WHERE event_id = ? AND strpos(lower("
                                 "coalesce(sentence, '') || ' ' || coalesce(trigger, '') || ' ' || coalesce(source_text, '') "
                                 "|| ' ' || coalesce(target_text, '') || ' ' || coalesce(attribution_text, '')), lower(?)) > 0",
                             [li.get("data-event"), value])
                assert hit == 1, (value, li.get("data-event"))
        elif name == "doc_id":  # a document id names no document
            assert r.status_code == 404 and select(tree, '#error[data-status="404"]'), value
        elif name in ("code", "a", "b", "actor"):  # not an actor code (422), or one with no events (404)
            if r.status_code == 200:  # the map of an actor without events: nothing shaded
                assert route == "/map" and not select(tree, "#map-countries tr[data-iso3]")
            else:
                assert r.status_code in (404, 422) and select(tree, f'#error[data-status="{r.status_code}"]')
        else:  # dates, types, factuality, frequency, numbers
            assert r.status_code == 422 and select(tree, '#error[data-status="422"]'), (route, name, value)
    assert table_counts(db) == before
    assert scalar(db, "SELECT count(*) FROM events") > 0


def test_unknown_pages_are_html_errors(client: TestClient) -> None:
    for path in ("/nothing-here", "/actor/RUS/extra", "/dyad/RUS", "/document/"):
        r = client.get(path)
        _html(r)
        assert r.status_code == 404 and select(parse(r.text), '#error[data-status="404"]'), path
    r = client.post("/search")
    _html(r)
    assert r.status_code == 405 and "GET" in r.headers["allow"]
    api = client.get("/api/nothing-here")
    assert api.status_code == 404 and api.json()["detail"]
    assert client.get("/static/nope.css").status_code == 404
