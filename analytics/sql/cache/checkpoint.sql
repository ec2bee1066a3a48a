-- After the maturity tables are computed whole (the national set: 2 M rows): written to the
-- store file now, so their rows leave memory before the status of a date is computed (the
-- national report's peak: 567 -> 548 MiB).
CHECKPOINT;
