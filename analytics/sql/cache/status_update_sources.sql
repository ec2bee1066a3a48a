-- Whether the sources every site's status reads (an audit source, a declaration source, an
-- exercise source exist) are the same in the sites just computed as in the kept status of
-- the date: if an import made one appear, every site changes and the date is computed whole.
SELECT count(*) <= 1 FROM (
    SELECT DISTINCT has_audit_source, has_declaration_source, has_exercise_source FROM status_computed
    UNION
    SELECT DISTINCT has_audit_source, has_declaration_source, has_exercise_source FROM analytics_status
    WHERE cache_as_of = (SELECT as_of FROM ctx));
