#!/usr/bin/env bash
# Starts a Prometheus server (Debian's prometheus package, or PROMETHEUS_BIN) for the local cluster:
# the scrape rules of deploy/monitoring/prometheus.yml, with every port of PROMETHEUS_PORTS on
# localhost as the Flink targets (each Flink process takes the first free one, so a TaskManager
# started later is found too) and the server itself. Config, data and log in
# $CLUSTER_DIR/prometheus; the web UI and HTTP API on localhost:PROMETHEUS_UI_PORT.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
prometheus="${PROMETHEUS_BIN:-$(command -v prometheus || true)}"
if [ -z "$prometheus" ] || [ ! -x "$prometheus" ]; then
  echo "error: prometheus is not installed${PROMETHEUS_BIN:+ at $PROMETHEUS_BIN}; install it with 'sudo apt-get install prometheus' (Debian or Ubuntu) or name a prometheus binary with PROMETHEUS_BIN=PATH." >&2
  exit 1
fi
ui_port="${PROMETHEUS_UI_PORT:-9090}"
ports="${PROMETHEUS_PORTS:-9249-9260}"
dir="$CLUSTER_DIR/prometheus"
mkdir -p "$dir/targets" "$dir/data"
cp "$ROOT/deploy/monitoring/prometheus.yml" "$dir/prometheus.yml"
targets=""
for range in ${ports//,/ }; do # Flink's syntax: ports and ranges, comma separated
  for ((port = ${range%-*}; port <= ${range#*-}; port++)); do
    targets+="${targets:+, }\"localhost:$port\""
  done
done
printf -- '# Written by deploy/local/start-monitoring.sh: every port of PROMETHEUS_PORTS=%s.\n- targets: [%s]\n' \
  "$ports" "$targets" >"$dir/targets/flink.yml"
printf -- '# Written by deploy/local/start-monitoring.sh.\n- targets: ["localhost:%s"]\n' "$ui_port" \
  >"$dir/targets/prometheus.yml"
start_process --port "$ui_port" "$CLUSTER_DIR/prometheus.pid" "$dir/prometheus.log" "$prometheus" \
  --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/data" \
  --web.listen-address="127.0.0.1:$ui_port"
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$ui_port/-/ready" >/dev/null && break
  if ! is_running "$(cat "$CLUSTER_DIR/prometheus.pid")"; then
    echo "prometheus stopped; see $dir/prometheus.log:" >&2
    tail -5 "$dir/prometheus.log" >&2
    exit 1
  fi
  sleep 0.5
done
curl -sf "http://127.0.0.1:$ui_port/-/ready" >/dev/null || {
  echo "prometheus is not ready on port $ui_port; see $dir/prometheus.log" >&2
  exit 1
}
echo "prometheus: http://localhost:$ui_port (scraping localhost:$ports)"
