#!/usr/bin/env bash
# Stops Prometheus (when start-monitoring.sh started it), Flink, then Kafka.
here="$(dirname "${BASH_SOURCE[0]}")"
"$here/stop-monitoring.sh"; "$here/stop-flink.sh"; "$here/stop-kafka.sh"
