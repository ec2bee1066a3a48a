-- What a newer version replaced, as known at the date (the data-quality page shows what was
-- left out): each oSIS submission that is not its campaign's newest dated on or before the
-- date, each exported version of an application that is not its newest, each OSE/GHT list
-- that is not the one in force — with the one that replaced it. The $1 newest first.
WITH declaration_versions AS (
    SELECT 'Export oSIS' AS source,
           d.finess_et || ' — campagne ' || d.campaign AS item,
           d.updated_on AS version_on, i.file_name AS version_file,
           k.updated_on AS replaced_by_on, ki.file_name AS replaced_by_file
    FROM declarations d
    JOIN imports i ON i.import_id = d.import_id
    JOIN known_declarations k ON k.finess_et = d.finess_et AND k.campaign = d.campaign
    JOIN imports ki ON ki.import_id = k.import_id
    WHERE d.updated_on <= (SELECT as_of FROM ctx) AND d.import_id <> k.import_id
),
application_versions AS (
    SELECT 'Export AAP (Démarches Simplifiées)',
           'dossier n° ' || a.application_id,
           CAST(coalesce(a.updated_at, a.deposited_at) AS DATE), i.file_name,
           CAST(coalesce(k.updated_at, k.deposited_at) AS DATE), ki.file_name
    FROM applications a
    JOIN imports i ON i.import_id = a.import_id
    JOIN known_applications k ON k.application_id = a.application_id
    JOIN imports ki ON ki.import_id = k.import_id
    WHERE a.import_id <> k.import_id
      AND coalesce(CAST(coalesce(a.updated_at, a.deposited_at) AS DATE) <= (SELECT as_of FROM ctx), true)
),
lists AS (
    SELECT import_id, coalesce(source_date, CAST(finished_at AS DATE)) AS dated, file_name
    FROM imports WHERE kind = 'ose-ght' AND status = 'stored'
),
list_versions AS (
    SELECT 'Liste OSE / GHT', 'liste', l.dated, l.file_name, f.dated, f.file_name
    FROM lists l JOIN lists f ON f.import_id = (SELECT import_id FROM ose_list_in_force)
    WHERE l.import_id <> f.import_id AND l.dated <= (SELECT as_of FROM ctx)
)
SELECT * FROM declaration_versions
UNION ALL SELECT * FROM application_versions
UNION ALL SELECT * FROM list_versions
ORDER BY version_on DESC, source, item
LIMIT $1;
