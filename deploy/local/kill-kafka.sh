#!/usr/bin/env bash
# Kills Kafka node number N (0-based) with SIGKILL; start-kafka.sh starts it again.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
n="${1:?usage: kill-kafka.sh N}"
kill_process "$CLUSTER_DIR/kafka-$n/pid"
echo "kafka-$n killed"
