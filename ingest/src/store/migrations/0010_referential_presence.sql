-- Store schema v10: which sites each FINESS extract holds, with the extract's date. The
-- referential keeps one row per site (the newest extract's); this table keeps the history
-- the indicators need: a site absent from a newer extract is closed from that extract's date
-- (and open again if a later one holds it). Stores of schema 9 start with each site's latest
-- extract (their earlier extracts' lists were not kept).
CREATE TABLE referential_presence (
    import_id     BIGINT NOT NULL,
    extract_date  DATE,
    finess_et     VARCHAR NOT NULL
);
INSERT INTO referential_presence SELECT import_id, extract_date, finess_et FROM finess_referential;
