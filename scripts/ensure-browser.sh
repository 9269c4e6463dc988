#!/usr/bin/env bash
# Installs Debian's chromium and chromium-driver when either is missing (Debian/Ubuntu, as root or with sudo).
# The dashboard's browser tests (tests/RedisStreams.Dashboard.Tests) drive /usr/bin/chromium through
# /usr/bin/chromedriver; nothing is downloaded by the tests themselves.
set -euo pipefail
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  exit 0
fi
"$(dirname "$0")/apt-install.sh" "/usr/bin/chromium or /usr/bin/chromedriver" chromium chromium-driver
# Some distributions name or place them differently (Ubuntu's chromium is a snap): say so here, not as a test failure later.
for binary in /usr/bin/chromium /usr/bin/chromedriver; do
  if [ ! -x "$binary" ]; then
    echo "$binary is still missing after installing chromium and chromium-driver: install Chromium and its matching chromedriver at that path." >&2
    exit 1
  fi
done
