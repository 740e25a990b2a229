#!/usr/bin/env bash
# Xet vs LFS transfers through hfctl, run on demand (NOT part of the test suite):
#   bench/xet-transfer/run.sh            # 1 GiB
#   SIZE_MIB=256 bench/xet-transfer/run.sh
# Against a local hub (hfctl local-hub serve --in-memory, Xet on) on this machine, side by side, same file:
#   upload    hfctl upload through Xet (new content)  vs  HF_HUB_DISABLE_XET=1 hfctl upload (LFS)
#   re-upload the file with 1% appended and 100 scattered 4 KiB pages changed, through Xet (dedupe)
#   download  hfctl download of the Xet file (reconstruction)  vs  HF_HUB_DISABLE_XET=1 (resolve)
# Wall time and peak RSS come from /usr/bin/time -v; the bytes a Xet upload sent come from its
# --verbose line. Results are appended to bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
SIZE_MIB=${SIZE_MIB:-1024}
WORK=$(mktemp -d /tmp/hfctl-xet-bench.XXXXXX)
source bench/local-hub.sh
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 HF_HOME="$WORK/home"

echo "building (Release)…" >&2
dotnet build src/HfCtl -c Release -o "$WORK/hfctl" -v quiet -nologo >/dev/null
HFCTL="$WORK/hfctl/hfctl"
start_local_hub "$WORK" "$HFCTL"
USER_NAME=demo

echo "generating ${SIZE_MIB} MiB…" >&2
head -c $((SIZE_MIB * 1024 * 1024)) /dev/urandom >"$WORK/big.bin"
cp "$WORK/big.bin" "$WORK/changed.bin"
# An app's day: 1% appended, 100 pages of 4 KiB rewritten at random offsets.
head -c $((SIZE_MIB * 1024 * 1024 / 100)) /dev/urandom >>"$WORK/changed.bin"
python3 - "$WORK/changed.bin" "$SIZE_MIB" <<'PY'
import os, random, sys
random.seed(7)
with open(sys.argv[1], "r+b") as f:
    for _ in range(100):
        f.seek(random.randrange(int(sys.argv[2]) * 256) * 4096)
        f.write(os.urandom(4096))
PY
cat "$WORK/big.bin" "$WORK/changed.bin" >/dev/null

measure() {
  local label=$1; shift
  /usr/bin/time -v -o "$WORK/time.txt" "$@" >/dev/null 2>"$WORK/$label.err" || { echo "$label failed:" >&2; cat "$WORK/$label.err" >&2; exit 1; }
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,p,":"); s=0; for(i=1;i<=n;i++) s=s*60+p[i]; print s}' "$WORK/time.txt")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time.txt")
  local sent
  sent=$(grep -oE 'transfer xet \([0-9]+ new bytes' "$WORK/$label.err" | grep -oE '[0-9]+' | tail -1 || true)
  echo "$label $wall $rss ${sent:--}" | tee -a "$WORK/results.txt" >&2
}

"$HFCTL" repo create "$USER_NAME/bench-xet" >/dev/null
"$HFCTL" repo create "$USER_NAME/bench-lfs" >/dev/null

measure upload-xet "$HFCTL" upload "$USER_NAME/bench-xet" "$WORK/big.bin" big.bin --verbose
measure upload-lfs env HF_HUB_DISABLE_XET=1 "$HFCTL" upload "$USER_NAME/bench-lfs" "$WORK/big.bin" big.bin --quiet
measure reupload-xet "$HFCTL" upload "$USER_NAME/bench-xet" "$WORK/changed.bin" big.bin --verbose
measure download-xet "$HFCTL" download "$USER_NAME/bench-xet" big.bin --local-dir "$WORK/dl-xet" --verbose
measure download-resolve env HF_HUB_DISABLE_XET=1 "$HFCTL" download "$USER_NAME/bench-xet" big.bin --local-dir "$WORK/dl-resolve" --quiet
grep -q "transfer xet (v" "$WORK/download-xet.err" || { echo "the Xet download did not go through reconstruction" >&2; exit 1; }
cmp "$WORK/changed.bin" "$WORK/dl-xet/big.bin"
cmp "$WORK/changed.bin" "$WORK/dl-resolve/big.bin"

python3 - "$WORK/results.txt" "$SIZE_MIB" >>"$ROOT/bench/RESULTS.md" <<'PY'
import sys, datetime, os, platform
rows = {l.split()[0]: l.split()[1:] for l in open(sys.argv[1])}
size = int(sys.argv[2])
mem = next(l.split()[1] for l in open("/proc/meminfo") if l.startswith("MemTotal"))
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
t = lambda k: float(rows[k][0])
print(f"\n## Xet transfer benchmark, {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, {size} MiB\n")
print(f"Machine: {os.cpu_count()} cores ({cpu}), {int(mem)//1024} MiB RAM; local hub on the same machine, loopback, no bandwidth limit (shared with other work while it ran).\n")
print("| Step | Time (s) | Peak RSS (MiB) | Bytes sent in xorbs |\n|---|---|---|---|")
for k, (s, kib, sent) in rows.items():
    print(f"| {k} | {float(s):.2f} | {int(kib)/1024:.0f} | {sent} |")
print()
changed = os.path.getsize(sys.argv[1].rsplit('/', 1)[0] + "/changed.bin")
print(f"- upload of new content: Xet / LFS = **{t('upload-xet')/t('upload-lfs'):.2f}×** (target ≤ 1.2×); Xet peak RSS {int(rows['upload-xet'][1])/1024:.0f} MiB (target < 200)")
print(f"- re-upload after 1% appended + 100 pages changed: sent **{int(rows['reupload-xet'][2])/changed*100:.1f}%** of the file (target ≤ 5%), {t('reupload-xet')/t('upload-xet'):.2f}× the first upload's time")
print(f"- download: reconstruction / resolve = **{t('download-xet')/t('download-resolve'):.2f}×** (target ≤ 1.2×)")
PY
echo "results appended to bench/RESULTS.md" >&2
