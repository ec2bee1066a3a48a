-- Store schema v2: the oSIS questionnaire (declarations, answers) and its catalogue.

-- Every declaration row of every imported export; the latest per establishment and
-- campaign is current (view current_declarations), older ones stay as history.
CREATE TABLE declarations (
    import_id          BIGINT NOT NULL,
    finess_et          VARCHAR NOT NULL,
    finess_ej          VARCHAR,
    name               VARCHAR,
    campaign           BIGINT NOT NULL,
    catalogue_version  VARCHAR NOT NULL,
    status             VARCHAR,
    updated_on         DATE NOT NULL,
    source_row         BIGINT NOT NULL
);

CREATE TABLE answers (
    import_id          BIGINT NOT NULL,
    finess_et          VARCHAR NOT NULL,
    campaign           BIGINT NOT NULL,
    question_code      VARCHAR NOT NULL,
    domain             VARCHAR NOT NULL,
    raw_answer         VARCHAR NOT NULL,
    normalised_value   VARCHAR NOT NULL,
    points             DOUBLE,
    max_points         DOUBLE,
    weight             DOUBLE NOT NULL
);

-- The catalogue versions campaigns used, as loaded with their first export.
CREATE TABLE questions (
    catalogue_version  VARCHAR NOT NULL,
    code               VARCHAR NOT NULL,
    domain             VARCHAR NOT NULL,
    label              VARCHAR NOT NULL,
    answer_type        VARCHAR NOT NULL,
    max_points         DOUBLE,
    weight             DOUBLE NOT NULL,
    expectation        VARCHAR
);

CREATE VIEW current_declarations AS
SELECT * EXCLUDE (rank_in_campaign)
FROM (
    SELECT d.*, row_number() OVER (
        PARTITION BY finess_et, campaign ORDER BY updated_on DESC, import_id DESC
    ) AS rank_in_campaign
    FROM declarations d
)
WHERE rank_in_campaign = 1;

CREATE VIEW current_answers AS
SELECT a.*
FROM answers a
JOIN current_declarations d USING (import_id, finess_et, campaign);
