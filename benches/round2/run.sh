#!/usr/bin/env bash
# The rows of the performance targets that are not the end-to-end comparison with the peers
# (benches/peers/run.sh does those), on one generated set, in one run:
#   - one new OPSSIES event file, then one new oSIS export, into the store of the rest of the
#     set, with today's indicators refreshed (`ingest` + `report`, whole processes);
#   - the store's size per million answers;
#   - every page with every filter of the spec, each address never asked before, and
#     reference dates never asked before (pages.py against `opssies serve`, one client).
# Usage: benches/round2/run.sh SET_DIR [TODAY]   (SET_DIR from `opssies demo-data`)
# Needs: target/release/opssies, GNU time, python3 with duckdb (benches/peers/requirements.txt).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$(dirname "$here")")"
set_dir="$(cd "$1" && pwd)"
today="${2:-2026-11-29}"
opssies="${OPSSIES:-$root/target/release/opssies}"
work="$(mktemp -d)"
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
timed() { # label, command…: prints "label seconds peak_MiB"
    local label="$1"; shift
    /usr/bin/time -f "%e %M" -o "$work/time" "$@" > "$work/out" 2>&1 || { cat "$work/out"; exit 1; }
    read -r seconds kib < "$work/time"
    printf '%-44s %7.2f s %6d MiB\n' "$label" "$seconds" "$((kib / 1024))"
}
# Held back: the newest oSIS export and the last stored OPSSIES event file of the manifest.
read -r held_osis held_events < <(python3 - "$set_dir/manifest.json" <<'PY'
import json, sys
files = json.load(open(sys.argv[1]))["files"]
osis = [f["name"] for f in files if f["kind"] == "osis"]
events = [f["name"] for f in files if f["kind"] == "opssies-events" and f["expected"]["status"] == "stored"]
print(osis[-1], events[-1])
PY
)
mkdir "$work/base"
(cd "$set_dir" && find . -type f ! -name manifest.json) | sed 's|^\./||' | while read -r name; do
    if [ "$name" != "$held_osis" ] && [ "$name" != "$held_events" ]; then
        mkdir -p "$work/base/$(dirname "$name")"
        ln -s "$set_dir/$name" "$work/base/$name"
    fi
done
ln -s "$set_dir/manifest.json" "$work/base/manifest.json"
echo "set: $set_dir ($(du -shL "$set_dir" | cut -f1)); held back: $held_events, $held_osis"
timed "store of the rest: ingest" "$opssies" ingest --store "$work/base.duckdb" "$work/base"
timed "store of the rest: report (every indicator)" "$opssies" report --store "$work/base.duckdb" --as-of "$today" --format json
for held in "$held_events" "$held_osis"; do
    rm -f "$work/one.duckdb" "$work/one.duckdb.wal"
    cp "$work/base.duckdb" "$work/one.duckdb"
    [ -f "$work/base.duckdb.wal" ] && cp "$work/base.duckdb.wal" "$work/one.duckdb.wal"
    start=$(date +%s.%N)
    timed "+ $(basename "$held"): ingest" "$opssies" ingest --store "$work/one.duckdb" "$set_dir/$held"
    timed "+ $(basename "$held"): report (today refreshed)" "$opssies" report --store "$work/one.duckdb" --as-of "$today" --format json
    printf '%-44s %7.2f s\n' "+ $(basename "$held"): both" "$(echo "$(date +%s.%N) - $start" | bc)"
done
# The whole set, then its size per million answers.
rm -f "$work/one.duckdb" "$work/one.duckdb.wal"
"$opssies" ingest --store "$work/all.duckdb" "$set_dir" > /dev/null
python3 - "$work/all.duckdb" <<'PY'
import os, sys, duckdb
path = sys.argv[1]
size = os.path.getsize(path) + (os.path.getsize(path + ".wal") if os.path.exists(path + ".wal") else 0)
con = duckdb.connect(path, read_only=True)
answers = con.execute("SELECT count(*) FROM answers").fetchone()[0]
print(f"store: {size / 2**20:.1f} MiB for {answers:,} answers: {size / 2**20 / (answers / 1e6):.2f} MiB per million answers")
PY
# The pages, on the whole set, as an ARS analyst.
password="un mot de passe de banc assez long"
printf '%s\n%s\n' "$password" "$password" | "$opssies" user --store "$work/all.duckdb" add banc --role ars > /dev/null
port=$((20000 + RANDOM % 20000))
"$opssies" serve --store "$work/all.duckdb" --listen "127.0.0.1:$port" > "$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 600); do curl -fs "http://127.0.0.1:$port/sante" > /dev/null 2>&1 && break; sleep 0.2; done
# The server computes the day's shared views in the background at start: let it finish.
sleep "${WARM_SECONDS:-20}"
python3 "$here/pages.py" "http://127.0.0.1:$port" banc "$password"
