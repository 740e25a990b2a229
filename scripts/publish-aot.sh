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
# The binary alone is the whole program: copied by itself into an empty folder, it still has SQLite
# (embedded, written once to the user's cache) for the local hub and a persist save and restore.
mkdir "$home/alone" "$home/cache" "$home/data"
cp "$binary" "$home/alone/hfctl"
python3 - "$home/data/app.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("CREATE TABLE t(x)")
db.executemany("INSERT INTO t VALUES (?)", [(i,) for i in range(1000)])
db.commit()
PY
alone=(env -u HF_TOKEN -u HUGGING_FACE_HUB_TOKEN -u HF_ENDPOINT HF_HOME="$home/alone-home" XDG_CACHE_HOME="$home/cache" "$home/alone/hfctl" --local)
"${alone[@]}" persist save "$home/data/app.db" db/app.sqlite --dataset demo/aot-smoke
"${alone[@]}" persist restore db/app.sqlite "$home/data/restored.db" --dataset demo/aot-smoke
test "$(python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM t").fetchone()[0])' "$home/data/restored.db")" = 1000
ls "$home"/cache/hfctl/native/*/libe_sqlite3.so >/dev/null
echo "publish-aot: ok, no trim/AOT warnings"
