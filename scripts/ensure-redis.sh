#!/usr/bin/env bash
# Installs redis-server and redis-cli when they are missing (Debian/Ubuntu, as root or with sudo).
set -euo pipefail
if command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "redis-server is missing and apt-get is not available: install Redis 7 and put redis-server and redis-cli on PATH." >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "Installing redis-server and redis-tools with apt-get..." >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >&2
$sudo apt-get install -y -qq redis-server redis-tools >&2
# The package starts a system service on 6379; our tests and samples start their own servers on free ports.
