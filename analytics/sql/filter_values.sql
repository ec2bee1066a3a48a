-- The page's filter (see filter.sql): kind, département, family, sector, OSE, name pattern,
-- targeting reason.
INSERT INTO filter_values VALUES (?, ?, ?, ?, ?, ?, ?);
