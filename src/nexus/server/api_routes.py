"""The JSON API under /api: documents (read and upload), events, actors, dyads, the network,
search and exports. Query parameters are typed, so FastAPI answers a bad value with a 422
JSON error; values the types cannot check (a 13th month, an unknown PLOVER type) are checked
here and answered the same way. User values reach SQL only as bound parameters."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Annotated, Any, Literal
from urllib.parse import quote

import pandas as pd
from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from nexus import api
from nexus.analysis import (
    Network,
    actor_labels,
    dyad_report,
    dyad_series,
    events_csv,
    events_jsonl,
    network,
    network_graphml,
    search,
)
from nexus.analysis.dyads import DirectionReport
from nexus.documents import DEFAULT_MAX_CHARS, read_bytes
from nexus.documents.model import Document
from nexus.events.model import FACTUALITIES
from nexus.ontology import PLOVER_TYPES
from nexus.relations import Relationship, actor_names, relationship
from nexus.relations.model import Mention, MergedEvent, PeriodStats
from nexus.server.app import StoreHolder, store_for
from nexus.store import Store, queries
from nexus.store.queries import QUAD_COLUMNS, Where

router = APIRouter(prefix="/api", tags=["api"])

StoreDep = Annotated[Store, Depends(store_for)]

MAX_PAGE = 1000
MAX_OFFSET = 1_000_000_000  # beyond any store; keeps OFFSET inside DuckDB's integer range
DATE_PATTERN = r"^\d{4}(-\d{1,2}(-\d{1,2})?)?$"
DOC_ID_PATTERN = r"^[^\x00-\x1f\x7f]+$"  # any text but control characters
MAX_CODE = 64
MAX_TEXT = 500
ALL = "all"  # factuality=all: no factuality filter

EventOrder = Literal["date", "-date", "confidence", "goldstein", "doc"]
DocOrder = Literal["date", "-date", "doc_id", "-doc_id"]
Freq = Literal["year", "quarter", "month"]

Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description=f"Items per page (1 to {MAX_PAGE}).")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Items to skip.")]
DateParam = Annotated[str | None, Query(pattern=DATE_PATTERN,
                                        description="YYYY, YYYY-MM or YYYY-MM-DD; a period "
                                                    "bound includes the whole period.")]
CodeParam = Annotated[str, Path(min_length=1, max_length=MAX_CODE,
                                description="Actor code, country or sector (RUS, RUSGOV, IGO).")]
TypesParam = Annotated[list[str] | None, Query(
    alias="type", description="PLOVER type; repeat or comma-separate for several.")]
FactsParam = Annotated[list[str] | None, Query(
    description=f"{', '.join(FACTUALITIES)} or {ALL}; repeat or comma-separate for several.")]


# ------------------------------------------------------------------------------ helpers

@contextmanager
def user_errors() -> Iterator[None]:
    """ValueErrors raised while checking user values (bad dates, codes...) become 422s."""
    try:
        yield
    except ValueError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None


def _split(values: list[str] | None) -> list[str]:
    return [v.strip() for raw in values or [] for v in raw.split(",") if v.strip()]


def plover_types(values: list[str] | None) -> list[str] | None:
    """Checked PLOVER types (any case), None for no filter."""
    types = [t.upper() for t in _split(values)]
    unknown = [t for t in types if t not in PLOVER_TYPES]
    if unknown:
        raise HTTPException(422, f"unknown PLOVER type {unknown[0]!r}; one of {', '.join(PLOVER_TYPES)}")
    return types or None


def factualities(values: list[str] | None, default: list[str] | None) -> list[str] | None:
    """Checked factualities; `default` when none given; None (no filter) for "all"."""
    facts = [f.lower() for f in _split(values)]
    if not facts:
        return default
    if ALL in facts:
        return None
    unknown = [f for f in facts if f not in FACTUALITIES]
    if unknown:
        raise HTTPException(422, f"unknown factuality {unknown[0]!r}; one of {', '.join(FACTUALITIES)} or {ALL}")
    return facts


DATE_COLUMNS = {"date", "event_date", "first_date", "last_date"}


def records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """JSON-ready rows: NaN/NaT as null, DATE columns as YYYY-MM-DD, timestamps in ISO."""
    rows: list[dict[str, Any]] = json.loads(df.to_json(orient="records", date_format="iso",
                                                       date_unit="s"))
    dates = DATE_COLUMNS & set(df.columns)
    for row in rows:
        for col in dates:
            if row[col]:
                row[col] = row[col][:10]
    return rows


def _num(value: float | None) -> float | None:
    # JSON has no NaN; Starlette refuses to send one (it would be a 500)
    return None if value is None or math.isnan(value) else float(value)


def contract_events(df: pd.DataFrame) -> list[dict[str, Any]]:
    """The stored contract records (CONTRACT.md) of an events frame with a `raw` column."""
    return [json.loads(raw) for raw in df["raw"]]


def event_filters(
    actor: Annotated[str | None, Query(min_length=1, max_length=MAX_CODE,
                                       description="Source or target: code, country or sector.")] = None,
    source: Annotated[str | None, Query(min_length=1, max_length=MAX_CODE)] = None,
    target: Annotated[str | None, Query(min_length=1, max_length=MAX_CODE)] = None,
    a: Annotated[str | None, Query(min_length=1, max_length=MAX_CODE,
                                   description="Dyad, either direction: with b.")] = None,
    b: Annotated[str | None, Query(min_length=1, max_length=MAX_CODE)] = None,
    dyad: Annotated[str | None, Query(max_length=2 * MAX_CODE + 1,
                                      description='Dyad, either direction: "RUS,IRN".')] = None,
    types: TypesParam = None,
    factuality: FactsParam = None,
    date_from: DateParam = None,
    date_to: DateParam = None,
    text: Annotated[str | None, Query(min_length=1, max_length=MAX_TEXT,
                                      description="Words in the sentence or trigger (plain text, any case).")] = None,
    doc_id: Annotated[str | None, Query(min_length=1, max_length=MAX_TEXT)] = None,
    origin: Annotated[str | None, Query(min_length=1, max_length=MAX_TEXT,
                                        description="Datasets, comma-separated: nexus, gdelt1, gdelt2, icews.")] = None,
) -> Where:
    """The filters of `nexus events`, checked, as SQL conditions (a FastAPI dependency)."""
    pair: tuple[str, str] | None = None
    if dyad is not None:
        parts = [p.strip() for p in dyad.split(",")]
        if len(parts) != 2 or not all(parts):
            raise HTTPException(422, 'dyad takes two actors separated by a comma: "RUS,IRN"')
        if a is not None or b is not None:
            raise HTTPException(422, "give either dyad or a and b, not both")
        pair = (parts[0], parts[1])
    elif (a is None) != (b is None):
        raise HTTPException(422, "a dyad needs both a and b")
    elif a is not None and b is not None:
        pair = (a, b)
    with user_errors():
        return queries.event_where(
            actor=actor, dyad=pair, source=source, target=target, plover_type=plover_types(types),
            factuality=factualities(factuality, None), date_from=date_from, date_to=date_to,
            text=text, doc_id=doc_id, origin=_split([origin] if origin else None) or None)


FiltersDep = Annotated[Where, Depends(event_filters)]


# ------------------------------------------------------------------------------ documents

@router.get("/documents")
def list_documents(store: StoreDep, limit: Limit = 50, offset: Offset = 0,
                   sort: DocOrder = "date") -> dict[str, Any]:
    """Stored documents (without their text), paged."""
    total = store.execute("SELECT count(*) FROM documents").fetchone()
    items = queries.documents(store, limit=limit, offset=offset, order=sort)
    return {"total": int(total[0]) if total else 0, "limit": limit, "offset": offset,
            "items": records(items)}


@router.get("/documents/{doc_id:path}")
def get_document(store: StoreDep, doc_id: str) -> dict[str, Any]:
    """One document: its text, blocks, sentences, actor mentions and events (404 if unknown)."""
    doc = store.query("SELECT * FROM documents WHERE doc_id = ?", [doc_id])
    if doc.empty:
        raise HTTPException(404, f"no document {doc_id!r} in the store")
    out = records(doc)[0]
    out["blocks"] = records(store.query(
        'SELECT idx, start, "end", kind FROM blocks WHERE doc_id = ? ORDER BY idx', [doc_id]))
    out["sentences"] = records(store.query(
        'SELECT idx, start, "end", text, block_kind FROM sentences WHERE doc_id = ? ORDER BY idx',
        [doc_id]))
    out["mentions"] = records(store.query(
        'SELECT sentence_idx, start, "end", text, code, country, sector, name FROM mentions '
        "WHERE doc_id = ? ORDER BY start, \"end\"", [doc_id]))
    out["events"] = contract_events(queries.events(store, doc_id=doc_id, order="doc"))
    return out


class UploadJSON(BaseModel):
    """A document sent as JSON."""

    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, description="The article: plain text or HTML.")
    doc_id: str | None = Field(None, min_length=1, max_length=200, pattern=DOC_ID_PATTERN,
                               description="Default: 'upload-' and a hash of the text.")
    date: dt.date | None = Field(None, description="Publication date, to resolve relative dates.")
    format: Literal["text", "html"] = "text"


@dataclass(slots=True)
class Upload:
    data: bytes
    doc_id: str
    date: dt.date | None
    format: Literal["text", "html"]


_UPLOAD_DOC = {
    "requestBody": {"required": True, "content": {
        "application/json": {"schema": UploadJSON.model_json_schema()},
        "multipart/form-data": {"schema": {
            "type": "object", "required": ["file"],
            "properties": {
                "file": {"type": "string", "format": "binary"},
                "doc_id": {"type": "string", "description": "Default: the file name."},
                "date": {"type": "string", "format": "date"},
                "format": {"type": "string", "enum": ["text", "html"],
                           "description": "Default: html for .html/.htm files, else text."},
            }}},
    }},
}


@router.post("/documents", status_code=201, openapi_extra=_UPLOAD_DOC,
             responses={413: {"description": "Request body too large"},
                        415: {"description": "Neither JSON nor multipart/form-data"},
                        422: {"description": "Bad fields, or no text could be read"}})
async def upload_document(request: Request) -> dict[str, Any]:
    """Code a document (JSON body or a multipart file upload) into the store. The doc_id only
    names the document in the store: it is never used as a path. Re-sending an unchanged
    document is a no-op; a changed one replaces the stored version."""
    limit: int = request.app.state.max_upload_bytes
    body = await _read_body(request, limit)
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "application/json":
        upload = _json_upload(body)
    elif kind == "multipart/form-data":
        upload = await _form_upload(request, body, limit)
    else:
        raise HTTPException(415, "send application/json or multipart/form-data")
    # Coding takes CPU seconds: off the event loop.
    return await run_in_threadpool(_ingest, request.app.state.holder, upload)


async def _read_body(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 as soon as it passes `limit` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise HTTPException(400, "bad Content-Length header")
        if int(declared) > limit:
            raise HTTPException(413, f"request body over the limit of {limit:,} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HTTPException(413, f"request body over the limit of {limit:,} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _json_upload(body: bytes) -> Upload:
    try:
        fields = UploadJSON.model_validate_json(body)
    except ValidationError as exc:
        raise HTTPException(422, json.loads(exc.json(include_url=False))) from None
    data = fields.text.encode("utf-8")
    return Upload(data, fields.doc_id or _generated_id(data), fields.date, fields.format)


class _InMemoryParser(MultiPartParser):
    """Starlette's multipart parser, keeping file parts in memory: the body is there already
    (at most the upload limit), and an upload never writes a file anywhere (Starlette's own
    parser spools parts over 1 MB to a temporary file)."""

    spool_max_size = sys.maxsize


async def _form_upload(request: Request, body: bytes, limit: int) -> Upload:
    async def replay() -> AsyncIterator[bytes]:  # the body was read already: hand it over
        yield body

    try:
        form = await _InMemoryParser(request.headers, replay(), max_files=1, max_fields=10,
                                     max_part_size=limit).parse()
    except MultiPartException as exc:
        raise HTTPException(400, exc.message) from None
    file = form.get("file")
    if not isinstance(file, UploadFile):
        raise HTTPException(422, "multipart upload needs a 'file' part")
    data = await file.read()
    await form.close()
    # Only the last component of the client's file name, and only as a name.
    name = PurePosixPath((file.filename or "").replace("\\", "/")).name
    doc_id = _field(form, "doc_id") or name or _generated_id(data)
    if len(doc_id) > 200 or any(ord(c) < 32 or ord(c) == 127 for c in doc_id):
        raise HTTPException(422, "doc_id must be at most 200 characters, without control characters")
    fmt = _field(form, "format") or ("html" if name.lower().endswith((".html", ".htm", ".xhtml"))
                                     else "text")
    if fmt not in ("text", "html"):
        raise HTTPException(422, "format must be text or html")
    published = _field(form, "date")
    try:
        day = dt.date.fromisoformat(published) if published else None
    except ValueError:
        raise HTTPException(422, f"date {published!r} is not YYYY-MM-DD") from None
    return Upload(data, doc_id, day, fmt)  # type: ignore[arg-type]


def _field(form: Any, name: str) -> str | None:
    value = form.get(name)
    return (value.strip() or None) if isinstance(value, str) else None


def _generated_id(data: bytes) -> str:
    return "upload-" + hashlib.sha256(data).hexdigest()[:12]


def _ingest(holder: StoreHolder, upload: Upload) -> dict[str, Any]:
    items = read_bytes(upload.data, upload.doc_id, upload.format, default_date=upload.date,
                       max_chars=DEFAULT_MAX_CHARS, origin="<upload>")
    doc = next((i for i in items if isinstance(i, Document)), None)
    problems = [str(i) for i in items if not isinstance(i, Document)]
    if doc is None:
        raise HTTPException(422, "; ".join(problems) or "no text could be read")
    cursor = holder.store.cursor()
    try:
        # One upload at a time, coding included: the coder is not known to be thread-safe,
        # and the unchanged check and the write must see the same store.
        with holder.write_lock:
            if cursor.has_document(doc.doc_id, doc.content_hash):
                status = "unchanged"
            else:
                # A document the coder skips (over its time limit) comes back as nothing: a 422
                # saying why, not a StopIteration (which a worker thread turns into a 500).
                skipped: list[str] = []
                coded = next(api.code_documents([doc], on_problem=lambda p: skipped.append(str(p))), None)
                if coded is None:
                    raise HTTPException(422, "; ".join(skipped) or "the document could not be coded")
                status = cursor.write(coded)
        events = contract_events(queries.events(cursor, doc_id=doc.doc_id, order="doc"))
    finally:
        cursor.close()
    return {"doc_id": doc.doc_id, "status": status, "title": doc.title,
            "date": doc.date.isoformat() if doc.date else None, "n_events": len(events),
            "events": events, "warnings": problems}


# ------------------------------------------------------------------------------ events, actors

@router.get("/events")
def list_events(store: StoreDep, where: FiltersDep, limit: Limit = 100, offset: Offset = 0,
                sort: EventOrder = "date") -> dict[str, Any]:
    """Events matching every filter, as contract records (CONTRACT.md), with the total."""
    total = queries.count_events(store, where)
    page = queries.events_matching(store, where, order=sort, limit=limit, offset=offset,
                                   columns="raw")
    return {"total": total, "limit": limit, "offset": offset, "items": contract_events(page)}


@router.get("/actors")
def list_actors(store: StoreDep, factuality: FactsParam = None,
                limit: Annotated[int, Query(ge=1, le=10_000)] = 500) -> dict[str, Any]:
    """Actors (country, else code) with their event counts as source and target, busiest
    first; asserted events unless factuality says otherwise."""
    df = queries.actors(store, factuality=factualities(factuality, ["asserted"]), limit=limit)
    labels = actor_labels(store, df["actor"])
    df["label"] = df["actor"].map(lambda k: labels.get(k, k))
    return {"items": records(df)}


# ------------------------------------------------------------------------------ dyads

def _direction(d: DirectionReport) -> dict[str, Any]:
    by_quad = d.by_quad[list(QUAD_COLUMNS.values())].sum()
    return {
        "source": d.source, "target": d.target, "n_events": d.n_events,
        "mean_goldstein": _num(d.mean_goldstein),
        "by_type": {str(t): int(n) for t, n in d.by_type.sum().sort_values(ascending=False).items()},
        "by_quad": {str(q): int(by_quad.get(q, 0)) for q in QUAD_COLUMNS.values()},
        "evidence": records(d.evidence), "claimed": records(d.claimed),
        "claimed_counts": d.claimed_counts,
    }


@router.get("/dyads/{a}/{b}")
def get_dyad(store: StoreDep, a: CodeParam, b: CodeParam, factuality: FactsParam = None,
             evidence: Annotated[int, Query(ge=0, le=100)] = 5) -> dict[str, Any]:
    """Both directions of a pair of actors: counts by PLOVER type and quad class, mean
    Goldstein, the strongest evidence, and what is only claimed (not counted)."""
    facts = factualities(factuality, ["asserted"])
    with user_errors():
        report = dyad_report(store, a, b, evidence=evidence, factuality=facts)
    return {"a": report.a, "b": report.b, "factuality": facts, "n_events": report.n_events,
            "mean_goldstein": _num(report.mean_goldstein),
            "a_to_b": _direction(report.a_to_b), "b_to_a": _direction(report.b_to_a)}


@router.get("/dyads/{a}/{b}/series")
def get_dyad_series(store: StoreDep, a: CodeParam, b: CodeParam, freq: Freq = "month",
                    factuality: FactsParam = None) -> dict[str, Any]:
    """Both directions per period (zero-filled between the first and last event)."""
    facts = factualities(factuality, ["asserted"])
    with user_errors():
        series = dyad_series(store, a, b, freq=freq, factuality=facts)
    return {"a": a.strip().upper(), "b": b.strip().upper(), "freq": freq, "factuality": facts,
            "items": records(series)}


# ------------------------------------------------------------------------------ relationships

FromParam = Annotated[str | None, Query(alias="from", pattern=DATE_PATTERN,
                                        description="First date: YYYY, YYYY-MM or YYYY-MM-DD.")]
ToParam = Annotated[str | None, Query(alias="to", pattern=DATE_PATTERN,
                                      description="Last date; a year or month includes all of it.")]


def _relationship(store: Store, a: str, b: str, date_from: str | None, date_to: str | None,
                  freq: str) -> Relationship:
    with user_errors():
        return relationship(store, a, b, date_from=date_from, date_to=date_to, freq=freq)


def _day(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _mention_json(m: Mention) -> dict[str, Any]:
    return {"event_id": m.event_id, "doc_id": m.doc_id, "sentence_idx": m.sentence_idx,
            "sentence": m.sentence, "source": m.source_code, "target": m.target_code,
            "source_country": m.source_country, "target_country": m.target_country,
            "plover_type": m.plover_type, "cameo_code": m.cameo_code, "cameo_name": m.cameo_name,
            "goldstein": m.goldstein, "factuality": m.factuality,
            "attribution": {"text": m.attribution_text, "code": m.attribution_code},
            "date": {"value": m.date_value, "precision": m.date_precision, "basis": m.date_basis},
            "event_date": _day(m.event_date), "published": _day(m.published), "title": m.title,
            "url": m.url, "outlet": m.outlet, "origin": m.origin, "confidence": m.confidence}


def _merged_json(e: MergedEvent) -> dict[str, Any]:
    first = e.first_report
    return {"merged_id": e.merged_id, "source": e.source_code, "target": e.target_code,
            "dyad": list(first.dyad), "plover_type": e.plover_type, "factuality": e.factuality,
            "event_date": _day(e.event_date), "goldstein": e.goldstein,
            "n_mentions": len(e.mentions), "outlets": list(e.outlets),
            "first_report": {"event_id": first.event_id, "doc_id": first.doc_id,
                             "sentence_idx": first.sentence_idx, "published": _day(first.published),
                             "outlet": first.outlet},
            "sources": [_mention_json(m) for m in e.mentions],
            "links": [{"a": link.a, "b": link.b, "reasons": list(link.reasons),
                       "similarity": _num(link.similarity)} for link in e.links]}


def _stats_json(s: PeriodStats) -> dict[str, Any]:
    return {"start": _day(s.start), "end": _day(s.end), "n_events": s.n_events,
            "mean_goldstein": None if s.mean_goldstein is None else _num(s.mean_goldstein),
            "type_mix": dict(s.type_mix)}


def relationship_json(rel: Relationship) -> dict[str, Any]:
    """The relationship as JSON: merged events in full (with their sources), the rest by
    merged_id."""
    return {
        "a": rel.a, "b": rel.b, "from": _day(rel.start), "to": _day(rel.end),
        "n_mentions": len(rel.mentions), "n_documents": len({m.doc_id for m in rel.mentions}),
        "merged": [_merged_json(e) for e in rel.merged],
        "periods": [{"source": p.source, "target": p.target, "domain": p.domain, "state": p.state,
                     "label": p.label, "start": _day(p.start), "end": _day(p.end), "is_open": p.is_open,
                     "events": [e.merged_id for e in p.events],
                     "closed_by": p.closed_by.merged_id if p.closed_by else None,
                     "why_closed": p.why_closed} for p in rel.periods],
        "exchanges": [{"give": x.give.merged_id, "take": x.take.merged_id, "tie": x.tie,
                       "reason": x.reason} for x in rel.exchanges],
        "changes": [{"source": c.source, "target": c.target, "at": _day(c.at), "kind": c.kind,
                     "before": _stats_json(c.before), "after": _stats_json(c.after),
                     "p_value": _num(c.p_value), "summary": c.summary,
                     "drivers": [e.merged_id for e in c.drivers]} for c in rel.changes],
        "reactions": [_merged_json(e) for e in rel.reactions],
    }


@router.get("/dyads/{a}/{b}/relationship")
def get_relationship(store: StoreDep, a: CodeParam, b: CodeParam, date_from: FromParam = None,
                     date_to: ToParam = None, freq: Freq = "quarter") -> dict[str, Any]:
    """How a pair of actors treat each other: the dyad's reports merged into events (each with
    its sources, first report, outlets and why its reports were merged), relationship periods
    by domain, exchanges, changes over time (per `freq`) and third parties' reactions."""
    return relationship_json(_relationship(store, a, b, date_from, date_to, freq))


