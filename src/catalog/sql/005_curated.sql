-- 005_curated.sql - hand-kept facts carry the reason they are kept and
-- may expire.
ALTER TABLE model_facts ADD COLUMN reason text;
ALTER TABLE model_facts ADD COLUMN expires text;
CREATE OR REPLACE VIEW current_model_facts AS
    SELECT DISTINCT ON (model_id, fact, source_id) *
    FROM model_facts
    ORDER BY model_id, fact, source_id, id DESC;
