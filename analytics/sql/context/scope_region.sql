-- A region viewer sees every site of the region's départements.
INSERT INTO scope_sites
SELECT finess_et FROM establishments WHERE departement IN (SELECT departement FROM region_departements);
