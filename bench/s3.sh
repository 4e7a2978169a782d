#!/usr/bin/env bash
# Benchmark obox-cli against s5cmd, rclone and awscli on s3s-fs (with the
# TCP_NODELAY shim), all on 127.0.0.1. Not a test: prints a Markdown table
# of median wall time / peak RSS over RUNS runs, each task's run-to-run
# spread, and obox-cli's time relative to s5cmd's in the same run.
#
# s3s-fs walks the whole bucket for every listing page, so a listing's cost
# grows with everything stored before it. Each client-run therefore gets a
# bucket of its own for the small-object PUT/GET, and the 10,000 keys live
# in a bucket of their own: no client's timing depends on the order.
# Every client runs with its default parallelism (obox-cli -j 32, s5cmd 256
# workers, rclone 4 transfers, awscli 10).
#
#   bench/s3.sh [RUNS]        (default 3; builds obox-cli --release first)
#
# Needs: s3s-fs (~/.cargo/bin or OBOX_S3S_FS), gcc, /usr/bin/time, and the
# peers it finds (s5cmd in /opt/s3venv/bin, rclone, /usr/bin/aws = awscli v2).
set -euo pipefail
RUNS=${1:-3}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# Everything (s3s-fs's data, the inputs, the downloads) lives on a tmpfs.
# On ext4, creating a file soon after many were deleted makes the kernel
# scan inode bitmaps for "recently deleted" inodes; perf showed that scan as
# most of a small-object GET's time, for every client alike, and it came and
# went between runs (0.15 s or 1.1 s for the same 1,000 GETs). On tmpfs the
# times measure the clients and the server, not the file system's history.
BENCH_TMP=${OBOX_BENCH_TMP:-/dev/shm}
[ -d "$BENCH_TMP" ] && [ -w "$BENCH_TMP" ] || BENCH_TMP=/tmp
W=$(mktemp -d "$BENCH_TMP/obox-bench.XXXXXX")
S3S=${OBOX_S3S_FS:-$(command -v s3s-fs || echo "$HOME/.cargo/bin/s3s-fs")}
S5CMD=${S5CMD:-/opt/s3venv/bin/s5cmd}
AWS=${AWS:-/usr/bin/aws}
AK=AKIABENCHKEY SK=benchsecret123 B=bench
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
E=http://127.0.0.1:$PORT

cleanup() { [ -n "${S3PID:-}" ] && kill "$S3PID" 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT

(cd "$ROOT" && cargo build --release -q)
OBOX=$ROOT/target/release/obox-cli
URL="http://$AK:$SK@127.0.0.1:$PORT/?bucket=$B&region=us-east-1"

cat > "$W/nodelay.c" <<'C'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
static void nd(int fd){ if (fd >= 0){ int one = 1; setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);} }
int accept(int s, struct sockaddr *a, socklen_t *l){ static int (*r)(int,struct sockaddr*,socklen_t*); if(!r) r = dlsym(RTLD_NEXT,"accept"); int fd = r(s,a,l); nd(fd); return fd; }
int accept4(int s, struct sockaddr *a, socklen_t *l, int f){ static int (*r)(int,struct sockaddr*,socklen_t*,int); if(!r) r = dlsym(RTLD_NEXT,"accept4"); int fd = r(s,a,l,f); nd(fd); return fd; }
C
gcc -O2 -shared -fPIC -o "$W/nodelay.so" "$W/nodelay.c" -ldl

LB=list10k
mkdir -p "$W/data/$B" "$W/data/$LB" "$W/tree"
LD_PRELOAD=$W/nodelay.so "$S3S" --host 127.0.0.1 --port "$PORT" --access-key $AK --secret-key $SK "$W/data" >/dev/null 2>&1 &
S3PID=$!
until curl -s -o /dev/null "$E/"; do sleep 0.05; done

# Inputs: 1000 x 4 KiB files, one 256 MiB file, 10,000 keys under list10k/.
for i in $(seq -w 0 999); do head -c 4096 /dev/urandom > "$W/tree/f$i"; done
head -c $((256 * 1024 * 1024)) /dev/urandom > "$W/big"
mkdir -p "$W/l10k"; for i in $(seq -w 0 9999); do printf x > "$W/l10k/k$i"; done
"$OBOX" put -r "$W/l10k" list10k --url "${URL/bucket=$B/bucket=$LB}" -j 8

export AWS_ACCESS_KEY_ID=$AK AWS_SECRET_ACCESS_KEY=$SK AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1
unset AWS_CA_BUNDLE   # Debian's rclone refuses to start with it set
cat > "$W/rclone.conf" <<C
[s3]
type = s3
provider = Other
access_key_id = $AK
secret_access_key = $SK
endpoint = $E
region = us-east-1
force_path_style = true
no_check_bucket = true
no_head_object = true
C
RCLONE="rclone --config $W/rclone.conf"

