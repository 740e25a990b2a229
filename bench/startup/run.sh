#!/usr/bin/env bash
# Startup benchmark (on demand, not in CI): the Native AOT hfctl against a Node script doing the
# same through @huggingface/hub, with hyperfine (apt-get install hyperfine).
#   1. `hfctl --version`                      vs  node version.mjs   (cold process start; target < 15 ms)
#   2. `hfctl auth whoami` on a running hub   vs  node whoami.mjs    (target < 60 ms)
# Writes bench/out/startup/*.json and replaces the "startup" section of bench/RESULTS.md.
#   bench/startup/run.sh [runs]               (default 30 runs per command, after 3 warm-ups)
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$PWD"
runs="${1:-30}"
out="$root/bench/out/startup"
mkdir -p "$out"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

command -v hyperfine >/dev/null || { echo "hyperfine is required (apt-get install hyperfine)" >&2; exit 1; }
[[ -d conformance/node_modules/@huggingface/hub ]] || (cd conformance && npm ci --no-audit --no-fund)

dotnet publish src/HfCtl -c Release -r linux-x64 -p:PublishAot=true -o "$out/aot" >"$out/publish.log" 2>&1 \
  || { tail -30 "$out/publish.log" >&2; exit 1; }
bin="$out/aot/hfctl"

# A local hub that keeps running while the whoami runs are timed.
export HF_HOME="$(mktemp -d)"
source bench/local-hub.sh
start_local_hub "$HF_HOME" "$bin"
"$bin" auth whoami >/dev/null
node bench/startup/whoami.mjs >/dev/null

hyperfine -N --warmup 3 --runs "$runs" --export-json "$out/version.json" \
  -n "hfctl --version" "$bin --version" \
  -n "node version.mjs" "node bench/startup/version.mjs" \
  -n "/bin/true" "/bin/true"
hyperfine -N --warmup 3 --runs "$runs" --export-json "$out/whoami.json" \
  -n "hfctl auth whoami" "$bin auth whoami" \
  -n "node whoami.mjs" "node bench/startup/whoami.mjs"

python3 - "$out" "$bin" "$runs" <<'PY'
import json, os, pathlib, platform, re, subprocess, sys, datetime
out, binary, runs = pathlib.Path(sys.argv[1]), sys.argv[2], sys.argv[3]
def results(name):
    return json.loads((out / name).read_text())["results"]
def cell(r):
    return f"{r['median'] * 1000:.1f} ms ± {r['stddev'] * 1000:.1f} (CPU {(r['user'] + r['system']) * 1000:.1f} ms)"
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
mem = next((int(l.split()[1]) // 1024 // 1024 for l in open("/proc/meminfo") if l.startswith("MemTotal")), 0)
version = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout.strip()
node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
hf = subprocess.run(["hyperfine", "--version"], capture_output=True, text=True).stdout.strip()
size = os.path.getsize(binary) / 1024 / 1024
lines = [
    "## startup", "",
    f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC; {cpu}, {os.cpu_count()} cores, {mem} GB; "
    f"{platform.system()} {platform.release()}; {version} (Native AOT linux-x64, {size:.1f} MB); node {node}; {hf}, "
    f"{runs} runs after 3 warm-ups (page cache warm, every run a new process).", "",
    "Wall time is the median ± standard deviation; CPU is the mean user + system time, which a busy machine inflates less.", "",
    "| benchmark | hfctl | node @huggingface/hub | node / hfctl (median) | target (hfctl median) | met |",
    "|---|---|---|---|---|---|",
]
for name, title, target in (("version.json", "`--version` (process start)", 15), ("whoami.json", "`auth whoami`, hub already running", 60)):
    ours, node_result = results(name)[:2]
    ratio = node_result["median"] / ours["median"]
    met = "yes" if ours["median"] * 1000 < target else "NO"
    lines.append(f"| {title} | {cell(ours)} | {cell(node_result)} | {ratio:.1f}× | < {target} ms | {met} |")
baseline = results("version.json")[2]
load = open("/proc/loadavg").read().split()[:3]
lines += ["", f"Baseline: `/bin/true` {cell(baseline)}; load average at the end {' '.join(load)} (a quiet machine has /bin/true near 1 ms).",
          "", "Run again with `bench/startup/run.sh`; raw hyperfine JSON in `bench/out/startup/`.", ""]
section = "\n".join(lines)
results = pathlib.Path("bench/RESULTS.md")
text = results.read_text() if results.exists() else "# Benchmark results\n\nOn-demand benchmarks (not run in CI); each section says when and where it ran.\n\n"
pattern = re.compile(r"^## startup\n.*?(?=^## |\Z)", re.S | re.M)
text = pattern.sub(lambda _: section, text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + section
results.write_text(text)
print(section)
PY
