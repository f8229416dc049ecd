#!/usr/bin/env bash
# Starts Kafka and Flink as configured in cluster.conf (or $HIVESTREAM_CLUSTER_CONF).
here="$(dirname "${BASH_SOURCE[0]}")"
"$here/start-kafka.sh" && "$here/start-flink.sh"
