#!/usr/bin/env bash
# End to end on the same files, in the same run: opssies (ingest + every indicator) against
# pandas + openpyxl, polars + fastexcel and DuckDB in Python (the scripts here).
# Usage: benches/peers/run.sh SET_DIR [AS_OF]   (SET_DIR from `opssies demo-data`)
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
{
    ours_ingest=$(measure opssies-ingest "$opssies" ingest --store "$work/opssies.duckdb" "$work/set")
    ours_report=$(measure opssies-report "$opssies" report --store "$work/opssies.duckdb" --as-of "$as_of" --format json)
    echo "$ours_ingest"
    echo "$ours_report"
    measure pandas-openpyxl python3 "$peers/pandas_openpyxl.py" "$work/set" "$work/pandas.parquet" "$as_of"
    measure polars-fastexcel python3 "$peers/polars_fastexcel.py" "$work/set" "$work/polars.parquet" "$as_of"
    measure duckdb-python python3 "$peers/duckdb_python.py" "$work/set" "$work/duckdb.duckdb" "$as_of"
} > "$work/results"
awk -v size="$size" '
    $1 == "opssies-ingest" { ingest = $2; peak = $3; next }
    $1 == "opssies-report" { ours = ingest + $2; if ($3 > peak) peak = $3;
                             printf "files: %s\n%-18s %8.2f s %7d MiB (ingest %.2f s + indicators %.2f s)\n", size, "opssies", ours, peak, ingest, $2; next }
    { printf "%-18s %8.2f s %7d MiB   %.2f× the time of opssies\n", $1, $2, $3, $2 / ours }
' "$work/results"
for name in pandas-openpyxl polars-fastexcel duckdb-python; do tail -1 "$work/$name.out"; done
