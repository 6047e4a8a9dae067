-- 013: routes keep their models, sources and providers without a key
-- check per inserted route (issue 18). The three foreign keys of routes
-- checked each new route with a nested lookup per key: 1,200 per 400-row
-- source, about 6.5 ms of its 10 ms route merge, and 0.4 s of a 2.8 s
-- first load of 60 sources (bench/RESULTS.md). llmref inserts a route
-- only with the source it runs (upserted before the run), that source's
-- provider or one llmref_provider_of names (providers.conf, synced before
-- the run) and a model the same transaction merged; and it never deletes
-- or renames a model, source or provider. What the keys still guarded is
-- an operator's edit of those rows, and that the triggers below refuse,
-- as the keys did: a model, source or provider that routes name cannot be
-- deleted, nor its id changed. (Routes are found by model and by source
-- through their indexes; by provider, an operator's rare edit, by a scan.)
ALTER TABLE routes DROP CONSTRAINT routes_model_id_fkey,
    DROP CONSTRAINT routes_source_id_fkey, DROP CONSTRAINT routes_provider_id_fkey;

CREATE FUNCTION llmref_keep_routed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.id = OLD.id THEN
        RETURN NEW;
    END IF;
    IF (TG_TABLE_NAME = 'models' AND EXISTS (SELECT 1 FROM routes WHERE model_id = OLD.id))
       OR (TG_TABLE_NAME = 'sources' AND EXISTS (SELECT 1 FROM routes WHERE source_id = OLD.id))
       OR (TG_TABLE_NAME = 'providers'
           AND EXISTS (SELECT 1 FROM routes WHERE provider_id = OLD.id)) THEN
        RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
            MESSAGE = format('%s %L is still named by routes', TG_TABLE_NAME, OLD.id);
    END IF;
    RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
END $$;

CREATE TRIGGER models_routed BEFORE DELETE OR UPDATE OF id ON models
    FOR EACH ROW EXECUTE FUNCTION llmref_keep_routed();
CREATE TRIGGER sources_routed BEFORE DELETE OR UPDATE OF id ON sources
    FOR EACH ROW EXECUTE FUNCTION llmref_keep_routed();
CREATE TRIGGER providers_routed BEFORE DELETE OR UPDATE OF id ON providers
    FOR EACH ROW EXECUTE FUNCTION llmref_keep_routed();
