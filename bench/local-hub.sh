# Sourced by the benchmarks that talk to a local hub.
#   build_hfctl DIR
# Sets the array HFCTL to the hfctl to measure: $HFCTL_BIN (another build, the Native AOT binary say) when set,
# else a fresh Release build in DIR/bin.
#   start_local_hub DIR HFCTL-COMMAND...
# Starts `HFCTL-COMMAND local-hub serve --in-memory [LOCAL_HUB_ARGS...]` in the background (its output in DIR/hub.out and
# DIR/hub.err), waits for its first line, exports HF_ENDPOINT and HF_TOKEN (the demo account), and on
# exit stops the hub and removes DIR. The array LOCAL_HUB_ARGS adds options to serve,
# e.g. LOCAL_HUB_ARGS=(--bandwidth 100mbit).

start_local_hub() {
  local dir="$1"
  shift
  LOCAL_HUB_DIR="$dir"
  "$@" local-hub serve --in-memory ${LOCAL_HUB_ARGS[@]+"${LOCAL_HUB_ARGS[@]}"} >"$dir/hub.out" 2>"$dir/hub.err" &
  LOCAL_HUB_PID=$!
  trap stop_local_hub EXIT
  for _ in $(seq 1 150); do
    grep -q '^HF_ENDPOINT=' "$dir/hub.out" 2>/dev/null && break
    sleep 0.1
  done
  grep -q '^HF_ENDPOINT=' "$dir/hub.out" || { echo "the local hub did not start:" >&2; cat "$dir/hub.err" >&2; exit 1; }
  local endpoint token
  read -r endpoint token <"$dir/hub.out"
  export HF_ENDPOINT="${endpoint#HF_ENDPOINT=}" HF_TOKEN="${token#HF_TOKEN=}"
}

stop_local_hub() {
  if [[ -n "${LOCAL_HUB_PID:-}" ]]; then
    kill "$LOCAL_HUB_PID" 2>/dev/null || true
    wait "$LOCAL_HUB_PID" 2>/dev/null || true
  fi
  rm -rf "${LOCAL_HUB_DIR:?}"
}

build_hfctl() {
  if [[ -n "${HFCTL_BIN:-}" ]]; then
    HFCTL=("$HFCTL_BIN")
  else
    dotnet build src/HfCtl -c Release -o "$1/bin" -v quiet -nologo >/dev/null
    HFCTL=(dotnet "$1/bin/hfctl.dll")
  fi
}
