#!/usr/bin/env bash
# On-demand benchmark of hfctl persist against a local hub (not part of the test suite).
#   bench/persistence/run.sh [size-in-MiB]      (default 1024)
# Measures, for a SQLite database of the given size: a full 'persist save', an unchanged save, a
# 'persist restore', and for comparison 'hfctl upload' / 'hfctl download' of a plain file of the same
# size; wall time and peak RSS of each (GNU time). Prints a Markdown table for bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
SIZE_MIB="${1:-1024}"
WORK="$(mktemp -d /tmp/hfctl-bench-persist.XXXXXX)"
trap 'kill "$HUB_PID" 2>/dev/null || true; wait "$HUB_PID" 2>/dev/null || true; rm -rf "$WORK"' EXIT

dotnet build src/HfCtl -c Release -o "$WORK/bin" -v quiet -nologo >/dev/null
HFCTL=(dotnet "$WORK/bin/hfctl.dll")
export HF_HOME="$WORK/home"

"${HFCTL[@]}" local-hub serve --in-memory >"$WORK/hub.out" 2>"$WORK/hub.err" &
HUB_PID=$!
for _ in $(seq 1 100); do grep -q '^HF_ENDPOINT=' "$WORK/hub.out" 2>/dev/null && break; sleep 0.2; done
eval "export $(head -1 "$WORK/hub.out")"   # HF_ENDPOINT=… HF_TOKEN=… (the local hub's demo account)
USER_NAME="$("${HFCTL[@]}" auth whoami | sed -n 's/^user: //p')"

echo "building a ${SIZE_MIB} MiB SQLite database and a plain file of the same size…" >&2
python3 - "$WORK/app.db" "$SIZE_MIB" <<'PY'
import os, sqlite3, sys
path, mib = sys.argv[1], int(sys.argv[2])
db = sqlite3.connect(path)
db.execute("PRAGMA journal_mode=WAL")
db.execute("CREATE TABLE rows(id INTEGER PRIMARY KEY, payload BLOB NOT NULL)")
chunk = [(os.urandom(4000),) for _ in range(256)]
while os.path.getsize(path) + os.path.getsize(path + "-wal") < mib * 1024 * 1024:
    db.executemany("INSERT INTO rows(payload) VALUES (?)", chunk)
    db.commit()
db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
db.close()
PY
head -c "$(stat -c %s "$WORK/app.db")" /dev/urandom >"$WORK/plain.bin"

RESULTS=()
measure() { # name, command…
  local name="$1"; shift
  /usr/bin/time -f '%e %M' -o "$WORK/time" "$@" >"$WORK/last.out" 2>"$WORK/last.err" || { cat "$WORK/last.err" >&2; exit 1; }
  read -r secs kib <"$WORK/time"
  RESULTS+=("| $name | $secs s | $((kib / 1024)) MiB | $(head -1 "$WORK/last.out" | cut -c1-90) |")
}

measure "hfctl upload (plain file)" "${HFCTL[@]}" upload "$USER_NAME/bench-plain" "$WORK/plain.bin" plain.bin --type dataset --private
measure "persist save (full)" "${HFCTL[@]}" persist save "$WORK/app.db" db/app.sqlite --dataset "$USER_NAME/bench-persist"
measure "persist save (unchanged)" "${HFCTL[@]}" persist save "$WORK/app.db" db/app.sqlite --dataset "$USER_NAME/bench-persist"
measure "hfctl download (plain file)" "${HFCTL[@]}" download "$USER_NAME/bench-plain" plain.bin --type dataset --local-dir "$WORK/down"
measure "persist restore" "${HFCTL[@]}" persist restore db/app.sqlite "$WORK/restored.db" --dataset "$USER_NAME/bench-persist"

echo "### $(date -u +%Y-%m-%d) — ${SIZE_MIB} MiB SQLite database, local hub on loopback"
echo
echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM, $(uname -sr), .NET $(dotnet --version)"
echo
echo "| Step | Wall time | Peak RSS | Output |"
echo "|---|---|---|---|"
printf '%s\n' "${RESULTS[@]}"
