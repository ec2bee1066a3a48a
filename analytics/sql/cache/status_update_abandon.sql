-- The update is given up (the date is computed whole next): every site is computed again.
DELETE FROM status_sites;
