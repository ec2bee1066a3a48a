-- A status computed for one answer and not kept (the year-before figures of the regional
-- view): read as it was computed, with the viewer's own red events counted.
CREATE OR REPLACE TEMP VIEW establishment_status AS SELECT * FROM status_computed;
