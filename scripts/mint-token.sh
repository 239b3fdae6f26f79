#!/usr/bin/env bash
# Prints a JWT signed with the development key (the one the local server accepts).
#   scripts/mint-token.sh --sub alice --spaces team:1,team:2 [--ttl 3600]
# Honours CONVERGE_DATA_DIR, CONVERGE_JWT_ISSUER, CONVERGE_JWT_AUDIENCE like the server.
# Needs the packaged server: mvn -pl sync-server -am package -DskipTests
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
app="$root/sync-server/target/quarkus-app"
if [[ ! -d "$app/lib/main" ]]; then
  echo "mint-token: $app not found; build it first: (cd $root && mvn -B -q -pl sync-server -am package -DskipTests)" >&2
  exit 1
fi
exec java -cp "$app/app/*:$app/lib/main/*:$app/lib/boot/*" dev.converge.server.auth.MintDevToken "$@"
