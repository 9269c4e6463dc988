#!/usr/bin/env bash
# Packs the four library packages into a local feed (tests/PackageSmoke/feed) under a version of their own, then builds
# and runs small apps from those packages, not from project references, so a broken package fails here.
set -euo pipefail
cd "$(dirname "$0")/../.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 MASSTRANSIT_USAGE_TELEMETRY=false
# A version no earlier run used, so NuGet never answers from its cache with an older build of the same version.
version="0.0.0-smoke.$(date +%s)"
feed=tests/PackageSmoke/feed
rm -rf "$feed"
mkdir -p "$feed"
for package in RedisStreams.Transport RedisStreams.Rebus RedisStreams.MassTransit RedisStreams.Dashboard; do
  dotnet pack "src/$package" -c Release -o "$feed" -p:Version="$version" -v quiet -nologo
done
# Each package's README has its links made absolute (src/Directory.Build.targets).
for package in RedisStreams.Transport RedisStreams.Rebus RedisStreams.MassTransit RedisStreams.Dashboard; do
  readme="src/$package/obj/Release/net10.0/package/README.md"
  if [ ! -s "$readme" ] || grep -q '{repository}\|](\.\./' "$readme"; then
    echo "The README packed with $package is missing or has relative links: $readme" >&2
    exit 1
  fi
done
for app in Engine MassTransit; do
  echo "=== package smoke: $app ($version) ==="
  timeout 300 dotnet run -c Release --project "tests/PackageSmoke/$app" -p:SmokeVersion="$version"
done
# Keep the feed for inspection but not its packages in the NuGet cache: each run has a fresh version.
rm -rf "${NUGET_PACKAGES:-$HOME/.nuget/packages}"/redisstreams.*/"$version"
echo "package smoke passed"
