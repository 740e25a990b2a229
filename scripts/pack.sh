#!/usr/bin/env bash
# Builds the NuGet packages: the HfHub and HfHub.Persistence libraries (.nupkg with XML docs and README,
# plus .snupkg symbols) and the hfctl .NET tool. Warnings are errors, so a package that packs is a package without warnings.
#   scripts/pack.sh [output-dir]        (default: artifacts/packages)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-artifacts/packages}"
mkdir -p "$out"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

dotnet pack src/HfHub -c Release -o "$out" -p:ContinuousIntegrationBuild=true
dotnet pack src/HfHub.Persistence -c Release -o "$out" -p:ContinuousIntegrationBuild=true
dotnet pack src/HfCtl -c Release -o "$out" -p:ContinuousIntegrationBuild=true

echo "packages in $out:"
ls -1 "$out"
