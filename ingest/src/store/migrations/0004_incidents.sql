-- Store schema v4: incident declarations (CERT Santé CSV). Times are Paris wall-clock.

CREATE TABLE incidents (
    import_id          BIGINT NOT NULL,
    declared_at        TIMESTAMP NOT NULL,
    finess_et          VARCHAR NOT NULL,
    incident_type      VARCHAR,
    patient_impact     BOOLEAN,
    declared_to_anssi  BOOLEAN,
    cnil_notified      BOOLEAN,
    cnil_notified_at   TIMESTAMP,
    encryption         BOOLEAN,
    data_leak          BOOLEAN,
    source_row         BIGINT NOT NULL
);

-- A leak must be notified to the CNIL within 72 hours of the declaration.
CREATE VIEW incident_cnil_checks AS
SELECT
    *,
    coalesce(data_leak, false) AND coalesce(cnil_notified, false)
        AND cnil_notified_at > declared_at + INTERVAL 72 HOUR AS cnil_late,
    coalesce(data_leak, false) AND NOT coalesce(cnil_notified, false) AS cnil_missing
FROM incidents;
