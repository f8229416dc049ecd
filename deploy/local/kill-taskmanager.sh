#!/usr/bin/env bash
# Kills TaskManager number N (0-based) with SIGKILL, as a crash would; start-taskmanager.sh N
# starts a replacement.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
n="${1:?usage: kill-taskmanager.sh N}"
kill_process "$CLUSTER_DIR/taskmanager-$n/pid"
echo "taskmanager-$n killed"
