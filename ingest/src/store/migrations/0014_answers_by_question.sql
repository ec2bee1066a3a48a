-- Store schema v14: the answers, the store's largest table, stored once per fact.
-- - An answer's domain, maximum points and weight are properties of its question in the
--   catalogue version of its declaration, kept once in `questions`, not with each answer.
-- - A declaration has a number (`declaration_id`); its answers name it by that number
--   instead of repeating the import, the FINESS and the campaign.
-- - Each distinct answer of a question (text as typed, normalised value, points) is kept
--   once in `answer_values`, numbered: a question's answers share a few values (« Oui »,
--   « Non », a few hundred dates). An answer of a declaration is two numbers in
--   `answer_rows`, stored by question, then declaration (side by side, they compress well).
-- The view `answers` gives every answer as the table did, with its question's properties.
ALTER TABLE declarations ADD COLUMN declaration_id BIGINT;
UPDATE declarations SET declaration_id = numbered.id
FROM (SELECT import_id, finess_et, campaign,
             row_number() OVER (ORDER BY import_id, finess_et, campaign) AS id
      FROM declarations) numbered
WHERE declarations.import_id = numbered.import_id AND declarations.finess_et = numbered.finess_et
  AND declarations.campaign = numbered.campaign;

CREATE TABLE answer_values (
    value_id           BIGINT NOT NULL,
    question_code      VARCHAR NOT NULL,
    raw_answer         VARCHAR NOT NULL,
    normalised_value   VARCHAR NOT NULL,
    points             DOUBLE
);
CREATE TABLE answer_rows (
    declaration_id     BIGINT NOT NULL,
    value_id           BIGINT NOT NULL
);
-- A question answered in a store written before this version but missing from `questions`
-- (a catalogue version loaded again with a question more) gets its row from its answers.
INSERT INTO questions (catalogue_version, code, domain, label, answer_type, max_points, weight, expectation)
SELECT d.catalogue_version, a.question_code, any_value(a.domain), a.question_code, 'inconnu',
       any_value(a.max_points), any_value(a.weight), NULL
FROM answers a JOIN declarations d USING (import_id, finess_et, campaign)
WHERE NOT EXISTS (SELECT 1 FROM questions q WHERE q.catalogue_version = d.catalogue_version AND q.code = a.question_code)
GROUP BY d.catalogue_version, a.question_code;
INSERT INTO answer_values
SELECT row_number() OVER (ORDER BY question_code, raw_answer, normalised_value, points), *
FROM (SELECT DISTINCT question_code, raw_answer, normalised_value, points FROM answers);
INSERT INTO answer_rows
SELECT d.declaration_id, v.value_id
FROM answers a
JOIN declarations d USING (import_id, finess_et, campaign)
JOIN answer_values v ON v.question_code = a.question_code AND v.raw_answer = a.raw_answer
                    AND v.normalised_value = a.normalised_value AND v.points IS NOT DISTINCT FROM a.points
ORDER BY d.import_id, a.question_code, d.declaration_id;
DROP VIEW current_answers;
DROP TABLE answers;

CREATE VIEW answers AS
SELECT d.import_id, d.finess_et, d.campaign, v.question_code, q.domain, v.raw_answer, v.normalised_value,
       v.points, q.max_points, q.weight
FROM answer_rows a
JOIN answer_values v USING (value_id)
JOIN declarations d USING (declaration_id)
LEFT JOIN questions q ON q.catalogue_version = d.catalogue_version AND q.code = v.question_code;

CREATE VIEW current_answers AS
SELECT a.*
FROM answers a
JOIN current_declarations d USING (import_id, finess_et, campaign);
