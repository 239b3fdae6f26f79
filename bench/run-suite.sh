#!/usr/bin/env bash
# The whole benchmark suite of docs/benchmarks.md in one command: builds the server and the bench,
# installs the peers' Node harness (Yjs, Automerge), starts one packaged server on loopback, runs
# every workload, each writing machine-readable results, then rewrites the generated tables of
# docs/benchmarks.md and the fan-out lag plot (docs/img/lag-vs-rate.png).
#
#   bash bench/run-suite.sh            # the full suite (~35 min on a quiet 2-core machine)
#   bash bench/run-suite.sh --quick    # every step, short and small (~5 min): checks the chain;
#                                      # its tables go to the results folder, never into docs/
#
# Options: --results DIR (default bench/target/suite-full or bench/target/suite-quick),
#          --no-build (use the built tree as it is), --port N (server port, default 18300).
# Environment: CONVERGE_DB_URL (default postgresql://127.0.0.1:5432/converge, prepared by
#   scripts/setup-db.sh; the server writes its runs there), CONVERGE_DB_USER/PASSWORD
#   (converge/converge), PEERS_DIR (default ../shared/peers beside the repository).
#
# Results folder: machine.tsv, loadavg.tsv (1-minute load every few seconds), phases.tsv (per
# step: start, end, status), storm/push/sdk/fanout/bootstrap.jsonl, peers/*.json, logs/. A step
# that fails is recorded as failed and the suite goes on; the generator says so in its table.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)

mode=full
results=""
build=1
port=18300
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) mode=quick ;;
    --results) results="$2"; shift ;;
    --no-build) build=0 ;;
    --port) port="$2"; shift ;;
    *) echo "run-suite: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
results=$(realpath -m "${results:-bench/target/suite-$mode}")
db_url="${CONVERGE_DB_URL:-postgresql://127.0.0.1:5432/converge}"
db_user="${CONVERGE_DB_USER:-converge}"
db_password="${CONVERGE_DB_PASSWORD:-converge}"
peers_src="${PEERS_DIR:-$root/../shared/peers}/node"
peers="$root/bench/target/peers-node"
jar=bench/target/benchmarks.jar
server="http://127.0.0.1:$port"

# Sizes: the full suite measures the issue's workloads; quick only proves each step runs.
if [[ $mode == full ]]; then
  storm_clients="10 50"; storm_ops=200; seeds="1 2 3"
  push_rounds=3; push_seconds=20
  sdk_writes=20000
  fan_sessions=1000; fan_spaces=100; fan_rates="10 100 1000"; fan_seconds=30
  # Seeding goes through the server's push path, about 200-500 documents a second here: 100,000
  # take minutes, 1,000,000 about an hour (BOOTSTRAP_DOCS=1000000 for the issue's full size).
  boot_docs=${BOOTSTRAP_DOCS:-100000}; boot_heap=128m
  sample_every=5
else
  storm_clients="5"; storm_ops=40; seeds="1"
  push_rounds=1; push_seconds=4
  sdk_writes=1000
  fan_sessions=20; fan_spaces=4; fan_rates="10 50 200"; fan_seconds=4
  boot_docs=2000; boot_heap=128m
  sample_every=2
fi

rm -rf "$results"
mkdir -p "$results/peers" "$results/logs"
log() { echo "run-suite [$(date -u +%T)] $*"; }

if [[ $build == 1 ]]; then
  log "building the server and the bench"
  mvn -B -q ${SUITE_MAVEN_FLAGS:--o} package -pl sync-server,bench -am -DskipTests -DskipITs
fi
log "installing the peers' Node harness from $peers_src"
mkdir -p "$peers"
# A copy, so the shared harness is never written to; node_modules survives between runs.
(cd "$peers_src" && tar --exclude=node_modules --exclude=results -cf - .) | (cd "$peers" && tar -xf -)
if [[ ! -d "$peers/node_modules/yjs" || ! -d "$peers/node_modules/@automerge/automerge-repo" ]]; then
  (cd "$peers" && npm install --no-audit --no-fund --loglevel=error)
