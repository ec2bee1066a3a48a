#!/usr/bin/env bash
# Seeds each fuzz target's corpus with the ministry's reference files (../shared/reference,
# not copied into the repository) and the project's samples. Corpora live in fuzz/corpus/
# (ignored by git); run from anywhere.
set -euo pipefail
fuzz_dir="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$fuzz_dir")"
shared="${OPSSIES_SHARED:-$root/../shared}"
samples="$root/data/samples"
seed() {
    local target="$1"; shift
    mkdir -p "$fuzz_dir/corpus/$target"
    for file in "$@"; do
        [ -f "$file" ] && cp "$file" "$fuzz_dir/corpus/$target/$(basename "$file")"
    done
    return 0
}
shopt -s nullglob
reference_json=("$shared"/reference/opssies-v013/*.json "$shared"/reference/opssies-v013/validator-examples/*.json)
seed opssies_events "${reference_json[@]}" "$samples"/*.json
seed etalab "$samples"/etalab-*.csv
seed csv_reader "$samples"/*.csv
seed xlsx_reader "$samples"/*.xlsx
seed self_assessment "$samples"/grille*.xlsx "$samples"/grilles*.csv
seed aap "$samples"/dossiers-aap-*.xlsx
for target in "$fuzz_dir"/corpus/*; do
    echo "$(basename "$target"): $(ls "$target" | wc -l) seed files"
done
