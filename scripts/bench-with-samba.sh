#!/usr/bin/env bash
# Runs a benchmark of bench/ (node dist/bench/<name>.js [options]) against a Samba AD of its own, as
# scripts/test.sh runs the tests: ENTRA_COEX_TEST_AD_ADDRESS picks its loopback address.
#   bash scripts/bench-with-samba.sh <name> [options]
set -euo pipefail
name=$1
shift
source "$(dirname "$0")/env.sh"
work="$root/.bench-work"
bash scripts/samba.sh stop "$work/samba"
rm -rf "$work" && mkdir -p "$work"
bash scripts/samba.sh install
trap 'bash scripts/samba.sh stop "$work/samba"' EXIT
bash scripts/samba.sh start "$work/samba" --address "${ENTRA_COEX_TEST_AD_ADDRESS:-127.0.0.2}" >/dev/null
export ENTRA_COEX_TEST_SAMBA="$work/samba/connection.json"
export ENTRA_COEX_TEST_WORK="$work"
# The emulator's CA must exist before node starts: NODE_EXTRA_CA_CERTS is read once at start-up.
export NODE_EXTRA_CA_CERTS=$(node dist/emulator/main.js init-ca --dir "$work/ca")
node "dist/bench/$name.js" "$@"
