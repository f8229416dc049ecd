#!/usr/bin/env bash
# Stops the local Flink cluster: TaskManagers first, then the JobManagers, then ZooKeeper.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
for dir in "$CLUSTER_DIR"/taskmanager-* "$CLUSTER_DIR"/jobmanager-*; do
  [ -d "$dir" ] && stop_process "$dir/pid"
done
# A JobManager started by an earlier version of these scripts (one pid file at the top).
stop_process "$CLUSTER_DIR/jobmanager.pid"
stop_process "$CLUSTER_DIR/zookeeper/pid"
echo "flink stopped"
