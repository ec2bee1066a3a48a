-- (After filter_unchanged.sql.) The values bound are the ones asked.
SELECT count(*) = 1 FROM filter_values
WHERE kind IS NOT DISTINCT FROM $1 AND departement IS NOT DISTINCT FROM $2 AND family IS NOT DISTINCT FROM $3
  AND sector_group IS NOT DISTINCT FROM $4 AND ose IS NOT DISTINCT FROM $5 AND pattern IS NOT DISTINCT FROM $6
  AND reason IS NOT DISTINCT FROM $7;