@router.get("/dyads/{a}/{b}/brief", response_class=Response,
            responses={200: {"content": {"text/markdown": {}, "text/html": {}}},
                       404: {"description": "No events between the two actors"}})
def get_brief(store: StoreDep, a: CodeParam, b: CodeParam, format: Literal["md", "html"] = "md",
              date_from: FromParam = None, date_to: ToParam = None, freq: Freq = "quarter") -> Response:
    """A sourced brief on the pair as Markdown or a standalone HTML page: every statement
    cites its sentences, and only asserted events are stated as fact."""
    from nexus.relations.brief import build_brief, render_html, render_markdown
    from nexus.server.pages import doc_url

    rel = _relationship(store, a, b, date_from, date_to, freq)
    if not rel.mentions:
        raise HTTPException(404, f"no events between {rel.a} and {rel.b} in this store"
                                 + (" for these dates" if date_from or date_to else ""))
    built = build_brief(rel, dict(actor_names(store, rel)))
    name = f"brief-{rel.a}-{rel.b}".replace('"', "")
    if format == "html":
        return Response(render_html(built, doc_url=doc_url), media_type="text/html; charset=utf-8")
    return Response(render_markdown(built), media_type="text/markdown; charset=utf-8",
                    headers={"Content-Disposition": f'inline; filename="{quote(name)}.md"'})


