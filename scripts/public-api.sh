#!/usr/bin/env bash
# Rewrites PublicAPI.Unshipped.txt of every shipped project (src/*) from the compiler's own diagnostics:
# RS0016 (a public symbol the baseline does not declare) is added, RS0017 (a declared symbol that is gone) is
# removed, or marked *REMOVED* when it had shipped. Review the diff like any other change. See docs/decisions.md.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

log=$(mktemp)
trap 'rm -f "$log"' EXIT
for project in src/*/; do
  [ -f "${project}PublicAPI.Unshipped.txt" ] || continue
  # Build every project once, with RS0016/RS0017 as warnings, so one run sees every project's differences.
  dotnet build "$project" -c Release --no-incremental -p:PublicApiUpdate=true -p:TreatWarningsAsErrors=false -nologo >>"$log" 2>&1 || {
    cat "$log" >&2
    echo "public-api.sh: the build failed for another reason; fix it first." >&2
    exit 1
  }
done

for project in src/*/; do
  unshipped="${project}PublicAPI.Unshipped.txt"
  shipped="${project}PublicAPI.Shipped.txt"
  [ -f "$unshipped" ] || continue
  dir=$(cd "$project" && pwd)
  added=$(grep -F "$dir/" "$log" | grep -F "RS0016" | sed -n "s/.*Symbol '\(.*\)' is not part of the declared public API.*/\1/p" | sort -u || true)
  gone=$(grep -F "$dir/" "$log" | grep -F "RS0017" | sed -n "s/.*Symbol '\(.*\)' is part of the declared API, but is either not public or could not be found.*/\1/p" | sort -u || true)
  entries=$(mktemp)
  grep -v '^#nullable enable$' "$unshipped" | grep -v '^$' >"$entries" || true
  if [ -n "$gone" ]; then
    while IFS= read -r symbol; do
      grep -vxF -- "$symbol" "$entries" >"$entries.tmp" || true
      mv "$entries.tmp" "$entries"
      if grep -qxF -- "$symbol" "$shipped"; then
        printf '*REMOVED*%s\n' "$symbol" >>"$entries"
      fi
    done <<<"$gone"
  fi
  if [ -n "$added" ]; then
    printf '%s\n' "$added" >>"$entries"
  fi
  { echo '#nullable enable'; LC_ALL=C sort -u "$entries"; } >"$unshipped"
  rm -f "$entries"
  echo "$unshipped: $(printf '%s' "$added" | grep -c . || true) added, $(printf '%s' "$gone" | grep -c . || true) removed"
done
