-- The store schema at version 1, as released (git show 0906efc^:src/nexus/store/schema.sql),
-- kept frozen so the migration tests build genuine version-1 stores. Do not edit.
-- Nexus store schema, version 1.
-- Kept to types and syntax that DuckDB and PostgreSQL share (VARCHAR, INTEGER, SMALLINT, DOUBLE,
-- DATE, TIMESTAMP, JSON, VARCHAR[]) so a PostgreSQL backend can run this file unchanged.
-- "end" is a reserved word in both: always quote it.
-- No secondary indexes: DuckDB prunes scans with per-column min/max zonemaps, and ART indexes
-- only pay off for point lookups (the primary keys) while slowing bulk inserts.

CREATE TABLE IF NOT EXISTS meta (
    key VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS documents (
    doc_id VARCHAR PRIMARY KEY,
    content_hash VARCHAR NOT NULL,
    title VARCHAR,
    url VARCHAR,
    date DATE,
    origin VARCHAR,
    text VARCHAR NOT NULL,
    n_sentences INTEGER NOT NULL,  -- written in the same transaction as the sentences: a
    n_events INTEGER NOT NULL,     -- consistency check after a crash
    ingested_at TIMESTAMP NOT NULL -- UTC
);

CREATE TABLE IF NOT EXISTS blocks (
    doc_id VARCHAR NOT NULL,
    idx INTEGER NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    kind VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS sentences (
    doc_id VARCHAR NOT NULL,
    idx INTEGER NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    text VARCHAR NOT NULL,
    block_kind VARCHAR
);

CREATE TABLE IF NOT EXISTS mentions (
    doc_id VARCHAR NOT NULL,
    sentence_idx INTEGER NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    text VARCHAR NOT NULL,
    code VARCHAR NOT NULL,
    country VARCHAR,
    sector VARCHAR,
    name VARCHAR
);

CREATE TABLE IF NOT EXISTS events (
    event_id VARCHAR PRIMARY KEY,
    doc_id VARCHAR NOT NULL,
    sentence_idx INTEGER NOT NULL,
    sentence VARCHAR NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    trigger VARCHAR,
    trigger_start INTEGER,
    trigger_end INTEGER,
    source_text VARCHAR,
    source_code VARCHAR,
    source_country VARCHAR,
    source_sector VARCHAR,
    target_text VARCHAR,
    target_code VARCHAR,
    target_country VARCHAR,
    target_sector VARCHAR,
    plover_type VARCHAR NOT NULL,
    plover_mode VARCHAR,
    plover_context VARCHAR[],
    cameo_code VARCHAR,
    cameo_name VARCHAR,
    goldstein DOUBLE,
    quad_class SMALLINT,
    factuality VARCHAR NOT NULL,
    attribution_text VARCHAR,
    attribution_code VARCHAR,
    attribution_country VARCHAR,
    date_value VARCHAR,
    date_precision VARCHAR,
    date_basis VARCHAR,
    event_date DATE,  -- first day of the date's period: for range filters and time series
    location_name VARCHAR,
    location_country VARCHAR,
    lat DOUBLE,
    lon DOUBLE,
    confidence DOUBLE,
    rule VARCHAR,
    raw JSON  -- Event.to_json(): the lossless record
);
