#!/bin/bash
# Benchmark: `obox-cli config` (and `obox-cli lint`) against `doveconf -n`
# on the 70k-line config of shared/oracle/perf.sh, plus a linearity check
# (100k vs 200k plugin settings). Needs dovecot-core and GNU time.
# Usage: bench/config.sh [RUNS]   (default 5; doveconf gets 3 runs)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
runs=${1:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo build --release --quiet --manifest-path "$root/Cargo.toml"
bin="$root/target/release/obox-cli"
"$here/gen-big-conf.sh" 50000 2000 > "$work/big.conf"
"$here/gen-big-conf.sh" 100000 0 > "$work/p100k.conf"
"$here/gen-big-conf.sh" 200000 0 > "$work/p200k.conf"

# measure NAME RUNS CMD... → prints "NAME median_s maxrss_kib"
measure() {
  local name=$1 n=$2; shift 2
  local i=0 f="$work/t.$name"
  : > "$f"
  while [ $i -lt "$n" ]; do
    local t0 t1
    t0=$(date +%s%N)
    /usr/bin/time -f '%M' -o "$work/one" "$@" > /dev/null 2> /dev/null || true
    t1=$(date +%s%N)
    echo "$(( (t1 - t0) / 1000 )) $(tail -n 1 "$work/one")" | awk '{ printf "%.6f %s\n", $1 / 1e6, $2 }' >> "$f"
    i=$((i + 1))
  done
  sort -n "$f" | awk -v name="$name" '{ t[NR] = $1; if ($2 > m) m = $2 } END {
    printf "%s %s %s %s %s\n", name, t[int((NR + 1) / 2)], t[1], t[NR], m }'
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
echo "config: $(wc -l < "$work/big.conf") lines, $(wc -c < "$work/big.conf") bytes"
{
  measure obox-config "$runs" "$bin" config -c "$work/big.conf"
  measure obox-lint "$runs" "$bin" lint "$work/big.conf" --format json
  measure doveconf-n 3 doveconf -n -c "$work/big.conf"
} > "$work/results"
# Linearity: runs of 20-40 ms are easily disturbed, so the two sizes are
# interleaved (a disturbance hits both alike), pinned to one core, and run
# three times as often; the ratio printed is that of the two medians, and
# the median of the per-pair ratios beside it.
: > "$work/pairs"
i=0
while [ $i -lt $((runs * 3)) ]; do
  for size in 100k 200k; do
    t0=$(date +%s%N)
    taskset -c 1 /usr/bin/time -f '%M' -o "$work/one.$size" "$bin" config -c "$work/p$size.conf" > /dev/null 2>&1 || true
    t1=$(date +%s%N)
    eval "t_$size=\$(( (t1 - t0) / 1000 ))"
  done
  echo "$t_100k $t_200k $(tail -n 1 "$work/one.100k") $(tail -n 1 "$work/one.200k")" >> "$work/pairs"
  i=$((i + 1))
done
for col in 1 2; do
  name=obox-config-$([ $col = 1 ] && echo 100k || echo 200k)
  awk -v c=$col '{ print $c / 1e6, $(c + 2) }' "$work/pairs" | sort -n |
    awk -v name="$name" '{ t[NR] = $1; if ($2 > m) m = $2 } END {
      printf "%s %s %s %s %s\n", name, t[int((NR + 1) / 2)], t[1], t[NR], m }' >> "$work/results"
done
pair_ratio=$(awk '{ print $2 / $1 }' "$work/pairs" | sort -n | awk '{ r[NR] = $1 } END { printf "%.2f", r[int((NR + 1) / 2)] }')
awk -v pr="$pair_ratio" 'BEGIN { print "| run | median (s) | min (s) | max (s) | peak RSS (MiB) |"; print "|---|---:|---:|---:|---:|" }
     { printf "| %s | %.4f | %.4f | %.4f | %.1f |\n", $1, $2, $3, $4, $5 / 1024; t[$1] = $2 }
     END {
       c = t["obox-config"]; l = t["obox-lint"]
       printf "\nratio doveconf -n / obox-cli config: %.0fx (target >= 200x)\n", t["doveconf-n"] / c
       printf "ratio doveconf -n / obox-cli lint:   %.0fx (target >= 100x)\n", t["doveconf-n"] / l
       a = t["obox-config-100k"]; b = t["obox-config-200k"]
       printf "scaling 100k -> 200k plugin settings: %.2fx (target <= 2.1x); median of per-pair ratios %.2fx\n", b / a, pr
       print "(wall time from date +%s%N around each run, process start included; RSS from GNU time)"
     }' "$work/results"
