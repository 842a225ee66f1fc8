#!/usr/bin/env bash
# The whole test suite: lint, unit, emulator, integration (a real AD: Samba) and end-to-end tests
# (the real pulumi CLI against the tenant emulator). Installs what it needs itself. Extra arguments go to mocha
# (e.g. `npm test -- --grep drift`).
set -euo pipefail
source "$(dirname "$0")/env.sh"

echo "linting (biome)" >&2
npx biome check .

work="$root/.test-work"
# A Samba AD DC for the directory integration tests; one left by an interrupted run goes first.
bash scripts/samba.sh stop "$work/samba"
bash scripts/postgres.sh stop "$work/postgres"
rm -rf "$work" && mkdir -p "$work"
bash scripts/samba.sh install
trap 'bash scripts/samba.sh stop "$work/samba"; bash scripts/postgres.sh stop "$work/postgres"' EXIT
# ENTRA_COEX_TEST_AD_ADDRESS lets two checkouts run their suites side by side.
bash scripts/samba.sh start "$work/samba" --address "${ENTRA_COEX_TEST_AD_ADDRESS:-127.0.0.2}" >/dev/null
export ENTRA_COEX_TEST_SAMBA="$work/samba/connection.json"
# PostgreSQL for the team-state tests (Pulumi's DIY backend keeps stacks in a table); under a
# second to start. Where Debian's package cannot be installed those tests skip, saying why.
if pg_error=$(bash scripts/postgres.sh install 2>&1); then
  bash scripts/postgres.sh start "$work/postgres" >/dev/null
  export ENTRA_COEX_TEST_POSTGRES="$work/postgres/connection.json"
else
  export ENTRA_COEX_TEST_POSTGRES_SKIP="PostgreSQL could not be installed (scripts/postgres.sh install): $pg_error"
fi
# The emulator's CA must exist before node starts: NODE_EXTRA_CA_CERTS is read once at start-up.
export ENTRA_COEX_TEST_WORK="$work"
export NODE_EXTRA_CA_CERTS=$(node dist/emulator/main.js init-ca --dir "$work/ca")

npx mocha --reporter dist/test/support/reporter.js --timeout 180000 \
  'dist/test/unit/**/*.test.js' 'dist/test/emulator/**/*.test.js' 'dist/test/integration/**/*.test.js' \
  'dist/test/e2e/**/*.test.js' "$@"
