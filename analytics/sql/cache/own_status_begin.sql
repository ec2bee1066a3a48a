-- A viewer with red events of its own gets its sites' status recomputed with them
-- (establishment_status.sql runs between this file and own_status_end.sql).
INSERT INTO status_sites SELECT finess_et FROM scope_red_sites;
