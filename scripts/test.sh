#!/usr/bin/env bash
# Runs every test of the solution against real Redis servers the tests start themselves.
# Results (TRX) go to ./TestResults.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-redis.sh
scripts/ensure-browser.sh
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 MASSTRANSIT_USAGE_TELEMETRY=false
rm -rf TestResults
# -m:1 runs the test projects one after another: on a 2-core machine they would otherwise fight over CPU.
dotnet test Transports.sln -c Release -m:1 --logger "trx" --results-directory TestResults "$@"
