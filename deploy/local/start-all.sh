#!/usr/bin/env bash
# Starts Kafka and Flink as configured in cluster.conf (or $HIVESTREAM_CLUSTER_CONF), side by side;
# prints what each started once both are up, and fails when either fails.
set -uo pipefail
here="$(dirname "${BASH_SOURCE[0]}")"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
"$here/start-kafka.sh" >"$out/kafka" &
kafka=$!
"$here/start-flink.sh" >"$out/flink" &
flink=$!
status=0
wait "$kafka" || status=1
wait "$flink" || status=1
cat "$out/kafka" "$out/flink"
if [ "$status" -ne 0 ]; then
  echo "start-all.sh: not everything started (see above); deploy/local/stop-all.sh stops what did" >&2
fi
exit "$status"
