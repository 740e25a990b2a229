#!/usr/bin/env bash
# On-demand benchmark: `hfctl spaces list` of 1,000 Spaces from a Native AOT build vs the same
# listing with @huggingface/hub listSpaces in Node, both against one local hub (loopback).
# Target: hfctl < 300 ms wall and faster than Node. Writes nothing to the repo; copy the numbers
# into bench/RESULTS.md ("spaces list") with the date and machine.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
OUT=$ROOT/bench/out/spaces
COUNT=${COUNT:-1000}
mkdir -p "$OUT"

if [[ ! -x $OUT/aot/hfctl || ${REBUILD:-0} == 1 ]]; then
  # clang is the Native AOT linker; Debian ships it as clang-NN.
  LINKER=$(command -v clang || ls /usr/bin/clang-[0-9]* 2>/dev/null | sort -V | tail -1)
  dotnet publish src/HfCtl -c Release -r linux-x64 -p:PublishAot=true -p:CppCompilerAndLinker="$LINKER" -o "$OUT/aot" >"$OUT/publish.log"
fi
HFCTL=$OUT/aot/hfctl
(cd conformance && [[ -d node_modules/@huggingface/hub ]] || npm ci --no-audit --no-fund >/dev/null)

export HF_HOME=$(mktemp -d)
source bench/local-hub.sh
start_local_hub "$HF_HOME" "$HFCTL"
export HF_USER=demo COUNT
export NODE_PATH=$ROOT/conformance/node_modules

cp bench/spaces/*.mjs conformance/ 2>/dev/null || true
(cd conformance && node seed.mjs)

echo "hfctl: $("$HFCTL" spaces list --author demo --all | wc -l) lines; node: $(cd conformance && node list.mjs | wc -l) lines"
hyperfine --warmup 3 --runs ${RUNS:-20} --export-markdown "$OUT/spaces-list.md" \
  -n "hfctl spaces list (AOT)" "$HFCTL spaces list --author demo --all > /dev/null" \
  -n "node listSpaces" "cd $ROOT/conformance && node list.mjs > /dev/null"
rm -f conformance/seed.mjs conformance/list.mjs
cat "$OUT/spaces-list.md"
