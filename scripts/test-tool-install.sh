#!/usr/bin/env bash
# Checks that the hfctl tool package installs and runs: pack it into a temp folder, install it from
# there (and only there: a private nuget.config clears every other source, so a same-named package on
# nuget.org can never be picked) into a temp tool path, then run --version and a completion query.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

dotnet pack src/HfCtl -c Release -o "$tmp/packages"
package="$(ls "$tmp"/packages/hfctl.*.nupkg)"
version="$(basename "$package" .nupkg)"
version="${version#hfctl.}"

cat > "$tmp/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="local" value="$tmp/packages" />
  </packageSources>
</configuration>
XML

dotnet tool install --tool-path "$tmp/tools" hfctl --version "$version" --add-source "$tmp/packages" --configfile "$tmp/nuget.config"

printed="$("$tmp/tools/hfctl" --version)"
echo "$printed"
if [[ ! "$printed" =~ ^hfctl\ ${version//./\\.}\ \(([0-9a-f]{7}|unknown\ commit)\)$ ]]; then
  echo "test-tool-install: unexpected --version output: $printed" >&2
  exit 1
fi
if ! "$tmp/tools/hfctl" "[suggest:8]" "hfctl au" | grep -qx auth; then
  echo "test-tool-install: completion did not suggest 'auth'" >&2
  exit 1
fi
echo "test-tool-install: hfctl $version installs and runs"
