#!/usr/bin/env bash
# Runs every fuzz target for SECONDS (default 600) each, two at a time on two cores, and
# prints each run's last status line. Logs in fuzz/logs/. Needs nightly and cargo-fuzz.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-600}"
./seed-corpora.sh > /dev/null
mkdir -p logs
run() {
    for target in "$@"; do
        cargo +nightly fuzz run -O "$target" -- -max_total_time="$seconds" -print_final_stats=1 \
            > "logs/$target.log" 2>&1 || echo "$target: FAILED (see fuzz/logs/$target.log and fuzz/artifacts/$target/)"
        echo "$target: $(grep -E '^#[0-9]+.*(DONE|pulse|NEW|REDUCE)' "logs/$target.log" | tail -1)"
    done
}
run opssies_events etalab csv_reader &
run xlsx_reader self_assessment aap &
wait
