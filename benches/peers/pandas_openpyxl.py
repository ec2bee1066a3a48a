"""The job as an analyst does it today with pandas and openpyxl (see README.md)."""
import datetime as dt

import pandas as pd

import common

set_dir, out_file, as_of = common.arguments()
questions = common.catalogue()

# 1. The oSIS exports: three title lines, one row per declaration, one column per question.
frames = []
for path in common.osis_files(set_dir):
    frame = pd.read_excel(path, sheet_name="Réponses", header=3, engine="openpyxl", dtype={"FINESS ET": str})
    frame = frame[frame["FINESS ET"].str.fullmatch(r"\d{9}", na=False)]  # the Total line
    frames.append(frame)
wide = pd.concat(frames, ignore_index=True)
wide["updated"] = pd.to_datetime(wide["Date de dernière mise à jour"], dayfirst=True, errors="coerce")

# 2. Long form: one row per answer.
question_columns = [column for column in wide.columns if column.split(" - ")[0] in questions]
answers = wide.melt(
    id_vars=["FINESS ET", "Campagne", "updated"], value_vars=question_columns, var_name="question", value_name="answer"
).dropna(subset=["answer"])
answers["code"] = answers["question"].str.split(" - ").str[0]

# 3. Points per answer, by the catalogue's rules.
def score(code, answer, updated):
    domain, kind, rules, weight = questions[code]
    if kind in ("oui_non", "oui_partiel_non", "niveau3"):
        key = common.text_key(answer)
        return next((points for _, value, points in rules if value == key), None)
    if kind == "date":
        day = common.date(answer)
        if day is None or pd.isna(updated):
            return None
        return common.points_for_number(rules, (updated.date() - day).days)
    value = common.number(answer)
    return None if value is None else common.points_for_number(rules, value)

answers["points"] = [score(c, a, u) for c, a, u in zip(answers["code"], answers["answer"], answers["updated"])]
answers = answers.dropna(subset=["points"])
answers["domain"] = answers["code"].map(lambda code: questions[code][0])
answers["max_points"] = answers["code"].map(lambda code: common.max_points(questions[code][2]))

# 4. Maturity: domain score = 100 × points ÷ maximum; overall = mean of the domains.
domains = answers.groupby(["FINESS ET", "Campagne", "domain"], as_index=False)[["points", "max_points"]].sum()
domains["score"] = 100 * domains["points"] / domains["max_points"]
maturity = domains.groupby(["FINESS ET", "Campagne"], as_index=False)["score"].mean()
latest = maturity.sort_values("Campagne").groupby("FINESS ET").tail(1)

# 5. Exercise completion as of the date: an exercise (event 43) completed in the last 365 days.
done = common.exercise_completions(set_dir)
exercises = pd.DataFrame(done, columns=["finess", "completed"])
recent = exercises[(exercises["completed"] <= as_of) & (exercises["completed"] > as_of - dt.timedelta(days=365))]
population = set(latest["FINESS ET"])
rate = len(population & set(recent["finess"])) / len(population)

# 6. A file others can query.
latest.assign(exercise_done=latest["FINESS ET"].isin(set(recent["finess"]))).to_parquet(out_file)
print(f"pandas: {len(answers)} answers scored, {len(latest)} establishments, exercise rate {rate:.1%}")
