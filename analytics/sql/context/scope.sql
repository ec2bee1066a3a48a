-- The viewer: the sites it sees row by row (none listed: the whole region) and the sites
-- whose TLP:RED events it may count (its own); status_sites: the sites a status is computed
-- for (none: every site).
CREATE OR REPLACE TEMP TABLE scope_red_sites (finess_et VARCHAR);
CREATE OR REPLACE TEMP TABLE scope_sites (finess_et VARCHAR);
CREATE OR REPLACE TEMP TABLE status_sites (finess_et VARCHAR);
