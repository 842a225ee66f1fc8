#!/usr/bin/env bash
# The sandbox: starts the source's Active Directory (Samba AD DC, seeded like a hybrid estate after
# cross-tenant mailbox migration), the emulated source and target tenants with Entra Connect
# syncing AD into the source, and runs `pulumi up` of the example `coexistence` stack
# (stacks/Pulumi.coexistence.yaml) against them, then checks for drift.
#   npm run sandbox             run, then stop the emulator
#   npm run sandbox -- --keep   leave the emulator running and print how to use it
set -euo pipefail
keep=${1:-}
source "$(dirname "$0")/env.sh"

dir="$root/.sandbox"
port=${SANDBOX_PORT:-18443}
mkdir -p "$dir/state"
rm -f "$dir/connection.json"
bash scripts/samba.sh install
# Its own loopback address, so that it can run beside the test suite's (127.0.0.2).
bash scripts/samba.sh start "$dir/samba" --address "${SANDBOX_AD_ADDRESS:-127.0.0.3}" >/dev/null
node dist/emulator/main.js serve --dir "$dir" --port "$port" --ad "$dir/samba/connection.json" >"$dir/emulator.log" 2>&1 &
emulator=$!
if [ "$keep" != "--keep" ]; then
  trap 'kill $emulator 2>/dev/null || true; bash scripts/samba.sh stop "$dir/samba" || true' EXIT
fi
for _ in $(seq 1 100); do [ -f "$dir/connection.json" ] && break; sleep 0.1; done
[ -f "$dir/connection.json" ] || { cat "$dir/emulator.log" >&2; echo "the emulator did not start" >&2; exit 1; }

export NODE_EXTRA_CA_CERTS="$dir/ca.pem"
export PULUMI_BACKEND_URL="file://$dir/state"
export PULUMI_CONFIG_PASSPHRASE=${PULUMI_CONFIG_PASSPHRASE:-sandbox}
export PULUMI_HOME="$dir/pulumi-home"

pulumi stack select coexistence --create --non-interactive >/dev/null
pulumi up --yes --refresh --non-interactive --stack coexistence
echo "checking for drift (pulumi refresh --preview-only --expect-no-changes)"
pulumi refresh --preview-only --expect-no-changes --non-interactive --stack coexistence
if [ "$keep" = "--keep" ]; then
  cat <<MSG

The emulator keeps running (pid $emulator, $(node -p "require('$dir/connection.json').url")), and so does
the AD domain controller ($(node -p "require('$dir/samba/connection.json').ldapsUrl"); stop it with
bash scripts/samba.sh stop $dir/samba).
To use the stack from this shell:
  export PATH="$pulumi_bin:\$PATH" NODE_EXTRA_CA_CERTS="$dir/ca.pem" PULUMI_BACKEND_URL="file://$dir/state" \\
    PULUMI_CONFIG_PASSPHRASE="$PULUMI_CONFIG_PASSPHRASE" PULUMI_HOME="$dir/pulumi-home"
  pulumi preview --diff --stack coexistence
Stop it with: kill $emulator
MSG
fi
