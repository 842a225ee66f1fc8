#!/usr/bin/env bash
# The sandbox, fresh on every run: the source's Active Directory (Samba AD DC, seeded like a hybrid
# estate after cross-tenant mailbox migration), the emulated source and target tenants with Entra
# Connect syncing AD into the source and group-based licensing already in place; then the example
# `coexistence` stack (stacks/Pulumi.coexistence.yaml): coex discover, pulumi up (cross-tenant
# settings, reach-back license groups, the automation's app and AD delegation), coex
# verify-license-groups, coex verify-access, and a drift check; then the example wave
# (stacks/waves/wave-example.csv) as a stack of its own: coex wave new, preview, up, coex wave
# report and coex verify-reach-back.
#   npm run sandbox             run, then stop the emulator and AD
#   npm run sandbox -- --keep   leave them running and print how to use them
set -euo pipefail
keep=${1:-}
source "$(dirname "$0")/env.sh"

dir="$root/.sandbox"
port=${SANDBOX_PORT:-18443}
bash scripts/samba.sh stop "$dir/samba" 2>/dev/null || true
rm -rf "$dir" && mkdir -p "$dir/state"
# Every process here (emulator included) must trust the emulator's CA from its start.
export NODE_EXTRA_CA_CERTS=$(node dist/emulator/main.js init-ca --dir "$dir")
bash scripts/samba.sh install
# Its own loopback address, so that it can run beside the test suite's (127.0.0.2).
# Without the service account's rights: the stack's DirectoryDelegation grants them.
bash scripts/samba.sh start "$dir/samba" --address "${SANDBOX_AD_ADDRESS:-127.0.0.3}" --without-delegation >/dev/null
# The automation's certificate: the stack gets the public part, coex verify-access the key.
openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj "/CN=B2B Reach-Back Automation" \
  -keyout "$dir/automation.key" -out "$dir/automation.crt" 2>/dev/null
cat "$dir/automation.key" "$dir/automation.crt" >"$dir/automation.pem" && rm "$dir/automation.key"
# New objects stay invisible to reads for a second, as Graph's replication makes them.
node dist/emulator/main.js serve --dir "$dir" --port "$port" --ad "$dir/samba/connection.json" --sync-interval 2 \
  --replication-delay 1000 >"$dir/emulator.log" 2>&1 &
emulator=$!
if [ "$keep" != "--keep" ]; then
  trap 'kill $emulator 2>/dev/null || true; bash scripts/samba.sh stop "$dir/samba" || true' EXIT
fi
for _ in $(seq 1 300); do [ -f "$dir/connection.json" ] && break; kill -0 $emulator 2>/dev/null || break; sleep 0.1; done
[ -f "$dir/connection.json" ] || { cat "$dir/emulator.log" >&2; echo "the emulator did not start" >&2; exit 1; }
cat "$dir/emulator.log"

export PULUMI_BACKEND_URL="file://$dir/state"
export PULUMI_CONFIG_PASSPHRASE=${PULUMI_CONFIG_PASSPHRASE:-sandbox}
export PULUMI_HOME="$dir/pulumi-home"
# The stack's configuration is copied, so that discover writes the sandbox's mapping there and
# not into the example committed in stacks/.
config="$dir/Pulumi.coexistence.yaml"
cp stacks/Pulumi.coexistence.yaml "$config"
stack=(--stack coexistence --config-file "$config" --non-interactive)

pulumi stack init coexistence --non-interactive >/dev/null
# The example points at the default port and AD address; follow SANDBOX_PORT and SANDBOX_AD_ADDRESS.
emulator_url=$(node -p "require('$dir/connection.json').url")
for key in authorityHost graphEndpoint; do
  pulumi config set --path "entra-coexistence:cloud.$key" "$emulator_url" "${stack[@]}"
done
pulumi config set --path entra-coexistence:activeDirectory.url \
  "$(node -p "require('$dir/samba/connection.json').ldapsUrl")" "${stack[@]}"
# The AD passwords are Pulumi secrets (encrypted in the example for the passphrase "sandbox"); set
# them from this DC's connection file, on stdin, as a person would with their own.
node -e "process.stdout.write(require('$dir/samba/connection.json').adminPassword)" |
  pulumi config set --secret --path entra-coexistence:activeDirectory.password "${stack[@]}"
node -e "process.stdout.write(require('$dir/samba/connection.json').serviceAccount.password)" |
  pulumi config set --secret --path entra-coexistence:automation.serviceAccount.password "${stack[@]}"
