#!/usr/bin/env bash
# Stops the Kafka nodes started by start-kafka.sh; their data stays in CLUSTER_DIR.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
pidfiles=()
for ((i = 0; i < KAFKA_BROKERS; i++)); do
  pidfiles+=("$CLUSTER_DIR/kafka-$i/pid")
done
stop_process "${pidfiles[@]}"
echo "kafka stopped"
