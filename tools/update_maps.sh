#!/usr/bin/env bash
# Refresh the example maps and report shown in the README: run the bundled
# example's report (it plans the example, forecasts it and compares the
# what-if) and copy into the repository's maps/ folder:
#   maps/primary.png|svg, maps/junior.png|svg   catchment maps
#   maps/forecast_<level>_<year>.png              seat gap maps of the default year
#   maps/report.html                              the self-contained report
# The outputs are deterministic: re-running on unchanged code and data gives
# byte-identical files (git shows no change). CATCHMENT=path/to/catchment
# uses a built binary instead of `cargo run --release`.
set -euo pipefail
cd "$(dirname "$0")/.."
CATCHMENT="${CATCHMENT:-cargo run --release --quiet --}"
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT
$CATCHMENT report --compare data/wuzhai/whatif.toml --out "$OUT"
mkdir -p maps
rm -f maps/forecast_*.png maps/forecast_*.svg
cp "$OUT"/maps/primary.png "$OUT"/maps/primary.svg "$OUT"/maps/junior.png "$OUT"/maps/junior.svg maps/
cp "$OUT"/maps/forecast_*.png maps/
cp "$OUT"/report.html maps/report.html
ls -l maps/
