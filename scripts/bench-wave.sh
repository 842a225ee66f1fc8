#!/usr/bin/env bash
# Runs bench/wave.ts (npm run bench:wave -- [users] [options]) against a Samba AD of its own.
exec bash "$(dirname "$0")/bench-with-samba.sh" wave "$@"
