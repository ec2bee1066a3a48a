INSERT INTO status_request VALUES (?, ?);
