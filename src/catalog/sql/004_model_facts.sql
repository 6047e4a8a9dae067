-- 004_model_facts.sql - facts about models (parameters, license, dates,
-- benchmark scores, capabilities) with the source that stated them and
-- history: a changed value adds a row, never rewrites one.

CREATE TABLE model_facts (
    id           bigserial PRIMARY KEY,
    model_id     text NOT NULL REFERENCES models (id),
    fact         text NOT NULL,
    value        text NOT NULL,
    source_id    text NOT NULL REFERENCES sources (id),
    run_id       bigint NOT NULL REFERENCES runs (id),
    recorded_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX model_facts_idx ON model_facts (model_id, fact, source_id, id DESC);

-- What each source says now about each fact of each model.
CREATE VIEW current_model_facts AS
    SELECT DISTINCT ON (model_id, fact, source_id) *
    FROM model_facts
    ORDER BY model_id, fact, source_id, id DESC;
