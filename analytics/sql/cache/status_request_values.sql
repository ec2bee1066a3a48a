INSERT INTO status_request VALUES (?, ?, CAST(? AS DATE));
