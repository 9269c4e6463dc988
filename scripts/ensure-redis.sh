#!/usr/bin/env bash
# Installs redis-server, redis-cli, redis-sentinel and libfaketime when they are missing (Debian/Ubuntu, as root
# or with sudo). The failover tests start their own sentinels, so redis-sentinel is needed as much as the server;
# libfaketime lets a test run a redis-server whose clock is shifted (tests/RedisStreams.Testing/ShiftedClock.cs).
set -euo pipefail
have_faketime() { compgen -G "/usr/lib/*/faketime/libfaketime.so.1" >/dev/null || [ -e /usr/lib/faketime/libfaketime.so.1 ]; }
if command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1 && command -v redis-sentinel >/dev/null 2>&1 && have_faketime; then
  exit 0
fi
"$(dirname "$0")/apt-install.sh" "redis-server, redis-cli, redis-sentinel or libfaketime" redis-server redis-tools redis-sentinel libfaketime
# The packages start system services on 6379 and 26379; our tests and samples start their own on free ports.
