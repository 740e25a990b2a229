#!/usr/bin/env bash
# File-transfer benchmark, run on demand (NOT part of the test suite):
#   bench/files/run.sh            # 1 GiB
#   SIZE_MIB=256 bench/files/run.sh
# Against a local hub (hfctl local-hub serve --in-memory) on this machine, side by side:
#   upload   hfctl upload  vs  @huggingface/hub uploadFile
#   download hfctl download --local-dir  vs  curl -o of the resolve URL  vs  @huggingface/hub downloadFile
#   sha256   HfHub ContentHasher  vs  openssl dgst -sha256
# Wall time and peak RSS come from /usr/bin/time -v. Results (with ratios) are appended to bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
SIZE_MIB=${SIZE_MIB:-1024}
WORK=$(mktemp -d /tmp/hfctl-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
source bench/local-hub.sh
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 HF_HOME="$WORK/home"

echo "building (Release)…" >&2
dotnet build src/HfCtl -c Release -o "$WORK/hfctl" -v quiet -nologo >/dev/null
dotnet build bench/files/hash -c Release -o "$WORK/hash" -v quiet -nologo >/dev/null
[[ -d conformance/node_modules/@huggingface/hub ]] || (cd conformance && npm ci --no-audit --no-fund >/dev/null)
HFCTL="$WORK/hfctl/hfctl"

start_local_hub "$WORK" "$HFCTL"
USER_NAME=demo

echo "generating ${SIZE_MIB} MiB…" >&2
head -c $((SIZE_MIB * 1024 * 1024)) /dev/urandom >"$WORK/big.bin"
cat "$WORK/big.bin" >/dev/null   # warm the page cache for every contender alike

# measure <label> <command…>: records "label seconds peak_kib"
measure() {
  local label=$1; shift
  /usr/bin/time -v -o "$WORK/time.txt" "$@" >/dev/null 2>"$WORK/cmd.err" || { echo "$label failed:" >&2; cat "$WORK/cmd.err" >&2; exit 1; }
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,p,":"); s=0; for(i=1;i<=n;i++) s=s*60+p[i]; print s}' "$WORK/time.txt")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time.txt")
  echo "$label $wall $rss" | tee -a "$WORK/results.txt" >&2
}

"$HFCTL" repo create "$USER_NAME/bench-hfctl" >/dev/null
"$HFCTL" repo create "$USER_NAME/bench-js" >/dev/null

measure sha256-hfhub "$WORK/hash/HashBench" "$WORK/big.bin"
measure sha256-openssl openssl dgst -sha256 "$WORK/big.bin"
measure upload-hfctl "$HFCTL" upload "$USER_NAME/bench-hfctl" "$WORK/big.bin" big.bin --quiet
measure upload-js node bench/files/js-transfer.mjs upload "$USER_NAME/bench-js" "$WORK/big.bin" big.bin
measure download-hfctl "$HFCTL" download "$USER_NAME/bench-hfctl" big.bin --local-dir "$WORK/dl-hfctl" --quiet
measure download-curl curl -sSfL -o "$WORK/dl-curl.bin" -H "Authorization: Bearer $HF_TOKEN" "$HF_ENDPOINT/$USER_NAME/bench-hfctl/resolve/main/big.bin"
measure download-js node bench/files/js-transfer.mjs download "$USER_NAME/bench-hfctl" big.bin "$WORK/dl-js.bin"
cmp "$WORK/big.bin" "$WORK/dl-hfctl/big.bin"
cmp "$WORK/big.bin" "$WORK/dl-curl.bin"
cmp "$WORK/big.bin" "$WORK/dl-js.bin"

python3 - "$WORK/results.txt" "$SIZE_MIB" >>"$ROOT/bench/RESULTS.md" <<'PY'
import sys, datetime, os, platform, subprocess
rows = {l.split()[0]: (float(l.split()[1]), int(l.split()[2])) for l in open(sys.argv[1])}
size = int(sys.argv[2])
mem = next(l.split()[1] for l in open("/proc/meminfo") if l.startswith("MemTotal"))
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
def t(k): return rows[k][0]
def r(k): return rows[k][1] / 1024
print(f"\n## Files benchmark, {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, {size} MiB\n")
print(f"Machine: {os.cpu_count()} cores ({cpu}), {int(mem)//1024} MiB RAM; local hub on the same machine (shared with other work while it ran).\n")
print("| Step | Time (s) | Peak RSS (MiB) |\n|---|---|---|")
for k, (s, kib) in rows.items():
    print(f"| {k} | {s:.2f} | {kib/1024:.0f} |")
print()
print(f"- upload: JS / hfctl = **{t('upload-js')/t('upload-hfctl'):.2f}×** (target ≥ 1.5×); hfctl peak RSS {r('upload-hfctl'):.0f} MiB (target < 150)")
print(f"- download: hfctl / curl = **{t('download-hfctl')/t('download-curl'):.2f}×** (target ≤ 1.2×); JS / hfctl = **{t('download-js')/t('download-hfctl'):.2f}×** (target > 1)")
print(f"- sha256: HfHub / openssl = **{t('sha256-hfhub')/t('sha256-openssl'):.2f}×** (target ≤ 1.1×)")
PY
echo "results appended to bench/RESULTS.md" >&2
