#!/usr/bin/env bash
# End to end on the same files, in the same run: opssies (ingest + every indicator) against
# pandas + openpyxl, polars + fastexcel and DuckDB in Python (the scripts here).
# Usage: benches/peers/run.sh SET_DIR [AS_OF]   (SET_DIR from `opssies demo-data`)
# ROUNDS=N (default 1) runs opssies, polars and DuckDB N times, interleaved, and compares
# each one's best time (this machine's speed drifts by half within minutes); pandas, five
# times slower, runs once.
# Needs: target/release/opssies (cargo build --release --bin opssies), GNU time, and
# `pip install -r benches/peers/requirements.txt`.
set -euo pipefail
peers="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$(dirname "$peers")")"
set_dir="$(cd "$1" && pwd)"
as_of="${2:-2026-11-29}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# The files every contender reads: FINESS extract, oSIS exports, OPSSIES events.
mkdir "$work/set"
ln -s "$set_dir"/osis "$set_dir"/opssies "$work/set/"
ln -s "$set_dir"/etalab-*.csv "$work/set/"
size=$(du -shL "$work/set" | cut -f1)
measure() { # name, command…: prints "name seconds peak_MiB"
    local name="$1"; shift
    /usr/bin/time -f "%e %M" -o "$work/time" "$@" > "$work/$name.out" 2>&1 || { cat "$work/$name.out"; exit 1; }
    read -r seconds kib < "$work/time"
    echo "$name $seconds $((kib / 1024))"
}
opssies="$root/target/release/opssies"
rounds="${ROUNDS:-1}"
{
    for round in $(seq "$rounds"); do
        rm -f "$work/opssies.duckdb" "$work/opssies.duckdb.wal"
        ingest=$(measure opssies-ingest "$opssies" ingest --store "$work/opssies.duckdb" "$work/set")
        report=$(measure opssies-report "$opssies" report --store "$work/opssies.duckdb" --as-of "$as_of" --format json)
        echo "$round $ingest"
        echo "$round $report"
        if [ "$round" = 1 ]; then
            echo "$round $(measure pandas-openpyxl python3 "$peers/pandas_openpyxl.py" "$work/set" "$work/pandas.parquet" "$as_of")"
        fi
        echo "$round $(measure polars-fastexcel python3 "$peers/polars_fastexcel.py" "$work/set" "$work/polars.parquet" "$as_of")"
        echo "$round $(measure duckdb-python python3 "$peers/duckdb_python.py" "$work/set" "$work/duckdb.duckdb" "$as_of")"
    done
} > "$work/results"
echo "files: $size, rounds: $rounds (times per round, then each contender's best)"
awk '
    $2 == "opssies-ingest" { ingest[$1] = $3; peak[$1] = $4; next }
    $2 == "opssies-report" { total = ingest[$1] + $3; p = ($4 > peak[$1]) ? $4 : peak[$1];
                             printf "round %s %-18s %8.2f s %7d MiB (ingest %.2f s + indicators %.2f s)\n", $1, "opssies", total, p, ingest[$1], $3;
                             if (!("opssies" in best) || total < best["opssies"]) best["opssies"] = total; next }
    { printf "round %s %-18s %8.2f s %7d MiB\n", $1, $2, $3, $4;
      if (!($2 in best) || $3 < best[$2]) best[$2] = $3; if (!($2 in seen)) { seen[$2] = 1; order[++n] = $2 } }
    END {
        printf "best   %-18s %8.2f s\n", "opssies", best["opssies"];
        for (i = 1; i <= n; i++) printf "best   %-18s %8.2f s   %.2f× the time of opssies\n", order[i], best[order[i]], best[order[i]] / best["opssies"]
    }
' "$work/results"
for name in pandas-openpyxl polars-fastexcel duckdb-python; do tail -1 "$work/$name.out"; done
