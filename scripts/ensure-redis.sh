#!/usr/bin/env bash
# Installs redis-server, redis-cli and redis-sentinel when they are missing (Debian/Ubuntu, as root or with sudo).
# The failover tests start their own sentinels, so redis-sentinel is needed as much as the server.
set -euo pipefail
if command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1 && command -v redis-sentinel >/dev/null 2>&1; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "redis-server, redis-cli or redis-sentinel is missing and apt-get is not available: install Redis 7 and put all three on PATH." >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "Installing redis-server, redis-tools and redis-sentinel with apt-get..." >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >&2
$sudo apt-get install -y -qq redis-server redis-tools redis-sentinel >&2
# The packages start system services on 6379 and 26379; our tests and samples start their own on free ports.
