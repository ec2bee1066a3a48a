"""What every peer script shares: the question catalogue and its scoring rules, the list of
input files, and the command line. Pure Python (the catalogue has 35 lines); the work on the
data is each library's own."""
import csv
import datetime as dt
import glob
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def arguments():
    """SET_DIR OUT_FILE [AS_OF]: the generated set, the file to write, the reference date."""
    if len(sys.argv) < 3:
        sys.exit(f"usage: {sys.argv[0]} SET_DIR OUT_FILE [AS_OF=2026-11-29]")
    as_of = dt.date.fromisoformat(sys.argv[3] if len(sys.argv) > 3 else "2026-11-29")
    return sys.argv[1], sys.argv[2], as_of


def osis_files(set_dir):
    return sorted(glob.glob(os.path.join(set_dir, "osis", "*.xlsx")))


def event_files(set_dir):
    return sorted(glob.glob(os.path.join(set_dir, "opssies", "*.json")))


def catalogue():
    """code -> (domain, type, rules, weight); rules are (operator, bound, points) or a text map."""
    questions = {}
    with open(os.path.join(ROOT, "data", "catalogue", "v1.csv"), encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter=";"):
            rules = []
            for part in filter(None, row["points"].split("|")):
                key, points = part.rsplit(":", 1) if ":" in part else part.split("=")
                if "=" in part and ":" not in part:
                    key, points = part.split("=")
                    rules.append(("=", key, float(points)))
                else:
                    match = re.match(r"(<=|<|\*)(.*)", key)
                    rules.append((match.group(1), float(match.group(2)) if match.group(2) else None, float(points)))
            if rules:
                questions[row["code"]] = (row["domaine"], row["type"], rules, float(row["poids"] or 1))
    return questions


def points_for_number(rules, value):
    for operator, bound, points in rules:
        if operator == "*" or (operator == "<" and value < bound) or (operator == "<=" and value <= bound):
            return points
    return None


def max_points(rules):
    return max(points for _, _, points in rules)


def text_key(value):
    """'Oui' / 'oui ' / 'Partiellement' -> 'oui' / 'partiel'."""
    word = str(value).strip().lower()
    return "partiel" if word.startswith("partiel") else word


def number(value):
    """79, '92 %', '0,5' -> float, else None."""
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).replace("%", "").replace(",", ".").strip()
    try:
        return float(text)
    except ValueError:
        return None


def date(value):
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.datetime.strptime(str(value).strip()[:10], "%d/%m/%Y").date()
    except ValueError:
        return None


def exercise_completions(set_dir):
    """(FINESS ET, completion date) of every exercise event (43) in the OPSSIES JSON files.
    Plain Python for pandas and polars alike: neither reads this nested JSON better."""
    done = []
    for path in event_files(set_dir):
        with open(path, encoding="utf-8-sig") as handle:
            document = json.load(handle)
        for event in document.get("events", {}).get("event", []):
            if event.get("eventType") != 43:
                continue
            finess = next(
                (i["__text"] for s in event.get("stakeholders", []) for i in s.get("stakeholderId", [])
                 if isinstance(i, dict) and i.get("stakeholderIdType") == 2),
                None,
            )
            completed = next((d["__text"] for d in event.get("dates", []) if d.get("dateType") == 7), None)
            if finess and completed:
                done.append((finess, dt.datetime.strptime(completed[:8], "%Y%m%d").date()))
    return done
