#!/usr/bin/env bash
# MCP start-up benchmark (on demand, not in CI): how long after `hfctl mcp` starts its `initialize`
# answer arrives, with the Native AOT binary (target: under 100 ms), beside a bare process start of the
# same binary (`hfctl --version`, the floor), measured the same way. Writes the "mcp" section of
# bench/RESULTS.md.   bench/mcp/run.sh [runs]   (default 30, after 3 warm-ups)
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$PWD"
runs="${1:-30}"
out="$root/bench/out/mcp"
mkdir -p "$out"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

bin="${HFCTL_BIN:-}"
if [[ -z "$bin" ]]; then
  dotnet publish src/HfCtl -c Release -r linux-x64 -p:PublishAot=true -o "$out/aot" >"$out/publish.log" 2>&1 \
    || { tail -30 "$out/publish.log" >&2; exit 1; }
  bin="$out/aot/hfctl"
fi

python3 - "$bin" "$runs" "$root/bench/RESULTS.md" <<'PY'
import datetime, json, os, platform, re, statistics, subprocess, sys, tempfile, time
binary, runs, results = sys.argv[1], int(sys.argv[2]), sys.argv[3]
home = tempfile.mkdtemp()
env = {k: v for k, v in os.environ.items() if not k.startswith("HF_")}
# No request reaches a hub before the first tool call: any endpoint will do.
env.update(HF_HOME=home, HF_ENDPOINT="http://127.0.0.1:9", HF_TOKEN="hf_benchmarkbenchmarkbenchmarkbenchm")
initialize = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
    "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "bench", "version": "1"}}}) + "\n"

def initialize_ms():
    start = time.perf_counter()
    p = subprocess.Popen([binary, "mcp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    p.stdin.write(initialize.encode()); p.stdin.flush()
    line = p.stdout.readline()
    elapsed = (time.perf_counter() - start) * 1000
    assert b'"serverInfo"' in line, line
    p.stdin.close(); p.wait(10)
    return elapsed

def version_ms():
    start = time.perf_counter()
    subprocess.run([binary, "--version"], stdout=subprocess.DEVNULL, check=True)
    return (time.perf_counter() - start) * 1000

def measure(fn):
    for _ in range(3):
        fn()
    return [fn() for _ in range(runs)]

init, version = measure(initialize_ms), measure(version_ms)
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
mem = next((int(l.split()[1]) // 1024 // 1024 for l in open("/proc/meminfo") if l.startswith("MemTotal")), 0)
name = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout.strip()
m_init, m_version = statistics.median(init), statistics.median(version)
section = "\n".join([
    "## mcp", "",
    f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC; {cpu}, {os.cpu_count()} cores, {mem} GB; "
    f"{platform.system()} {platform.release()}; {name} (Native AOT linux-x64); {runs} runs after 3 warm-ups, every run a new process.", "",
    "From the process start to the whole `initialize` answer on stdout (bench/mcp/run.sh), beside a bare start of the same binary.", "",
    "| measure | median | p90 | ratio to `--version` | target | met |",
    "|---|---|---|---|---|---|",
    f"| `hfctl mcp`: `initialize` answered | {m_init:.1f} ms | {statistics.quantiles(init, n=10)[-1]:.1f} ms | {m_init / m_version:.2f}× | < 100 ms | {'yes' if m_init < 100 else 'no'} |",
    f"| `hfctl --version` (process start, the floor) | {m_version:.1f} ms | {statistics.quantiles(version, n=10)[-1]:.1f} ms | 1.00× | | |",
    "",
])
print(section)
text = open(results).read()
pattern = re.compile(r"^## mcp\n.*?(?=^## |\Z)", re.S | re.M)
text = pattern.sub(section + "\n", text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + section
open(results, "w").write(text)
PY
