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
  # The package would start the broker as a service on every interface: policy-rc.d tells Debian's
  # maintainer scripts not to start services, and the broker is started on loopback below instead.
  created_policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
    $sudo chmod +x /usr/sbin/policy-rc.d
    created_policy=1
  fi
  $sudo apt-get update -qq && $sudo apt-get install -y -qq rabbitmq-server
  if [ -n "$created_policy" ]; then $sudo rm -f /usr/sbin/policy-rc.d; fi
fi
if ! (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null; then
  echo "Starting rabbitmq-server on 127.0.0.1..." >&2
  # AMQP, the Erlang port mapper and the inter-node port all on loopback: nothing listens outside.
  ERL_EPMD_ADDRESS=127.0.0.1 RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}" \
    rabbitmq-server -detached >/dev/null 2>&1 || true
  # -detached returns before the node registers, and await_startup gives up on a node it cannot see yet.
  for _ in $(seq 120); do
    if (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null; then break; fi
    sleep 1
  done
  rabbitmqctl await_startup --timeout 120 >/dev/null
else
  echo "Using the RabbitMQ broker already listening on 127.0.0.1:5672." >&2
fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 MASSTRANSIT_USAGE_TELEMETRY=false
dotnet run -c Release --project tests/RedisStreams.Benchmarks -- "${@:-all}"