# ------------------------------------------------------------------------------ network, search

def network_params(
    store: StoreDep, date_from: DateParam = None, date_to: DateParam = None,
    types: TypesParam = None, factuality: FactsParam = None,
    min_events: Annotated[int, Query(ge=1, le=MAX_OFFSET)] = 1,
    max_nodes: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 150,
) -> Network:
    """The network for the query's filters (a dependency shared by JSON and GraphML)."""
    with user_errors():
        return network(store, date_from=date_from, date_to=date_to,
                       plover_types=plover_types(types),
                       factuality=factualities(factuality, ["asserted"]),
                       min_events=min_events, max_nodes=max_nodes)


@router.get("/network")
def get_network(net: Annotated[Network, Depends(network_params)]) -> dict[str, Any]:
    """Actors as nodes, directed edges with counts per quad class, mean Goldstein and main
    PLOVER types; asserted events unless factuality says otherwise."""
    return net.to_dict()


@router.get("/search")
def get_search(store: StoreDep,
               q: Annotated[str, Query(min_length=1, max_length=MAX_TEXT,
                                       description="Plain text, any case.")],
               limit: Annotated[int, Query(ge=1, le=500)] = 50) -> dict[str, Any]:
    """Documents (title or text) and events (sentence, trigger, actor or source words)
    containing the text."""
    with user_errors():
        docs, events = search(store, q, limit=limit)
    return {"q": q, "documents": records(docs), "events": contract_events(events)}