fi

{
  printf 'mode\t%s\n' "$mode"
  printf 'started\t%s\n' "$(date -u +%FT%TZ)"
  printf 'cores\t%s\n' "$(nproc)"
  printf 'cpu\t%s\n' "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
  printf 'memory\t%s MiB\n' "$(( $(grep MemTotal /proc/meminfo | tr -dc 0-9) / 1024 ))"
  printf 'jdk\t%s\n' "$(java -version 2>&1 | head -1)"
  printf 'node\t%s\n' "$(node --version)"
  printf 'postgresql\t%s\n' "$(psql --version | head -1)"
  printf 'os\t%s\n' "$(uname -sr)"
  printf 'commit\t%s%s\n' "$(git rev-parse --short HEAD)" "$(git diff --quiet HEAD -- . 2>/dev/null || echo ' (uncommitted changes)')"
  printf 'load average at start\t%s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
} > "$results/machine.tsv"

# Load average sampler for the whole run; the generator reports it per step.
( while true; do printf '%s\t%s\n' "$(date +%s)" "$(cut -d' ' -f1 /proc/loadavg)"; sleep "$sample_every"; done ) \
  >> "$results/loadavg.tsv" &
sampler=$!

log "starting the server on $server (database $db_url)"
# Push limits and the per-user connection limit lifted: the storm's clients are one user, and the
# throughput steps measure the server, not its rate limiter.
CONVERGE_HTTP_PORT="$port" CONVERGE_HTTP_HOST=127.0.0.1 CONVERGE_DB_URL="$db_url" \
  CONVERGE_DB_USER="$db_user" CONVERGE_DB_PASSWORD="$db_password" \
  CONVERGE_MAX_CONNECTIONS_PER_USER=2000 \
  CONVERGE_LIMITS_USER_CHANGESETS_PER_SECOND=1000000 CONVERGE_LIMITS_USER_BURST=1000000 \
  CONVERGE_LIMITS_SPACE_CHANGESETS_PER_SECOND=1000000 CONVERGE_LIMITS_SPACE_BURST=1000000 \
  java -jar sync-server/target/quarkus-app/quarkus-run.jar > "$results/logs/server.log" 2>&1 &
server_pid=$!
trap 'kill $server_pid $sampler 2>/dev/null || true' EXIT
for _ in $(seq 1 240); do
  curl -sf "$server/q/health/ready" > /dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { echo "run-suite: the server exited, see $results/logs/server.log" >&2; exit 1; }
  sleep 0.5
done
curl -sf "$server/q/health/ready" > /dev/null || { echo "run-suite: server not ready" >&2; exit 1; }

# step NAME COMMAND...: runs one workload, noting its start, end and status in phases.tsv.
step() {
  local name="$1"; shift
  local start status=ok
  start=$(date +%s)
  log "step $name"
  "$@" || status="failed (exit $?)"
  printf '%s\t%s\t%s\t%s\n' "$name" "$start" "$(date +%s)" "$status" >> "$results/phases.tsv"
  log "step $name: $status"
}
bench() { java -cp "$jar" "$@" 2>&1 | grep -v '^SLF4J'; return "${PIPESTATUS[0]}"; }

storm() {
  local c seed fails=0
  for c in $storm_clients; do
    for seed in $seeds; do
      # Interleaved per seed: Converge, Yjs, Automerge, so all three see the same machine.
      bench dev.converge.bench.storm.CartStorm --server "$server" --server-pid "$server_pid" \
        --clients "$c" --ops "$storm_ops" --seeds "$seed" --results "$results/storm.jsonl" || fails=1
      for peer in yjs automerge; do
        (cd "$peers" && node "$peer-cart.mjs" --clients "$c" --ops "$storm_ops" --seeds "$seed" \
          --timeout-ms 300000 --json "$results/peers/$peer-c$c-s$seed.json") > "$results/logs/$peer-c$c-s$seed.log" 2>&1 \
          || { fails=1; echo "run-suite: $peer C=$c seed $seed failed, see logs/" >&2; }
      done
    done
  done
  bench dev.converge.bench.suite.SuiteReport --results "$results" --print storm
  return "$fails"
}

