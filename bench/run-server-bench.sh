#!/usr/bin/env bash
# Runs the server and SDK load figures of docs/benchmarks.md against a freshly started local
# server (loopback only; every step stops by itself). Needs PostgreSQL prepared by
# scripts/setup-db.sh and a built tree (mvn -B -q install -DskipTests).
#   bash bench/run-server-bench.sh [output-file]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out="${1:-target/server-bench.txt}"
mkdir -p "$(dirname "$out")" target
jar=bench/target/benchmarks.jar
port="${BENCH_PORT:-18080}"
server="http://127.0.0.1:$port"

CONVERGE_HTTP_PORT="$port" CONVERGE_HTTP_HOST=127.0.0.1 \
  java -jar sync-server/target/quarkus-app/quarkus-run.jar > target/bench-server.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  curl -sf "$server/q/health/ready" > /dev/null && break
  sleep 0.5
done

load() { java -cp "$jar" dev.converge.bench.load.LoadGenerator --server "$server" "$@" 2>&1 | grep -v '^SLF4J'; }
{
  echo "# $(date -u +%FT%TZ) $(nproc) cores, $(java -version 2>&1 | head -1)"
  echo "server RSS after start: $(grep VmRSS /proc/$pid/status)"
  load idle --sessions 1000 --pid "$pid"
  load push --connections 8 --spaces 1 --batch 10 --seconds 20
  load push --connections 100 --spaces 100 --batch 10 --seconds 20
  load push --connections 8 --spaces 1 --batch 1 --seconds 20
  load fanout --sessions 100 --rate 20 --seconds 20
  load fanout --sessions 1000 --rate 10 --seconds 20
  load flood --junk-senders 4 --seconds 30 --pid "$pid"
  java -cp "$jar" dev.converge.bench.sdk.SdkBench --server "$server" --docs 10000 2>&1 | grep -v '^SLF4J'
} | tee "$out"