echo "== coex discover"
node dist/cli/coex.js discover --write "${stack[@]:0:4}"
echo "== pulumi up"
pulumi up --yes "${stack[@]}"
echo "== coex verify-license-groups"
node dist/cli/coex.js verify-license-groups "${stack[@]:0:4}"
echo "== coex verify-access"
node dist/cli/coex.js verify-access "${stack[@]:0:4}"
echo "== drift check (pulumi refresh --preview-only --expect-no-changes)"
node dist/cli/coex.js drift "${stack[@]:0:4}"

# The example wave (stacks/waves/wave-example.csv): a stack of its own, wave-example, made by
# coex wave new from the coexistence stack's configuration. The delta-sync hook there reads these
# two variables.
export EMULATOR_URL="$emulator_url"
export EMULATOR_ADMIN_KEY=$(node -p "require('$dir/connection.json').adminKey")
wave_csv=stacks/waves/wave-example.csv
tenant_id() { node -p "require('$dir/connection.json').tenants.find((t) => t.role === '$1').tenantId"; }
admin() {
  curl --silent --show-error --fail-with-body --cacert "$NODE_EXTRA_CA_CERTS" \
    -H "x-emulator-admin-key: $EMULATOR_ADMIN_KEY" -H "content-type: application/json" "$@"
}
# The CSV's column, read with the product's own reader.
csv_column() {
  node -e 'const { parseWave } = require("./dist/lib/waves/wave");
    for (const u of parseWave(require("fs").readFileSync(process.argv[1], "utf8")).users) console.log(u[process.argv[2]]);' "$wave_csv" "$1"
}
echo "== the wave's estate: each user's identity in the target, Entra Connect no longer writing onPremisesUserPrincipalName"
# As the cross-tenant mailbox migration left them: an internal member in the target per user.
for address in $(csv_column targetEmailAddress); do
  admin -X POST "$EMULATOR_URL/_emulator/tenants/$(tenant_id target)/users" \
    -d "{\"userPrincipalName\":\"$address\",\"mail\":\"$address\"}" >/dev/null
  echo "target user $address"
done
# Seed 000: Microsoft will not invite a user carrying onPremisesUserPrincipalName; the fix the
# precondition names is an Entra Connect rule change, then a cycle (tried again while one runs).
admin -X PATCH "$EMULATOR_URL/_emulator/tenants/$(tenant_id source)/entraConnect/settings" \
  -d '{"writeOnPremisesUserPrincipalName":false}' >/dev/null
for _ in $(seq 1 30); do
  admin -X POST "$EMULATOR_URL/_emulator/tenants/$(tenant_id source)/entraConnect/cycle" >/dev/null 2>&1 && break
  sleep 1
done
# The wave's configuration goes beside the sandbox's copy of the coexistence stack's (and its CSV
# to .sandbox/waves/), not into stacks/.
wave_config="$dir/Pulumi.wave-example.yaml"
wave=(--stack wave-example --config-file "$wave_config")
echo "== coex wave new wave-example $wave_csv"
node dist/cli/coex.js wave new wave-example "$wave_csv" --coexistence-stack coexistence \
  --coexistence-config-file "$config" --config-file "$wave_config"
echo "== pulumi preview (the wave: every row and every user's preconditions, read-only)"
pulumi preview "${wave[@]}" --non-interactive
echo "== pulumi up (the wave, every user at once)"
pulumi up --yes --parallel 16 "${wave[@]}" --non-interactive
echo "== coex wave report wave-example"
node dist/cli/coex.js wave report wave-example --config-file "$wave_config"
echo "== coex verify-reach-back (seed 000's test \"Verify B2B Reach-Back Automation\", read-only)"
node dist/cli/coex.js verify-reach-back $(csv_column sourceUserPrincipalName) "${wave[@]}"
if [ "$keep" = "--keep" ]; then
  cat <<MSG

The emulator keeps running (pid $emulator, $(node -p "require('$dir/connection.json').url")), and so does
the AD domain controller ($(node -p "require('$dir/samba/connection.json').ldapsUrl"); stop it with
bash scripts/samba.sh stop $dir/samba).
To use the stacks from this shell:
  export PATH="$pulumi_bin:\$PATH" NODE_EXTRA_CA_CERTS="$NODE_EXTRA_CA_CERTS" PULUMI_BACKEND_URL="file://$dir/state" \\
    PULUMI_CONFIG_PASSPHRASE="$PULUMI_CONFIG_PASSPHRASE" PULUMI_HOME="$dir/pulumi-home"
  pulumi preview --diff --stack coexistence --config-file $config
  pulumi preview --diff --stack wave-example --config-file $wave_config
Stop the emulator with: kill $emulator
MSG
fi
