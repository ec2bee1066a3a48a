-- A region viewer reads the shared status of the date as it is.
CREATE OR REPLACE TEMP VIEW establishment_status AS
SELECT * EXCLUDE (cache_as_of) FROM analytics_status WHERE cache_as_of = (SELECT as_of FROM ctx);
