"""The job as a keen analyst does it with polars and fastexcel (see README.md)."""
import datetime as dt

import polars as pl

import common

set_dir, out_file, as_of = common.arguments()
questions = common.catalogue()
rules = pl.DataFrame(
    [
        {"code": code, "domain": domain, "kind": kind, "op": op, "bound": str(bound), "points": points,
         "max_points": common.max_points(question_rules), "rank": rank}
        for code, (domain, kind, question_rules, _) in questions.items()
        for rank, (op, bound, points) in enumerate(question_rules)
    ]
)

# 1. The oSIS exports: three title lines, then the header.
frames = []
for path in common.osis_files(set_dir):
    frame = pl.read_excel(path, sheet_name="Réponses", engine="calamine", read_options={"header_row": 3},
                          infer_schema_length=0)  # every column as text, as the answers are mixed
    frames.append(frame.filter(pl.col("FINESS ET").str.contains(r"^\d{9}$")))
wide = pl.concat(frames, how="diagonal")

# 2. Long form.
question_columns = [column for column in wide.columns if column.split(" - ")[0] in questions]
answers = (
    wide.unpivot(index=["FINESS ET", "Campagne", "Date de dernière mise à jour"], on=question_columns,
                 variable_name="question", value_name="answer")
    .drop_nulls("answer")
    .with_columns(
        code=pl.col("question").str.split(" - ").list.first(),
        updated=pl.coalesce(
            pl.col("Date de dernière mise à jour").str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False),
            pl.col("Date de dernière mise à jour").str.to_date("%d/%m/%Y", strict=False)),
    )
)

# 3. Points: text answers by equality, numbers and date ages by the first threshold met.
text = pl.col("answer").str.strip_chars().str.to_lowercase()
answers = answers.with_columns(
    key=pl.when(text.str.starts_with("partiel")).then(pl.lit("partiel")).otherwise(text),
    number=pl.col("answer").str.replace_all("[% ]", "").str.replace(",", ".").cast(pl.Float64, strict=False),
    age=(pl.col("updated") - pl.coalesce(pl.col("answer").str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False),
                                         pl.col("answer").str.to_date("%d/%m/%Y", strict=False))).dt.total_days(),
)
candidates = answers.join(rules, on="code").with_columns(
    value=pl.when(pl.col("kind") == "date").then(pl.col("age")).otherwise(pl.col("number"))
)
bound = pl.col("bound").cast(pl.Float64, strict=False)
met = (
    ((pl.col("op") == "=") & (pl.col("key") == pl.col("bound")))
    | ((pl.col("op") == "<") & (pl.col("value") < bound))
    | ((pl.col("op") == "<=") & (pl.col("value") <= bound))
    | ((pl.col("op") == "*") & pl.col("value").is_not_null())
)
scored = (
    candidates.filter(met)
    .sort("rank")
    .group_by(["FINESS ET", "Campagne", "code"], maintain_order=False)
    .agg(pl.first("points"), pl.first("max_points"), pl.first("domain"))
)

# 4. Maturity.
maturity = (
    scored.group_by(["FINESS ET", "Campagne", "domain"])
    .agg(score=100 * pl.sum("points") / pl.sum("max_points"))
    .group_by(["FINESS ET", "Campagne"])
    .agg(pl.mean("score"))
)
latest = maturity.sort("Campagne").group_by("FINESS ET").last()

# 5. Exercise completion as of the date.
done = [{"finess": finess, "completed": completed} for finess, completed in common.exercise_completions(set_dir)]
exercises = pl.DataFrame(done, schema={"finess": pl.String, "completed": pl.Date})
recent = exercises.filter((pl.col("completed") <= as_of) & (pl.col("completed") > as_of - dt.timedelta(days=365)))
latest = latest.with_columns(exercise_done=pl.col("FINESS ET").is_in(recent["finess"].implode()))
rate = latest["exercise_done"].mean()

# 6. A file others can query.
latest.write_parquet(out_file)
print(f"polars: {scored.height} answers scored, {latest.height} establishments, exercise rate {rate:.1%}")