pgbench_row() {
  local clients="$1" out tps
  local host port_db dbname
  host=$(sed -E 's#^postgresql://([^:/]+).*#\1#' <<< "$db_url")
  port_db=$(sed -E 's#^postgresql://[^:/]+:?([0-9]*)/.*#\1#' <<< "$db_url")
  dbname=$(sed -E 's#^.*/([^/?]+).*$#\1#' <<< "$db_url")
  local cmd="pgbench -h $host -p ${port_db:-5432} -U $db_user -n -c $clients -j $(( clients < 2 ? 1 : 2 )) -T $push_seconds -f insert.sql $dbname"
  out=$(cd "$results" && PGPASSWORD="$db_password" $cmd 2>&1) || { echo "$out" >&2; return 1; }
  tps=$(sed -nE 's/^tps = ([0-9.]+).*/\1/p' <<< "$out" | head -1)
  [[ -n $tps ]] || { echo "$out" >&2; return 1; }
  echo "pgbench, $clients client(s): $tps tps"
  printf '{"workload":"push","at":%s,"system":"pgbench","connections":%s,"tps":%s,"command":"%s"}\n' \
    "$(date +%s)" "$clients" "$tps" "${cmd/ -h $host -p ${port_db:-5432} -U $db_user/} # insert.sql: insert into suite_pgb.insert_t(payload) values (repeat('x', 300));" \
    >> "$results/push.jsonl"
}

push() {
  local round c fails=0
  PGPASSWORD="$db_password" psql "postgresql://$db_user@${db_url#postgresql://}" -q -v ON_ERROR_STOP=1 -c \
    "create schema if not exists suite_pgb; drop table if exists suite_pgb.insert_t;
     create table suite_pgb.insert_t(id bigserial primary key, payload text not null);" || return 1
  echo "insert into suite_pgb.insert_t(payload) values (repeat('x', 300));" > "$results/insert.sql"
  for round in $(seq 1 "$push_rounds"); do
    for c in 1 8; do
      pgbench_row "$c" || fails=1
      bench dev.converge.bench.load.LoadGenerator --server "$server" --results "$results/push.jsonl" \
        push --connections "$c" --spaces 1 --batch 1 --seconds "$push_seconds" || fails=1
    done
  done
  PGPASSWORD="$db_password" psql "postgresql://$db_user@${db_url#postgresql://}" -q -c "drop schema suite_pgb cascade;" || true
  return "$fails"
}

sdk() {
  bench dev.converge.bench.sdk.SdkBench --writes "$sdk_writes" --results "$results/sdk.jsonl"
}

fanout() {
  local rate fails=0
  for rate in $fan_rates; do
    bench dev.converge.bench.load.LoadGenerator --server "$server" --results "$results/fanout.jsonl" \
      fanout --sessions "$fan_sessions" --spaces "$fan_spaces" --rate "$rate" --seconds "$fan_seconds" || fails=1
  done
  return "$fails"
}

bootstrap() {
  java "-Xmx$boot_heap" -cp "$jar" dev.converge.bench.sdk.SdkBench --server "$server" --bootstrap-only \
    --docs "$boot_docs" --results "$results/bootstrap.jsonl" 2>&1 | grep -v '^SLF4J'
  return "${PIPESTATUS[0]}"
}

step storm storm
step push push
step sdk sdk
step fanout fanout
step bootstrap bootstrap

kill "$server_pid" "$sampler" 2>/dev/null || true
wait "$server_pid" 2>/dev/null || true
log "writing the tables"
bench dev.converge.bench.suite.SuiteReport --results "$results"
failed=$(awk -F'\t' '$4 != "ok"' "$results/phases.tsv" | cut -f1 | xargs)
if [[ -n $failed ]]; then
  log "done; failed steps: $failed (see $results/logs and the step logs above)"
  exit 1
fi
log "done: results in $results"
