-- The sites whose fiches are built: one site of the viewer's scope ($1), or all of them ($1 NULL).
CREATE TEMP TABLE IF NOT EXISTS fiche_sites (finess_et VARCHAR);
DELETE FROM fiche_sites;
