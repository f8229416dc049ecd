#!/usr/bin/env bash
# Stops the Kafka nodes started by start-kafka.sh; their data stays in CLUSTER_DIR.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
for ((i = KAFKA_BROKERS - 1; i >= 0; i--)); do
  stop_process "$CLUSTER_DIR/kafka-$i/pid"
done
echo "kafka stopped"
