#!/usr/bin/env bash
# Starts a fresh Azurite and one Release silo on free-standing ports (rate limits lifted, so the
# figures measure the service rather than its throttle), runs the given workloads one
# after another with the load generator (a separate process), prints one JSON line per workload,
# and stops everything. Usage: benchmarks/run.sh [--concurrency N] [--duration S] workload...
# Example: benchmarks/run.sh --concurrency 32 --duration 10 ping get-user create-user add-remove-member ping
set -euo pipefail
cd "$(dirname "$0")/.."

concurrency=32; duration=10
while [[ $# -gt 0 && $1 == --* ]]; do
  case $1 in
    --concurrency) concurrency=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[[ $# -gt 0 ]] || { echo "name at least one workload" >&2; exit 2; }

[ -x .tools/node_modules/.bin/azurite-table ] || npm install --prefix .tools --no-audit --no-fund --loglevel=error azurite@3.35.0
dotnet build Directory.sln -c Release -nologo -clp:ErrorsOnly >/dev/null

work=$(mktemp -d)
table_port=10102; grpc_port=5100
cleanup() { kill "${silo:-}" "${azurite:-}" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

.tools/node_modules/.bin/azurite-table --tableHost 127.0.0.1 --tablePort $table_port --location "$work/azurite" \
  --disableTelemetry --skipApiVersionCheck > "$work/azurite.log" 2>&1 &
azurite=$!

silo_dir=src/DirectoryService.Silo/bin/Release/net10.0
(cd $silo_dir && exec dotnet DirectoryService.Silo.dll \
  --Kestrel:Endpoints:Grpc:Url=http://127.0.0.1:$grpc_port \
  --Directory:Silo:SiloPort=11200 --Directory:Silo:GatewayPort=30200 --Directory:Silo:ClusterId=bench \
  --Directory:Storage:ConnectionString="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=http://127.0.0.1:$table_port/devstoreaccount1;" \
  --Directory:Auth:DevelopmentSigningKeyFile="$work/dev-key.pem" --Directory:Tls:AllowPlaintextOnLoopback=true \
  --Directory:RateLimits:PermitsPerSecond=10000000 --Directory:RateLimits:Burst=10000000 \
  --Logging:LogLevel:Default=Warning) > "$work/silo.log" 2>&1 &
silo=$!

for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$grpc_port) 2>/dev/null && break; sleep 0.2; done

status=0
for workload in "$@"; do
  dotnet benchmarks/DirectoryService.LoadGenerator/bin/Release/net10.0/DirectoryService.LoadGenerator.dll \
    --target http://127.0.0.1:$grpc_port --workload "$workload" --concurrency "$concurrency" --duration "$duration" --warmup 3 --dev-key "$work/dev-key.pem" || status=1
done
exit $status
