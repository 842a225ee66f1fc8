#!/usr/bin/env bash
# A real Active Directory (Samba AD DC) on a loopback address, for the integration tests and the
# sandbox. /work/shared/reference/samba-ad.md has the figures and pitfalls behind the options here.
#   samba.sh install                            Debian's packages, once (starts no system service)
#   samba.sh start <dir> [--address 127.0.0.X] [--without-delegation]
#                                               provision a fresh, seeded domain into <dir>, serve it;
#                                               svc-reachback gets its write rights (delegate_writes)
#                                               unless --without-delegation (the sandbox's stack
#                                               grants them itself: DirectoryDelegation)
#   samba.sh restart <dir>                      restart the server on the same data (no provision)
#   samba.sh stop <dir>                         stop the server whose pid is in <dir>
# start writes <dir>/connection.json (URLs, CA, accounts, pid) and prints the pid.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
packages=(samba samba-dsdb-modules samba-vfs-modules samba-ad-provision ldb-tools ldap-utils openssl)

realm=CORP.FABRIKAM.EXAMPLE
dns_domain=corp.fabrikam.example
base_dn=DC=corp,DC=fabrikam,DC=example
hostname=dc1
admin_password='Fabrikam-Admin-2024!'
svc_dn="CN=svc-reachback,OU=Service Accounts,OU=Fabrikam,$base_dn"
svc_bind=svc-reachback@$dns_domain
svc_password='Reachback-Svc-2024!'
# The attributes the coexistence code writes; svc-reachback may write these and nothing else.
delegated_attributes=(mail proxyAddresses targetAddress msExchRecipientDisplayType
  msExchRecipientTypeDetails msExchRemoteRecipientType)

die() { echo "samba.sh: $*" >&2; exit 1; }
now_ms() { date +%s%3N; }

cmd_install() {
  local missing=() p
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing ${missing[*]}" >&2
  local t0 policy=/usr/sbin/policy-rc.d saved=""
  t0=$(now_ms)
  # Debian starts smbd/nmbd/samba-ad-dc on install where an init system runs; a policy-rc.d that
  # exits 101 forbids that. An existing one (Docker images ship one) is put back afterwards.
  if [ -e "$policy" ]; then saved=$(mktemp) && cp -p "$policy" "$saved"; fi
  local restore="rm -f $policy"
  [ -z "$saved" ] || restore="mv -f $saved $policy"
  trap "$restore" EXIT
  printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy"
  # Package lists are absent in fresh images; fetch them only when apt knows no candidate.
  if ! apt-cache policy samba 2>/dev/null | grep -q 'Candidate: [0-9]'; then
    apt-get update -qq >&2
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  $restore
  trap - EXIT
  echo "installed in $(($(now_ms) - t0)) ms" >&2
}

# A CA and a server certificate for the address and the DC's name: clients verify the server
# against <dir>/ca.pem with verification on, as they would against an enterprise CA.
make_tls() {
  local dir=$1 address=$2 tls=$1/tls
  mkdir -p "$tls"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
    -subj "/O=Fabrikam test/CN=Fabrikam test root CA" -keyout "$tls/ca-key.pem" -out "$dir/ca.pem" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -subj "/O=Fabrikam test/CN=$hostname.$dns_domain" -keyout "$tls/key.pem" -out "$tls/server.csr" 2>/dev/null
  openssl x509 -req -in "$tls/server.csr" -CA "$dir/ca.pem" -CAkey "$tls/ca-key.pem" -CAcreateserial \
    -days 30 -out "$tls/cert.pem" -extfile <(printf '%s\n' \
      "subjectAltName=IP:$address,DNS:$hostname.$dns_domain,DNS:$dns_domain" \
      "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" \
      "extendedKeyUsage=serverAuth") 2>/dev/null
  # Samba refuses a private key others can read.
  chmod 600 "$tls/key.pem" "$tls/ca-key.pem"
}

# Written before provisioning: provision keeps an existing smb.conf, and a complete private one
# means neither provision nor the server read the system-wide /etc/samba/smb.conf.
write_smb_conf() {
  local dir=$1 address=$2
  mkdir -p "$dir/etc" "$dir/run" "$dir/log" "$dir/ntp_signd" "$dir/winbindd"
  cat >"$dir/etc/smb.conf" <<CONF
[global]
	netbios name = ${hostname^^}
	workgroup = FABRIKAM
	realm = $realm
	server role = active directory domain controller
	# LDAP only: winbindd is not installed and nothing here needs Kerberos, SMB or DNS.
	server services = ldap
	interfaces = $address/8
	bind interfaces only = yes
	private dir = $dir/private
	lock dir = $dir
	state directory = $dir/state
	cache directory = $dir/cache
	binddns dir = $dir/bind-dns
	# Under <dir> so that instances on other addresses do not collide in /run/samba.
	pid directory = $dir/run
	ntp signd socket directory = $dir/ntp_signd
	winbindd socket directory = $dir/winbindd
	log file = $dir/log/samba.log
	logging = file
	log level = 1
	# Unprivileged sysvol ACLs (no CAP_SYS_ADMIN needed).
	acl_xattr:security_acl_name = user.NTACL
	# Test data only: no fsync per write (about 3x the modify rate).
	ldb:nosync = true
	# Simple binds over plain LDAP are accepted (as on many real DCs); clients here still use TLS.
	ldap server require strong auth = no
	tls enabled = yes
	tls keyfile = $dir/tls/key.pem
	tls certfile = $dir/tls/cert.pem
	tls cafile = $dir/ca.pem

[sysvol]
	path = $dir/state/sysvol
	read only = no

[netlogon]
	path = $dir/state/sysvol/$dns_domain/scripts
	read only = no
CONF
}

