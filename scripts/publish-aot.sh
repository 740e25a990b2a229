#!/usr/bin/env bash
# Publishes hfctl as a Native AOT binary for linux-x64 and fails on ANY trim or AOT warning
# (IL2xxx/IL3xxx), then smoke-tests the binary against its embedded local hub.
# Usage: scripts/publish-aot.sh [output-dir]   (default artifacts/aot/linux-x64)
set -euo pipefail
cd "$(dirname "$0")/.."

out="${1:-artifacts/aot/linux-x64}"
log="$(mktemp)"
home="$(mktemp -d)"
trap 'rm -rf "$log" "$home"' EXIT

linker=()
# Native AOT links with clang by default; gcc works too when clang is not installed.
if ! command -v clang >/dev/null 2>&1 && command -v gcc >/dev/null 2>&1; then
  linker=(-p:CppCompilerAndLinker=gcc)
fi

echo "publishing src/HfCtl (Native AOT, linux-x64) to $out"
# TrimmerSingleWarn=false: one warning per problem, not one summary per assembly.
if ! dotnet publish src/HfCtl -c Release -r linux-x64 -o "$out" \
    -p:PublishAot=true -p:TrimmerSingleWarn=false -p:IlcTreatWarningsAsErrors=false "${linker[@]}" \
    -nologo -clp:NoSummary >"$log" 2>&1; then
  cat "$log"
  echo "publish-aot: dotnet publish failed" >&2
  exit 1
fi

if grep -E "(warning|error) IL[23][0-9]{3}" "$log" | sort -u | grep .; then
  echo "publish-aot: trim/AOT warnings found (above); Native AOT must stay warning-free" >&2
  exit 1
fi

binary="$out/hfctl"
test -x "$binary"
echo "binary: $binary ($(du -h "$binary" | cut -f1))"

# Smoke test: the README's first command, on the native binary, offline.
status="$(env -u HF_TOKEN -u HUGGING_FACE_HUB_TOKEN -u HF_ENDPOINT HF_HOME="$home" NO_COLOR=1 "$binary" --local auth status)"
echo "$status"
grep -q "Logged in as demo" <<<"$status"
# ...and the source-generated JSON of test-connection, which reflection-free AOT must still print.
report="$(env -u HF_TOKEN -u HUGGING_FACE_HUB_TOKEN -u HF_ENDPOINT HF_HOME="$home" "$binary" --local test-connection --json)"
grep -q '"ok":true' <<<"$report"
echo "publish-aot: ok, no trim/AOT warnings"
