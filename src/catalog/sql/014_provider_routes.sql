-- 014: provider_routes reads each route's price in force by key (issue
-- 18). The view ordered a model's routes by their current output price
-- from the current_prices view, which sorts every price in the catalog
-- even when the diff pass asks for the routes of 21 models (18 ms of its
-- 170 ms at 24,000 routes, ten times that at 240,000). Same columns, same
-- rows, same order.
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
    LEFT JOIN LATERAL (SELECT c.output_usd_per_mtok FROM prices c
        WHERE c.route_id = r.id AND c.valid_from <= now()
        ORDER BY c.valid_from DESC, c.id DESC LIMIT 1) cp ON true
    WHERE r.status <> 'gone' AND (NOT s.router OR r.served_by <> '')
    ORDER BY r.model_id, x.provider, r.served_by <> '', r.status <> 'active',
             r.variant <> '', cp.output_usd_per_mtok NULLS LAST, r.id;
