#!/usr/bin/env bash
# The junk-flood figure of docs/benchmarks.md on its own: starts the packaged server on a free
# loopback port, runs `load flood` (non-reading junk senders beside one well-behaved device) and
# stops the server. Needs PostgreSQL prepared by scripts/setup-db.sh and a built tree
# (sync-server/target/quarkus-app and bench/target/benchmarks.jar).
#   bash bench/run-flood-bench.sh [seconds] [junk-senders]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds="${1:-30}"
senders="${2:-4}"
port="${BENCH_PORT:-18081}"
server="http://127.0.0.1:$port"
mkdir -p target

CONVERGE_HTTP_PORT="$port" CONVERGE_HTTP_HOST=127.0.0.1 \
  java -jar sync-server/target/quarkus-app/quarkus-run.jar > target/flood-server.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  curl -sf "$server/q/health/ready" > /dev/null && break
  sleep 0.5
done
echo "# $(date -u +%FT%TZ) $(nproc) cores, $(java -version 2>&1 | head -1)"
java -cp bench/target/benchmarks.jar dev.converge.bench.load.LoadGenerator --server "$server" \
  flood --seconds "$seconds" --junk-senders "$senders" --pid "$pid" 2>&1 | grep -v '^SLF4J'
