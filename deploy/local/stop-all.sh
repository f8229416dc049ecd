#!/usr/bin/env bash
# Stops Flink, then Kafka.
here="$(dirname "${BASH_SOURCE[0]}")"
"$here/stop-flink.sh"; "$here/stop-kafka.sh"
