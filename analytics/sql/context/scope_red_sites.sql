-- The sites whose red events the viewer may count, comma-separated FINESS ($1).
INSERT INTO scope_red_sites SELECT DISTINCT unnest(string_split($1, ',')) WHERE $1 <> '';
