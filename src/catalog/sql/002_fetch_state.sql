-- 002_fetch_state.sql - conditional fetching and the raw snapshot archive.
-- A run may end 'unchanged' (304, or a body identical to the last one):
-- the source's review date advances and no catalog row is written.

ALTER TABLE runs DROP CONSTRAINT runs_outcome_check;
ALTER TABLE runs ADD CONSTRAINT runs_outcome_check
    CHECK (outcome IN ('running', 'ok', 'unchanged', 'failed'));
ALTER TABLE runs ADD COLUMN attempts integer;
ALTER TABLE runs ADD COLUMN snapshot_sha256 text;

-- Every distinct body that was parsed, stored once, keyed by its SHA-256,
-- so that a catalog value can be traced to its bytes and a page re-parsed
-- after an extractor fix (llmref reparse).
CREATE TABLE snapshots (
    sha256       text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    body         bytea NOT NULL,
    source_id    text NOT NULL REFERENCES sources (id),
    url          text NOT NULL,
    final_url    text NOT NULL,
    http_status  integer NOT NULL,
    headers      text NOT NULL,
    fetched_at   timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE runs ADD CONSTRAINT runs_snapshot_fk
    FOREIGN KEY (snapshot_sha256) REFERENCES snapshots (sha256);

-- Hash of the source file's extraction settings at the last success: a
-- body identical to the last one is only "unchanged" if the way it is read
-- is unchanged too.
ALTER TABLE sources ADD COLUMN extract_sha256 text;
