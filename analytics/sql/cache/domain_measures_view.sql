CREATE OR REPLACE TEMP VIEW domain_measures AS
SELECT finess_et, domain, score FROM analytics_domain_measures WHERE cache_as_of = (SELECT as_of FROM ctx);
