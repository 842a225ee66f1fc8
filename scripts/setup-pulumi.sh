#!/usr/bin/env bash
# Makes the pinned pulumi CLI, the Node.js language host and the dynamic-provider plugin
# available, and prints the directory that holds them (put it first on PATH).
#
# The version is the one of @pulumi/pulumi in package.json: CLI and SDK move together. Binaries
# of that version are reused (already on PATH, or in the cache); otherwise they are built from Go
# modules into a cache directory outside the repository, so only the first run pays for it
# (about 4 minutes on 2 cores for the CLI, under 1 minute for the language host).
#
# Why a build: the npm package `pulumi` only downloads an installer, and this network reaches
# package registries only. Why wrapper modules: `go install pkg@version` refuses modules whose
# go.mod has replace directives, and pulumi's do.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
version=$(node -p "require('$here/package.json').dependencies['@pulumi/pulumi'].replace(/^[^0-9]*/, '')")
cache=${ENTRA_COEX_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/entra-coexistence}
bin="$cache/pulumi-$version/bin"
log() { printf 'setup-pulumi: %s\n' "$*" >&2; }

mkdir -p "$bin"

is_version() { [ -x "$1" ] && [ "$("$1" version 2>/dev/null)" = "v$version" ]; }

# Runs `go mod tidy` then `go build` in a wrapper module. Pulumi's modules are not all in the Go
# checksum database (it answers 404 for them here); when it does not answer, say so and fall
# back to the module proxy's hashes for github.com/pulumi only.
build_in_wrapper() { # dir, output, package, ldflags
  local dir=$1 out=$2 pkg=$3 ldflags=$4
  if ! (cd "$dir" && go mod tidy >/dev/null 2>"$dir/tidy.err"); then
    if grep -qE 'sumdb|checksum database|verifying module' "$dir/tidy.err"; then
      log "the Go checksum database did not answer for pulumi's modules ($(grep -m1 -oE '[0-9]{3} [A-Za-z ]+$' "$dir/tidy.err" || echo 'no answer'));"
      log "falling back explicitly to GONOSUMDB=github.com/pulumi (hashes from the module proxy, recorded in go.sum)"
      (cd "$dir" && GONOSUMDB=github.com/pulumi go mod tidy >/dev/null)
    else
      cat "$dir/tidy.err" >&2
      return 1
    fi
  fi
  (cd "$dir" && GONOSUMDB=github.com/pulumi go build -trimpath -ldflags "-s -w $ldflags" -o "$out" "$pkg")
}

wrapper() { # dir, go.mod body, package to import
  rm -rf "$1" && mkdir -p "$1"
  printf '%s\n' "$2" >"$1/go.mod"
  printf '//go:build tools\n\npackage tools\n\nimport _ "%s"\n' "$3" >"$1/tools.go"
}

# 1. The CLI.
if ! is_version "$bin/pulumi"; then
  existing=$(command -v pulumi || true)
  if [ -n "$existing" ] && [ "$existing" != "$bin/pulumi" ] && is_version "$existing"; then
    log "reusing pulumi v$version at $existing"
    ln -sf "$existing" "$bin/pulumi"
  else
    log "building the pulumi CLI v$version from Go modules (first run only, ~4 min)"
    work="$cache/build/pulumi-cli-$version"
    wrapper "$work" "module entra-coexistence/tools/pulumi-cli

go 1.25.11

require (
	github.com/pulumi/pulumi/pkg/v3 v$version
	github.com/pulumi/pulumi/sdk/v3 v$version
)

// pkg/v3's own go.mod carries this replace; a wrapper must repeat it.
replace github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e" \
      github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
    build_in_wrapper "$work" "$bin/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi \
      "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$version"
    rm -rf "$work"
  fi
fi
is_version "$bin/pulumi" || { log "pulumi in $bin does not report v$version"; exit 1; }

# 2. The Node.js language host. Since 2023 it is its own module
# (sdk/nodejs/cmd/pulumi-language-nodejs/v3, untagged: pseudo-version of the release commit).
# Where the module proxy refuses that module, fall back explicitly to the last sdk/v3 release
# that still contained the host as a package (v3.68.0): its gRPC contract (GetRequiredPlugins,
# Run, GetPluginInfo) is what the engine calls for `preview`, `up`, `refresh` and `destroy`.
if [ ! -x "$bin/pulumi-language-nodejs" ]; then
  existing=$(command -v pulumi-language-nodejs || true)
  if [ -n "$existing" ] && [ "$existing" != "$bin/pulumi-language-nodejs" ] && [ -n "$(command -v pulumi || true)" ] &&
    [ "$(dirname "$existing")" = "$(dirname "$(command -v pulumi)")" ] && is_version "$(command -v pulumi)"; then
    log "reusing pulumi-language-nodejs beside pulumi v$version at $existing"
    ln -sf "$existing" "$bin/pulumi-language-nodejs"
  else
    # Pseudo-version of the commit tagged pkg/v3.<version> (3.248.0: dc7edd58bc13, 2026-06-24).
    declare -A release_pseudo=([3.248.0]="v3.0.0-20260624180030-dc7edd58bc13")
    pseudo=${release_pseudo[$version]:-}
    work="$cache/build/pulumi-language-nodejs-$version"
    built=""
    if [ -n "$pseudo" ]; then
      log "building pulumi-language-nodejs $pseudo from Go modules"
      wrapper "$work" "module entra-coexistence/tools/pulumi-language-nodejs

go 1.25.11

require (
	github.com/pulumi/pulumi/pkg/v3 v$version
	github.com/pulumi/pulumi/sdk/v3 v$version
	github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3 $pseudo
)

replace github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e" \
        github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3
      if build_in_wrapper "$work" "$bin/pulumi-language-nodejs" github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3 "" 2>"$work.err"; then
        built=yes
      else
        log "the module proxy did not serve pulumi-language-nodejs $pseudo: $(grep -m1 -oE '(403|404|410)[^"]*' "$work.err" || tail -n1 "$work.err")"
      fi
    fi
    if [ -z "$built" ]; then
      log "falling back explicitly to the language host inside sdk/v3 v3.68.0 (the last release that shipped it there)"
      wrapper "$work" "module entra-coexistence/tools/pulumi-language-nodejs

go 1.25

require github.com/pulumi/pulumi/sdk/v3 v3.68.0

// sdk/v3 v3.68.0's own go.mod carries this replace; a wrapper must repeat it.
replace golang.org/x/text => golang.org/x/text v0.3.6" \
        github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs
      build_in_wrapper "$work" "$bin/pulumi-language-nodejs-v3.68.0" github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs ""
      # That host takes the runtime options as command-line flags, which today's CLI no longer
      # passes; without -typescript=false it would load ts-node for a precompiled program.
      printf '#!/bin/sh\nexec "%s" -typescript=false "$@"\n' "$bin/pulumi-language-nodejs-v3.68.0" >"$bin/pulumi-language-nodejs"
      chmod +x "$bin/pulumi-language-nodejs"
    fi
    rm -rf "$work" "$work.err"
  fi
fi

# 3. The dynamic-provider plugin: a two-line script that the CLI's own distribution ships beside
# the binaries; it starts @pulumi/pulumi's dynamic provider from the program's node_modules.
cat >"$bin/pulumi-resource-pulumi-nodejs" <<'SH'
#!/bin/sh
script=$(node -e "console.log(require.resolve('@pulumi/pulumi/cmd/dynamic-provider'))") || exit 1
exec node "$script" "$@"
SH
chmod +x "$bin/pulumi-resource-pulumi-nodejs"

printf '%s\n' "$bin"
