#!/usr/bin/env bash
# Starts the Converge sync server on http://localhost:8080 (CONVERGE_HTTP_PORT to change).
#   scripts/run-server.sh            build only if needed, then start
#   scripts/run-server.sh --rebuild  build first in any case
#   scripts/run-server.sh --no-build start what is built, or fail saying it is not built
#   scripts/run-server.sh --build-only  build if needed, do not start
# It builds (mvn install -DskipTests: the server, the sample app, and the SDK artifacts in the
# local Maven repository for apps) when the server is not built yet or a source or POM changed
# since, and then shows one line per module as the build goes. CONVERGE_BUILD_GOAL=package builds
# without installing. As root it first prepares the local PostgreSQL (scripts/setup-db.sh);
# otherwise point CONVERGE_DB_URL / CONVERGE_DB_USER / CONVERGE_DB_PASSWORD at a database you
# prepared.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

server_jar=sync-server/target/quarkus-app/quarkus-run.jar
sample_jar=sample-app/target/converge-cart.jar
build_log=target/run-server-build.log
mode=auto
case "${1:-}" in
  "") ;;
  --rebuild) mode=always ;;
  --no-build) mode=never ;;
  --build-only) mode=only ;;
  -h | --help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "run-server: unknown option '$1' (try --help)" >&2; exit 2 ;;
esac

# Prints why a build is needed, or nothing when the built jars are newer than every input.
stale_reason() {
  if [[ ! -f $server_jar ]]; then echo "the server is not built yet"; return; fi
  if [[ ! -f $sample_jar ]]; then echo "the sample app is not built yet"; return; fi
  local changed
  changed=$(find pom.xml sync-core dev-tokens sync-server sync-sdk sample-app \
    \( -path '*/target' -prune \) -o \( -type f \( -name pom.xml -o -path '*/src/main/*' \) \
    -newer "$server_jar" -print \) | head -n 1)
  if [[ -n $changed ]]; then echo "$changed changed since the last build"; fi
}

build() {
  local goal="${CONVERGE_BUILD_GOAL:-install}"
  echo "run-server: building ($1): mvn $goal -DskipTests; full log in $build_log"
  echo "run-server: a first build downloads dependencies and takes several minutes"
  mkdir -p target
  local start=$SECONDS status=0
  # One line per module as Maven reaches it, instead of minutes of silence or pages of output.
  mvn -B -ntp "$goal" -DskipTests -pl sync-server,sample-app,sync-sdk-android,converge-bom -am >"$build_log" 2>&1 &
  local pid=$!
  tail -n +1 -F "$build_log" 2>/dev/null --pid="$pid" \
    | grep --line-buffered -E '^\[INFO\] Building Converge|BUILD (SUCCESS|FAILURE)' \
    | sed -u -E 's/^\[INFO\] Building Converge :: /run-server:   building /; s/^\[INFO\] /run-server: /; s/ {2,}\[/ [/' || true
  wait "$pid" || status=$?
  if [[ $status -ne 0 ]]; then
    echo "run-server: the build failed (status $status); its last lines:" >&2
    tail -n 30 "$build_log" >&2
    exit "$status"
  fi
  echo "run-server: built in $((SECONDS - start)) s"
}

reason=$(stale_reason)
case $mode in
  always) build "--rebuild" ;;
  never)
    if [[ ! -f $server_jar ]]; then
      echo "run-server: $server_jar is missing; run without --no-build to build it" >&2
      exit 1
    fi ;;
  auto | only)
    if [[ -n $reason ]]; then
      build "$reason"
    else
      echo "run-server: already built, nothing changed since (--rebuild to build again)"
    fi ;;
esac
if [[ $mode == only ]]; then exit 0; fi
echo "run-server: starting $server_jar"

if [[ $(id -u) -eq 0 ]]; then
  bash scripts/setup-db.sh
else
  echo "run-server: not root, skipping scripts/setup-db.sh; using ${CONVERGE_DB_URL:-postgresql://127.0.0.1:5432/converge}"
fi

exec java -jar "$server_jar"
