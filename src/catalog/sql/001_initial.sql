-- 001_initial.sql - the walking skeleton's catalog: providers, sources,
-- runs, canonical models, routes, price history and route facts.
-- History tables are append-only: a change adds a row, never rewrites one.

CREATE TABLE providers (
    id          text PRIMARY KEY,
    name        text NOT NULL
);

CREATE TABLE sources (
    id                   text PRIMARY KEY,
    provider_id          text NOT NULL REFERENCES providers (id),
    kind                 text NOT NULL,
    url                  text NOT NULL,
    last_attempt         timestamptz,
    last_success         timestamptz,
    consecutive_failures integer NOT NULL DEFAULT 0,
    last_error           text,
    etag                 text,
    last_modified        text,
    body_sha256          text
);

CREATE TABLE runs (
    id              bigserial PRIMARY KEY,
    source_id       text NOT NULL REFERENCES sources (id),
    trigger         text NOT NULL,
    started_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz,
    outcome         text NOT NULL DEFAULT 'running'
                    CHECK (outcome IN ('running', 'ok', 'failed')),
    http_status     integer,
    rows_extracted  integer,
    rows_added      integer,
    rows_changed    integer,
    rows_unchanged  integer,
    rows_gone       integer,
    error           text
);
CREATE INDEX runs_source_idx ON runs (source_id, id);

CREATE TABLE models (
    id          text PRIMARY KEY,
    first_run   bigint NOT NULL REFERENCES runs (id)
);

-- A provider's offering of a model, as one source lists it.
CREATE TABLE routes (
    id                  bigserial PRIMARY KEY,
    source_id           text NOT NULL REFERENCES sources (id),
    provider_id         text NOT NULL REFERENCES providers (id),
    provider_model_id   text NOT NULL,
    model_id            text NOT NULL REFERENCES models (id),
    variant             text NOT NULL DEFAULT '',
    status              text NOT NULL DEFAULT 'active'
                        CHECK (status IN ('active', 'deprecated', 'gone')),
    first_run           bigint NOT NULL REFERENCES runs (id),
    gone_run            bigint REFERENCES runs (id),
    UNIQUE (source_id, provider_model_id)
);
CREATE INDEX routes_model_idx ON routes (model_id);

-- Price history: one row per route each time its prices change.
CREATE TABLE prices (
    id                   bigserial PRIMARY KEY,
    route_id             bigint NOT NULL REFERENCES routes (id),
    input_kind           text NOT NULL
                         CHECK (input_kind IN ('value', 'free', 'unpriced', 'dynamic')),
    input_usd_per_mtok   numeric CHECK (input_usd_per_mtok >= 0),
    output_kind          text NOT NULL
                         CHECK (output_kind IN ('value', 'free', 'unpriced', 'dynamic')),
    output_usd_per_mtok  numeric CHECK (output_usd_per_mtok >= 0),
    valid_from           timestamptz NOT NULL,
    recorded_at          timestamptz NOT NULL DEFAULT now(),
    run_id               bigint NOT NULL REFERENCES runs (id),
    CHECK ((input_kind = 'value') = (input_usd_per_mtok IS NOT NULL)),
    CHECK ((output_kind = 'value') = (output_usd_per_mtok IS NOT NULL))
);
CREATE INDEX prices_route_idx ON prices (route_id, id DESC);

-- Route facts (context window, ...) with history, like prices.
CREATE TABLE route_facts (
    id           bigserial PRIMARY KEY,
    route_id     bigint NOT NULL REFERENCES routes (id),
    fact         text NOT NULL,
    value        text,
    recorded_at  timestamptz NOT NULL DEFAULT now(),
    run_id       bigint NOT NULL REFERENCES runs (id)
);
CREATE INDEX route_facts_route_idx ON route_facts (route_id, fact, id DESC);

CREATE VIEW current_prices AS
    SELECT DISTINCT ON (route_id) *
    FROM prices
    ORDER BY route_id, id DESC;

CREATE VIEW current_route_facts AS
    SELECT DISTINCT ON (route_id, fact) *
    FROM route_facts
    ORDER BY route_id, fact, id DESC;
