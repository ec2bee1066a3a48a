-- Store schema v13: what the OPSSIES export sent to the national warehouse, by event
-- identity (the hash an import computes, `events.event_id`), so the next export sends only
-- what is new.
CREATE TABLE opssies_sent (
    event_id   VARCHAR PRIMARY KEY,
    file_name  VARCHAR NOT NULL,
    sent_at    TIMESTAMP NOT NULL
);
