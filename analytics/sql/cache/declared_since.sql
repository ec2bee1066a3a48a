-- Whether the imports after $1 stored any declaration (only they change the maturity tables).
SELECT EXISTS (SELECT 1 FROM declarations WHERE import_id > CAST($1 AS BIGINT));
