-- No site to compute (the new events were all known already): nothing replaces a kept row.
CREATE OR REPLACE TEMP TABLE status_computed AS SELECT * FROM status_computed LIMIT 0;
