#!/usr/bin/env bash
# Fuzz every input reader for N seconds each (default 60):
#   fuzz/run_all.sh [SECONDS] [TARGET...]
# Needs the nightly toolchain (rustup toolchain install nightly); installs
# cargo-fuzz from crates.io when missing. Seeds are read from
# fuzz/corpus/<target>/ (kept in git, never written); what the fuzzer finds
# goes to fuzz/work/<target>/, crashes to fuzz/artifacts/<target>/, the
# full output to fuzz/logs/<target>.log (all three ignored by git).
# Prints one line per target (runs, runs/s, coverage, crash or not); exits
# 1 if any target crashed. Reproduce a crash:
#   cd fuzz && cargo +nightly fuzz run TARGET artifacts/TARGET/crash-...
set -euo pipefail
cd "$(dirname "$0")"
secs="${1:-60}"
shift || true
case "$secs" in '' | *[!0-9]*)
  echo "usage: fuzz/run_all.sh [SECONDS] [TARGET...]" >&2
  exit 2
  ;;
esac

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "installing cargo-fuzz from crates.io" >&2
  cargo install cargo-fuzz --locked
fi

if [ "$#" -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(cargo +nightly fuzz list)
fi

# `cargo fuzz run` builds each target (the first build of the crate with
# the sanitizer takes minutes; later targets reuse it).
mkdir -p logs
failed=0
printf '%-22s %12s %8s %8s %8s  %s\n' target runs runs/s cov ft result
for t in "${targets[@]}"; do
  mkdir -p "work/$t" "corpus/$t"
  log="logs/$t.log"
  if cargo +nightly fuzz run -O "$t" "work/$t" "corpus/$t" -- \
    -max_total_time="$secs" -print_final_stats=1 >"$log" 2>&1; then
    result=ok
  else
    result="CRASH (see $log, fuzz/artifacts/$t/)"
    failed=1
  fi
  # The last status line: "#123456 DONE cov: 1234 ft: 5678 corp: ... exec/s: 999 rss: ..."
  line=$(grep -aE '^#[0-9]+' "$log" | tail -n 1 || true)
  runs=$(sed -nE 's/^#([0-9]+).*/\1/p' <<<"$line")
  cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$line")
  ft=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$line")
  rate=$(sed -nE 's/.* exec\/s: ([0-9]+).*/\1/p' <<<"$line")
  printf '%-22s %12s %8s %8s %8s  %s\n' "$t" "${runs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "$result"
done
exit "$failed"
