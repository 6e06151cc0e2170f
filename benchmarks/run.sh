#!/usr/bin/env bash
# Starts a fresh Azurite and one Release silo on free-standing ports (rate limits lifted, so the
# figures measure the service rather than its throttle), runs the given workloads one after
# another with the load generator (a separate process), prints one JSON line per workload, and
# stops everything.
#
# Workloads that read the benchmark dataset (get-user-upn, signin, cold-signin, member-groups,
# check-groups, add-remove, get-user, their SCIM forms scim-get-user-upn, scim-add-remove, and REST forms rest-get-user,
# rest-signin) make the script load it first: with the bulk import (`import`, the default), or with
# --load api object by object through the API (phases users, groups, members, the path before the
# import existed), printing each phase's time and the silo's resident memory (and Azurite's) after it.
# `import-again` runs the same import over the loaded dataset (it must change nothing).
# `import+W` runs the import and, from 20 s into it, workload W (create-user, signin, …) measured for
# --duration seconds at --background-concurrency callers: what other callers get while an import runs.
# `azurite-crash` kills Azurite (kill -9) halfway through a run of durable creates and starts it again
# on its data, restarts the silo, and reads back every acknowledged create (lost acknowledged writes).
# Special steps: `dashboard-on` and `dashboard-off` restart the silo with the Orleans Dashboard on or
# off (on by default); `leases-on` and `leases-off` with read leases on or off (on by default); `restart` restarts the silo (every grain cold afterwards) and waits until it reports
# ready (SERVING once it has warmed its group closures; `ready_seconds`); `cold-signin` (8 callers)
# and `cold-signin-1` (one caller) resolve users not resolved before; `warm` signs every user
# in once (all measured), so that the timed read runs after it measure warm reads rather than first
# reads; `A+B` runs workload A measured and B in the background at the same time (B at
# --background-concurrency callers).
#
# Each timed load line carries `storage`: per API operation answered during the measured window, the
# calls answered, storage calls per call and sequential storage round trips per call, read off the
# silo's Prometheus endpoint (directory.storage.calls, directory.storage.round_trips).
#
# --azurite-log keeps Azurite's access log (one line per storage request; costs Azurite ~10% of its
# CPU) and adds to each load line how many requests Azurite served for it (`azurite_requests`; an
# entity group transaction is one request); after each timed workload it prints a line with the
# requests of the whole step (its 3-s warm-up included).
#
# --azurite-saves times Azurite's saves of its database (disk location only: Azurite re-writes all
# its tables as one JSON string every 5 s, on the thread that serves requests; benchmarks/azurite-saves.js)
# and adds to the import lines how many there were, the seconds they held Azurite's thread, the
# seconds of its garbage collection meanwhile, and the largest save (`azurite_saves`,
# `azurite_save_seconds`, `azurite_gc_seconds`, `azurite_db_mb`).
#
# --storage-latency MS adds MS milliseconds (0-999) to every storage request the silo makes (what
# Azure Table storage costs within a region: 5-10 ms), so latency reads as it would against Azure;
# the change in an operation's latency per millisecond is its number of sequential round trips.
#
# --table-shards N spreads each of the grain-state, row and audit tables over N physical tables
# (Directory:Storage:TableShards; a new deployment gets 64, and before 2026-12-07 got 16).
#
# --azurite-memory runs Azurite without its disk file (--inMemoryPersistence): every write still
# goes to Azurite and is acknowledged by it, but Azurite no longer re-serialises its whole database
# to one JSON file every 5 s, which at the default scale stalls it for seconds at a time (and past
# ~512 MB of JSON cannot be written at all). RESULTS.md says which mode each figure used.
#
# Usage: benchmarks/run.sh [--concurrency N] [--duration S] [--scale X] [--seed N] [--background-concurrency N] [--azurite-memory] [--azurite-log] [--azurite-saves] [--storage-latency MS] [--table-shards N] [--load import|api] step...
# Example: benchmarks/run.sh --scale 1 warm ping signin member-groups check-groups get-user-upn ping add-remove signin+add-remove restart cold-signin restart cold-signin-1
set -euo pipefail
cd "$(dirname "$0")/.."

