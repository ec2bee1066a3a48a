-- What does not change during a process: the region's départements and the FINESS
-- category families (data/categories.csv), built once per connection.
CREATE TEMP TABLE region_departements (departement VARCHAR);
CREATE TEMP TABLE category_families (category_code VARCHAR, family VARCHAR, kind VARCHAR);
