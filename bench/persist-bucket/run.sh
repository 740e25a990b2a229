#!/usr/bin/env bash
# On-demand benchmark of `hfctl persist save|restore --bucket` (not part of the test suite).
#   bench/persist-bucket/run.sh [size-in-MiB] [bandwidth]     (defaults 1024 and 100mbit; HFCTL_BIN=path/to/hfctl)
# Against one `hfctl local-hub serve --bandwidth` (the link a Space has to the Hub), for a SQLite database of
# the given size: the first save to a bucket; the typical day (1 % of the size appended, 100 rows updated);
# the next save, with the bytes it sent (from --verbose: new bytes in xorbs); a restore; and, as the floor for
# the restore, `hfctl buckets cp` of the same snapshot object followed by `sync`. Prints Markdown for
# bench/RESULTS.md, with the targets: the day's save sends ≤ 5 % of the file and takes ≤ 25 % of the
# first save's time; the restore takes ≤ 1.3× the download + sync.
set -euo pipefail
cd "$(dirname "$0")/../.."
SIZE_MIB="${1:-1024}"
BANDWIDTH="${2:-100mbit}"
WORK="$(mktemp -d /tmp/hfctl-bench-persist-bucket.XXXXXX)"
source bench/local-hub.sh

build_hfctl "$WORK"
export HF_HOME="$WORK/home"
LOCAL_HUB_ARGS=(--bandwidth "$BANDWIDTH")
start_local_hub "$WORK" "${HFCTL[@]}"
USER_NAME="$("${HFCTL[@]}" auth whoami | sed -n 's/^user: //p')"
BUCKET="$USER_NAME/bench-persist"

echo "building a ${SIZE_MIB} MiB SQLite database…" >&2
python3 bench/sqlite-db.py build "$WORK/app.db" "$SIZE_MIB"
SIZE_BYTES="$(stat -c %s "$WORK/app.db")"

: >"$WORK/times.tsv"
measure() { # step name, command…
  local name="$1"; shift
  rm -rf "$WORK/down" "$WORK/restored.db"
  sync
  /usr/bin/time -f '%e %M' -o "$WORK/time" "$@" >"$WORK/last.out" 2>"$WORK/last.err" || { cat "$WORK/last.err" >&2; exit 1; }
  read -r secs kib <"$WORK/time"
  local sent
  sent="$(grep -oE 'transfer xet \([0-9]+ new bytes' "$WORK/last.err" | grep -oE '[0-9]+' | awk '{s+=$1} END {print s+0}')" || true # no Xet upload: 0
  printf '%s\t%s\t%s\t%s\n' "$name" "$secs" "$kib" "$sent" >>"$WORK/times.tsv"
}

echo "first save…" >&2
measure "persist save --bucket (first)" "${HFCTL[@]}" --verbose persist save "$WORK/app.db" db/app.sqlite --bucket "$BUCKET"
echo "the typical day: 1 % appended, 100 rows updated…" >&2
python3 bench/sqlite-db.py day "$WORK/app.db"
echo "the day's save…" >&2
measure "persist save --bucket (after the day)" "${HFCTL[@]}" --verbose persist save "$WORK/app.db" db/app.sqlite --bucket "$BUCKET"
echo "restore…" >&2
measure "persist restore --bucket" "${HFCTL[@]}" persist restore db/app.sqlite "$WORK/restored.db" --bucket "$BUCKET"
# The floor: the same snapshot bytes out of the same bucket, then flushed as a restore flushes them.
OBJECT="$("${HFCTL[@]}" --format agent buckets ls "hf://buckets/$BUCKET" -R | awk -F'\t' 'NR > 1 && $1 ~ /app\.sqlite$/ && $1 !~ /\.json$/ {print $1}' | sort | tail -1)"
[[ -n "$OBJECT" ]] || { echo "no snapshot object found in the bucket" >&2; exit 1; }
measure "buckets cp + sync (same bytes)" sh -c '"$@" && sync' sh "${HFCTL[@]}" buckets cp "hf://buckets/$BUCKET/$OBJECT" "$WORK/down"

echo "### $(date -u '+%Y-%m-%d %H:%M') UTC — ${SIZE_MIB} MiB SQLite database, local hub at $BANDWIDTH"
echo
echo "Machine: $(nproc) cores ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM, $(uname -sr), .NET $(dotnet --version), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
python3 - "$WORK/times.tsv" "$SIZE_BYTES" <<'PY'
import sys
rows = {r[0]: r for r in (line.rstrip("\n").split("\t") for line in open(sys.argv[1]))}
size = int(sys.argv[2])
print("| Step | Wall | Peak RSS | Xet bytes sent |")
print("|---|---|---|---|")
for name, r in rows.items():
    print(f"| {name} | {float(r[1]):.2f} s | {int(r[2]) // 1024} MiB | {int(r[3]):,} |")
first, day = rows["persist save --bucket (first)"], rows["persist save --bucket (after the day)"]
restore, floor = rows["persist restore --bucket"], rows["buckets cp + sync (same bytes)"]
sent = int(day[3]) / size
time_ratio = float(day[1]) / float(first[1])
restore_ratio = float(restore[1]) / float(floor[1])
print()
print("| Target | Measured | Met? |")
print("|---|---|---|")
print(f"| The day's save sends ≤ 5 % of the file | {sent:.2%} | {'yes' if sent <= 0.05 else 'no'} |")
print(f"| The day's save takes ≤ 25 % of the first save | {time_ratio:.1%} | {'yes' if time_ratio <= 0.25 else 'no'} |")
print(f"| Restore ≤ 1.3× download + sync | {restore_ratio:.2f}× | {'yes' if restore_ratio <= 1.3 else 'no'} |")
PY
