-- 007_diff.sql - the diff stage: who serves a route behind a router,
-- comparison records with their hash, the append-only change feed, and the
-- models whose inputs changed since the last diff pass.

-- A router's own listing (OpenRouter's price list) is not a provider
-- route; its per-endpoint listing names the provider behind each route.
ALTER TABLE sources ADD COLUMN router boolean NOT NULL DEFAULT false;
ALTER TABLE routes ADD COLUMN served_by text NOT NULL DEFAULT '';

-- One record per pair of models (model_a < model_b), as last computed.
CREATE TABLE comparisons (
    model_a      text NOT NULL REFERENCES models (id),
    model_b      text NOT NULL REFERENCES models (id),
    record       text NOT NULL,
    record_hash  text NOT NULL CHECK (record_hash ~ '^[0-9a-f]{64}$'),
    run_id       bigint REFERENCES runs (id),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (model_a, model_b),
    CHECK (model_a < model_b)
);
CREATE INDEX comparisons_b_idx ON comparisons (model_b);

-- The change feed: append-only, ids increase with commit order within a
-- writer; page builders read it with llmref events --since ID.
CREATE TABLE events (
    id          bigserial PRIMARY KEY,
    kind        text NOT NULL CHECK (kind IN ('comparison.changed', 'route.added',
                'route.gone', 'route.deprecated', 'price.changed', 'alert.raised',
                'alert.resolved')),
    subject     text NOT NULL,
    payload     jsonb NOT NULL DEFAULT '{}',
    run_id      bigint REFERENCES runs (id),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE RULE events_no_update AS ON UPDATE TO events DO INSTEAD NOTHING;
CREATE RULE events_no_delete AS ON DELETE TO events DO INSTEAD NOTHING;

-- Models whose inputs (routes, prices, facts) changed since the last diff
-- pass, with the last run that changed them.
CREATE TABLE dirty_models (
    model_id  text PRIMARY KEY REFERENCES models (id),
    run_id    bigint REFERENCES runs (id)
);

-- When the last diff pass ran: a price announced for a later day that has
-- come into force since then makes its model dirty.
CREATE TABLE diff_state (
    id         boolean PRIMARY KEY DEFAULT true CHECK (id),
    last_pass  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO diff_state DEFAULT VALUES;
CREATE INDEX prices_announced_idx ON prices (valid_from) WHERE valid_from > recorded_at;

-- The run a transaction applies, for the triggers below (set by llmref
-- with set_config('llmref.run_id', ..., true)).
CREATE FUNCTION llmref_run() RETURNS bigint LANGUAGE sql STABLE
    AS $$ SELECT nullif(current_setting('llmref.run_id', true), '')::bigint $$;

CREATE FUNCTION llmref_dirty(model text) RETURNS void LANGUAGE sql
    AS $$ INSERT INTO dirty_models (model_id, run_id) VALUES (model, llmref_run())
          ON CONFLICT (model_id) DO UPDATE SET run_id = EXCLUDED.run_id
          WHERE dirty_models.run_id IS DISTINCT FROM EXCLUDED.run_id $$;

CREATE FUNCTION llmref_route_event() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    k text;
BEGIN
    IF TG_OP = 'INSERT' THEN
        k := 'route.added';
    ELSIF NEW.status IS DISTINCT FROM OLD.status THEN
        k := CASE NEW.status WHEN 'gone' THEN 'route.gone'
                             WHEN 'deprecated' THEN 'route.deprecated'
                             ELSE 'route.added' END;
    ELSE
        RETURN NULL;
    END IF;
    PERFORM llmref_dirty(NEW.model_id);
    INSERT INTO events (kind, subject, payload, run_id)
    VALUES (k, NEW.model_id, jsonb_build_object('model', NEW.model_id,
            'provider', NEW.provider_id, 'source', NEW.source_id,
            'provider_model_id', NEW.provider_model_id, 'served_by', NEW.served_by,
            'status', NEW.status), llmref_run());
    RETURN NULL;
END $$;
CREATE TRIGGER routes_events AFTER INSERT OR UPDATE OF status ON routes
    FOR EACH ROW EXECUTE FUNCTION llmref_route_event();

CREATE FUNCTION llmref_price_event() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    r routes%ROWTYPE;
    old prices%ROWTYPE;
BEGIN
    SELECT * INTO r FROM routes WHERE id = NEW.route_id;
    PERFORM llmref_dirty(r.model_id);
    SELECT * INTO old FROM prices WHERE route_id = NEW.route_id AND id < NEW.id
        ORDER BY id DESC LIMIT 1;
    IF FOUND THEN
        INSERT INTO events (kind, subject, payload, run_id)
        VALUES ('price.changed', r.model_id, jsonb_build_object('model', r.model_id,
                'provider', r.provider_id, 'source', r.source_id,
                'provider_model_id', r.provider_model_id,
                'old', jsonb_build_object('input', llmref_price_text(old.input_kind,
                       old.input_usd_per_mtok), 'output',
                       llmref_price_text(old.output_kind, old.output_usd_per_mtok)),
                'new', jsonb_build_object('input', llmref_price_text(NEW.input_kind,
                       NEW.input_usd_per_mtok), 'output',
                       llmref_price_text(NEW.output_kind, NEW.output_usd_per_mtok)),
                'valid_from', NEW.valid_from), NEW.run_id);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER prices_events AFTER INSERT ON prices
    FOR EACH ROW EXECUTE FUNCTION llmref_price_event();

CREATE FUNCTION llmref_fact_dirty() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'model_facts' THEN
        PERFORM llmref_dirty(NEW.model_id);
    ELSE
        PERFORM llmref_dirty((SELECT model_id FROM routes WHERE id = NEW.route_id));
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER model_facts_dirty AFTER INSERT ON model_facts
    FOR EACH ROW EXECUTE FUNCTION llmref_fact_dirty();
CREATE TRIGGER route_facts_dirty AFTER INSERT ON route_facts
    FOR EACH ROW EXECUTE FUNCTION llmref_fact_dirty();

CREATE FUNCTION llmref_alert_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO events (kind, subject, payload, run_id)
        VALUES ('alert.raised', NEW.kind || ':' || NEW.subject,
                jsonb_build_object('alert', NEW.id, 'kind', NEW.kind,
                'subject', NEW.subject, 'message', NEW.message), NEW.raised_run);
    ELSIF NEW.resolved_at IS NOT NULL AND OLD.resolved_at IS NULL THEN
        INSERT INTO events (kind, subject, payload, run_id)
        VALUES ('alert.resolved', NEW.kind || ':' || NEW.subject,
                jsonb_build_object('alert', NEW.id, 'kind', NEW.kind,
                'subject', NEW.subject, 'message', NEW.message), NEW.resolved_run);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER alerts_events AFTER INSERT OR UPDATE OF resolved_at ON alerts
    FOR EACH ROW EXECUTE FUNCTION llmref_alert_event();

-- Listeners learn the newest event id once per statement, at commit.
CREATE FUNCTION llmref_events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('llmref_events', (SELECT max(id)::text FROM new_events));
    RETURN NULL;
END $$;
CREATE TRIGGER events_notify AFTER INSERT ON events
    REFERENCING NEW TABLE AS new_events
    FOR EACH STATEMENT EXECUTE FUNCTION llmref_events_notify();

-- The routes a comparison counts: one per provider that serves the model.
-- A router's own listing does not count; its endpoints count as the
-- provider behind them (served_by), unless that provider is listed
-- directly. Gone routes never count.
CREATE VIEW provider_routes AS
    SELECT DISTINCT ON (r.model_id, x.provider)
           r.model_id, x.provider, x.provider_name, r.id AS route_id, r.source_id,
           r.provider_model_id, r.variant, r.status, r.served_by
    FROM routes r
    JOIN sources s ON s.id = r.source_id
    JOIN providers p ON p.id = r.provider_id
    CROSS JOIN LATERAL (SELECT
        CASE WHEN r.served_by = '' THEN r.provider_id
             ELSE trim(both '-' FROM regexp_replace(lower(r.served_by), '[^a-z0-9]+', '-', 'g'))
        END AS provider,
        CASE WHEN r.served_by = '' THEN p.name ELSE r.served_by END AS provider_name) x
    LEFT JOIN current_prices cp ON cp.route_id = r.id
    WHERE r.status <> 'gone' AND (NOT s.router OR r.served_by <> '')
    ORDER BY r.model_id, x.provider, r.served_by <> '', r.status <> 'active',
             r.variant <> '', cp.output_usd_per_mtok NULLS LAST, r.id;
