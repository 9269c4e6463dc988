#!/usr/bin/env bash
# Runs the samples end to end. Each sample uses REDIS_URL when it is set and otherwise starts a local
# redis-server on a free port for the length of its run.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${REDIS_URL:-}" ]; then scripts/ensure-redis.sh; fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 MASSTRANSIT_USAGE_TELEMETRY=false
for sample in samples/*/; do
  if ls "$sample"*.csproj >/dev/null 2>&1; then
    echo "=== $(basename "$sample") ==="
    dotnet run -c Release --project "$sample"
  fi
done
