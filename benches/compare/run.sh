#!/usr/bin/env bash
# Side by side: this crate's exact solver against the Python peers OR-Tools
# SimpleMinCostFlow and SciPy linprog(method="highs"), on identical instances
# from synth::clustered(units, schools, 8, seed 1). One command reproduces the
# figures:
#
#   benches/compare/run.sh                 # 2,000 x 20, 20,000 x 60, 200,000 x 300
#   SIZES="2000x20 20000x60" benches/compare/run.sh    # a subset
#
# Environment (all optional):
#   COMPARE_VENV   Python venv for the peers (default target/compare-venv); made
#                  and filled from PyPI (ortools, scipy, numpy) when missing.
#   PYTHON         Python used to make the venv (default python3).
#   SIZES          space-separated UNITSxSCHOOLS (default: the three above).
#   CANDIDATES     candidate schools per unit (default 8); SEED (default 1).
#   TIMEOUT        seconds before a peer is killed and reported "timeout" (600).
#   REPEAT         solves per solver, best time reported (3; a peer stops
#                  repeating once its solves took 60 s).
#   CARGO_TARGET_DIR is honoured.
#
# Writes the instances and per-size JSON under target/compare/, prints a
# Markdown table and writes benches/compare/results.json. See
# benches/compare/README.md for the file format and the model.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

venv="${COMPARE_VENV:-$root/target/compare-venv}"
python="${PYTHON:-python3}"
sizes="${SIZES:-2000x20 20000x60 200000x300}"
candidates="${CANDIDATES:-8}"
seed="${SEED:-1}"
timeout="${TIMEOUT:-600}"
repeat="${REPEAT:-3}"
work="$root/target/compare"
mkdir -p "$work"

if ! "$venv/bin/python" -c 'import ortools, scipy, numpy' 2>/dev/null; then
    echo "== making $venv (pip: ortools scipy numpy)" >&2
    "$python" -m venv "$venv"
    "$venv/bin/pip" install --quiet --upgrade pip
    "$venv/bin/pip" install --quiet ortools scipy numpy
fi
peers=("$venv/bin/python" "$here/peers.py")

echo "== building examples/compare_instance (release)" >&2
cargo build --release --quiet --example compare_instance
bin="${CARGO_TARGET_DIR:-$root/target}/release/examples/compare_instance"

rows=()
for size in $sizes; do
    units="${size%x*}"
    schools="${size#*x}"
    name="${units}x${schools}_c${candidates}_s${seed}"
    inst="$work/$name.txt"
    echo "== $units units x $schools schools ($candidates candidates, seed $seed)" >&2
    "$bin" write --units "$units" --schools "$schools" --candidates "$candidates" \
        --seed "$seed" --out "$inst" >&2
    "$bin" solve "$inst" --repeat "$repeat" > "$work/$name.ours.json"
    "${peers[@]}" compare "$inst" --ours "$work/$name.ours.json" \
        --timeout "$timeout" --repeat "$repeat" > "$work/$name.row.json"
    rows+=("$work/$name.row.json")
done

"${peers[@]}" table "${rows[@]}" --json "$here/results.json"
echo "(wrote $here/results.json)" >&2
