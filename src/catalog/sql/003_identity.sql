-- 003_identity.sql - model identity: names that match no model wait on an
-- unmatched list (with an alert) instead of creating models; routes carry
-- the region a provider spelling named.

ALTER TABLE routes ADD COLUMN region text NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN rows_unmatched integer;
-- rows dropped by a source's skip_bad_rows
ALTER TABLE runs ADD COLUMN rows_rejected integer;

-- A provider model name from a source that may not create models, whose
-- canonical id (model_id, what the rules made of it) is no known model.
-- Open while resolved_run is null; resolved when it matches or leaves.
CREATE TABLE unmatched (
    id                 bigserial PRIMARY KEY,
    source_id          text NOT NULL REFERENCES sources (id),
    provider_model_id  text NOT NULL,
    model_id           text NOT NULL,
    first_run          bigint NOT NULL REFERENCES runs (id),
    resolved_run       bigint REFERENCES runs (id)
);
CREATE UNIQUE INDEX unmatched_open_idx ON unmatched (source_id, provider_model_id)
    WHERE resolved_run IS NULL;

-- Alerts: raised once when a condition starts, resolved once when it ends.
CREATE TABLE alerts (
    id            bigserial PRIMARY KEY,
    kind          text NOT NULL,
    subject       text NOT NULL,
    message       text NOT NULL,
    raised_at     timestamptz NOT NULL DEFAULT now(),
    raised_run    bigint REFERENCES runs (id),
    resolved_at   timestamptz,
    resolved_run  bigint REFERENCES runs (id)
);
CREATE UNIQUE INDEX alerts_open_idx ON alerts (kind, subject) WHERE resolved_at IS NULL;
