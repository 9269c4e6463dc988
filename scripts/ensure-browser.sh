#!/usr/bin/env bash
# Installs Debian's chromium and chromium-driver when either is missing (Debian/Ubuntu, as root or with sudo).
# The dashboard's browser tests (tests/RedisStreams.Dashboard.Tests) drive /usr/bin/chromium through
# /usr/bin/chromedriver; nothing is downloaded by the tests themselves.
set -euo pipefail
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "/usr/bin/chromium or /usr/bin/chromedriver is missing and apt-get is not available: install Chromium and its matching chromedriver there." >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "Installing chromium and chromium-driver with apt-get..." >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >&2
$sudo apt-get install -y -qq chromium chromium-driver >&2
# Some distributions name or place them differently (Ubuntu's chromium is a snap): say so here, not as a test failure later.
for binary in /usr/bin/chromium /usr/bin/chromedriver; do
  if [ ! -x "$binary" ]; then
    echo "$binary is still missing after installing chromium and chromium-driver: install Chromium and its matching chromedriver at that path." >&2
    exit 1
  fi
done
