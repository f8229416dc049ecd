#!/usr/bin/env bash
# Stops the Prometheus server of start-monitoring.sh; its data stays in $CLUSTER_DIR/prometheus.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
stop_process "$CLUSTER_DIR/prometheus.pid"
echo "prometheus stopped"
