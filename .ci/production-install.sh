#!/usr/bin/env bash
# The README's production quick start, as written there, in this checkout (after the tests):
# build, drop the dev dependencies, migrate a MariaDB database, serve it in single-workspace
# mode, and send the README's ingest example. Traffic stays on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
DB=campaign_stats_prod_ci
mariadb --protocol=tcp -h127.0.0.1 -uroot -e "DROP DATABASE IF EXISTS $DB; CREATE DATABASE $DB CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"

echo "== build, then production dependencies only"
npm run build
npm prune --omit=dev --no-audit --no-fund
test ! -e node_modules/typescript || { echo "dev dependencies still installed" >&2; exit 1; }

export DATABASE_URL="mysql://root@127.0.0.1:3306/$DB"
export SLACK_BOT_TOKEN=xoxb-ci-production-install SLACK_SIGNING_SECRET=ci-production-signing-secret
export INGEST_API_TOKEN=ci-production-ingest-token TWILIO_AUTH_TOKEN=ci-production-twilio-token
export PORT=3987 HOST=127.0.0.1 LOG_LEVEL=warn SLACK_API_URL=http://127.0.0.1:9/api/
node bin/campaign-stats.js migrate
node bin/campaign-stats.js serve > /tmp/cs-prod-ci.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.5; done
curl -sf "http://127.0.0.1:$PORT/readyz"; echo

echo "== the README's ingest example"
status=$(curl -s -o /tmp/cs-prod-ci.json -w '%{http_code}' -X POST "http://127.0.0.1:$PORT/api/v1/messages" \
  -H "Authorization: Bearer $INGEST_API_TOKEN" -H 'Content-Type: application/json' \
  --data @docs/examples/ingest-request.json)
cat /tmp/cs-prod-ci.json; echo
[ "$status" = 200 ] || { echo "ingest answered $status" >&2; cat /tmp/cs-prod-ci.log >&2; exit 1; }
out=$(node bin/campaign-stats.js stats 2026-11-27 --json)
echo "$out" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);if(j.totals.messages!==2){console.error("expected 2 messages, got",j.totals);process.exit(1)}console.log("stats 2026-11-27:",JSON.stringify(j.totals))})'
kill $pid; wait $pid 2>/dev/null || true
echo "production install: ok"
