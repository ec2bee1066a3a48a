-- Store schema v5: the exercise follow-up workbook, and exercises from either source.

CREATE TABLE exercises (
    import_id          BIGINT NOT NULL,
    finess_et          VARCHAR NOT NULL,
    planned_on         DATE,
    completed_on       DATE,
    kit                VARCHAR,
    kit_as_written     VARCHAR,
    scenario           VARCHAR,
    provider           VARCHAR,
    aap_funded         BOOLEAN,
    direction_present  BOOLEAN,
    observers          BIGINT,
    retex_on           DATE,
    cancelled          BOOLEAN NOT NULL,
    source_row         BIGINT NOT NULL
);

CREATE TABLE actions (
    import_id    BIGINT NOT NULL,
    finess_et    VARCHAR NOT NULL,
    exercise_on  DATE,
    action       VARCHAR NOT NULL,
    owner        VARCHAR,
    deadline     DATE,
    status       VARCHAR,
    closed_on    DATE,
    source_row   BIGINT NOT NULL
);

CREATE VIEW action_checks AS
SELECT *, owner IS NULL AS missing_owner, deadline IS NULL AS missing_deadline
FROM actions;

-- One row per exercise, whatever reported it: a workbook exercise and an OPSSIES event 43
-- of the same establishment completed within 7 days of each other are one exercise.
CREATE VIEW exercise_records AS
WITH workbook AS (
    SELECT finess_et, planned_on, completed_on, kit, direction_present, retex_on, aap_funded, import_id, source_row
    FROM exercises
    WHERE NOT cancelled
),
reported AS (
    SELECT ee.finess_et, e.event_id,
           CAST(e.completed_at AS DATE) AS completed_on,
           CAST(e.completion_planned_at AS DATE) AS planned_on
    FROM events e
    JOIN event_establishments ee USING (event_id)
    WHERE e.event_type = 43 AND e.completion_cancelled_at IS NULL
),
matched AS (
    SELECT w.*, r.event_id
    FROM workbook w
    LEFT JOIN reported r
      ON r.finess_et = w.finess_et
     AND w.completed_on IS NOT NULL AND r.completed_on IS NOT NULL
     AND abs(date_diff('day', w.completed_on, r.completed_on)) <= 7
)
SELECT finess_et, planned_on, completed_on, kit, direction_present, retex_on, aap_funded,
       event_id, import_id AS workbook_import_id, source_row AS workbook_row,
       CASE WHEN event_id IS NULL THEN 'classeur' ELSE 'classeur+opssies' END AS sources
FROM matched
UNION ALL
SELECT r.finess_et, r.planned_on, r.completed_on, NULL, NULL, NULL, NULL,
       r.event_id, NULL, NULL, 'opssies'
FROM reported r
WHERE NOT EXISTS (SELECT 1 FROM matched m WHERE m.event_id = r.event_id);
