"""The job as an analyst does it with DuckDB in Python (see README.md). DuckDB reads the JSON
itself; its XLSX reader is an extension it cannot download here, so the sheets come in as
Arrow tables through fastexcel, as the DuckDB documentation suggests for Excel files."""
import fastexcel
import duckdb

import common

set_dir, out_file, as_of = common.arguments()
questions = common.catalogue()
db = duckdb.connect(out_file)
db.execute("CREATE OR REPLACE TABLE rules (code VARCHAR, domain VARCHAR, kind VARCHAR, op VARCHAR, bound VARCHAR, points DOUBLE, max_points DOUBLE, rank INTEGER)")
db.executemany(
    "INSERT INTO rules VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    [
        (code, domain, kind, op, str(bound), points, common.max_points(question_rules), rank)
        for code, (domain, kind, question_rules, _) in questions.items()
        for rank, (op, bound, points) in enumerate(question_rules)
    ],
)

# 1. The oSIS exports, every cell as text, then long form with UNPIVOT.
first = True
for path in common.osis_files(set_dir):
    sheet = fastexcel.read_excel(path).load_sheet("Réponses", header_row=3, dtypes="string").to_arrow()
    columns = [column for column in sheet.column_names if column.split(" - ")[0] in questions]
    select = ", ".join(f'"{column}"' for column in columns)
    db.register("sheet", sheet)
    statement = f"""
        SELECT "FINESS ET" AS finess, CAST(CAST("Campagne" AS DOUBLE) AS INTEGER) AS campaign,
               coalesce(try_strptime(left("Date de dernière mise à jour", 10), '%Y-%m-%d'),
                        try_strptime("Date de dernière mise à jour", '%d/%m/%Y'))::DATE AS updated,
               split_part(question, ' - ', 1) AS code, answer
        FROM (UNPIVOT (SELECT "FINESS ET", "Campagne", "Date de dernière mise à jour", {select} FROM sheet
                       WHERE regexp_full_match("FINESS ET", '\\d{{9}}'))
              ON {select} INTO NAME question VALUE answer)"""
    db.execute(("CREATE OR REPLACE TABLE answers AS " if first else "INSERT INTO answers ") + statement)
    db.unregister("sheet")
    first = False

# 2. Points by the first rule met, then maturity.
db.execute("""
CREATE OR REPLACE TABLE maturity AS
WITH keyed AS (
    SELECT a.*, r.*,
           CASE WHEN lower(trim(answer)) LIKE 'partiel%' THEN 'partiel' ELSE lower(trim(answer)) END AS key,
           CASE WHEN r.kind = 'date'
                THEN date_diff('day', coalesce(try_strptime(left(answer, 10), '%Y-%m-%d'),
                                               try_strptime(answer, '%d/%m/%Y'))::DATE, updated)
                ELSE TRY_CAST(replace(replace(replace(answer, '%', ''), ' ', ''), ',', '.') AS DOUBLE) END AS value
    FROM answers a JOIN rules r USING (code)
), scored AS (
    SELECT finess, campaign, code, arg_min(points, rank) AS points, any_value(max_points) AS max_points,
           any_value(domain) AS domain
    FROM keyed
    WHERE (op = '=' AND key = bound) OR (op = '<' AND value < TRY_CAST(bound AS DOUBLE))
       OR (op = '<=' AND value <= TRY_CAST(bound AS DOUBLE)) OR (op = '*' AND value IS NOT NULL)
    GROUP BY ALL
), domains AS (
    SELECT finess, campaign, domain, 100 * sum(points) / sum(max_points) AS score FROM scored GROUP BY ALL
)
SELECT finess, campaign, avg(score) AS score FROM domains GROUP BY ALL
""")

# 3. Exercises from the JSON files, read by DuckDB itself.
files = ", ".join(f"'{path}'" for path in common.event_files(set_dir))
db.execute(f"""
CREATE OR REPLACE TABLE exercises AS
SELECT (SELECT i.__text FROM (SELECT unnest(s.stakeholderId) AS i FROM (SELECT unnest(e.stakeholders) AS s))
        WHERE i.stakeholderIdType = 2 LIMIT 1) AS finess,
       strptime(left((SELECT d.__text FROM (SELECT unnest(e.dates) AS d) WHERE d.dateType = 7 LIMIT 1), 8), '%Y%m%d')::DATE AS completed
FROM (SELECT unnest(events.event) AS e FROM read_json([{files}], union_by_name = true, maximum_object_size = 100000000))
WHERE e.eventType = 43
""")
db.execute(f"""
CREATE OR REPLACE TABLE latest AS
SELECT m.finess, m.campaign, m.score,
       EXISTS (SELECT 1 FROM exercises x WHERE x.finess = m.finess AND x.completed <= DATE '{as_of}'
               AND x.completed > DATE '{as_of}' - INTERVAL 365 DAY) AS exercise_done
FROM maturity m QUALIFY row_number() OVER (PARTITION BY finess ORDER BY campaign DESC) = 1
""")
scored, establishments, rate = db.execute(
    "SELECT (SELECT count(*) FROM answers), count(*), avg(exercise_done::INT) FROM latest").fetchone()
print(f"duckdb: {scored} answers, {establishments} establishments, exercise rate {rate:.1%}")