# measure CLIENT TASK RUN CMD: run CMD under /usr/bin/time -v, append "client task secs kib" to results.
measure() {
  local client=$1 task=$2; shift 2
  /usr/bin/time -v -o "$W/time.txt" bash -c "$*" >/dev/null 2>"$W/err.txt" || { echo "FAILED: $client $task: $(tail -3 "$W/err.txt")" >&2; echo "$client $task NaN NaN" >> "$W/results"; return; }
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/{n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$W/time.txt")
  rss=$(awk -F': ' '/Maximum resident set size/{print $2}' "$W/time.txt")
  echo "$client $task $wall $rss" >> "$W/results"
}

check_size() { # FILE BYTES: benchmarks must check that something was transferred
  local got; got=$(stat -c %s "$1" 2>/dev/null || echo 0)
  [ "$got" = "$2" ] || echo "WARNING: $1 is $got bytes, expected $2" >&2
}

: > "$W/results"
CLIENTS=(obox-cli s5cmd rclone awscli)
for run in $(seq 1 "$RUNS"); do
  # Rotate the order each run: s3s-fs slows down as the bucket fills, so no
  # client should always go first.
  for k in 0 1 2 3; do
    c=${CLIENTS[$(( (k + run - 1) % 4 ))]}
    # A fresh bucket for this client-run's 1000 small objects.
    SB=s-$c-$run; P=p; DL=$W/dl-$c-$run; mkdir -p "$DL" "$W/data/$SB"
    SURL=${URL/bucket=$B/bucket=$SB}; LURL=${URL/bucket=$B/bucket=$LB}
    case $c in
      obox-cli)
        measure $c put1000 "$OBOX put -r $W/tree $P --url '$SURL'"
        measure $c list10k "$OBOX ls -r list10k/ --url '$LURL' | wc -l"
        measure $c get1000 "$OBOX get -r $P/ $DL --url '$SURL'"
        measure $c put256M "$OBOX put $W/big big/$c --url '$URL'"
        measure $c get256M "$OBOX get big/$c $DL/big --url '$URL'" ;;
      s5cmd)
        measure $c put1000 "$S5CMD --endpoint-url $E cp '$W/tree/*' s3://$SB/$P/"
        measure $c list10k "$S5CMD --endpoint-url $E ls 's3://$LB/list10k/*' | wc -l"
        measure $c get1000 "$S5CMD --endpoint-url $E cp 's3://$SB/$P/*' $DL/"
        measure $c put256M "$S5CMD --endpoint-url $E cp $W/big s3://$B/big/$c"
        measure $c get256M "$S5CMD --endpoint-url $E cp s3://$B/big/$c $DL/big" ;;
      rclone)
        measure $c put1000 "$RCLONE copy $W/tree s3:$SB/$P"
        measure $c list10k "$RCLONE lsf s3:$LB/list10k | wc -l"
        measure $c get1000 "$RCLONE copy s3:$SB/$P $DL"
        measure $c put256M "$RCLONE copyto $W/big s3:$B/big/$c"
        # copyto with no_head_object copies nothing for a single file: use the HEAD here.
        measure $c get256M "rclone --config $W/rclone.conf --s3-no-head-object=false copyto s3:$B/big/$c $DL/big" ;;
      awscli)
        measure $c put1000 "$AWS --endpoint-url $E s3 cp --recursive --quiet $W/tree s3://$SB/$P/"
        measure $c list10k "$AWS --endpoint-url $E s3 ls s3://$LB/list10k/ | wc -l"
        measure $c get1000 "$AWS --endpoint-url $E s3 cp --recursive --quiet s3://$SB/$P/ $DL/"
        measure $c put256M "$AWS --endpoint-url $E s3 cp --quiet $W/big s3://$B/big/$c"
        measure $c get256M "$AWS --endpoint-url $E s3 cp --quiet s3://$B/big/$c $DL/big" ;;
    esac
    check_size "$DL/big" $((256 * 1024 * 1024))
    n=$(find "$DL" -maxdepth 1 -name 'f*' | wc -l); [ "$n" = 1000 ] || echo "WARNING: $c run $run got $n of 1000 small files" >&2
    rm -rf "$DL"
  done
done

echo "raw results (client task seconds KiB):" >&2; cat "$W/results" >&2
python3 - "$W/results" <<'PY'
import sys, statistics, collections
rows = collections.defaultdict(lambda: collections.defaultdict(list))
for line in open(sys.argv[1]):
    c, t, wall, rss = line.split()
    rows[c][t].append((float(wall), float(rss)))
# Raw lines come in run order, so the i-th value of a task is from run i.
tasks = ["put1000", "list10k", "get1000", "put256M", "get256M"]
names = {"put1000": "PUT 1000×4 KiB", "list10k": "LIST 10k", "get1000": "GET 1000×4 KiB",
         "put256M": "PUT 256 MiB", "get256M": "GET 256 MiB"}
print("Median wall time / peak RSS (max over runs); [min–max] wall over runs.\n")
print("| client | " + " | ".join(names[t] for t in tasks) + " |")
print("|---|" + "---|" * len(tasks))
for c in ["obox-cli", "s5cmd", "rclone", "awscli"]:
    cells = []
    for t in tasks:
        v = rows[c][t]
        if not v or any(w != w for w, _ in v):
            cells.append("failed"); continue
        ws = [w for w, _ in v]
        cells.append(f"{statistics.median(ws):.2f} s / {max(r for _, r in v)/1024:.0f} MiB [{min(ws):.2f}–{max(ws):.2f}]")
    print(f"| {c} | " + " | ".join(cells) + " |")
print("\nobox-cli ÷ s5cmd wall time, per run (same run, same server state), and the median:\n")
print("| task | per run | median |")
print("|---|---|---|")
for t in tasks:
    o, s = [w for w, _ in rows["obox-cli"][t]], [w for w, _ in rows["s5cmd"][t]]
    if not o or not s or len(o) != len(s) or any(x != x for x in o + s):
        print(f"| {names[t]} | n/a | n/a |"); continue
    r = [a / b for a, b in zip(o, s)]
    print(f"| {names[t]} | " + " ".join(f"{x:.2f}" for x in r) + f" | {statistics.median(r):.2f} |")
PY
