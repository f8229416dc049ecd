#!/usr/bin/env bash
# Stops the local Flink cluster: the TaskManagers first, then the JobManagers, then ZooKeeper.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
shopt -s nullglob
taskmanagers=("$CLUSTER_DIR"/taskmanager-*/pid)
stop_process "${taskmanagers[@]}"
# A JobManager started by an earlier version of these scripts has its pid file at the top.
jobmanagers=("$CLUSTER_DIR"/jobmanager-*/pid "$CLUSTER_DIR/jobmanager.pid")
stop_process "${jobmanagers[@]}"
stop_process "$CLUSTER_DIR/zookeeper/pid"
echo "flink stopped"
