#!/usr/bin/env bash
# Prepares the local PostgreSQL 15 for Converge. Idempotent; run as root.
#   - installs the postgresql package if pg_ctlcluster is missing
#   - starts cluster 15/main if it is down
#   - creates role converge (password converge) and databases converge, converge_test
#   - lets the role create databases: the backup-restore test restores into a scratch database
#     of its own (<test database>_restore), since other test servers write to the shared one
# Override names with CONVERGE_DB_USER, CONVERGE_DB_PASSWORD, CONVERGE_DB_NAMES (space-separated).
# CONVERGE_DB_RECREATE (space-separated names) drops those databases first, so that they start
# empty: CI recreates its test database, since a run stopped half-way may leave it in any state.
set -euo pipefail

user="${CONVERGE_DB_USER:-converge}"
password="${CONVERGE_DB_PASSWORD:-converge}"
databases="${CONVERGE_DB_NAMES:-converge converge_test}"
recreate="${CONVERGE_DB_RECREATE:-}"
version=15
cluster=main

log() { echo "setup-db: $*"; }

if [[ $(id -u) -ne 0 ]]; then
  echo "setup-db: run as root (it starts PostgreSQL and uses su postgres)" >&2
  exit 1
fi

if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  log "installing postgresql"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql >/dev/null
fi

if ! pg_lsclusters -h 2>/dev/null | awk -v v="$version" -v c="$cluster" '$1==v && $2==c' | grep -q .; then
  log "creating cluster $version/$cluster"
  pg_createcluster "$version" "$cluster"
fi

if ! pg_lsclusters -h | awk -v v="$version" -v c="$cluster" '$1==v && $2==c {print $4}' | grep -q online; then
  log "starting PostgreSQL $version/$cluster"
  pg_ctlcluster --skip-systemctl-redirect "$version" "$cluster" start
fi

for _ in $(seq 1 30); do
  su postgres -c "psql -tAc 'SELECT 1'" >/dev/null 2>&1 && break
  sleep 1
done

psql_admin() { su postgres -c "psql -v ON_ERROR_STOP=1 -tAc \"$1\""; }

if psql_admin "SELECT 1 FROM pg_roles WHERE rolname='${user}'" | grep -q 1; then
  # keep the password in step, in case the role came from elsewhere
  psql_admin "ALTER ROLE ${user} LOGIN CREATEDB PASSWORD '${password}'" >/dev/null
else
  log "creating role ${user}"
  psql_admin "CREATE ROLE ${user} LOGIN CREATEDB PASSWORD '${password}'" >/dev/null
fi

for db in $recreate; do
  if [[ ! $db =~ ^[a-z0-9_]+$ ]]; then
    echo "setup-db: not a plain database name: $db" >&2
    exit 1
  fi
  log "dropping database ${db} (recreated empty)"
  psql_admin "DROP DATABASE IF EXISTS ${db} WITH (FORCE)" >/dev/null
done

for db in $databases; do
  if ! psql_admin "SELECT 1 FROM pg_database WHERE datname='${db}'" | grep -q 1; then
    log "creating database ${db}"
    su postgres -c "createdb -O ${user} ${db}"
  fi
done

log "PostgreSQL $version/$cluster is up; role ${user}; databases: ${databases}"
