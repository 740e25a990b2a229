#!/usr/bin/env bash
# On-demand benchmark of hfctl persist against a local hub (not part of the test suite).
#   bench/persistence/run.sh [size-in-MiB]      (default 1024; optional ROUNDS=5, HFCTL_BIN=path/to/hfctl)
# Measures, for a SQLite database of the given size: a full 'persist save', an unchanged save, a
# 'persist restore', and for comparison 'hfctl upload' / 'hfctl download' of a plain file of the same
# size; wall time and peak RSS of each (GNU time), ROUNDS times (default 3); then the two comparisons
# again as back-to-back pairs, the restore also against a download followed by 'sync'. Prints Markdown
# tables (every run, the medians, the targets, the pairs) for bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
SIZE_MIB="${1:-1024}"
WORK="$(mktemp -d /tmp/hfctl-bench-persist.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
source bench/local-hub.sh

build_hfctl "$WORK"
export HF_HOME="$WORK/home"

start_local_hub "$WORK" "${HFCTL[@]}"
USER_NAME="$("${HFCTL[@]}" auth whoami | sed -n 's/^user: //p')"

echo "building a ${SIZE_MIB} MiB SQLite database and a plain file of the same size…" >&2
python3 bench/sqlite-db.py build "$WORK/app.db" "$SIZE_MIB"
head -c "$(stat -c %s "$WORK/app.db")" /dev/urandom >"$WORK/plain.bin"

ROUNDS="${ROUNDS:-3}"
: >"$WORK/times.tsv"
: >"$WORK/pairs.tsv"
measure() { # tsv file, step name, command…
  local tsv="$1" name="$2"; shift 2
  # Each step starts clean: the previous step's output is deleted and nothing is left dirty (the one
  # step that must fsync, restore, would otherwise wait for the write-back of earlier gigabytes, and a
  # step that writes 1 GiB right after another did measured 30-60 % slower, whichever came second).
  rm -rf "$WORK/down" "$WORK/restored.db"
  sync
  /usr/bin/time -f '%e %M' -o "$WORK/time" "$@" >"$WORK/last.out" 2>"$WORK/last.err" || { cat "$WORK/last.err" >&2; exit 1; }
  read -r secs kib <"$WORK/time"
  printf '%s\t%s\t%s\t%s\n' "$name" "$secs" "$kib" "$(head -1 "$WORK/last.out" | cut -c1-80)" >>"$tsv"
}

# Single runs on this machine vary by ±30 % (page-cache and write-back state), so every step runs
# ROUNDS times, each round against fresh repos, and the medians are compared.
for round in $(seq 1 "$ROUNDS"); do
  echo "round $round of $ROUNDS…" >&2
  measure "$WORK/times.tsv" "hfctl upload (plain file)" "${HFCTL[@]}" upload "$USER_NAME/bench-plain-$round" "$WORK/plain.bin" plain.bin --type dataset --private
  measure "$WORK/times.tsv" "persist save (full)" "${HFCTL[@]}" persist save "$WORK/app.db" db/app.sqlite --dataset "$USER_NAME/bench-persist-$round"
  measure "$WORK/times.tsv" "persist save (unchanged)" "${HFCTL[@]}" persist save "$WORK/app.db" db/app.sqlite --dataset "$USER_NAME/bench-persist-$round"
  measure "$WORK/times.tsv" "hfctl download (plain file)" "${HFCTL[@]}" download "$USER_NAME/bench-plain-$round" plain.bin --type dataset --local-dir "$WORK/down"
  measure "$WORK/times.tsv" "persist restore" "${HFCTL[@]}" persist restore db/app.sqlite "$WORK/restored.db" --dataset "$USER_NAME/bench-persist-$round"
done

# The same comparisons back to back, with nothing else between the two commands of a pair: upload and
# save alternate (fresh repos), then download and restore alternate (the round-1 repos).
for round in $(seq 1 "$ROUNDS"); do
  echo "back-to-back pair $round of $ROUNDS…" >&2
  measure "$WORK/pairs.tsv" upload "${HFCTL[@]}" upload "$USER_NAME/bench-pair-plain-$round" "$WORK/plain.bin" plain.bin --type dataset --private
  measure "$WORK/pairs.tsv" save "${HFCTL[@]}" persist save "$WORK/app.db" db/app.sqlite --dataset "$USER_NAME/bench-pair-persist-$round"
