#!/usr/bin/env bash
# Runs the service durably on this machine: Azurite (the Azure Storage emulator, data kept in
# .data/azurite) and one silo serving gRPC over TLS on https://127.0.0.1:5000 with a development
# certificate (.data/tls.crt, created on first run), trusting tokens signed with a local
# development key (.data/dev-signing-key.pem). Installs Azurite (and openssl if missing) on first use.
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

# A development certificate for 127.0.0.1 and localhost; ./dirctl trusts it.
if [ ! -f .data/tls.crt ]; then
  command -v openssl >/dev/null || { apt-get update -qq && apt-get install -y -qq openssl; }
  mkdir -p .data
  openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj /CN=directory-dev \
    -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout .data/tls.key -out .data/tls.crt 2>/dev/null
  chmod 600 .data/tls.key
fi

# Development tokens: the silo trusts this key (created on first run) and ./dirctl mints with it;
# page tokens are signed with a development key kept beside it.
dotnet run --project src/DirectoryService.Silo -c Release -- \
  --Kestrel:Endpoints:Grpc:Url=https://127.0.0.1:5000 \
  --Directory:Tls:CertificatePath="$PWD/.data/tls.crt" --Directory:Tls:KeyPath="$PWD/.data/tls.key" \
  --Directory:Auth:DevelopmentSigningKeyFile="$PWD/.data/dev-signing-key.pem" \
  --Directory:Tokens:DevelopmentKeyFile="$PWD/.data/token-key" "$@"
