INSERT INTO event_codes VALUES (?, ?, ?);
