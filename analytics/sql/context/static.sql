-- What does not change during a process: the region's départements and the FINESS
-- category families (data/categories.csv), built once per connection.
CREATE TEMP TABLE region_departements (departement VARCHAR);
CREATE TEMP TABLE category_families (category_code VARCHAR, family VARCHAR, kind VARCHAR);
-- The viewer and data the scope tables (scope.sql) were last built for on this connection:
-- a change of date alone (the regional view's year-before figures) keeps them.
CREATE TEMP TABLE scope_key (key VARCHAR, last_import_id BIGINT);
