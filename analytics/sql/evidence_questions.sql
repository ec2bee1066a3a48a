-- The questions the catalogue marks as evidence of an expectation (column `attente`), in the
-- catalogue of the newest campaign stored.
SELECT q.expectation, q.code, q.label
FROM questions q
WHERE q.expectation IS NOT NULL
  AND q.catalogue_version = (SELECT catalogue_version FROM declarations ORDER BY campaign DESC, import_id DESC LIMIT 1)
ORDER BY q.expectation, q.code;
