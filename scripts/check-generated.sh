#!/usr/bin/env bash
# Fails when libs/proto/src/gen differs from what `npm run generate` produces
# from proto/ (the same check connect-es runs on its generated code).
set -euo pipefail
cd "$(dirname "$0")/.."
npx buf generate
changes=$(git status --porcelain -- libs/proto/src/gen)
if [ -n "$changes" ]; then
  echo "generated code is stale; run 'npm run generate' and commit:" >&2
  echo "$changes" >&2
  git diff --stat -- libs/proto/src/gen >&2
  exit 1
fi
echo "generated code is up to date"
