INSERT INTO scope_red_sites SELECT * FROM viewer_red_sites;
