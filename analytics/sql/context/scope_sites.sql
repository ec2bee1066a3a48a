-- The viewer's sites, comma-separated FINESS ($1).
INSERT INTO scope_sites SELECT DISTINCT unnest(string_split($1, ',')) WHERE $1 <> '';
