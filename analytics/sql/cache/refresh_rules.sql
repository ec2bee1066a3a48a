-- The state of the maturity tables, whole: the program reads the fingerprint of their rules
-- from its column `rules` (absent from a store made before it: other rules).
SELECT * FROM analytics_refresh;
