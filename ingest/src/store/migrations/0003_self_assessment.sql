-- Store schema v3: self-assessment grids (kit choice). Every grid is kept; the latest per
-- establishment counts (view latest_self_assessments).

CREATE TABLE self_assessments (
    import_id        BIGINT NOT NULL,
    finess_et        VARCHAR NOT NULL,
    assessed_on      DATE,
    contact          VARCHAR,
    complete         BOOLEAN NOT NULL,
    answered         BIGINT NOT NULL,
    score            BIGINT,
    recommended_kit  VARCHAR CHECK (recommended_kit IN ('débutant', 'intermédiaire', 'confirmé'))
);

CREATE TABLE self_assessment_levels (
    import_id    BIGINT NOT NULL,
    finess_et    VARCHAR NOT NULL,
    assessed_on  DATE,
    question     BIGINT NOT NULL,
    level        VARCHAR NOT NULL,
    points       BIGINT NOT NULL
);

CREATE VIEW latest_self_assessments AS
SELECT * EXCLUDE (rank_for_establishment)
FROM (
    SELECT s.*, row_number() OVER (
        PARTITION BY finess_et ORDER BY assessed_on DESC NULLS LAST, import_id DESC
    ) AS rank_for_establishment
    FROM self_assessments s
)
WHERE rank_for_establishment = 1;
