"""Plain-text search over the store: documents by title and text, events by their evidence."""

from __future__ import annotations

import pandas as pd

from nexus.store.base import EventStore

#: Characters of context on each side of a document's first match in its snippet.
SNIPPET_CONTEXT = 90
MAX_QUERY_CHARS = 500

#: Event fields searched: the evidence sentence, the trigger and the actors' own words.
EVENT_FIELDS = ("sentence", "trigger", "source_text", "target_text", "attribution_text")


def _contains(column: str) -> str:
    # strpos, not LIKE: % and _ in the user's text are plain characters, and the text itself
    # is always a bound parameter.
    return f"strpos(lower(coalesce({column}, '')), lower(?)) > 0"


def search(store: EventStore, q: str, limit: int = 50) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Documents and events containing `q` (case-insensitive substring), at most `limit` each.

    documents: doc_id, title, url, date, n_events, title_match (bool), snippet (the text
        around the first match in the text, or its start); title matches first, then newest.
    events: every column of the events table (as `queries.events`); newest first.
    Raises ValueError on an empty or overlong query or a bad limit.
    """
    q = q.strip()
    if not q:
        raise ValueError("the search text is empty")
    if len(q) > MAX_QUERY_CHARS:
        raise ValueError(f"the search text is longer than {MAX_QUERY_CHARS} characters")
    if limit < 1:
        raise ValueError("limit must be at least 1")
    docs = store.query(f"""
        WITH m AS (
            SELECT doc_id, title, url, date, n_events, text,
                   {_contains('title')} AS title_match,
                   strpos(lower(text), lower(?)) AS pos
            FROM documents
        )
        SELECT doc_id, title, url, date, n_events, title_match,
               substr(text, greatest(pos - {SNIPPET_CONTEXT}, 1),
                      {2 * SNIPPET_CONTEXT} + ?) AS snippet
        FROM m WHERE title_match OR pos > 0
        ORDER BY title_match DESC, date DESC NULLS LAST, doc_id
        LIMIT {int(limit)}""", [q, q, len(q)])
    where = " OR ".join(_contains(f) for f in EVENT_FIELDS)
    events = store.query(
        f"SELECT * FROM events WHERE {where} "
        "ORDER BY event_date DESC NULLS LAST, doc_id, start, trigger_start, event_id "
        f"LIMIT {int(limit)}", [q] * len(EVENT_FIELDS))
    return docs, events
