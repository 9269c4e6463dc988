#!/usr/bin/env bash
# Installs Debian packages with apt-get (as root, or with sudo), for the ensure-*.sh scripts.
# Usage: scripts/apt-install.sh "<what is missing, for the error message>" package...
set -euo pipefail
missing="$1"
shift
if ! command -v apt-get >/dev/null 2>&1; then
  echo "$missing is missing and apt-get is not available: install $* by other means." >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "Installing $* with apt-get..." >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >&2
$sudo apt-get install -y -qq "$@" >&2
