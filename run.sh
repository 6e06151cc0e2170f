#!/usr/bin/env bash
# Runs one silo with its gRPC gateway on http://127.0.0.1:5000.
set -euo pipefail
cd "$(dirname "$0")"
exec dotnet run --project src/DirectoryService.Silo -c Release -- "$@"
