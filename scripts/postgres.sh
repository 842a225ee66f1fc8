#!/usr/bin/env bash
# A real PostgreSQL server in a directory of its own, for the team-state tests (Pulumi's DIY
# backend `postgres://…?table=…`). Like samba.sh: Debian's package, no system service.
#   postgres.sh install              Debian's postgresql package, once (starts no system service)
#   postgres.sh start <dir>          a fresh cluster in <dir>/data on a free loopback port; writes
#                                    <dir>/connection.json ({ url, port, pid }) and prints the url
#   postgres.sh stop <dir>           stops the server of <dir>, if one runs
# initdb and postgres refuse to run as root: as root, the cluster belongs to the package's
# `postgres` account and the server runs as it; otherwise as the current user.
set -euo pipefail

database=pulumi
user=pulumi
# A test-only password; the url carries it the way a team's would (better: PGPASSWORD).
password='state-test-2024'

die() { echo "postgres.sh: $*" >&2; exit 1; }

bin_dir() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$d" ] && [ -x "$d/initdb" ] || return 1
  echo "$d"
}

cmd_install() {
  bin_dir >/dev/null && return 0
  echo "installing postgresql" >&2
  local policy=/usr/sbin/policy-rc.d saved=""
  # Debian starts the packaged cluster on install where an init system runs; policy-rc.d forbids it.
  if [ -e "$policy" ]; then saved=$(mktemp) && cp -p "$policy" "$saved"; fi
  local restore="rm -f $policy"
  [ -z "$saved" ] || restore="mv -f $saved $policy"
  trap "$restore" EXIT
  printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy"
  if ! apt-cache policy postgresql 2>/dev/null | grep -q 'Candidate: [0-9]'; then
    apt-get update -qq >&2
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  $restore
  trap - EXIT
  bin_dir >/dev/null || die "postgresql installed but no /usr/lib/postgresql/*/bin/initdb"
}

# Runs a server binary as the account that owns the cluster.
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

cmd_start() {
  local dir=${1:?usage: postgres.sh start <dir>} bin port
  bin=$(bin_dir) || die "PostgreSQL is not installed (run: postgres.sh install)"
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  [ ! -e "$dir/data" ] || die "$dir/data exists: stop that server and remove the directory first"
  # The server account must reach its directory: a private copy of the cluster in /tmp would do,
  # but the test's work directory keeps everything of one run together.
  if [ "$(id -u)" = 0 ]; then
    chown postgres "$dir"
    local d=$dir
    while [ "$d" != / ]; do d=$(dirname "$d"); [ -x "$d" ] || chmod o+x "$d"; done
  fi
  local pwfile
  pwfile=$(mktemp)
  printf '%s\n' "$password" >"$pwfile"
  chmod 644 "$pwfile"
  as_owner "$bin/initdb" -D "$dir/data" -U "$user" --pwfile="$pwfile" --auth=scram-sha-256 \
    --no-instructions -E UTF8 >"$dir/initdb.log" 2>&1 || { rm -f "$pwfile"; cat "$dir/initdb.log" >&2; die "initdb failed"; }
  rm -f "$pwfile"
  port=$(free_port)
  # Only loopback TCP, the socket in <dir>: nothing of the system's PostgreSQL is touched.
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1" start >/dev/null ||
    { cat "$dir/server.log" >&2; die "the server did not start"; }
  PGPASSWORD=$password "$bin/createdb" -h 127.0.0.1 -p "$port" -U "$user" "$database"
  local pid url
  pid=$(head -n 1 "$dir/data/postmaster.pid")
  url="postgres://$user:$password@127.0.0.1:$port/$database?sslmode=disable"
  printf '{ "url": "%s", "port": %s, "pid": %s, "bin": "%s" }\n' "$url" "$port" "$pid" "$bin" >"$dir/connection.json"
  echo "$url"
}

cmd_stop() {
  local dir=${1:?usage: postgres.sh stop <dir>} bin
  [ -f "$dir/data/postmaster.pid" ] || return 0
  bin=$(bin_dir) || return 0
  as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
}

case "${1:-}" in
  install) cmd_install ;;
  start) shift && cmd_start "$@" ;;
  stop) shift && cmd_stop "$@" ;;
  *) die "usage: postgres.sh install | start <dir> | stop <dir>" ;;
esac
