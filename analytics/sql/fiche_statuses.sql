-- Each fiche's indicators (a closed site keeps its fiche).
SELECT s.* FROM establishment_status s JOIN fiche_sites USING (finess_et) ORDER BY finess_et;
