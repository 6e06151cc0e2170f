#!/usr/bin/env bash
# Runs the service durably on this machine: Azurite (the Azure Storage emulator, data kept in
# .data/azurite) and one silo serving gRPC on http://127.0.0.1:5000, trusting tokens signed with a
# local development key (.data/dev-signing-key.pem), in plaintext HTTP/2, which the silo allows only on
# loopback and only when told (production endpoints are https). Installs Azurite on first use.
# Extra arguments go to the silo, e.g. ./run.sh --Directory:Silo:SiloPort=11112
set -euo pipefail
cd "$(dirname "$0")"

if [ ! -x .tools/node_modules/.bin/azurite-table ]; then
  npm install --prefix .tools --no-audit --no-fund --loglevel=error azurite@3.35.0
fi

if ! (exec 3<>/dev/tcp/127.0.0.1/10002) 2>/dev/null; then
  mkdir -p .data/azurite
  .tools/node_modules/.bin/azurite-table --tableHost 127.0.0.1 --tablePort 10002 \
    --location .data/azurite --disableTelemetry --skipApiVersionCheck > .data/azurite.log 2>&1 &
  azurite=$!
  trap 'kill $azurite 2>/dev/null' EXIT
  for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/10002) 2>/dev/null && break; sleep 0.2; done
  echo "Azurite listening on 127.0.0.1:10002 (data in .data/azurite)"
fi

# Development tokens: the silo trusts this key (created on first run) and ./dirctl mints with it.
dotnet run --project src/DirectoryService.Silo -c Release -- \
  --Directory:Auth:DevelopmentSigningKeyFile="$PWD/.data/dev-signing-key.pem" \
  --Directory:Tls:AllowPlaintextOnLoopback=true "$@"
