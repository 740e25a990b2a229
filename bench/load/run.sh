#!/usr/bin/env bash
# Load benchmark, run on demand (NOT part of the test suite):
#   bench/load/run.sh [seconds] [clients]     # default 60 s, 50 clients
# Starts a fresh `hfctl local-hub serve --in-memory` (Release build) on loopback, seeds a public
# model repo (a 16 KiB regular file, a 4 MiB LFS file, 20 small files), then runs [clients]
# concurrent clients of mixed traffic — whoami, model info, tree, list Spaces, paths-info, whole and
# Range downloads of both files (LFS through the signed storage redirect) — checking every status
# and every byte. Prints requests, errors, req/s, MB/s and p50/p99/max latency; exits 1 on any error.
# The hub and the load generator share this machine's cores: the figures are a floor.
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_ARG=${1:-60}
CLIENTS=${2:-50}
WORK=$(mktemp -d /tmp/hfctl-load.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
source bench/local-hub.sh
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 HF_HOME="$WORK/home"

echo "building (Release)…" >&2
dotnet build src/HfCtl -c Release -o "$WORK/hfctl" -v quiet -nologo >/dev/null
dotnet build bench/load/LoadBench -c Release -o "$WORK/load" -v quiet -nologo >/dev/null

start_local_hub "$WORK" "$WORK/hfctl/hfctl"

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GiB; load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
status=0
"$WORK/load/LoadBench" "$SECONDS_ARG" "$CLIENTS" || status=$?
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
exit $status
