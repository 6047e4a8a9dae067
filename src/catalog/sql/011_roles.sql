-- 011: least privilege (issue 17). llmref db grant reader|writer ROLE
-- gives an existing role what a page builder or the daemon needs, and no
-- more; the owner (who runs db migrate) keeps the schema. The grants are
-- recorded, and every db migrate grants them again over what it made.
--   reader: the published catalog (models, routes, prices and their
--           facts, comparisons, events, providers, alerts, conflicts and
--           the views over them); not snapshots (the pages, their
--           headers), sources (URLs), runs or what waits to be matched.
--   writer: rows of every table (select, insert, update, delete) and the
--           sequences; no DDL, so no migration.
CREATE TABLE llmref_grants (
    role text NOT NULL,
    what text NOT NULL CHECK (what IN ('reader', 'writer')),
    PRIMARY KEY (role, what)
);

CREATE FUNCTION llmref_grant(who text, what text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    t text;
    readable text[] := ARRAY['schema_migrations', 'models', 'routes', 'prices',
        'route_facts', 'model_facts', 'comparisons', 'events', 'providers',
        'provider_names', 'alerts', 'conflicts', 'current_prices',
        'current_route_facts', 'current_model_facts', 'stated_model_facts',
        'resolved_model_facts', 'model_aliases', 'price_history',
        'provider_routes', 'route_review'];
BEGIN
    IF what NOT IN ('reader', 'writer') THEN
        RAISE EXCEPTION 'llmref_grant: % is not reader or writer', what;
    END IF;
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', current_schema(), who);
    IF what = 'reader' THEN
        FOREACH t IN ARRAY readable LOOP
            EXECUTE format('GRANT SELECT ON %I TO %I', t, who);
        END LOOP;
    ELSE
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO %I',
                       current_schema(), who);
        EXECUTE format('GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA %I TO %I',
                       current_schema(), who);
    END IF;
    INSERT INTO llmref_grants (role, what) VALUES (who, what) ON CONFLICT DO NOTHING;
END $$;
