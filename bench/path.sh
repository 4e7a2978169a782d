#!/bin/bash
# Benchmark: `obox-cli path --stdin --json` over N generated users with the
# example config (target: >= 1M users/s on one core, memory flat in N), and
# the per-user cost of `doveadm user -e` against a private Dovecot for scale.
# Usage: bench/path.sh [USERS] [RUNS]   (default 1000000 users, 5 runs)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
n=${1:-1000000}; runs=${2:-5}
work=$(mktemp -d /tmp/obox-bench-path.XXXXXX)
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
cargo build --release --quiet --manifest-path "$root/Cargo.toml"
bin="$root/target/release/obox-cli"
conf="$root/examples/dovecot.conf"
awk -v n="$n" 'BEGIN { for (i = 0; i < n; i++) printf "user%d@example%d.com\n", i, i % 97 }' > "$work/users"
awk -v n="$((n * 2))" 'BEGIN { for (i = 0; i < n; i++) printf "user%d@example%d.com\n", i, i % 97 }' > "$work/users2"

one() { # FILE → "seconds maxrss_kib"
  local t0 t1
  t0=$(date +%s%N)
  taskset -c 0 /usr/bin/time -f '%M' -o "$work/rss" "$bin" path -c "$conf" --stdin --json < "$1" > /dev/null
  t1=$(date +%s%N)
  echo "$(( (t1 - t0) / 1000 )) $(tail -n 1 "$work/rss")" | awk '{ printf "%.4f %s\n", $1 / 1e6, $2 }'
}
: > "$work/t1"; : > "$work/t2"
for _ in $(seq "$runs"); do one "$work/users" >> "$work/t1"; done
for _ in $(seq 3); do one "$work/users2" >> "$work/t2"; done
lines=$("$bin" path -c "$conf" --stdin --json < "$work/users2" | wc -l)
[ "$lines" -eq $((n * 2)) ] || { echo "expected $((n * 2)) output lines, got $lines" >&2; exit 1; }

# doveadm user -e: one process and one auth lookup per user.
# ORACLE_DIR must be set before sourcing: oracle-env.sh derives its paths.
export ORACLE_DIR="$work/oracle"
. "$root/../shared/oracle/oracle-env.sh"
oracle_start >/dev/null 2>&1 || { echo "could not start the private Dovecot" >&2; exit 1; }
m=200
t0=$(date +%s%N)
for i in $(seq "$m"); do doveadm -c "$ORACLE_CONF" user -e '%8Mu/%u' "user$i@example.com" > /dev/null; done
t1=$(date +%s%N)
oracle_stop >/dev/null 2>&1 || true

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'); load $(cut -d' ' -f1-3 /proc/loadavg)"
sort -n "$work/t1" | awk -v n="$n" '{ t[NR] = $1; if ($2 > m) m = $2 } END {
  med = t[int((NR + 1) / 2)]
  printf "obox-cli path --stdin --json, %d users (pinned to one core): median %.3f s (min %.3f, max %.3f) = %.2f M users/s; peak RSS %.1f MiB\n", n, med, t[1], t[NR], n / med / 1e6, m / 1024 }'
sort -n "$work/t2" | awk -v n="$((n * 2))" '{ t[NR] = $1; if ($2 > m) m = $2 } END {
  med = t[int((NR + 1) / 2)]
  printf "obox-cli path --stdin --json, %d users: median %.3f s = %.2f M users/s; peak RSS %.1f MiB (flat: streaming)\n", n, med, n / med / 1e6, m / 1024 }'
awk -v m="$m" -v ns="$((t1 - t0))" 'BEGIN { printf "doveadm user -e, %d users one by one: %.2f ms per user\n", m, ns / m / 1e6 }'
