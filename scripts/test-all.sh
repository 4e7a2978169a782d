#!/bin/bash
# The whole test suite, on a fresh Debian 12 machine or this one again.
# Installs what the tests need, idempotently, then runs every test:
#   - Debian's dovecot-core (doveconf/doveadm/dovecot: the oracle)
#   - s3s-fs 0.14.1 (a real S3 server that checks SigV4 and SigV2)
#   - moto[server] (a real IMDSv2 endpoint) and jsonschema, in a venv
# Needs root for apt-get and for the private Dovecot the oracle tests run.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${OBOX_VENV:-/opt/obox-venv}
export PATH="$HOME/.cargo/bin:$venv/bin:$PATH"

need_apt=()
command -v doveconf >/dev/null || need_apt+=(dovecot-core)
command -v gcc >/dev/null || need_apt+=(gcc libc6-dev)
[ -x /usr/bin/time ] || need_apt+=(time)
command -v curl >/dev/null || need_apt+=(curl)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "== apt-get install ${need_apt[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi
# The package starts a system dovecot; the tests run their own private one.
if command -v systemctl >/dev/null && systemctl is-active --quiet dovecot 2>/dev/null; then
  systemctl stop dovecot || true
fi

if ! s3s-fs --version 2>/dev/null | grep -q 0.14.1; then
  echo "== cargo install s3s-fs 0.14.1"
  cargo install s3s-fs --version 0.14.1 --features binary --locked --quiet
fi

if [ ! -x "$venv/bin/moto_server" ] || ! "$venv/bin/python" -c 'import jsonschema' 2>/dev/null; then
  echo "== pip install moto[server] jsonschema into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q 'moto[server]==5.2.5' 'jsonschema==4.23.0'
fi

export OBOX_MOTO="$venv/bin/moto_server"
export OBOX_PYTHON="$venv/bin/python"
echo "== fuzz smoke (every parser's fuzz target, briefly, from its corpus)"
./scripts/fuzz-smoke.sh "${OBOX_FUZZ_SECONDS:-20}"
echo "== cargo test"
# A watchdog: a wedged test (a daemon holding a pipe open, a server that
# never answers) must fail the run with a message, not eat CI's whole budget.
limit=${OBOX_TEST_TIMEOUT:-1500}
cargo test --all-targets --no-run --quiet
status=0
timeout --kill-after=30 "$limit" cargo test --all-targets -- --test-threads="${OBOX_TEST_THREADS:-4}" || status=$?
if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
  echo "cargo test did not finish within ${limit}s; the test still running above is wedged" >&2
fi
exit "$status"
