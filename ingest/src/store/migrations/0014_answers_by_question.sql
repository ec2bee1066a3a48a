-- Store schema v14: an answer's domain, maximum points and weight are properties of its
-- question in the catalogue version of its declaration, stored once in `questions`, not
-- with each of the millions of answers. `answer_rows` keeps what each declaration said; the
-- view `answers` gives every answer with its question's properties, as the table did.
CREATE TABLE answer_rows (
    import_id          BIGINT NOT NULL,
    finess_et          VARCHAR NOT NULL,
    campaign           BIGINT NOT NULL,
    question_code      VARCHAR NOT NULL,
    raw_answer         VARCHAR NOT NULL,
    normalised_value   VARCHAR NOT NULL,
    points             DOUBLE
);
-- A question answered in a store written before this version but missing from `questions`
-- (a catalogue version loaded again with a question more) gets its row from its answers.
INSERT INTO questions (catalogue_version, code, domain, label, answer_type, max_points, weight, expectation)
SELECT d.catalogue_version, a.question_code, any_value(a.domain), a.question_code, 'inconnu',
       any_value(a.max_points), any_value(a.weight), NULL
FROM answers a JOIN declarations d USING (import_id, finess_et, campaign)
WHERE NOT EXISTS (SELECT 1 FROM questions q WHERE q.catalogue_version = d.catalogue_version AND q.code = a.question_code)
GROUP BY d.catalogue_version, a.question_code;
INSERT INTO answer_rows
SELECT import_id, finess_et, campaign, question_code, raw_answer, normalised_value, points
FROM answers ORDER BY import_id, finess_et, campaign, question_code;
DROP VIEW current_answers;
DROP TABLE answers;

CREATE VIEW answers AS
SELECT a.import_id, a.finess_et, a.campaign, a.question_code, q.domain, a.raw_answer, a.normalised_value,
       a.points, q.max_points, q.weight
FROM answer_rows a
JOIN declarations d USING (import_id, finess_et, campaign)
LEFT JOIN questions q ON q.catalogue_version = d.catalogue_version AND q.code = a.question_code;

CREATE VIEW current_answers AS
SELECT a.*
FROM answers a
JOIN current_declarations d USING (import_id, finess_et, campaign);
