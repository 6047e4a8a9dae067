-- 010: the apply path of issue 18. The change feed and the dirty models
-- of routes, prices and facts are written by the statements that make
-- the change (src/catalog/catalog.c: each merge's RETURNING rows feed one
-- insert into events and one into dirty_models, in the same statement and
-- transaction), from the rows they wrote, instead of by the statement
-- triggers of 008, whose cached plans scanned and hashed every route for
-- each later source and looked up a previous price for every new price.
-- The events and dirty models recorded are the same, in the same order.

DROP TRIGGER routes_inserted ON routes;
DROP TRIGGER routes_updated ON routes;
DROP TRIGGER prices_inserted ON prices;
DROP TRIGGER model_facts_inserted ON model_facts;
DROP TRIGGER route_facts_inserted ON route_facts;
DROP FUNCTION llmref_routes_inserted();
DROP FUNCTION llmref_routes_updated();
DROP FUNCTION llmref_prices_inserted();
DROP FUNCTION llmref_model_facts_inserted();
DROP FUNCTION llmref_route_facts_inserted();
DROP FUNCTION llmref_dirty_all(text[]);

-- No foreign keys from the history tables (prices, route facts, model
-- facts, events, and the run columns of routes and models) to runs, nor
-- from prices and route facts to routes: a key check per written row
-- (4.0 s of a 22.4 s first load at 240,000 routes for the keys to runs;
-- the two to routes, 6.5% of a first load at 24,000, bench/RESULTS.md).
-- Runs are never deleted and routes never are; a run id is the run the
-- same transaction applies, a route id comes from a join with routes in
-- the statement that writes the row (catalog.c SQL_MERGE_VALUES).
ALTER TABLE prices DROP CONSTRAINT prices_run_id_fkey;
ALTER TABLE route_facts DROP CONSTRAINT route_facts_run_id_fkey;
ALTER TABLE model_facts DROP CONSTRAINT model_facts_run_id_fkey;
ALTER TABLE events DROP CONSTRAINT events_run_id_fkey;
ALTER TABLE dirty_models DROP CONSTRAINT dirty_models_run_id_fkey;
ALTER TABLE routes DROP CONSTRAINT routes_first_run_fkey,
    DROP CONSTRAINT routes_gone_run_fkey, DROP CONSTRAINT routes_missing_since_fkey;
ALTER TABLE models DROP CONSTRAINT models_first_run_fkey;
ALTER TABLE prices DROP CONSTRAINT prices_route_id_fkey;
ALTER TABLE route_facts DROP CONSTRAINT route_facts_route_id_fkey;

-- A facts source's own current facts, read by key (catalog.c SQL_DIFF_FACTS)
-- rather than through the whole-catalog current_model_facts view.
CREATE INDEX model_facts_source_idx ON model_facts (source_id, model_id, fact, id DESC);