concurrency=32; duration=10; scale=1; seed=1; background_concurrency=8; load_concurrency=64
azurite_storage=(); load=import; azurite_quiet=(--silent); storage_latency=0; saves=false; table_shards=
while [[ $# -gt 0 && $1 == --* ]]; do
  case $1 in
    --concurrency) concurrency=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --scale) scale=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --background-concurrency) background_concurrency=$2; shift 2 ;;
    --load-concurrency) load_concurrency=$2; shift 2 ;;
    --azurite-memory) azurite_storage=(--inMemoryPersistence); shift ;;
    --load) load=$2; shift 2 ;;
    --azurite-log) azurite_quiet=(); shift ;;
    --azurite-saves) saves=true; shift ;;
    --storage-latency) storage_latency=$2; shift 2 ;;
    --table-shards) table_shards=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[[ $# -gt 0 ]] || { echo "name at least one step" >&2; exit 2; }

[ -x .tools/node_modules/.bin/azurite-table ] || npm install --prefix .tools --no-audit --no-fund --loglevel=error azurite@3.35.0
dotnet build Directory.sln -c Release -nologo -clp:ErrorsOnly >/dev/null

work=$(mktemp -d)
table_port=10102; grpc_port=5100; scim_port=5101; dashboard_port=5180; metrics_port=5181; dashboard=true; leases=true
cleanup() {
  local code=$?
  kill "${silo:-}" "${azurite:-}" 2>/dev/null || true
  sleep 2; kill -9 "${silo:-}" "${azurite:-}" 2>/dev/null || true
  if [ $code -ne 0 ] && [ -f "$work/silo.log" ]; then
    echo "--- first problems in the silo log (kept with Azurite's data in $work) ---" >&2
    grep -E "fail|warn|error|Exception" -i "$work/silo.log" | head -12 >&2
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT
[ ${#azurite_storage[@]} -gt 0 ] || azurite_storage=(--location "$work/azurite")

start_azurite() {
  local preload=(); [ $saves = false ] || preload=(env NODE_OPTIONS="--require $PWD/benchmarks/azurite-saves.js" AZURITE_SAVES_LOG="$work/saves.log")
  "${preload[@]}" .tools/node_modules/.bin/azurite-table --tableHost 127.0.0.1 --tablePort $table_port "${azurite_storage[@]}" \
    --disableTelemetry --skipApiVersionCheck "${azurite_quiet[@]}" >> "$work/azurite.log" 2>&1 &
  azurite=$!
  for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$table_port) 2>/dev/null && break; sleep 0.1; done
}
start_azurite

start_silo() {
  local silo_dir=src/DirectoryService.Silo/bin/Release/net10.0
  (cd $silo_dir && exec dotnet DirectoryService.Silo.dll \
    --Kestrel:Endpoints:Grpc:Url=http://127.0.0.1:$grpc_port --Kestrel:Endpoints:Grpc:Protocols=Http2 \
    --Kestrel:Endpoints:Scim:Url=http://127.0.0.1:$scim_port --Kestrel:Endpoints:Scim:Protocols=Http1 \
    --Directory:Silo:SiloPort=11200 --Directory:Silo:GatewayPort=30200 --Directory:Silo:ClusterId=bench \
    --Directory:Storage:ConnectionString="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=http://127.0.0.1:$table_port/devstoreaccount1;" \
    --Directory:Auth:DevelopmentSigningKeyFile="$work/dev-key.pem" --Directory:Tokens:DevelopmentKeyFile="$work/token-key" --Directory:Tls:AllowPlaintextOnLoopback=true \
    --Directory:RateLimits:PermitsPerSecond=10000000 --Directory:RateLimits:Burst=10000000 \
    --Directory:Storage:InjectedLatency=$(printf '00:00:00.%03d' "$storage_latency") \
    --Directory:Dashboard:Enabled=$dashboard --Directory:Dashboard:Url=http://127.0.0.1:$dashboard_port \
    --Directory:ReadLease:Enabled=$leases ${table_shards:+--Directory:Storage:TableShards=$table_shards} \
    --Directory:Metrics:PrometheusUrl=http://127.0.0.1:$metrics_port \
    --Logging:LogLevel:Default=Warning) >> "$work/silo.log" 2>&1 &
  silo=$!
  for _ in $(seq 150); do (exec 3<>/dev/tcp/127.0.0.1/$grpc_port) 2>/dev/null && break; sleep 0.2; done
  # Ready once the silo reports SERVING: active in the cluster, and its group closures warmed.
  ready_seconds=$(generator --workload ready --duration 300 | sed -E 's/.*"seconds":([0-9.]+).*/\1/') \
    || { echo "silo did not become ready; log:" >&2; tail -20 "$work/silo.log" >&2; exit 1; }
}

silo_rss_mb() { awk '/VmRSS/ { printf "%.0f", $2 / 1024 }' /proc/$silo/status; }
azurite_rss_mb() { awk '/VmRSS/ { printf "%.0f", $2 / 1024 }' /proc/$azurite/status; }
# Requests Azurite served so far (with --azurite-log), and a load line's suffix counting those since the last call.
served=0
azurite_requests() {
  [ ${#azurite_quiet[@]} -eq 0 ] || return 0
  local now; now=$(grep -c ' HTTP/1.1" ' "$work/azurite.log" || true)
  printf ',"azurite_requests":%d' $((now - served)); served=$now
}

# Azurite's saves of its database since the last call (with --azurite-saves): a load line's suffix.
saves_seen=0
azurite_saves() {
  [ $saves = true ] || return 0
  [ -f "$work/saves.log" ] || touch "$work/saves.log"
  tail -n +$((saves_seen + 1)) "$work/saves.log" | awk '{ n++; ms += $3; gc += $4; if ($2 > max) max = $2 } END { printf ",\"azurite_saves\":%d,\"azurite_save_seconds\":%.1f,\"azurite_gc_seconds\":%.1f,\"azurite_db_mb\":%.0f", n, ms / 1000, gc / 1000, max / 1e6 }'
  saves_seen=$(wc -l < "$work/saves.log")
}

generator() {
  dotnet benchmarks/DirectoryService.LoadGenerator/bin/Release/net10.0/DirectoryService.LoadGenerator.dll \
    --target http://127.0.0.1:$grpc_port --scim-target http://127.0.0.1:$scim_port --metrics http://127.0.0.1:$metrics_port/metrics --dev-key "$work/dev-key.pem" --scale "$scale" --seed "$seed" --ids "$work/dataset.ids" "$@"
}

start_silo
echo "{\"step\":\"start\",\"ready_seconds\":$ready_seconds,\"silo_rss_mb\":$(silo_rss_mb)}"

if printf '%s\n' "$@" | grep -qE '(^|\+)(warm|import-again|get-user-upn|signin|cold-signin|cold-signin-1|member-groups|check-groups|add-remove|scim-get-user-upn|scim-add-remove|get-user|rest-get-user|rest-signin)($|\+)'; then
  if [ "$load" = api ]; then
    for phase in users groups members; do
      line=$(generator --workload load --phase $phase --concurrency $load_concurrency)
      echo "${line%\}},\"silo_rss_mb\":$(silo_rss_mb),\"azurite_rss_mb\":$(azurite_rss_mb)$(azurite_requests)}"
    done
  else
    azurite_requests >/dev/null; azurite_saves >/dev/null
    line=$(generator --workload import)
    echo "${line%\}},\"silo_rss_mb\":$(silo_rss_mb),\"azurite_rss_mb\":$(azurite_rss_mb)$(azurite_requests)$(azurite_saves)}"
  fi
fi

status=0
for step in "$@"; do
  case $step in
    restart|dashboard-on|dashboard-off|leases-on|leases-off)
      # dashboard-on / dashboard-off restart the silo with the Orleans Dashboard on or off, leases-on /
      # leases-off with read leases on or off (Directory:ReadLease:Enabled).
      case $step in dashboard-on) dashboard=true ;; dashboard-off) dashboard=false ;; leases-on) leases=true ;; leases-off) leases=false ;; esac
      kill -TERM $silo; wait $silo || true
      start_silo
      echo "{\"step\":\"$step\",\"ready_seconds\":$ready_seconds,\"silo_rss_mb\":$(silo_rss_mb)}" ;;
    import+*)
      azurite_requests >/dev/null; azurite_saves >/dev/null
      (sleep 20; generator --workload "${step#*+}" --concurrency "$background_concurrency" --duration "$duration" --warmup 0 > "$work/beside.json") &
      beside=$!
      line=$(generator --workload import) || status=1
      wait $beside || status=1
      echo "${line%\}},\"silo_rss_mb\":$(silo_rss_mb),\"azurite_rss_mb\":$(azurite_rss_mb)$(azurite_requests)$(azurite_saves)}"
      cat "$work/beside.json" ;;
    import|import-again)
      azurite_requests >/dev/null; azurite_saves >/dev/null
      line=$(generator --workload "$step") || status=1
      echo "${line%\}},\"silo_rss_mb\":$(silo_rss_mb),\"azurite_rss_mb\":$(azurite_rss_mb)$(azurite_requests)$(azurite_saves)}" ;;
    warm)
      generator --workload warm --concurrency "$concurrency" || status=1 ;;
    azurite-crash)
      # Durable creates (8 callers, each acknowledged id kept) while Azurite is killed (kill -9)
      # halfway through and started again on its data; then the silo restarts (nothing cached) and
      # every acknowledged user is read back by id and by name. Only meaningful on disk Azurite.
      generator --workload create-user-acked --concurrency 8 --duration "$duration" --warmup 0 > "$work/crash-load.json" &
      load_pid=$!
      sleep $((duration / 2))
      kill -9 $azurite; wait $azurite 2>/dev/null || true
      echo "{\"step\":\"azurite killed\"}"
      start_azurite
      wait $load_pid || true
      cat "$work/crash-load.json"
      kill -TERM $silo; wait $silo || true
      start_silo
      generator --workload verify-acked || status=1 ;;
    cold-signin|cold-signin-1)
      # First resolutions after a restart: no warm-up, every call a user not resolved before; 8
      # callers, or one (latency without queueing behind other first reads).
      callers=8; [ "$step" = cold-signin ] || callers=1
      generator --workload cold-signin --concurrency $callers --duration "$duration" --warmup 0 || status=1 ;;
    *+*)
      azurite_requests >/dev/null
      generator --workload "${step%%+*}" --background "${step#*+}" --background-concurrency "$background_concurrency" \
        --concurrency "$concurrency" --duration "$duration" --warmup 3 || status=1
      [ ${#azurite_quiet[@]} -gt 0 ] || echo "{\"step\":\"$step\"$(azurite_requests)}" ;;
    *)
      azurite_requests >/dev/null
      generator --workload "$step" --concurrency "$concurrency" --duration "$duration" --warmup 3 || status=1
      [ ${#azurite_quiet[@]} -gt 0 ] || echo "{\"step\":\"$step\"$(azurite_requests)}" ;;
  esac
done
echo "{\"step\":\"end\",\"silo_rss_mb\":$(silo_rss_mb),\"azurite_rss_mb\":$(azurite_rss_mb)}"
exit $status
