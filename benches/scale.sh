#!/usr/bin/env bash
# End-to-end scale runs of `catchment plan` (read, travel by road, assign,
# zones, write) on synthetic scenarios from examples/gen_scale.rs:
#
#   benches/scale.sh                       # county and prefecture
#   benches/scale.sh county prefecture province
#   TIMEOUT=1200 benches/scale.sh province
#
#   name        units      schools  road nodes
#   county      20,000     60       20,000
#   prefecture  200,000    300      100,000
#   province    2,000,000  3,000    1,000,000
#
# (about 7.5 km2 of street grid per school, as in a rural county.)
#
# Each scenario is generated under target/scale/NAME/ (skipped when its
# scenario.toml was made with the same arguments), then timed with
# `/usr/bin/time -v catchment plan --config target/scale/NAME/scenario.toml
# --out target/scale/NAME/out`, killed after TIMEOUT seconds (default 1200).
# Prints a Markdown table (wall and CPU seconds, timings.json `seconds` and
# `solve_seconds`, peak RSS, input and output sizes) of every scenario run so
# far and writes target/scale/results.json (benches/scale_summary.py); the
# full logs are target/scale/NAME/plan.err. `benches/scale.sh --table` only
# prints the table.
# Exit code 1 from plan (some students unplaced: primary pupils beyond 3 km
# of any school) is expected on these synthetic counties.
# Environment: SEED (default 1), TIMEOUT, CARGO_TARGET_DIR, MEM_LIMIT_GB (an
# address-space limit for plan, `ulimit -v`, so a run too big for the
# machine fails alone instead of waking the OOM killer; default none).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
seed="${SEED:-1}"
timeout="${TIMEOUT:-1200}"
work="$root/target/scale"
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(county prefecture)
if [ "${names[0]}" = "--table" ]; then names=(); fi  # only the table of earlier runs
summarize() { python3 "$root/benches/scale_summary.py" "$work" "$@"; }

if [ ${#names[@]} -gt 0 ]; then
    echo "== building catchment and examples/gen_scale (release)" >&2
    cargo build --release --quiet --bin catchment --example gen_scale
fi
bin="${CARGO_TARGET_DIR:-$root/target}/release"

for name in "${names[@]}"; do
    case "$name" in
        county) args=(--units 20000 --schools 60 --road-nodes 20000) ;;
        prefecture) args=(--units 200000 --schools 300 --road-nodes 100000) ;;
        province) args=(--units 2000000 --schools 3000 --road-nodes 1000000) ;;
        *) echo "unknown scenario $name (county, prefecture, province)" >&2; exit 2 ;;
    esac
    dir="$work/$name"
    stamp="# SYNTHETIC scale scenario: examples/gen_scale.rs ${args[*]} --seed $seed"
    if [ "$(head -n 1 "$dir/scenario.toml" 2>/dev/null)" != "$stamp" ]; then
        echo "== generating $name: ${args[*]} --seed $seed" >&2
        /usr/bin/time -f "generate: %e s wall, %M KB peak" \
            "$bin/examples/gen_scale" "${args[@]}" --seed "$seed" --out "$dir" >&2
    fi
    echo "== plan $name (timeout $timeout s): df -h /tmp: $(df -h /tmp | awk 'NR==2{print $4}') free" >&2
    rm -rf "$dir/out"
    set +e
    (
        if [ -n "${MEM_LIMIT_GB:-}" ]; then ulimit -v $((MEM_LIMIT_GB * 1024 * 1024)); fi
        exec /usr/bin/time -v -o "$dir/time.txt" timeout "$timeout" \
            "$bin/catchment" plan --config "$dir/scenario.toml" --out "$dir/out" \
            > "$dir/plan.out" 2> "$dir/plan.err"
    )
    code=$?
    set -e
    echo "$code" > "$dir/exit_code"
    grep -v '^ *enclave of' "$dir/plan.err" | head -n 12 >&2 || true
    echo "   exit $code; $(grep -E 'Elapsed|Maximum resident' "$dir/time.txt" | tr -s ' \t' ' ' | paste -sd ';')" >&2
    summarize row "$name"
done

summarize table