alive() { # a running process (not a zombie that nobody reaped yet)
  local state
  state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
  [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

pid_of() { cat "$1/samba.pid" 2>/dev/null || true; }

stop_server() {
  local dir=$1 pid i
  pid=$(pid_of "$dir")
  [ -n "$pid" ] || return 0
  if alive "$pid" && grep -q samba "/proc/$pid/comm" 2>/dev/null; then
    kill "$pid"
    for i in $(seq 1 100); do alive "$pid" || break; sleep 0.05; done
    if alive "$pid"; then kill -9 "$pid"; sleep 0.1; fi
  fi
  rm -f "$dir/samba.pid"
}

ldaps() { # <tool> <dir> <address> args...: an OpenLDAP tool over LDAPS, verifying the CA
  local tool=$1 dir=$2 address=$3
  shift 3
  LDAPTLS_CACERT="$dir/ca.pem" LDAPTLS_REQCERT=demand "$tool" -H "ldaps://$address" -x "$@"
}

# Else start_server's readiness probe could be answered by another instance on the same address.
ensure_free() {
  local port
  for port in 389 636; do
    if (exec 3<>"/dev/tcp/$1/$port") 2>/dev/null; then
      die "something already listens on $1:$port (another samba.sh instance? stop it, or use --address)"
    fi
  done
}

start_server() {
  local dir=$1 address=$2 t0 i
  t0=$(now_ms)
  # -F keeps it in the foreground (no daemon fork), so $! is its pid; it logs to log/samba.log.
  samba -s "$dir/etc/smb.conf" -M single -F </dev/null >>"$dir/log/stdout.log" 2>&1 &
  echo $! >"$dir/samba.pid"
  for i in $(seq 1 600); do
    if ldaps ldapsearch "$dir" "$address" -b "" -s base -LLL dn >/dev/null 2>&1; then
      echo "LDAPS answered $(($(now_ms) - t0)) ms after start" >&2
      return 0
    fi
    alive "$(pid_of "$dir")" || { tail -n 30 "$dir/log/samba.log" "$dir/log/stdout.log" >&2; die "samba exited"; }
    sleep 0.05
  done
  tail -n 30 "$dir/log/samba.log" >&2
  die "LDAPS on $address:636 did not answer within 30 s"
}

write_connection() {
  local dir=$1 address=$2
  cat >"$dir/connection.json" <<JSON
{
  "ldapsUrl": "ldaps://$address:636",
  "ldapUrl": "ldap://$address:389",
  "caCertPath": "$dir/ca.pem",
  "realm": "$realm",
  "baseDn": "$base_dn",
  "adminBindDn": "Administrator@$dns_domain",
  "adminPassword": "$admin_password",
  "serviceAccount": {
    "bindDn": "$svc_bind",
    "password": "$svc_password",
    "dn": "$svc_dn"
  },
  "address": "$address",
  "pid": $(pid_of "$dir")
}
JSON
}

# Lets svc-reachback write the six attributes on user objects under OU=Fabrikam, and membership of
# the groups under OU=Groups, and nothing else: the delegation a real deployment would grant
# (authenticated users can already read them).
delegate_writes() {
  local dir=$1 sam=$1/private/sam.ldb conf=$1/etc/smb.conf filter="" a sid aces="" guid
  for a in "${delegated_attributes[@]}"; do filter+="(lDAPDisplayName=$a)"; done
  local user_class_guid
  user_class_guid=$(ldbsearch --configfile="$conf" -H "$sam" -b "CN=Schema,CN=Configuration,$base_dn" \
    "(lDAPDisplayName=user)" schemaIDGUID | awk '/^schemaIDGUID:/{print $2}')
  while read -r guid; do
    aces+="(OA;CIIO;WP;$guid;$user_class_guid;SID)"
  done < <(ldbsearch --configfile="$conf" -H "$sam" -b "CN=Schema,CN=Configuration,$base_dn" "(|$filter)" schemaIDGUID |
    awk '/^schemaIDGUID:/{print $2}')
  [ "$(grep -o '(OA' <<<"$aces" | wc -l)" -eq ${#delegated_attributes[@]} ] || die "schema lookup for delegation failed"
  sid=$(ldbsearch --configfile="$conf" -H "$sam" -b "$svc_dn" -s base objectSid | awk '/^objectSid:/{print $2}')
  samba-tool dsacl set -s "$conf" -H "$sam" --objectdn="OU=Fabrikam,$base_dn" --sddl="${aces//SID/$sid}" >/dev/null
  # And membership of the groups under OU=Groups (on-premises license groups are changed in AD).
  local member_guid group_class_guid
  member_guid=$(ldbsearch --configfile="$conf" -H "$sam" -b "CN=Schema,CN=Configuration,$base_dn" \
    "(lDAPDisplayName=member)" schemaIDGUID | awk '/^schemaIDGUID:/{print $2}')
  group_class_guid=$(ldbsearch --configfile="$conf" -H "$sam" -b "CN=Schema,CN=Configuration,$base_dn" \
    "(lDAPDisplayName=group)" schemaIDGUID | awk '/^schemaIDGUID:/{print $2}')
  [ -n "$member_guid" ] && [ -n "$group_class_guid" ] || die "schema lookup for group delegation failed"
  samba-tool dsacl set -s "$conf" -H "$sam" --objectdn="OU=Groups,OU=Fabrikam,$base_dn" \
    --sddl="(OA;CIIO;WP;$member_guid;$group_class_guid;$sid)" >/dev/null
}

cmd_start() {
  local dir="" address=127.0.0.2 delegation=yes
  while [ $# -gt 0 ]; do
    case "$1" in
      --address) address=${2:?--address needs a value}; shift 2 ;;
      --without-delegation) delegation=no; shift ;;
      -*) die "unknown option $1" ;;
      *) dir=$1; shift ;;
    esac
  done
  [ -n "$dir" ] || die "start needs a directory"
  [[ "$address" =~ ^127\.[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "--address must be a loopback address (127.x.y.z)"
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  stop_server "$dir"
  ensure_free "$address"
  # Schema additions cannot be undone: every start is a fresh domain.
  find "$dir" -mindepth 1 -delete

  local t0 t1 t2
  t0=$(now_ms)
  # A start that fails half-way leaves no server behind.
  trap "stop_server $(printf %q "$dir")" EXIT
  make_tls "$dir" "$address"
  write_smb_conf "$dir" "$address"
  samba-tool domain provision -s "$dir/etc/smb.conf" --targetdir="$dir" --realm="$realm" \
    --domain=FABRIKAM --server-role=dc --dns-backend=NONE --host-name="$hostname" \
    --adminpass="$admin_password" >"$dir/log/provision.log" 2>&1 ||
    { tail -n 30 "$dir/log/provision.log" >&2; die "provision failed (log: $dir/log/provision.log)"; }
  t1=$(now_ms)
  # Offline, on the database itself: no server needs to allow schema updates afterwards.
  local f
  for f in exchange-attributes exchange-mail-recipient seed; do
    ldbmodify --configfile="$dir/etc/smb.conf" -H "$dir/private/sam.ldb" \
      --option="dsdb:schema update allowed=true" "$here/samba/$f.ldif" >/dev/null
  done
  [ "$delegation" = no ] || delegate_writes "$dir"
  t2=$(now_ms)
  echo "provisioned in $((t1 - t0)) ms, schema and seed in $((t2 - t1)) ms" >&2

  start_server "$dir" "$address"
  # AD takes unicodePwd only over an encrypted connection. 66048: normal account, password never expires.
  ldaps ldapmodify "$dir" "$address" -D "Administrator@$dns_domain" -w "$admin_password" >/dev/null <<LDIF
dn: $svc_dn
changetype: modify
replace: unicodePwd
unicodePwd:: $(printf '"%s"' "$svc_password" | iconv -f utf-8 -t utf-16le | base64 -w0)
-
replace: userAccountControl
userAccountControl: 66048
-
LDIF
  write_connection "$dir" "$address"
  trap - EXIT
  echo "samba on $address ready $(($(now_ms) - t0)) ms after start of provisioning" >&2
  pid_of "$dir"
}

existing_dir() {
  [ -n "${1:-}" ] || die "a directory is needed"
  [ -f "$1/connection.json" ] || die "$1 holds no domain (no connection.json); use start"
  cd "$1" && pwd
}

cmd_restart() {
  local dir address
  dir=$(existing_dir "${1:-}")
  address=$(sed -n 's/^  "address": "\(.*\)",$/\1/p' "$dir/connection.json")
  stop_server "$dir"
  ensure_free "$address"
  start_server "$dir" "$address"
  write_connection "$dir" "$address"
  pid_of "$dir"
}

# Lenient, for exit traps: a directory without a running server is already stopped.
cmd_stop() {
  [ -n "${1:-}" ] || die "stop needs a directory"
  [ -d "$1" ] || return 0
  stop_server "$(cd "$1" && pwd)"
}

case "${1:-}" in
  install) cmd_install ;;
  start) shift; cmd_start "$@" ;;
  restart) shift; cmd_restart "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  *) echo "usage: $0 install | start <dir> [--address 127.0.0.X] [--without-delegation] | restart <dir> | stop <dir>" >&2; exit 2 ;;
esac
