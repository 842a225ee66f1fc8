#!/usr/bin/env bash
# Runs bench/drift.ts (npm run bench:drift -- [users] [options]) against a Samba AD of its own.
exec bash "$(dirname "$0")/bench-with-samba.sh" drift "$@"
