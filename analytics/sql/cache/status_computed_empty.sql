-- No status computed, or the one computed is kept in the store now: the temporary table is
-- emptied (its shape stays for the views that read it). Before an update that has no site
-- to compute (the new events were all known already), nothing replaces a kept row; after a
-- date's status is kept, its rows (tens of MB with national data) leave memory before the
-- pages' queries run.
CREATE OR REPLACE TEMP TABLE status_computed AS SELECT * FROM status_computed LIMIT 0;
