#!/bin/sh
# Container entrypoint (see /Dockerfile): runs the service named by SERVICE as
# PID 1 (exec), so that it receives SIGTERM itself and can drain before exiting.
set -eu
: "${SERVICE:?set SERVICE to one of the folders under services/ (vault, registry, authz, verifier, all-in-one)}"
main="services/${SERVICE}/dist/src/main.js"
if [ ! -f "$main" ]; then
  echo "start.sh: SERVICE=${SERVICE}: no ${main} in this image; built services:" >&2
  ls services/*/dist/src/main.js >&2 2>/dev/null || true
  exit 64
fi
exec node --enable-source-maps "$main" "$@"
