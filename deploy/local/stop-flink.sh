#!/usr/bin/env bash
# Stops the local Flink cluster: TaskManagers first, then the JobManager.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
for dir in "$CLUSTER_DIR"/taskmanager-*; do
  [ -d "$dir" ] && stop_process "$dir/pid"
done
stop_process "$CLUSTER_DIR/jobmanager.pid"
echo "flink stopped"
