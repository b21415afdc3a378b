#!/usr/bin/env bash
# Refresh the example maps shown in the README: run the bundled example and
# copy its maps into the repository's maps/ folder.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --release -- plan --out out
mkdir -p maps
cp out/maps/*.png out/maps/*.svg maps/
