-- 009_provider_names.sql - providers have a home (providers.conf): every
-- name a provider goes by on routers and datasets resolves to its id, so
-- that "Amazon Bedrock" behind OpenRouter is the provider bedrock and is
-- counted once. Names that resolve to no provider wait on a list with an
-- alert, like model names that match no model.

-- A provider name folded for matching: lower case, each run of anything
-- but a-z and 0-9 one '-', none at either end ("Amazon Bedrock" and
-- "amazon-bedrock" fold alike). config.c folds names the same way to
-- refuse one name given to two providers.
CREATE FUNCTION llmref_provider_key(name text) RETURNS text LANGUAGE sql IMMUTABLE
    AS $$ SELECT trim(both '-' FROM regexp_replace(lower(name), '[^a-z0-9]+', '-', 'g')) $$;

-- Every name of every provider (its id, display name, the names it goes
-- by), written from the configuration by catalog_sync_providers.
CREATE TABLE provider_names (
    key          text PRIMARY KEY,
    provider_id  text NOT NULL REFERENCES providers (id),
    name         text NOT NULL
);
CREATE INDEX provider_names_provider_idx ON provider_names (provider_id);

-- THE resolution of a provider name, the one place its rule lives: the id
-- of the provider that goes by name, or NULL. provider_routes applies the
-- same rule as a join (provider_names on llmref_provider_key, so that the
-- planner can use the key's index); a source whose rows name their own
-- provider (a dataset) resolves each row's name through this function
-- (catalog_provider_of in C).
-- ($1, not the parameter's name: provider_names has a column "name".)
CREATE FUNCTION llmref_provider_of(name text) RETURNS text LANGUAGE sql STABLE
    AS $$ SELECT p.provider_id FROM provider_names p WHERE p.key = llmref_provider_key($1) $$;

-- A provider name a source used that resolves to no provider. Open while
-- resolved_at is null; resolved when the name resolves or leaves.
CREATE TABLE unmatched_providers (
    id           bigserial PRIMARY KEY,
    source_id    text NOT NULL REFERENCES sources (id),
    name         text NOT NULL,
    first_seen   timestamptz NOT NULL DEFAULT now(),
    resolved_at  timestamptz
);
CREATE UNIQUE INDEX unmatched_providers_open_idx ON unmatched_providers (source_id, name)
    WHERE resolved_at IS NULL;

-- The routes a comparison counts: one per provider that serves the model.
-- A router's own listing does not count; its endpoints count as the
-- provider their served_by name resolves to (with that provider's display
-- name), and a name that resolves to none as its folded self. A provider
-- reached both directly and through the router is counted once, by its
-- direct route. Gone routes never count.
CREATE OR REPLACE VIEW provider_routes AS
    SELECT DISTINCT ON (r.model_id, x.provider)
           r.model_id, x.provider, x.provider_name, r.id AS route_id, r.source_id,
           r.provider_model_id, r.variant, r.status, r.served_by
    FROM routes r
    JOIN sources s ON s.id = r.source_id
    JOIN providers p ON p.id = r.provider_id
    LEFT JOIN provider_names n ON r.served_by <> '' AND n.key = llmref_provider_key(r.served_by)
    LEFT JOIN providers q ON q.id = n.provider_id
    CROSS JOIN LATERAL (SELECT
        CASE WHEN r.served_by = '' THEN r.provider_id
             ELSE coalesce(n.provider_id, llmref_provider_key(r.served_by))
        END AS provider,
        CASE WHEN r.served_by = '' THEN p.name ELSE coalesce(q.name, r.served_by)
        END AS provider_name) x
    LEFT JOIN current_prices cp ON cp.route_id = r.id
    WHERE r.status <> 'gone' AND (NOT s.router OR r.served_by <> '')
    ORDER BY r.model_id, x.provider, r.served_by <> '', r.status <> 'active',
             r.variant <> '', cp.output_usd_per_mtok NULLS LAST, r.id;
