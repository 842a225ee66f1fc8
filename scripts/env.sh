# Sourced by the other scripts: installs what the repository needs (npm packages, the pinned
# pulumi CLI), builds it, and sets the environment every pulumi run here uses.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

# npm packages as locked; skipped when node_modules already matches the lock file. `npm install`
# rather than `npm ci`: npm 11 leaves other platforms' optional packages (biome's binaries) out of
# the lock file and `npm ci` then refuses it as out of sync; `npm install` keeps the lock as is.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "installing npm packages" >&2
  npm install --no-audit --no-fund --loglevel=error >&2
fi

pulumi_bin=$(bash scripts/setup-pulumi.sh)
export PATH="$pulumi_bin:$PATH"

echo "compiling TypeScript (tsc)" >&2
npx tsc -p tsconfig.json

# Pulumi without the network or a Pulumi Cloud account: local file state, passphrase secrets,
# no update checks, no plugin downloads (every plugin we use is on PATH).
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
export PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK=true
