#!/usr/bin/env bash
# Many-small-files benchmark, run on demand (NOT part of the test suite):
#   bench/buckets-sync/run.sh                 # 2,000 files of 1–20 KiB
#   FILES=500 bench/buckets-sync/run.sh
#   BANDWIDTH=100mbit bench/buckets-sync/run.sh   # the hub behind an emulated link
# Against one local hub (hfctl local-hub serve --in-memory) on this machine, side by side, the same folder:
#   up    hfctl buckets sync DIR hf://buckets/demo/b   vs  hf upload demo/ds DIR --repo-type dataset
#   down  hfctl buckets sync hf://buckets/demo/b DIR   vs  hf download demo/ds --repo-type dataset --local-dir DIR
# `hf` is the Python referee (conformance/python/.venv, see ../shared/referees/README.md). Wall time and peak
# RSS come from /usr/bin/time -v; every download is compared with the source folder. Results (with ratios)
# are appended to bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
FILES=${FILES:-2000}
BANDWIDTH=${BANDWIDTH:-}
HF="$ROOT/conformance/python/.venv/bin/hf"
[[ -x "$HF" ]] || { echo "no Python referee at $HF: run ../shared/referees/python/install.sh conformance/python/.venv" >&2; exit 1; }
WORK=$(mktemp -d /tmp/hfctl-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
source bench/local-hub.sh
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 HF_HOME="$WORK/home" HF_HUB_DISABLE_TELEMETRY=1 HF_HUB_DISABLE_PROGRESS_BARS=1 HFCTL_FORMAT=human

echo "building (Release)…" >&2
dotnet build src/HfCtl -c Release -o "$WORK/hfctl" -v quiet -nologo >/dev/null
HFCTL="$WORK/hfctl/hfctl"

LOCAL_HUB_ARGS=()
[ -n "${BANDWIDTH:-}" ] && LOCAL_HUB_ARGS=(--bandwidth "$BANDWIDTH")
start_local_hub "$WORK" "$HFCTL"
USER_NAME=demo

echo "generating $FILES files of 1–20 KiB…" >&2
python3 - "$WORK/data" "$FILES" <<'PY'
import os, random, sys
root, count = sys.argv[1], int(sys.argv[2])
rng = random.Random(42)
for i in range(count):
    folder = os.path.join(root, f"part-{i // 100:03d}")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, f"file-{i:05d}.bin"), "wb") as f:
        f.write(rng.randbytes(rng.randint(1024, 20 * 1024)))
PY
du -sk "$WORK/data" >&2

# measure <label> <command…>: records "label seconds peak_kib"
measure() {
  local label=$1; shift
  /usr/bin/time -v -o "$WORK/time.txt" "$@" >/dev/null 2>"$WORK/cmd.err" || { echo "$label failed:" >&2; tail -20 "$WORK/cmd.err" >&2; exit 1; }
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,p,":"); s=0; for(i=1;i<=n;i++) s=s*60+p[i]; print s}' "$WORK/time.txt")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time.txt")
  echo "$label $wall $rss" | tee -a "$WORK/results.txt" >&2
}

"$HFCTL" buckets create "$USER_NAME/bench-sync" >/dev/null
"$HFCTL" repo create "$USER_NAME/bench-sync-ds" --type dataset >/dev/null

measure up-hfctl "$HFCTL" buckets sync "$WORK/data" "hf://buckets/$USER_NAME/bench-sync" --quiet
measure up-hf "$HF" upload "$USER_NAME/bench-sync-ds" "$WORK/data" . --repo-type dataset
measure down-hfctl "$HFCTL" buckets sync "hf://buckets/$USER_NAME/bench-sync" "$WORK/down-hfctl" --quiet
measure down-hf "$HF" download "$USER_NAME/bench-sync-ds" --repo-type dataset --local-dir "$WORK/down-hf"
diff -r "$WORK/data" "$WORK/down-hfctl" >&2
rm -rf "$WORK/down-hf/.cache" "$WORK/down-hf/.gitattributes"   # the referee's bookkeeping and the repo's own file
diff -r "$WORK/data" "$WORK/down-hf" >&2

python3 - "$WORK/results.txt" "$FILES" "$(du -sk "$WORK/data" | cut -f1)" "${BANDWIDTH:-none (loopback)}" "$(git rev-parse --short HEAD)" >>"$ROOT/bench/RESULTS.md" <<'PY'
import sys, datetime, os, platform
rows = {l.split()[0]: (float(l.split()[1]), int(l.split()[2])) for l in open(sys.argv[1])}
files, kib, bandwidth, commit = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
mem = next(l.split()[1] for l in open("/proc/meminfo") if l.startswith("MemTotal"))
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
load = open("/proc/loadavg").read().split()[:3]
def t(k): return rows[k][0]
print(f"\n## buckets sync, {files} small files, {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC\n")
print(f"Machine: {os.cpu_count()} cores ({cpu}), {int(mem)//1024} MiB RAM; hfctl {commit} (Release build, JIT); huggingface_hub referee (`hf`, "
      f"Python, no hf_xet: plain git/LFS uploads); one local hub on the same machine, bandwidth {bandwidth}; "
      f"{files} files of 1–20 KiB, {kib} KiB on disk; load average at the end {' '.join(load)}.\n")
print("| Step | Time (s) | Peak RSS (MiB) |\n|---|---|---|")
for k, (s, rss) in rows.items():
    print(f"| {k} | {s:.2f} | {rss/1024:.0f} |")
print()
print(f"- up: hf upload / hfctl buckets sync = **{t('up-hf')/t('up-hfctl'):.2f}×** (target > 1)")
print(f"- down: hf download / hfctl buckets sync = **{t('down-hf')/t('down-hfctl'):.2f}×** (target > 1)")
PY
echo "results appended to bench/RESULTS.md" >&2