done
# A restore has its bytes on disk when it ends (it flushes before its rename); a download leaves them
# in the page cache, and the next step's 'rm' drops them unwritten. So the pairs also time a download
# followed by 'sync', the same bytes on disk: what the restore costs beyond durability.
for round in $(seq 1 "$ROUNDS"); do
  measure "$WORK/pairs.tsv" download "${HFCTL[@]}" download "$USER_NAME/bench-plain-1" plain.bin --type dataset --local-dir "$WORK/down"
  measure "$WORK/pairs.tsv" restore "${HFCTL[@]}" persist restore db/app.sqlite "$WORK/restored.db" --dataset "$USER_NAME/bench-persist-1"
  measure "$WORK/pairs.tsv" "download + sync" sh -c '"$@" && sync' sh "${HFCTL[@]}" download "$USER_NAME/bench-plain-1" plain.bin --type dataset --local-dir "$WORK/down"
done

echo "### $(date -u '+%Y-%m-%d %H:%M') UTC — ${SIZE_MIB} MiB SQLite database, local hub on loopback, $ROUNDS rounds"
echo
echo "Machine: $(nproc) cores ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM, $(uname -sr), .NET $(dotnet --version)"
echo
python3 - "$WORK/times.tsv" <<'PY'
import statistics, sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1])]
steps = list(dict.fromkeys(r[0] for r in rows))
times = {s: [float(r[1]) for r in rows if r[0] == s] for s in steps}
rss = {s: max(int(r[2]) for r in rows if r[0] == s) // 1024 for s in steps}
median = {s: statistics.median(times[s]) for s in steps}
print("| Step | Median | Runs | Peak RSS |")
print("|---|---|---|---|")
for s in steps:
    print(f"| {s} | {median[s]:.2f} s | {' / '.join(f'{t:.2f}' for t in times[s])} | {rss[s]} MiB |")
save, upload = median["persist save (full)"], median["hfctl upload (plain file)"]
restore, download = median["persist restore"], median["hfctl download (plain file)"]
print()
print("| Target | Measured (medians) | Met? |")
print("|---|---|---|")
print(f"| Unchanged save < 3 s, no upload | {median['persist save (unchanged)']:.2f} s | {'yes' if median['persist save (unchanged)'] < 3 else 'no'} |")
print(f"| Full save ≤ 1.5× upload | {save / upload:.2f}× | {'yes' if save / upload <= 1.5 else 'no'} |")
print(f"| Restore ≤ 1.3× download | {restore / download:.2f}× | {'yes' if restore / download <= 1.3 else 'no'} |")
peak = max(rss.values())
print(f"| Peak memory < 200 MiB | {peak} MiB | {'yes' if peak < 200 else 'no'} |")
PY
echo
echo "Back to back ($ROUNDS times each, nothing else in between: upload and save alternate, then download, restore, download + sync):"
echo
python3 - "$WORK/pairs.tsv" <<'PY'
import statistics, sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1])]
times = {s: [float(r[1]) for r in rows if r[0] == s] for s in dict.fromkeys(r[0] for r in rows)}
median = {s: statistics.median(t) for s, t in times.items()}
print("| Pair | Medians | Ratio | Target | Runs (ours / theirs) |")
print("|---|---|---|---|---|")
for ours, theirs, target in (("save", "upload", 1.5), ("restore", "download", 1.3), ("restore", "download + sync", None)):
    ratio = median[ours] / median[theirs]
    verdict = "—" if target is None else f"≤ {target}× ({'met' if ratio <= target else 'missed'})"
    runs = " · ".join(f"{a:.2f} / {b:.2f}" for a, b in zip(times[ours], times[theirs]))
    print(f"| `persist {ours}` / `hfctl {theirs}` | {median[ours]:.2f} s / {median[theirs]:.2f} s | {ratio:.2f}× | {verdict} | {runs} |")
PY
