#!/usr/bin/env bash
# The date-sensitive tests (those that start the app or load the demo on a pinned clock), run
# again at the instants DESIGN §9 names: a Sunday 00:30 UTC, a Monday 23:59, the first of a
# month, both DST change days in America/Denver, Feb 29, Dec 31 23:59. Called by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
instants=(
  2026-11-29T00:30:00Z # Sunday, 00:30 UTC
  2026-11-30T23:59:00Z # Monday 23:59
  2026-12-01T06:00:00Z # the first of a month (before the 09:00 digest)
  2026-03-08T09:30:00Z # Denver springs forward (02:00 MST → 03:00 MDT)
  2026-11-01T08:30:00Z # Denver falls back (02:00 MDT → 01:00 MST)
  2028-02-29T12:00:00Z # Feb 29
  2026-12-31T23:59:00Z # Dec 31 23:59
)
for at in "${instants[@]}"; do
  echo "== at $at"
  TEST_NOW="$at" npx vitest run test/e2e/browser.test.ts test/integration/lifecycle.test.ts test/integration/answer-threads.test.ts
done
