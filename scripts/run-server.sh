#!/usr/bin/env bash
# Builds Converge and starts the sync server on http://localhost:8080 (CONVERGE_HTTP_PORT to change).
# As root it first prepares the local PostgreSQL (scripts/setup-db.sh); otherwise point
# CONVERGE_DB_URL / CONVERGE_DB_USER / CONVERGE_DB_PASSWORD at a database you prepared.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [[ $(id -u) -eq 0 ]]; then
  bash scripts/setup-db.sh
else
  echo "run-server: not root, skipping scripts/setup-db.sh; using ${CONVERGE_DB_URL:-postgresql://127.0.0.1:5432/converge}"
fi

mvn -B -q install -DskipTests
exec java -jar sync-server/target/quarkus-app/quarkus-run.jar
