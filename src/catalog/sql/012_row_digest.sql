-- 012: a refresh whose page changed in a few rows does work for those
-- rows only (issue 18). Each route keeps a digest of the incoming row
-- last applied to it (the row's staging line, src/catalog/catalog_digest.c);
-- a row whose digest is the route's is staged as "same", and the diff,
-- the price and fact merge and the route merge skip it: the state it
-- would write is the state the route has. NULL: not known (routes of
-- earlier versions, rows whose name a page repeats, gone routes revived),
-- so the row is compared in full, as before.
ALTER TABLE routes ADD COLUMN row_digest text;
