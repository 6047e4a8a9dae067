-- 008: the change-feed triggers of 007, once per statement instead of once
-- per row. A first load of 24,000 rows spent three quarters of its time in
-- PostgreSQL's after-row triggers (a PL/pgSQL call, an SQL function
-- planned again, an events insert and a NOTIFY per row: bench/RESULTS.md).
-- Here each statement's rows arrive as a transition table and are handled
-- with one set-based insert into dirty_models and one into events, in row
-- order. What is recorded is the same: the same events, the same dirty
-- models, in the same transaction as the change.

DROP TRIGGER routes_events ON routes;
DROP TRIGGER prices_events ON prices;
DROP TRIGGER model_facts_dirty ON model_facts;
DROP TRIGGER route_facts_dirty ON route_facts;
DROP FUNCTION llmref_route_event();
DROP FUNCTION llmref_price_event();
DROP FUNCTION llmref_fact_dirty();

-- Mark the models of a set of rows dirty. A model already dirty keeps the
-- first run that changed it since the last diff pass (007 moved it to each
-- later run: on a first load every source rewrote every model's row, 60
-- times over). The comparison.changed events of a pass carry that run.
CREATE FUNCTION llmref_dirty_all(models text[]) RETURNS void LANGUAGE sql
    AS $$ INSERT INTO dirty_models (model_id, run_id)
          SELECT DISTINCT m, llmref_run() FROM unnest(models) AS m WHERE m IS NOT NULL
          ON CONFLICT (model_id) DO NOTHING $$;

CREATE FUNCTION llmref_routes_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM llmref_dirty_all(ARRAY(SELECT model_id FROM new_routes));
    INSERT INTO events (kind, subject, payload, run_id)
    SELECT 'route.added', n.model_id, jsonb_build_object('model', n.model_id, 'provider', n.provider_id,
           'source', n.source_id, 'provider_model_id', n.provider_model_id,
           'served_by', n.served_by, 'status', n.status), llmref_run()
    FROM new_routes n ORDER BY n.id;
    RETURN NULL;
END $$;
CREATE TRIGGER routes_inserted AFTER INSERT ON routes
    REFERENCING NEW TABLE AS new_routes
    FOR EACH STATEMENT EXECUTE FUNCTION llmref_routes_inserted();

-- A status that changed: gone, deprecated, or back (added again).
CREATE FUNCTION llmref_routes_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM llmref_dirty_all(ARRAY(SELECT n.model_id FROM new_routes n
                                   JOIN old_routes o ON o.id = n.id
                                   WHERE n.status IS DISTINCT FROM o.status));
    INSERT INTO events (kind, subject, payload, run_id)
    SELECT CASE n.status WHEN 'gone' THEN 'route.gone'
                         WHEN 'deprecated' THEN 'route.deprecated'
                         ELSE 'route.added' END,
           n.model_id, jsonb_build_object('model', n.model_id, 'provider', n.provider_id,
           'source', n.source_id, 'provider_model_id', n.provider_model_id,
           'served_by', n.served_by, 'status', n.status), llmref_run()
    FROM new_routes n JOIN old_routes o ON o.id = n.id
    WHERE n.status IS DISTINCT FROM o.status ORDER BY n.id;
    RETURN NULL;
END $$;
CREATE TRIGGER routes_updated AFTER UPDATE ON routes
    REFERENCING OLD TABLE AS old_routes NEW TABLE AS new_routes
    FOR EACH STATEMENT EXECUTE FUNCTION llmref_routes_updated();

-- A new price row: its model is dirty; if the route had a price before,
-- one price.changed event with the old and the new.
CREATE FUNCTION llmref_prices_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM llmref_dirty_all(ARRAY(SELECT r.model_id FROM new_prices p
                                   JOIN routes r ON r.id = p.route_id));
    INSERT INTO events (kind, subject, payload, run_id)
    SELECT 'price.changed', r.model_id, jsonb_build_object('model', r.model_id,
            'provider', r.provider_id, 'source', r.source_id,
            'provider_model_id', r.provider_model_id,
            'old', jsonb_build_object('input', llmref_price_text(o.input_kind,
                   o.input_usd_per_mtok), 'output',
                   llmref_price_text(o.output_kind, o.output_usd_per_mtok)),
            'new', jsonb_build_object('input', llmref_price_text(p.input_kind,
                   p.input_usd_per_mtok), 'output',
                   llmref_price_text(p.output_kind, p.output_usd_per_mtok)),
            'valid_from', p.valid_from), p.run_id
    FROM new_prices p
    JOIN routes r ON r.id = p.route_id
    JOIN LATERAL (SELECT * FROM prices x WHERE x.route_id = p.route_id AND x.id < p.id
                  ORDER BY x.id DESC LIMIT 1) o ON true
    ORDER BY p.id;
    RETURN NULL;
END $$;
CREATE TRIGGER prices_inserted AFTER INSERT ON prices
    REFERENCING NEW TABLE AS new_prices
    FOR EACH STATEMENT EXECUTE FUNCTION llmref_prices_inserted();

CREATE FUNCTION llmref_model_facts_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM llmref_dirty_all(ARRAY(SELECT model_id FROM new_facts));
    RETURN NULL;
END $$;
CREATE TRIGGER model_facts_inserted AFTER INSERT ON model_facts
    REFERENCING NEW TABLE AS new_facts
    FOR EACH STATEMENT EXECUTE FUNCTION llmref_model_facts_inserted();

CREATE FUNCTION llmref_route_facts_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM llmref_dirty_all(ARRAY(SELECT r.model_id FROM new_facts f
                                   JOIN routes r ON r.id = f.route_id));
    RETURN NULL;
END $$;
CREATE TRIGGER route_facts_inserted AFTER INSERT ON route_facts
    REFERENCING NEW TABLE AS new_facts
    FOR EACH STATEMENT EXECUTE FUNCTION llmref_route_facts_inserted();

-- The deprecation dates a run checks (catalog.c, SQL_DEPRECATE_ROUTES):
-- few routes have one, so the check reads only those.
CREATE INDEX route_facts_deprecation_idx ON route_facts (route_id, id DESC)
    WHERE fact = 'deprecation_date';
