#!/usr/bin/env bash
# Runs the full benchmark side by side: installs and starts redis-server and rabbitmq-server locally (loopback
# only) when missing, then every scenario. Extra arguments go to the benchmark program, e.g.
#   scripts/benchmark.sh all --chart docs/throughput.png
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-redis.sh
if ! command -v rabbitmq-server >/dev/null 2>&1; then
  sudo=""; if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq && $sudo apt-get install -y -qq rabbitmq-server
fi
if ! (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null; then
  echo "Starting rabbitmq-server on 127.0.0.1..." >&2
  RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 rabbitmq-server -detached >/dev/null 2>&1 || true
  rabbitmqctl await_startup --timeout 120 >/dev/null
fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 MASSTRANSIT_USAGE_TELEMETRY=false
dotnet run -c Release --project tests/RedisStreams.Benchmarks -- "${@:-all}"
