-- The shared status of a date ($1) kept for these settings ($2) but computed before the
-- latest imports, when every import since is one whose rows change only the status of the
-- sites they name (an oSIS export: its declarations; an OPSSIES event file: its events'
-- establishments): the import it was computed after. No row otherwise (a FINESS extract,
-- an OSE list, a workbook… can change any site: the date is computed whole).
SELECT s.last_import_id FROM analytics_status_state s
WHERE s.cache_as_of = CAST($1 AS DATE) AND s.settings = $2
  AND s.last_import_id < (SELECT coalesce(max(import_id), 0) FROM imports)
  AND NOT EXISTS (
      SELECT 1 FROM imports i
      WHERE i.import_id > s.last_import_id AND i.status = 'stored'
        AND coalesce(i.kind, '') NOT IN ('osis', 'opssies-events'));