# ------------------------------------------------------------------------------ exports

def _streamed(request: Request, make: Any, media_type: str, filename: str) -> StreamingResponse:
    """Stream `make(cursor)` on a cursor of its own, closed when the stream ends: the response
    outlives the request's dependencies. `make` checks its arguments before the stream starts."""
    holder: StoreHolder = request.app.state.holder
    cursor = holder.store.cursor()
    try:
        with user_errors():
            pieces = make(cursor)
    except BaseException:
        cursor.close()
        raise

    def stream() -> Iterator[str]:
        try:
            yield from pieces
        finally:
            cursor.close()

    return StreamingResponse(stream(), media_type=media_type,
                             headers={"Content-Disposition": f'attachment; filename="{filename}"'})


ExportLimit = Annotated[int | None, Query(ge=1, le=MAX_OFFSET, description="At most this many events.")]


@router.get("/export/events.csv", response_class=StreamingResponse)
def export_events_csv(request: Request, where: FiltersDep, sort: EventOrder = "date",
                      limit: ExportLimit = None) -> StreamingResponse:
    """The matching events as CSV (the store's columns, lists joined with ';'), streamed."""
    return _streamed(request, lambda cur: events_csv(cur, where, order=sort, limit=limit),
                     "text/csv; charset=utf-8", "events.csv")


@router.get("/export/events.jsonl", response_class=StreamingResponse)
def export_events_jsonl(request: Request, where: FiltersDep, sort: EventOrder = "date",
                        limit: ExportLimit = None) -> StreamingResponse:
    """The matching events' contract records, one JSON object per line, streamed."""
    return _streamed(request, lambda cur: events_jsonl(cur, where, order=sort, limit=limit),
                     "application/x-ndjson; charset=utf-8", "events.jsonl")


@router.get("/export/network.graphml", response_class=Response)
def export_network_graphml(net: Annotated[Network, Depends(network_params)]) -> Response:
    """The network (same parameters as /api/network) as GraphML."""
    return Response(network_graphml(net), media_type="application/graphml+xml",
                    headers={"Content-Disposition": 'attachment; filename="network.graphml"'})
