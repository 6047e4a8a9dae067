-- 006_reconcile.sql - reconciliation and the guard: source priorities,
-- retracted facts, conflicts between sources, quarantined runs with their
-- would-be diff, routes that must be missing from several runs before
-- they are gone, prices with an effective date, and review dates derived
-- from runs instead of rewritten on every row.

-- Higher wins when sources state different values for one fact.
ALTER TABLE sources ADD COLUMN priority integer NOT NULL DEFAULT 50;

-- A source that stops stating a fact retracts it: a row with no value.
ALTER TABLE model_facts ALTER COLUMN value DROP NOT NULL;

-- A run the guard held back keeps its would-be diff (quarantine_diff)
-- until a later applied run of its source resolves it: 'accepted' (llmref
-- refresh --accept) or 'superseded'. A run that saw the same page as an
-- open quarantine points at it (quarantine_of) and stores no diff again.
ALTER TABLE runs DROP CONSTRAINT runs_outcome_check;
ALTER TABLE runs ADD CONSTRAINT runs_outcome_check
    CHECK (outcome IN ('running', 'ok', 'unchanged', 'failed', 'quarantined'));
ALTER TABLE runs ADD COLUMN quarantine_of bigint REFERENCES runs (id);
ALTER TABLE runs ADD COLUMN resolved_run bigint REFERENCES runs (id);
ALTER TABLE runs ADD COLUMN resolution text
    CHECK (resolution IN ('accepted', 'superseded'));
CREATE INDEX runs_quarantined_idx ON runs (source_id)
    WHERE outcome = 'quarantined' AND resolved_run IS NULL;

CREATE TABLE quarantine_diff (
    run_id             bigint NOT NULL REFERENCES runs (id),
    change             text NOT NULL CHECK (change IN ('added', 'changed', 'missing')),
    provider_model_id  text NOT NULL,
    model_id           text NOT NULL,
    item               text NOT NULL,
    old_value          text,
    new_value          text
);
CREATE INDEX quarantine_diff_run_idx ON quarantine_diff (run_id);

-- The first run of its source that no longer listed the route; the route
-- is gone once K successful runs in a row have missed it.
ALTER TABLE routes ADD COLUMN missing_since bigint REFERENCES runs (id);

-- Two sources disagreeing about a fact beyond the tolerance. Keyed on the
-- values: open while both still say the same, closed when that ends.
CREATE TABLE conflicts (
    id          bigserial PRIMARY KEY,
    model_id    text NOT NULL REFERENCES models (id),
    fact        text NOT NULL,
    source_a    text NOT NULL REFERENCES sources (id),
    value_a     text NOT NULL,
    source_b    text NOT NULL REFERENCES sources (id),
    value_b     text NOT NULL,
    opened_run  bigint NOT NULL REFERENCES runs (id),
    opened_at   timestamptz NOT NULL DEFAULT now(),
    closed_run  bigint REFERENCES runs (id),
    closed_at   timestamptz,
    CHECK (source_a < source_b)
);
CREATE UNIQUE INDEX conflicts_open_idx
    ON conflicts (model_id, fact, source_a, source_b, value_a, value_b)
    WHERE closed_at IS NULL;

-- Prices on two axes: valid_from says when a price applies (a future date
-- is an announced change), recorded_at when we learned it. The current
-- price is the latest one already in force.
CREATE INDEX prices_valid_idx ON prices (route_id, valid_from DESC, id DESC);
CREATE OR REPLACE VIEW current_prices AS
    SELECT DISTINCT ON (route_id) *
    FROM prices
    WHERE valid_from <= now()
    ORDER BY route_id, valid_from DESC, id DESC;

CREATE VIEW price_history AS
    SELECT p.*, lead(p.valid_from) OVER w AS valid_to
    FROM prices p
    WINDOW w AS (PARTITION BY p.route_id ORDER BY p.valid_from, p.id);

-- A price as one word or number, for diffs: 0.1, free, unpriced, dynamic.
CREATE FUNCTION llmref_price_text(kind text, usd numeric) RETURNS text
    LANGUAGE sql IMMUTABLE
    AS $$ SELECT CASE WHEN kind = 'value' THEN usd::text ELSE kind END $$;

-- How far a price moved: the larger of new/old and old/new when both are
-- positive amounts, else NULL.
CREATE FUNCTION llmref_factor(old numeric, new numeric) RETURNS numeric
    LANGUAGE sql IMMUTABLE
    AS $$ SELECT CASE WHEN old > 0 AND new > 0 THEN greatest(new / old, old / new) END $$;

-- Whether two stated values of a fact agree: numbers within tol_bp basis
-- points of the larger, anything else exactly.
CREATE FUNCTION llmref_agree(a text, b text, tol_bp integer) RETURNS boolean
    LANGUAGE sql IMMUTABLE
    AS $$ SELECT CASE
        WHEN a ~ '^-?[0-9]{1,30}(\.[0-9]{1,30})?$' AND b ~ '^-?[0-9]{1,30}(\.[0-9]{1,30})?$'
        THEN abs(a::numeric - b::numeric) * 10000
             <= tol_bp * greatest(abs(a::numeric), abs(b::numeric))
        ELSE a = b END $$;

-- Review dates, derived: a route is reviewed whenever a successful run of
-- its source (ok or unchanged) still lists it, so a run that changes
-- nothing writes only its run and source rows.
CREATE VIEW route_review AS
    SELECT r.id AS route_id, f.started_at AS first_seen,
           CASE WHEN coalesce(r.missing_since, r.gone_run) IS NULL THEN s.last_success
                ELSE (SELECT max(coalesce(u.finished_at, u.started_at)) FROM runs u
                      WHERE u.source_id = r.source_id
                        AND u.id < coalesce(r.missing_since, r.gone_run)
                        AND u.outcome IN ('ok', 'unchanged'))
           END AS last_reviewed
    FROM routes r
    JOIN runs f ON f.id = r.first_run
    JOIN sources s ON s.id = r.source_id;

-- Each source's current, unretracted value of each fact, with when it was
-- first observed (this value) and last confirmed (the source's last
-- success). A curated fact with a reason pins its value until it expires;
-- an expired curated fact no longer counts.
CREATE VIEW stated_model_facts AS
    SELECT f.model_id, f.fact, f.value, f.source_id, s.kind AS source_kind,
           s.priority, f.reason, f.expires,
           f.recorded_at AS first_observed, s.last_success AS last_confirmed,
           (s.kind = 'curated' AND f.reason IS NOT NULL) AS pinned
    FROM current_model_facts f
    JOIN sources s ON s.id = f.source_id
    WHERE f.value IS NOT NULL
      AND (s.kind <> 'curated' OR f.expires IS NULL
           OR f.expires >= to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD'));

-- The winning value of each fact of each model: a pin, else the source of
-- highest priority, ties broken by source id.
CREATE VIEW resolved_model_facts AS
    SELECT DISTINCT ON (model_id, fact) *
    FROM stated_model_facts
    ORDER BY model_id, fact, pinned DESC, priority DESC, source_id;

-- Every spelling a source used for a model.
CREATE VIEW model_aliases AS
    SELECT DISTINCT model_id, provider_model_id AS alias, source_id
    FROM routes;
