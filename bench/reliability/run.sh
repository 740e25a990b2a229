#!/usr/bin/env bash
# Runs the fault suite and the crash suite with their figures written out, then prints them as
# Markdown tables for RELIABILITY.md (not a benchmark of speed: the figures are counts).
#   bench/reliability/run.sh [faults|crashes|all]     (default all)
# HFCTL_CRASH_SEED=<n> replays the crash suite with another seed.
set -euo pipefail
cd "$(dirname "$0")/../.."
WHAT="${1:-all}"
OUT="$(mktemp -d /tmp/hfctl-reliability.XXXXXX)"
trap 'rm -rf "$OUT"' EXIT
export HFCTL_RELIABILITY_OUT="$OUT"

status=0
if [[ "$WHAT" == faults || "$WHAT" == all ]]; then
  dotnet test tests/HfHub.Tests --filter "FullyQualifiedName~HfHub.Tests.Reliability" --logger "console;verbosity=minimal" || status=$?
fi
if [[ "$WHAT" == crashes || "$WHAT" == all ]]; then
  dotnet test tests/HfCtl.Tests --filter "FullyQualifiedName~HfCtl.Tests.Reliability" --logger "console;verbosity=minimal" || status=$?
fi

echo
echo "$(date -u '+%Y-%m-%d %H:%M UTC'); $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; load average $(cut -d' ' -f1-3 /proc/loadavg); $(git rev-parse --short HEAD)"
if compgen -G "$OUT/faults-*.json" >/dev/null; then
  echo
  echo "| fault rate | operations attempted | succeeded | failed, clear error | failed, unclear | bytes verified | target files checked | remote files checked | corrupted or partial | faults injected (500/429/drop/truncate/slow) | seconds |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|"
  for f in "$OUT"/faults-*.json; do
    jq -r '"| \(.rate_percent)% | \(.attempted) | \(.succeeded) | \(.failed_clear) | \(.failed_unclear) | \(.bytes_verified) | \(.target_files_checked) | \(.remote_files_checked) | \(.corrupted_or_partial) | \(.injected["500"] // 0)/\(.injected["429"] // 0)/\(.injected.drop // 0)/\(.injected.truncate // 0)/\(.injected.slow // 0) | \(.seconds) |"' "$f"
  done
  for f in "$OUT"/faults-*.json; do
    jq -r '"\n\(.rate_percent)%: " + ([.operations | to_entries[] | "\(.key) \(.value.succeeded)/\(.value.attempted)"] | join(", ")) + (if (.errors | length) > 0 then "\n  errors: " + (.errors | join("; ")) else "" end)' "$f"
  done
fi
if compgen -G "$OUT/crash-*.json" >/dev/null; then
  echo
  echo "| command | seed | runs killed | finished before the kill | outcomes after the kills |"
  echo "|---|---|---|---|---|"
  for f in "$OUT"/crash-*.json; do
    jq -r '"| \(.command) | \(.seed) | \(.kills) | \(.finished_before_kill) | " + ([to_entries[] | select(.key | IN("suite","command","seed","kills","finished_before_kill") | not) | "\(.key) \(.value)"] | join(", ")) + " |"' "$f"
  done
fi
exit "$status"
