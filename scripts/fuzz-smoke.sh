#!/usr/bin/env bash
# Fuzz smoke run: build every cargo-fuzz target and run each for SECONDS
# (default 30) from its committed corpus. Fails on the first crash, leak
# of time (a unit over 10 s) or memory (over 2 GiB); the failing input is
# left in fuzz/artifacts/<target>/.
#
# cargo-fuzz needs nightly-only rustc flags; RUSTC_BOOTSTRAP=1 lets the
# stable toolchain accept them. No sanitizer: the code is safe Rust, and
# without ASan the targets run ~10x faster.
#
# Usage: scripts/fuzz-smoke.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-30}"
shift || true
export RUSTC_BOOTSTRAP=1
if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <(cargo fuzz list)
fi
cargo fuzz build -s none 2>&1 | tail -n 3 || { echo "fuzz build failed" >&2; exit 2; }
failed=()
for t in "${targets[@]}"; do
    mkdir -p "fuzz/corpus/$t" "fuzz/artifacts/$t"
    # Run on a scratch copy of the corpus so the committed one stays minimal.
    scratch="$(mktemp -d)"
    cp -r "fuzz/corpus/$t/." "$scratch/"
    echo "== $t (${secs}s)"
    if ! cargo fuzz run -s none "$t" "$scratch" -- \
        -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        >"fuzz/artifacts/$t/smoke.log" 2>&1; then
        failed+=("$t")
        grep -E "panicked|SUMMARY|Test unit written" "fuzz/artifacts/$t/smoke.log" >&2 || tail -n 30 "fuzz/artifacts/$t/smoke.log" >&2
    else
        grep -E "^stat::number_of_executed_units|^Done" "fuzz/artifacts/$t/smoke.log" || true
    fi
    rm -rf "$scratch"
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz smoke: crashes in: ${failed[*]}" >&2
    exit 1
fi
echo "fuzz smoke: ${#targets[@]} targets clean"
