INSERT INTO fiche_sites SELECT finess_et FROM scope_sites WHERE $1 IS NULL OR finess_et = $1;
