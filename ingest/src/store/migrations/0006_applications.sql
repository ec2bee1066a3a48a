-- Store schema v6: AAP applications (Démarches Simplifiées export). Each export is kept;
-- the latest import of an application (by its platform ID) is current.

CREATE TABLE applications (
    import_id                   BIGINT NOT NULL,
    application_id              BIGINT NOT NULL,
    email                       VARCHAR,
    civility                    VARCHAR,
    last_name                   VARCHAR,
    first_name                  VARCHAR,
    archived                    BOOLEAN,
    state                       VARCHAR NOT NULL CHECK (state IN ('en_construction', 'en_instruction', 'accepte', 'refuse', 'sans_suite')),
    updated_at                  TIMESTAMP,
    deposited_at                TIMESTAMP,
    instruction_at              TIMESTAMP,
    decided_at                  TIMESTAMP,
    decision_reason             VARCHAR,
    instructors                 VARCHAR,
    finess_et                   VARCHAR,
    self_assessment_score       BIGINT,
    order_amount                DOUBLE,
    planned_exercise_on         DATE,
    declared_opssies_update_on  DATE,
    grid_attachment             VARCHAR,
    order_attachment            VARCHAR,
    invoice_attachment          VARCHAR,
    paid_on                     DATE,
    state_as_written            VARCHAR NOT NULL,
    source_row                  BIGINT NOT NULL
);

CREATE VIEW current_applications AS
SELECT * EXCLUDE (rank_of_export)
FROM (
    SELECT a.*, row_number() OVER (PARTITION BY application_id ORDER BY import_id DESC) AS rank_of_export
    FROM applications a
)
WHERE rank_of_export = 1;
